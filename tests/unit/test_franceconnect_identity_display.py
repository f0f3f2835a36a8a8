"""How the web client words the identity FranceConnect sent (web/js/screens/franceconnect.js), run by
Node on the client's own module: a presumed birth date says what is unknown; a birth place names its
department (overseas and Corsica included), or says abroad."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is missing (make web-deps installs it)")


def worded(calls: list[tuple[str, list]]) -> list[str]:
    script = (
        'import("./js/screens/franceconnect.js").then((m) => {'
        f"  const calls = {json.dumps(calls)};"
        "  console.log(JSON.stringify(calls.map(([name, args]) => m[name](...args))));"
        "});"
    )
    done = subprocess.run(["node", "--no-warnings", "-e", script], cwd=WEB, capture_output=True, text=True,
                          timeout=30, check=True)
    return json.loads(done.stdout)


def test_birth_dates_say_what_franceconnect_did_not_know():
    assert worded([
        ("birthDateText", ["1962-08-24", "day"]),
        ("birthDateText", ["1962-12-01", "month"]),
        ("birthDateText", ["1960-01-01", "year"]),
    ]) == ["24/08/1962", "décembre 1962 (jour inconnu)", "1960 (jour et mois inconnus)"]


def test_birth_places_name_their_department_or_say_abroad():
    assert worded([
        ("birthPlaceText", [{"birthplace": "75107", "birthcountry": "99100"}]),
        ("birthPlaceText", [{"birthplace": "2B010", "birthcountry": "99100"}]),
        ("birthPlaceText", [{"birthplace": "97105", "birthcountry": "99100"}]),
        ("birthPlaceText", [{"birthplace": "01001", "birthcountry": "99100"}]),
        ("birthPlaceText", [{"birthcountry": "99126"}]),
    ]) == [
        "Paris, commune de code INSEE 75107",
        "Haute-Corse, commune de code INSEE 2B010",
        "Guadeloupe, commune de code INSEE 97105",
        "Ain, commune de code INSEE 01001",
        "À l'étranger (pays de code INSEE 99126)",
    ]
