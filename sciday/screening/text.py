"""The one normalisation shared by stored words and screened text.

NFKC folds full-width forms and compatibility characters (ＡＢＣ → ABC, ① → 1), casefold folds
case (including ß → ss); NFKC again, since casefolding can leave a string that is not NFKC.
"""

from __future__ import annotations

import unicodedata


def normalize(text: str) -> str:
    """Return `text` NFKC-normalised and casefolded (not stripped: positions stay comparable)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def normalize_word(word: str) -> str:
    """Return a word as stored: normalised, surrounding whitespace removed."""
    return normalize(word or "").strip()
