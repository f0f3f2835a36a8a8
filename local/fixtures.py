"""Loads and strictly validates a fixture file (`fixtures.md`): beneficiaries and FranceConnect identities.

Every problem names the file, the entry and the field, never the value (fixtures hold personal data,
synthetic or not):

    demo.json: beneficiaries[3]: field "birth_date": not a valid date YYYY-MM-DD

    fixtures = load_fixture_file("local/demo_fixtures.json")   # raises FixtureError
    fixtures.beneficiaries[0].birth_name                        # 'VENTURI'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from local import put_layer_on_path

put_layer_on_path()

from ameli.domain.beneficiary import Beneficiary  # noqa: E402
from ameli.domain.errors import FieldValidationError  # noqa: E402
from ameli.domain.nir import Nir, nir_matches_birth_date, parse_nir  # noqa: E402

TOP_LEVEL_KEYS = ("beneficiaries", "franceconnect_identities")
CARTE_VITALE_STATUSES = ("active", "inactive", "mutation_failed")
GENDERS = ("male", "female")
IDENTITY_PROVIDERS = ("impots.gouv.fr", "ameli.fr", "L'Identité Numérique La Poste", "MSA", "France Identité")
FRANCE = "99100"

_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_COMMUNE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")
_COUNTRY = re.compile(r"^99[0-9]{3}$")
_POSTAL_CODE = re.compile(r"^[0-9]{5}$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[0-9A-Z]{10,30}$")
_SERIAL = re.compile(r"^[0-9]{21}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class FixtureError(ValueError):
    """A fixture file is unusable. `problems` lists each one, already prefixed with the file name."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Fixtures:
    beneficiaries: list[Beneficiary]
    franceconnect_identities: list[dict[str, str]]


class _Object(dict):
    """A JSON object that remembers the keys it was given more than once."""

    duplicates: tuple[str, ...] = ()


