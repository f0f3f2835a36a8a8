"""Value objects as the HTTP layer hands them to the use cases, built from request bodies."""

from ameli.domain.beneficiary import DeclaredIdentity
from ameli.domain.contact import ContactDetails, Email, parse_email
from ameli.domain.nir import Nir, parse_nir
from ameli.domain.proof import ProofTails
from ameli.http.models import ContactRequest, ProofRequest, StartSignupRequest


def identity(body: dict) -> DeclaredIdentity:
    return StartSignupRequest(**body).identity()


def proof(body: dict) -> ProofTails:
    return ProofRequest(**body).tails()


def tails(iban_last7: str, serial_last11: str) -> ProofTails:
    return proof({"iban_last7": iban_last7, "carte_vitale_serial_last11": serial_last11})


def contact(email: str = "paul.venturi@example.fr", **changes) -> ContactDetails:
    body = {"email": email, "email_confirmation": email, "email_marketing_consent": False, **changes}
    return ContactRequest(**body).details()


def email(address: str) -> Email:
    return parse_email(address, test_environment=True)


def nir(raw: str) -> Nir:
    return parse_nir(raw)
