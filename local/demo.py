"""The demo people of the loaded fixtures, as `make run` lists them: who to type in, and what each shows.

    print("\n".join(demo_lines(fixtures)))
"""

from __future__ import annotations

from typing import Any

from local import put_layer_on_path

put_layer_on_path()

from ameli.domain.beneficiary import option1_refusal  # noqa: E402
from ameli.domain.nir import parse_nir  # noqa: E402

REFUSALS = {
    "NIR_NOT_CERTIFIED": "refused: NIR not certified",
    "NOT_RIGHTS_HOLDER": "refused: not a rights holder",
    "INELIGIBLE_REGIME": "refused: regime not eligible",
    "NO_BANK_DETAILS": "refused: no bank details",
    "NO_ACTIVE_CARTE_VITALE": "refused: no active Carte Vitale",
    "CARTE_VITALE_MUTATION_FAILED": "refused: Carte Vitale transfer failed",
}


def _spaced(nir: str) -> str:
    return " ".join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13]])


def what_it_shows(person: Any) -> str:
    refusal = option1_refusal(person, person.birth_name, parse_nir(person.nir), person.birth_date, person.postal_code)
    if refusal is not None:
        return REFUSALS.get(refusal.value, f"refused: {refusal.value}")
    notes = []
    if person.usage_name:
        notes.append(f"usage name {person.usage_name}")
    if person.birth_place is None:
        notes.append("born abroad")
    elif person.birth_place.startswith(("2A", "2B")):
        notes.append("born in Corsica")
    elif person.birth_place.startswith("97"):
        notes.append("born overseas")
    if person.previous_postal_codes:
        notes.append(f"former postal codes {', '.join(person.previous_postal_codes)}")
    if any(char.isalpha() for char in person.iban[-7:]):
        notes.append("letter in the IBAN tail")
    return "eligible" + (f" ({'; '.join(notes)})" if notes else "")


def demo_lines(fixtures: Any, password: str = "MotdePasse1") -> list[str]:
    lines = ["Demo people (synthetic; Option 1: last name, NIR, birth date, postal code, then the proof):"]
    for person in fixtures.beneficiaries:
        name = f"{person.birth_name}{f' ({person.usage_name})' if person.usage_name else ''} {' '.join(person.given_names)}"
        proof = (f"IBAN ...{person.iban[-7:]}" if person.iban else "no IBAN") + ", " + (
            f"card ...{person.carte_vitale.serial[-11:]}" if person.carte_vitale else "no card")
        lines.append(f"  {name:<44} {_spaced(person.nir)}  {person.birth_date.isoformat()}  {person.postal_code}  "
                     f"{proof:<38} {what_it_shows(person)}")
    lines.append(f"  a password the policy accepts: {password}")
    if fixtures.franceconnect_identities:
        lines.append("FranceConnect logins at the local provider (login / password -> identity):")
        for identity in fixtures.franceconnect_identities:
            login = f"{identity['login']} / {identity['password']}"
            lines.append(f"  {login:<16} {identity['given_name']} {identity['family_name']}, {identity['birthdate']} "
                         f"({identity['identity_provider']})")
    return lines
