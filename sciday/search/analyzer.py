"""The text analyzer shared by documents and queries (see README.md in this folder).

Rules, applied to documents and queries alike:

1. Fold: Unicode NFKC (full-width Latin letters and digits become half-width, compatibility
   forms such as ㈱ are expanded), then case folding.
2. Split into runs of letters and digits; everything else (spaces, punctuation, symbols,
   underscores) separates runs and is dropped.
3. Inside a run, characters of the scripts written without spaces (Han ideographs, 〇, kana,
   hangul) form "CJK" segments; the rest (Latin, digits, other alphabets) form word segments.
   "2023年5G科普" is the word "2023", the CJK segment "年", the word "5g", the CJK segment "科普".
   A word segment mixing letters and digits ("5g", "h5n1") is one token, kept whole.
4. A word segment is one token. A CJK segment yields every single character and every overlapping
   bigram: "科学家" -> 科, 科学, 学, 学家, 家.
5. Tokens longer than MAX_TOKEN_LENGTH characters are dropped (hashes, pasted blobs).
   There are no stop words or stop characters.

A query is analyzed with the same rules, then reduced to the terms that must all match: a CJK
segment of two or more characters keeps only its bigrams (each single character is implied by
a bigram), a one-character segment keeps the character. Terms are ANDed and deduplicated;
adjacency of the bigrams is not required (the overlapping bigrams already keep a word's
characters together in practice, and the index stays a plain bag of tokens on both backends).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

MAX_TOKEN_LENGTH = 64

# Scripts written without spaces between words: segmented into characters and bigrams.
_CJK_RANGES = (
    "\u3007"  # 〇
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003ffff"  # CJK extensions B and later
)
_RUN = re.compile(r"[^\W_]+")
_SEGMENT = re.compile(rf"(?P<cjk>[{_CJK_RANGES}]+)|(?P<word>[^{_CJK_RANGES}]+)")


def fold(text: str) -> str:
    """Return `text` NFKC-normalized and case-folded (the form every token is taken from)."""
    return unicodedata.normalize("NFKC", text).casefold()


_CJK_CHAR = re.compile(rf"[{_CJK_RANGES}]")


def is_cjk(char: str) -> bool:
    """Return whether `char` belongs to a script the analyzer cuts into characters and bigrams."""
    return bool(_CJK_CHAR.match(char))


def _segments(text: str) -> Iterator[tuple[bool, str]]:
    """Yield (is_cjk, segment) for every letter-and-digit segment of the folded text."""
    for run in _RUN.finditer(fold(text)):
        for match in _SEGMENT.finditer(run.group()):
            if match.group("cjk"):
                yield True, match.group("cjk")
            else:
                yield False, match.group("word")


def _keep(token: str) -> bool:
    return len(token) <= MAX_TOKEN_LENGTH


def tokens(text: str) -> list[str]:
    """Return the index tokens of a document text, in order, with repeats."""
    out: list[str] = []
    for is_cjk, segment in _segments(text):
        if not is_cjk:
            if _keep(segment):
                out.append(segment)
            continue
        for i, char in enumerate(segment):
            out.append(char)
            if i + 1 < len(segment):
                out.append(segment[i : i + 2])
    return out


def query_terms(text: str) -> list[str]:
    """Return the terms a query requires (all of them), deduplicated, in first-seen order."""
    terms: list[str] = []
    for is_cjk, segment in _segments(text):
        if not is_cjk:
            found = [segment] if _keep(segment) else []
        elif len(segment) == 1:
            found = [segment]
        else:
            found = [segment[i : i + 2] for i in range(len(segment) - 1)]
        terms.extend(t for t in found if t not in terms)
    return terms


def terms_text(text: str) -> str:
    """Return the document tokens of `text` joined by spaces (what the index stores)."""
    return " ".join(tokens(text))
