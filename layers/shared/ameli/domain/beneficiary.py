"""A beneficiary of the registry (fixtures.md) and the eligibility rules of journey.md 2.1.

Every refusal reason is for internal metrics only: the person always gets the same uniform answer.
`repr` never shows the NIR, IBAN or Carte Vitale serial (journey.md 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from ameli.domain.names import names_match
from ameli.domain.nir import Nir

ELIGIBLE_REGIMES = frozenset({"general", "CAMIEG", "CANSSM", "CAVIMAC", "CNMSS", "CRPCEN", "ENIM", "MGP"})


@dataclass(frozen=True, repr=False)
class CarteVitale:
    serial: str  # 21 digits
    status: str  # "active", "inactive" or "mutation_failed"

    def __repr__(self) -> str:
        return f"CarteVitale(status={self.status!r})"


@dataclass(frozen=True, repr=False)
class Beneficiary:
    """One insured person as known by the Assurance Maladie."""

    nir: str  # 13 characters, no key
    nir_certified: bool
    birth_name: str
    usage_name: str | None
    given_names: tuple[str, ...]
    gender: str  # "male" / "female"
    birth_date: date
    birth_place: str | None  # COG commune code, None when born abroad
    birth_country: str  # COG country code, "99100" for France
    postal_code: str
    previous_postal_codes: tuple[str, ...]
    regime: str
    rights_holder: bool
    iban: str | None
    carte_vitale: CarteVitale | None

    def __repr__(self) -> str:
        return "Beneficiary(<redacted>)"

    def to_dict(self) -> dict[str, Any]:
        """The fixture JSON shape (dates as ISO strings, lists for sequences)."""
        return {
            "nir": self.nir,
            "nir_certified": self.nir_certified,
            "birth_name": self.birth_name,
            "usage_name": self.usage_name,
            "given_names": list(self.given_names),
            "gender": self.gender,
            "birth_date": self.birth_date.isoformat(),
            "birth_place": self.birth_place,
            "birth_country": self.birth_country,
            "postal_code": self.postal_code,
            "previous_postal_codes": list(self.previous_postal_codes),
            "regime": self.regime,
            "rights_holder": self.rights_holder,
            "iban": self.iban,
            "carte_vitale": (
                None
                if self.carte_vitale is None
                else {"serial": self.carte_vitale.serial, "status": self.carte_vitale.status}
            ),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Beneficiary:
        """Build from the fixture JSON shape; optional keys may be missing (taken as null/empty)."""
        card = data.get("carte_vitale")
        return cls(
            nir=str(data["nir"]),
            nir_certified=bool(data["nir_certified"]),
            birth_name=str(data["birth_name"]),
            usage_name=data.get("usage_name") or None,
            given_names=tuple(data.get("given_names") or ()),
            gender=str(data["gender"]),
            birth_date=date.fromisoformat(str(data["birth_date"])),
            birth_place=data.get("birth_place") or None,
            birth_country=str(data["birth_country"]),
            postal_code=str(data["postal_code"]),
            previous_postal_codes=tuple(data.get("previous_postal_codes") or ()),
            regime=str(data["regime"]),
            rights_holder=bool(data["rights_holder"]),
            iban=data.get("iban") or None,
            carte_vitale=None if not card else CarteVitale(serial=str(card["serial"]), status=str(card["status"])),
        )


class RefusalReason(str, Enum):
    NO_MATCH = "NO_MATCH"
    NIR_NOT_CERTIFIED = "NIR_NOT_CERTIFIED"
    NOT_RIGHTS_HOLDER = "NOT_RIGHTS_HOLDER"
    INELIGIBLE_REGIME = "INELIGIBLE_REGIME"
    NO_BANK_DETAILS = "NO_BANK_DETAILS"
    NO_ACTIVE_CARTE_VITALE = "NO_ACTIVE_CARTE_VITALE"
    CARTE_VITALE_MUTATION_FAILED = "CARTE_VITALE_MUTATION_FAILED"


def identity_matches(b: Beneficiary, last_name: str, nir: Nir, birth_date: date, postal_code: str) -> bool:
    """Same NIR, name = birth or usage name (normalised), same birth date, current or former postal code."""
    same_nir = b.nir == nir.value
    same_name = names_match(last_name, b.birth_name) or names_match(last_name, b.usage_name)
    same_birth = b.birth_date == birth_date
    known_postal = postal_code == b.postal_code or postal_code in b.previous_postal_codes
    return same_nir and same_name and same_birth and known_postal


def common_refusal(b: Beneficiary) -> RefusalReason | None:
    """Exclusions of both options (Carte Vitale and FranceConnect): certified NIR, rights holder, regime."""
    if not b.nir_certified:
        return RefusalReason.NIR_NOT_CERTIFIED
    if not b.rights_holder:
        return RefusalReason.NOT_RIGHTS_HOLDER
    if b.regime not in ELIGIBLE_REGIMES:
        return RefusalReason.INELIGIBLE_REGIME
    return None


def option1_refusal(
    b: Beneficiary | None, last_name: str, nir: Nir, birth_date: date, postal_code: str
) -> RefusalReason | None:
    """Why Option 1 (Carte Vitale + IBAN) is refused, or None when the person is eligible."""
    if b is None or not identity_matches(b, last_name, nir, birth_date, postal_code):
        return RefusalReason.NO_MATCH
    common = common_refusal(b)
    if common is not None:
        return common
    if not b.iban:
        return RefusalReason.NO_BANK_DETAILS
    if b.carte_vitale is None:
        return RefusalReason.NO_ACTIVE_CARTE_VITALE
    if b.carte_vitale.status == "mutation_failed":
        return RefusalReason.CARTE_VITALE_MUTATION_FAILED
    if b.carte_vitale.status != "active":
        return RefusalReason.NO_ACTIVE_CARTE_VITALE
    return None


@dataclass(frozen=True, repr=False)
class DeclaredIdentity:
    """What the person typed at Option 1's first step, each value already well-formed."""

    last_name: str
    nir: Nir
    birth_date: date
    postal_code: str

    def __repr__(self) -> str:
        return "DeclaredIdentity(<redacted>)"
