"""Name comparison: case, accents, hyphens, apostrophes and repeated spaces do not matter.

journey.md 2.1: `de la Tour-d'Auvergne` = `DE LA TOUR D AUVERGNE`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Letters that Unicode does not decompose into a base letter + accent.
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS",
     "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L"}
)
# Anything that is not a letter or a digit separates words: spaces, hyphens (all dashes),
# apostrophes (straight and typographic), dots...
_SEPARATORS = re.compile(r"[\W_]+")


def normalize_name(name: str) -> str:
    """Upper-case ASCII words separated by single spaces (`Tour-d'Auvergne` -> `TOUR D AUVERGNE`)."""
    decomposed = unicodedata.normalize("NFKD", (name or "").translate(_LIGATURES))
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SEPARATORS.sub(" ", without_accents).strip().upper()


def names_match(typed: str, on_file: str | None) -> bool:
    """True when both names are equal after normalisation (an empty name never matches)."""
    if not on_file:
        return False
    normalized = normalize_name(typed)
    return bool(normalized) and normalized == normalize_name(on_file)


def first_given_name(given_names: str | Sequence[str]) -> str:
    """The first given name: of a list (civil-status order), or of a space-separated string
    such as FranceConnect's `given_name` (`Angela Claire Louise` -> `Angela`). Empty if none."""
    if isinstance(given_names, str):
        parts = given_names.split()
    else:
        parts = [name.strip() for name in given_names if name and name.strip()]
    return parts[0] if parts else ""
