"""Highlight query terms in the original text: `<mark>` around matches, the rest HTML-escaped.

Matching runs on the folded text (analyzer.fold) and maps back to the original characters, so
"ＡＩ" in a title is marked for the query "ai". A CJK term matches anywhere; a word term (Latin,
digits) only as a whole word, as the analyzer would have cut it.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sciday.search import analyzer

ELLIPSIS = "…"


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """Return the folded text and, for each of its characters, the original character index.

    A base character and the combining marks after it fold together, as NFKC would.
    """
    folded: list[str] = []
    origin: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = analyzer.fold(text[i:j])
        folded.append(piece)
        origin.extend([i] * len(piece))
        i = j
    return "".join(folded), [*origin, len(text)]


def _is_word_char(char: str) -> bool:
    return char.isalnum() and not analyzer.is_cjk(char)


def spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Return the merged (start, end) spans of `text` where any of the terms occurs."""
    folded, origin = _folded_with_map(text)
    found: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        word = not analyzer.is_cjk(term[0])
        for match in re.finditer(re.escape(term), folded):
            start, end = match.start(), match.end()
            if word and (
                (start > 0 and _is_word_char(folded[start - 1]))
                or (end < len(folded) and _is_word_char(folded[end]))
            ):
                continue
            found.append((origin[start], _end_origin(origin, end)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _end_origin(origin: list[int], end: int) -> int:
    # The original index just past the character that produced folded[end - 1].
    last = origin[end - 1]
    nxt = end
    while origin[nxt] == last:
        nxt += 1
    return origin[nxt]


def highlight(text: str, terms: list[str]) -> SafeString:
    """Return the whole text, escaped, with every term occurrence inside `<mark>`."""
    return _render(text, spans(text, terms), 0, len(text))


def snippet(text: str, terms: list[str], *, length: int = 120) -> SafeString:
    """Return an excerpt of about `length` characters around the first match, highlighted.

    Without a match, the start of the text. Cut ends are marked with an ellipsis.
    """
    found = spans(text, terms)
    if len(text) <= length:
        return _render(text, found, 0, len(text))
    first = found[0][0] if found else 0
    start = max(0, min(first - length // 4, len(text) - length))
    end = min(len(text), start + length)
    return _render(text, found, start, end)


def _render(text: str, found: list[tuple[int, int]], start: int, end: int) -> SafeString:
    parts: list[str] = [ELLIPSIS] if start > 0 else []
    pos = start
    for s, e in found:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        parts.append(escape(text[pos:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    parts.append(escape(text[pos:end]))
    if end < len(text):
        parts.append(ELLIPSIS)
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above
