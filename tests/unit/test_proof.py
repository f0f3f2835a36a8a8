from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ameli.domain.beneficiary import Beneficiary, CarteVitale
from ameli.domain.errors import FieldValidationError
from ameli.domain.proof import (
    ProofAttempts,
    carte_vitale_serial_prefix,
    mask_iban,
    parse_iban_last7,
    parse_serial_last11,
    proof_matches,
)
from tests.people import VENTURI as VENTURI_JSON

VENTURI = Beneficiary.from_dict(VENTURI_JSON)
T0 = datetime(2020, 4, 30, 10, 0, tzinfo=UTC)


def _code(call, *args) -> str:
    with pytest.raises(FieldValidationError) as caught:
        call(*args)
    return caught.value.code


def test_masked_iban_matches_the_spec_example():
    assert mask_iban("FR7630004000031234567890143") == "FR76 3000 4*** **** **** *** ****"
    assert mask_iban("FR76 3000 4000 0312 3456 7890 143") == "FR76 3000 4*** **** **** *** ****"


def test_masked_iban_never_reveals_the_last_seven_characters():
    iban = "FR1420041010050500013M02606"
    masked = mask_iban(iban).replace(" ", "")
    assert masked.endswith("*" * 7) and len(masked) == len(iban)
    assert "3M02606" not in mask_iban(iban)
    short = "NO9386011117947"  # 15 characters
    assert mask_iban(short).replace(" ", "").endswith("*" * 7)


def test_serial_prefix_is_first_ten_digits():
    assert carte_vitale_serial_prefix("802500000204671322630") == "8025000002"


def test_iban_tail_is_compacted_and_upper_cased():
    assert parse_iban_last7(" 3m02 606 ") == "3M02606"


@pytest.mark.parametrize(("raw", "code"), [("", "REQUIRED"), ("890 14", "INVALID_FORMAT"), ("89014300", "INVALID_FORMAT"), ("8901-43", "INVALID_FORMAT")])
def test_iban_tail_must_be_seven_letters_or_digits(raw, code):
    assert _code(parse_iban_last7, raw) == code


def test_serial_tail_is_eleven_digits():
    assert parse_serial_last11("0467 1322 630") == "04671322630"


@pytest.mark.parametrize(("raw", "code"), [(" ", "REQUIRED"), ("0467132263", "INVALID_FORMAT"), ("0467132263A", "INVALID_FORMAT"), ("046713226300", "INVALID_FORMAT")])
def test_serial_tail_must_be_eleven_digits(raw, code):
    assert _code(parse_serial_last11, raw) == code


def test_right_tails_prove_possession():
    assert proof_matches(VENTURI, "7890143", "04671322630")


def test_letters_in_a_french_iban_tail_are_compared():
    b = replace(VENTURI, iban="FR1420041010050500013M02606")
    assert proof_matches(b, parse_iban_last7("3m02606"), "04671322630")


@pytest.mark.parametrize(("iban_tail", "serial_tail"), [("7890144", "04671322630"), ("7890143", "04671322631"), ("0000000", "00000000000")])
def test_any_wrong_tail_fails_the_proof(iban_tail, serial_tail):
    assert not proof_matches(VENTURI, iban_tail, serial_tail)


def test_proof_fails_without_iban_or_active_card():
    assert not proof_matches(replace(VENTURI, iban=None), "7890143", "04671322630")
    assert not proof_matches(replace(VENTURI, carte_vitale=None), "7890143", "04671322630")
    inactive = CarteVitale("802500000204671322630", "inactive")
    assert not proof_matches(replace(VENTURI, carte_vitale=inactive), "7890143", "04671322630")


def test_fresh_attempts_allow_three_tries():
    attempts = ProofAttempts()
    assert not attempts.is_locked(T0)
    assert attempts.attempts_left(T0) == 3
    assert attempts.retry_after_seconds(T0) == 0


def test_three_failures_within_24_hours_lock_for_24_hours():
    attempts = ProofAttempts().after_failure(T0)
    assert attempts.attempts_left(T0) == 2 and not attempts.is_locked(T0)
    attempts = attempts.after_failure(T0 + timedelta(hours=1))
    assert attempts.attempts_left(T0 + timedelta(hours=1)) == 1
    third = T0 + timedelta(hours=2)
    attempts = attempts.after_failure(third)
    assert attempts.is_locked(third)
    assert attempts.locked_until == third + timedelta(hours=24)
    assert attempts.attempts_left(third) == 0
    assert attempts.retry_after_seconds(third) == 24 * 3600


def test_fourth_attempt_is_refused_while_locked_and_does_not_extend_the_lock():
    third = T0 + timedelta(minutes=2)
    locked = ProofAttempts().after_failure(T0).after_failure(T0 + timedelta(minutes=1)).after_failure(third)
    fourth = third + timedelta(hours=23, minutes=59, seconds=30)
    assert locked.is_locked(fourth)
    assert locked.retry_after_seconds(fourth) == 30
    assert locked.after_failure(fourth) == locked


def test_lock_ends_after_24_hours_and_attempts_start_again():
    third = T0 + timedelta(minutes=2)
    locked = ProofAttempts().after_failure(T0).after_failure(T0 + timedelta(minutes=1)).after_failure(third)
    after = third + timedelta(hours=24)
    assert not locked.is_locked(after)
    assert locked.attempts_left(after) == 3
    assert not locked.after_failure(after).is_locked(after)


def test_failures_older_than_24_hours_are_forgotten():
    attempts = ProofAttempts().after_failure(T0).after_failure(T0 + timedelta(hours=1))
    later = T0 + timedelta(hours=24, minutes=30)  # the first failure is now older than 24 h
    assert attempts.attempts_left(later) == 2
    attempts = attempts.after_failure(later)
    assert not attempts.is_locked(later)
    assert len(attempts.failures) == 2
    assert attempts.after_failure(later + timedelta(minutes=1)).is_locked(later + timedelta(minutes=1))
