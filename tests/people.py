"""The beneficiaries the unit and functional tests use (the guide's example and a few cases)."""

from ameli.domain.beneficiary import Beneficiary

VENTURI = {
    "nir": "162122B010001",
    "nir_certified": True,
    "birth_name": "VENTURI",
    "usage_name": None,
    "given_names": ["Paul", "Jean"],
    "gender": "male",
    "birth_date": "1962-12-18",
    "birth_place": "2B010",
    "birth_country": "99100",
    "postal_code": "63000",
    "previous_postal_codes": ["75011"],
    "regime": "general",
    "rights_holder": True,
    "iban": "FR7630004000031234567890143",
    "carte_vitale": {"serial": "802500000204671322630", "status": "active"},
}
VENTURI_IDENTITY = {"last_name": "venturi", "nir": "1 62 12 2B 010 001", "birth_date": "1962-12-18", "postal_code": "63000"}
VENTURI_PROOF = {"iban_last7": "7890143", "carte_vitale_serial_last11": "04671322630"}

MARTIN = {
    **VENTURI,
    "nir": "284052A321025",
    "birth_name": "DURAND",
    "usage_name": "MARTIN",
    "given_names": ["Claire"],
    "gender": "female",
    "birth_date": "1984-05-12",
    "birth_place": "2A321",
    "postal_code": "69003",
    "previous_postal_codes": [],
    "iban": "FR1420041010050500013M02606",
    "carte_vitale": {"serial": "802500000312345678901", "status": "active"},
}
MARTIN_IDENTITY = {"last_name": "Martin", "nir": "2 84 05 2A 321 025", "birth_date": "1984-05-12", "postal_code": "69003"}
MARTIN_PROOF = {"iban_last7": "3M02606", "carte_vitale_serial_last11": "12345678901"}

PASSWORD = "MotdePasse1"


def beneficiary(data: dict, **changes) -> Beneficiary:
    return Beneficiary.from_dict({**data, **changes})
