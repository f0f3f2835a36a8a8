from datetime import date

import pytest

from ameli.domain.password_policy import PASSWORD_MESSAGES, PasswordContext, check_password

CTX = PasswordContext(nir13="162122B010001", birth_date=date(1962, 12, 18), names=("VENTURI", "Paul", "Jean"))


def violations(password: str) -> tuple[str, ...]:
    return check_password(password, CTX).violations


def test_guide_example_password_is_accepted():
    verdict = check_password("MotdePasse1", CTX)
    assert verdict.valid
    assert verdict.violations == ()
    assert 2 <= verdict.strength <= 4


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Sol3il", "TOO_SHORT"),
        ("soleilvert1", "MISSING_UPPERCASE"),
        ("SoleilVert", "MISSING_DIGIT_OR_SPECIAL"),
        ("Soléil-Vert1", "FORBIDDEN_CHARACTER"),
        ("Abc162122B0", "CONTAINS_NIR"),
        ("Azerty1962", "CONTAINS_BIRTH_DATE"),
        ("Ab18/12cd9", "CONTAINS_BIRTH_DATE"),
        ("Azerty123", "TOO_WEAK"),
    ],
)
def test_spec_examples_are_refused_for_the_stated_rule(password, code):
    verdict = check_password(password, CTX)
    assert not verdict.valid
    assert code in verdict.violations


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("soleilvert1", ("MISSING_UPPERCASE",)),
        ("SoleilVert", ("MISSING_DIGIT_OR_SPECIAL",)),
        ("Soléil-Vert1", ("FORBIDDEN_CHARACTER",)),
        ("Abc162122B0", ("CONTAINS_NIR",)),
        ("Ab18/12cd9", ("CONTAINS_BIRTH_DATE",)),
        ("Azerty123", ("TOO_WEAK",)),
    ],
)
def test_spec_examples_break_only_their_rule(password, expected):
    assert violations(password) == expected


def test_password_longer_than_50_characters_is_refused():
    assert "TOO_LONG" in violations("Xk9#mQ2!vLp7" * 5)
    assert "TOO_LONG" not in violations(("Xk9#mQ2!vLp7" * 5)[:50])


def test_very_long_password_is_not_scored():
    verdict = check_password("Xk9#mQ2!vLp7" * 20, CTX)
    assert verdict.violations == ("TOO_LONG",)
    assert verdict.strength == 0


def test_missing_lowercase_is_refused():
    assert "MISSING_LOWERCASE" in violations("SOLEILVERT1!")


def test_special_character_replaces_a_digit():
    assert "MISSING_DIGIT_OR_SPECIAL" not in violations("Soleil!Vert")


@pytest.mark.parametrize("password", ["Soleil Vert1", "Soleil€Vert1", "SoleilVert1\u00a0", "SoleilVert1ß"])
def test_space_and_non_ascii_characters_are_forbidden(password):
    assert "FORBIDDEN_CHARACTER" in violations(password)


def test_all_32_ascii_punctuation_marks_are_allowed():
    assert "FORBIDDEN_CHARACTER" not in violations("Ab1" + "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


@pytest.mark.parametrize("password", ["Xq!162122b0Zk", "Xq!2B0100Zk", "Xq!010001Zk", "Xq!162122B010001Zk"])
def test_any_six_consecutive_nir_characters_are_refused_case_insensitively(password):
    assert "CONTAINS_NIR" in violations(password)


def test_five_consecutive_nir_characters_are_allowed():
    assert "CONTAINS_NIR" not in violations("Xq!16212Zk#w")


@pytest.mark.parametrize(
    "part",
    ["1962", "1812", "181262", "18121962", "19621218", "621218", "18/12", "18-12-62", "18.12.1962", "1962/12/18", "62-12-18", "18/12-1962"],
)
def test_birth_date_and_its_parts_are_refused(part):
    assert "CONTAINS_BIRTH_DATE" in violations(f"Xq!{part}Zk#w")


def test_other_dates_are_allowed():
    assert "CONTAINS_BIRTH_DATE" not in violations("Xq!1963/11/17Zk#w")


def test_all_violations_are_reported_together():
    assert violations("") == ("TOO_SHORT", "MISSING_LOWERCASE", "MISSING_UPPERCASE", "MISSING_DIGIT_OR_SPECIAL")
    assert set(violations("azerty 1962")) >= {"MISSING_UPPERCASE", "FORBIDDEN_CHARACTER", "CONTAINS_BIRTH_DATE"}


def test_strength_is_always_between_0_and_4():
    for password in ["", "a", "Azerty123", "MotdePasse1", "Xk9#mQ2!vLp7-Tr8$"]:
        assert 0 <= check_password(password, CTX).strength <= 4
    assert check_password("", CTX).strength == 0


def test_names_of_the_person_weaken_the_password():
    assert check_password("Venturi1962", CTX).strength <= 1


def test_every_code_has_a_french_message():
    codes = {"TOO_SHORT", "TOO_LONG", "MISSING_LOWERCASE", "MISSING_UPPERCASE", "MISSING_DIGIT_OR_SPECIAL",
             "FORBIDDEN_CHARACTER", "CONTAINS_NIR", "CONTAINS_BIRTH_DATE", "TOO_WEAK", "MISMATCH"}
    assert codes <= PASSWORD_MESSAGES.keys()
    assert all(PASSWORD_MESSAGES[code] for code in codes)


def test_context_repr_hides_nir_and_birth_date():
    assert "162122" not in repr(CTX) and "1962" not in repr(CTX)
