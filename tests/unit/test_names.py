from ameli.domain.names import first_given_name, names_match, normalize_name


def test_case_accents_hyphens_apostrophes_and_spaces_do_not_matter():
    assert normalize_name("de la Tour-d'Auvergne") == normalize_name("DE LA TOUR D AUVERGNE")
    assert normalize_name("de la Tour-d\u2019Auvergne") == "DE LA TOUR D AUVERGNE"
    assert normalize_name("  Hélène   MÜLLER ") == "HELENE MULLER"


def test_ligatures_are_spelled_out():
    assert normalize_name("Lætitia Cœur") == "LAETITIA COEUR"


def test_different_names_do_not_match():
    assert not names_match("Dupont", "Dupond")
    assert not names_match("", "")
    assert not names_match("Dupont", None)
    assert names_match("venturi", "VENTURI")


def test_first_given_name_of_list_or_space_separated_string():
    assert first_given_name(["Paul", "Jean"]) == "Paul"
    assert first_given_name("Angela Claire Louise") == "Angela"
    assert first_given_name("Jean-Pierre Marie") == "Jean-Pierre"
    assert first_given_name([]) == ""