def _object_pairs(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object()
    seen: list[str] = []
    for key, value in pairs:
        if key in result:
            seen.append(key)
        result[key] = value
    result.duplicates = tuple(seen)
    return result


def iban_is_valid(iban: str) -> bool:
    """Shape `^[A-Z]{2}[0-9]{2}[0-9A-Z]{10,30}$` and ISO 13616 check digits (mod 97 = 1)."""
    if not _IBAN.match(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _parse_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _is_raw_birthdate(value: Any) -> bool:
    """An identity provider's birth date: a real date, or `YYYY-MM-00` / `YYYY-00-00` when unknown
    (FranceConnect then sends `01` in `birthdate` and the raw value in `idp_birthdate`)."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return False
    year, month, day = value.split("-")
    if day == "00":
        return month == "00" or 1 <= int(month) <= 12
    return _parse_date(value) is not None


class _Checker:
    """Collects problems about one entry (`beneficiaries[3]`)."""

    def __init__(self, problems: list[str], prefix: str, entry: Any) -> None:
        self.problems = problems
        self.prefix = prefix
        self.entry = entry if isinstance(entry, dict) else {}
        self.failed: set[str] = set()
        self.count = 0

    def add(self, field: str | None, message: str) -> None:
        where = f'{self.prefix}: field "{field}"' if field else self.prefix
        self.problems.append(f"{where}: {message}")
        self.count += 1
        if field:
            self.failed.add(field.split(".")[0].split("[")[0])

    def ok(self, field: str) -> bool:
        return field in self.entry and field not in self.failed

    def keys(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        for key in getattr(self.entry, "duplicates", ()):
            self.add(key, "given more than once")
        for key in self.entry:
            if key not in required and key not in optional:
                self.add(key, "unknown field")
        for key in required:
            if key not in self.entry:
                self.add(key, "missing")

    def check(self, field: str, valid: Callable[[Any], bool], message: str) -> None:
        if field in self.entry and field not in self.failed and not valid(self.entry[field]):
            self.add(field, message)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != "" and len(value) <= 200


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _check_beneficiary(problems: list[str], prefix: str, entry: Any) -> Beneficiary | None:
    c = _Checker(problems, prefix, entry)
    if not isinstance(entry, dict):
        c.add(None, "must be an object")
        return None
    c.keys(
        required=(
            "nir", "nir_certified", "birth_name", "given_names", "gender", "birth_date", "birth_place",
            "birth_country", "postal_code", "regime", "rights_holder", "iban", "carte_vitale",
        ),
        optional=("usage_name", "previous_postal_codes"),
    )
    c.check("nir_certified", _is_bool, "must be true or false")
    c.check("rights_holder", _is_bool, "must be true or false")
    c.check("birth_name", _is_text, "must be a non-empty string")
    c.check("usage_name", lambda v: v is None or _is_text(v), "must be null or a non-empty string")
    c.check(
        "given_names",
        lambda v: isinstance(v, list) and len(v) > 0 and all(_is_text(n) for n in v),
        "must be a non-empty list of non-empty strings",
    )
    c.check("gender", lambda v: v in GENDERS, "must be \"male\" or \"female\"")
    c.check("birth_date", lambda v: _parse_date(v) is not None, "not a valid date YYYY-MM-DD")
    today = datetime.now(UTC).date()
    c.check("birth_date", lambda v: _parse_date(v) <= today, "is in the future")
    c.check(
        "birth_place",
        lambda v: v is None or (isinstance(v, str) and bool(_COMMUNE.match(v))),
        "must be null (born abroad) or an INSEE commune code of 5 characters (75107, 2B010, 97105)",
    )
    c.check("birth_country", lambda v: isinstance(v, str) and bool(_COUNTRY.match(v)),
            "must be an INSEE country code 99XXX (99100 for France)")
    if c.ok("birth_place") and c.ok("birth_country"):
        if entry["birth_place"] is None and entry["birth_country"] == FRANCE:
            c.add("birth_place", "null means born abroad, but \"birth_country\" is 99100 (France)")
        elif entry["birth_place"] is not None and entry["birth_country"] != FRANCE:
            c.add("birth_country", "must be 99100 when \"birth_place\" is a French commune")
    c.check("postal_code", lambda v: isinstance(v, str) and bool(_POSTAL_CODE.match(v)), "must be 5 digits")
    if "previous_postal_codes" in entry:
        codes = entry["previous_postal_codes"]
        if codes is not None and not isinstance(codes, list):
            c.add("previous_postal_codes", "must be a list of postal codes")
        else:
            for index, code in enumerate(codes or []):
                if not (isinstance(code, str) and _POSTAL_CODE.match(code)):
                    c.add(f"previous_postal_codes[{index}]", "must be 5 digits")
    c.check("regime", _is_text, "must be a non-empty string (general, CAMIEG, ..., or another regime)")
    c.check("iban", lambda v: v is None or (isinstance(v, str) and bool(_IBAN.match(v))),
            "must be null or an IBAN in compact upper-case form (no spaces)")
    c.check("iban", lambda v: v is None or iban_is_valid(v), "wrong IBAN check digits (mod 97)")
    _check_carte_vitale(c, entry)
    _check_nir(c, entry)
    if c.count:
        return None
    try:
        return Beneficiary.from_dict(dict(entry))
    except Exception as error:  # the domain refuses what the loader let through: say so, without values
        c.add(None, f"refused by Beneficiary.from_dict ({type(error).__name__})")
        return None


def _check_carte_vitale(c: _Checker, entry: dict[str, Any]) -> None:
    if "carte_vitale" not in entry or entry["carte_vitale"] is None:
        return
    card = entry["carte_vitale"]
    if not isinstance(card, dict):
        c.add("carte_vitale", "must be null or an object with \"serial\" and \"status\"")
        return
    for key in getattr(card, "duplicates", ()):
        c.add(f"carte_vitale.{key}", "given more than once")
    for key in card:
        if key not in ("serial", "status"):
            c.add(f"carte_vitale.{key}", "unknown field")
    if "serial" not in card:
        c.add("carte_vitale.serial", "missing")
    elif not (isinstance(card["serial"], str) and _SERIAL.match(card["serial"])):
        c.add("carte_vitale.serial", "must be a string of 21 digits")
    if "status" not in card:
        c.add("carte_vitale.status", "missing")
    elif card["status"] not in CARTE_VITALE_STATUSES:
        c.add("carte_vitale.status", "must be one of " + ", ".join(CARTE_VITALE_STATUSES))


def _check_nir(c: _Checker, entry: dict[str, Any]) -> None:
    if "nir" not in entry:
        return
    value = entry["nir"]
    if not isinstance(value, str) or len(value) != 13:
        c.add("nir", "must be a string of 13 characters, without key or spaces")
        return
    try:
        nir = parse_nir(value)
    except FieldValidationError as error:
        if error.code == "PROVISIONAL_NIR":
            if c.ok("nir_certified") and entry["nir_certified"] is not False:
                c.add("nir", "a provisional number (starting with 7 or 8) must have \"nir_certified\": false")
            return
        c.add("nir", "not a valid NIR (sex digit, year, month, place, order: see journey.md 2.1)")
        return
    if nir.value != value:
        c.add("nir", "must be stored without separators, in upper case")
        return
    _check_nir_agrees(c, entry, nir)


def _check_nir_agrees(c: _Checker, entry: dict[str, Any], nir: Nir) -> None:
    """The NIR tells the sex, the year and month and the place of birth: they must agree."""
    if c.ok("birth_date") and not nir_matches_birth_date(nir, _parse_date(entry["birth_date"])):
        c.add("nir", "year/month digits do not agree with \"birth_date\"")
    if c.ok("gender") and nir.sex_digit != (1 if entry["gender"] == "male" else 2):
        c.add("nir", "sex digit does not agree with \"gender\" (1 male, 2 female)")
    if c.ok("birth_place") and c.ok("birth_country"):
        place = entry["birth_place"]
        if place is None:
            if nir.place != entry["birth_country"]:
                c.add("nir", "place digits must be the \"birth_country\" code (99XXX) for a birth abroad")
        else:
            # Before 1976 Corsica was department 20: a NIR of that time says 20, the commune code 2A/2B.
            corsica_before_1976 = place[:2] in ("2A", "2B") and nir.place == "20" + place[2:]
            if nir.place != place and not corsica_before_1976:
                c.add("nir", "place digits do not agree with \"birth_place\"")


def _check_identity(problems: list[str], prefix: str, entry: Any) -> dict[str, str] | None:
    c = _Checker(problems, prefix, entry)
    if not isinstance(entry, dict):
        c.add(None, "must be an object")
        return None
    c.keys(required=(
        "login", "password", "identity_provider", "given_name", "family_name", "preferred_username",
        "gender", "birthdate", "birthplace", "birthcountry", "email",
    ))
    for field in ("login", "password", "given_name", "family_name"):
        c.check(field, _is_text, "must be a non-empty string")
    c.check("identity_provider", lambda v: v in IDENTITY_PROVIDERS, "must be one of " + ", ".join(IDENTITY_PROVIDERS))
    c.check("preferred_username", lambda v: isinstance(v, str) and len(v) <= 200,
            "must be a string (\"\" when there is no usage name)")
    c.check("gender", lambda v: v in GENDERS, "must be \"male\" or \"female\"")
    c.check("birthdate", _is_raw_birthdate, "not a valid date YYYY-MM-DD (00 for an unknown day, or day and month)")
    c.check("birthplace", lambda v: isinstance(v, str) and (v == "" or bool(_COMMUNE.match(v))),
            "must be \"\" (born abroad) or an INSEE commune code of 5 characters")
    c.check("birthcountry", lambda v: isinstance(v, str) and bool(_COUNTRY.match(v)),
            "must be an INSEE country code 99XXX (99100 for France)")
    if c.ok("birthplace") and c.ok("birthcountry"):
        if entry["birthplace"] == "" and entry["birthcountry"] == FRANCE:
            c.add("birthplace", "\"\" means born abroad, but \"birthcountry\" is 99100 (France)")
        elif entry["birthplace"] != "" and entry["birthcountry"] != FRANCE:
            c.add("birthcountry", "must be 99100 when \"birthplace\" is a French commune")
    c.check("email", lambda v: isinstance(v, str) and bool(_EMAIL.match(v)), "not an email address")
    if c.count:
        return None
    return dict(entry)


def parse_fixtures(text: str, source: str = "fixtures") -> Fixtures:
    """Validates a fixture document; raises `FixtureError` listing every problem found."""
    def fail(message: str) -> FixtureError:
        return FixtureError([f"{source}: {message}"])

    try:
        document = json.loads(text, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as error:
        raise fail(f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    if not isinstance(document, dict):
        raise fail("the top level must be an object with \"beneficiaries\" and \"franceconnect_identities\"")
    problems: list[str] = []
    for key in getattr(document, "duplicates", ()):
        problems.append(f'{source}: top-level key "{key}" given more than once')
    for key in document:
        if key not in TOP_LEVEL_KEYS:
            problems.append(f'{source}: unknown top-level key "{key}" (expected: {", ".join(TOP_LEVEL_KEYS)})')
    for key in TOP_LEVEL_KEYS:
        if key not in document:
            problems.append(f'{source}: top-level key "{key}" is missing')
        elif not isinstance(document[key], list):
            problems.append(f'{source}: "{key}" must be a list')
    if problems:
        raise FixtureError(problems)

    entry_problems: list[str] = []
    beneficiaries = []
    first_with_nir: dict[str, int] = {}
    for index, entry in enumerate(document["beneficiaries"]):
        prefix = f"beneficiaries[{index}]"
        beneficiary = _check_beneficiary(entry_problems, prefix, entry)
        if beneficiary is None:
            continue
        if beneficiary.nir in first_with_nir:
            entry_problems.append(
                f'{prefix}: field "nir": same NIR as beneficiaries[{first_with_nir[beneficiary.nir]}]'
            )
            continue
        first_with_nir[beneficiary.nir] = index
        beneficiaries.append(beneficiary)

    identities = []
    first_with_login: dict[str, int] = {}
    for index, entry in enumerate(document["franceconnect_identities"]):
        prefix = f"franceconnect_identities[{index}]"
        identity = _check_identity(entry_problems, prefix, entry)
        if identity is None:
            continue
        login = identity["login"].strip().casefold()
        if login in first_with_login:
            entry_problems.append(
                f'{prefix}: field "login": same login as franceconnect_identities[{first_with_login[login]}]'
            )
            continue
        first_with_login[login] = index
        identities.append(identity)

    if entry_problems:
        raise FixtureError([f"{source}: {problem}" for problem in entry_problems])
    return Fixtures(beneficiaries=beneficiaries, franceconnect_identities=identities)


def load_fixture_file(path: Path | str) -> Fixtures:
    """Reads and validates `path` (UTF-8 JSON). Raises `FixtureError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise FixtureError([f"{path}: cannot read the fixture file ({error.strerror or error})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FixtureError([f"{path.name}: not UTF-8 text"]) from None
    return parse_fixtures(text, source=path.name)
