"""Text as people search it: case and Polish diacritics do not matter, so "ARKUSZA" finds
"arkusza" and "zaswiadczenie" finds "zaświadczenie" (ł has no decomposition in Unicode
and is mapped by hand). One definition for the classification rules and the register."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ł", "l"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
