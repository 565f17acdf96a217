"""Match a campaign's active sensitive words against a few texts, with an Aho-Corasick automaton.

    from sciday.screening.matcher import screen
    hits = screen(campaign=r.campaign, texts={"title": r.title, "description": r.description})
    if hits: hold the resource for moderation and show `matched_words(hits)`.

Both the words and the text are normalised the same way (NFKC + casefold, `text.normalize`), so
full-width and upper/lower-case variants match. Each process keeps one automaton per campaign,
tagged with the list's version; the version lives in the shared cache (derived from the database
when missing), and every service that changes a list drops it, so the next `screen` rebuilds.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ahocorasick
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max

from sciday.screening.models import SensitiveWord
from sciday.screening.text import normalize

# How long a version read from the database is trusted before it is read again: bounds how stale
# a process can be if a change's cache delete raced a concurrent read of the old version.
VERSION_SECONDS = 300


@dataclass(frozen=True)
class Hit:
    """One sensitive word found in one field.

    `field` is the key of `texts`; `word` the listed (normalised) word; `count` how often it
    occurs there; `start` the offset of its first occurrence in the normalised text.
    """

    field: str
    word: str
    category: str
    count: int
    start: int


_lock = threading.Lock()
_automata: dict[int, tuple[str, Any]] = {}  # campaign pk -> (version, automaton or None)


def _version_key(campaign_id: int) -> str:
    return f"screening:version:{campaign_id}"


def list_changed(campaign_id: int) -> None:
    """Mark `campaign_id`'s list changed: now, and again when the transaction commits."""
    key = _version_key(campaign_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def list_version(campaign_id: int) -> str:
    """Return a token that changes whenever the campaign's list changes."""
    key = _version_key(campaign_id)
    version = cache.get(key)
    if version is None:
        facts = SensitiveWord.objects.filter(campaign_id=campaign_id).aggregate(
            n=Count("id"), last=Max("updated_at")
        )
        version = f"{facts['n']}:{facts['last'].isoformat() if facts['last'] else '-'}"
        cache.set(key, version, VERSION_SECONDS)
    return version


def _build(campaign_id: int) -> Any:
    rows = SensitiveWord.objects.filter(campaign_id=campaign_id, is_active=True).values_list(
        "word", "category"
    )
    automaton = ahocorasick.Automaton()
    for word, category in rows:
        if word:
            automaton.add_word(word, (word, category))
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def automaton_for(campaign_id: int) -> Any:
    """Return the campaign's automaton (None for an empty list), rebuilt if the list changed."""
    version = list_version(campaign_id)
    cached = _automata.get(campaign_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    automaton = _build(campaign_id)
    with _lock:
        _automata[campaign_id] = (version, automaton)
    return automaton


def screen(*, campaign, texts: Mapping[str, str | None]) -> list[Hit]:
    """Return the active sensitive words of `campaign` found in `texts` ({field: text}).

    `campaign` is a Campaign or its pk. One Hit per (field, word), in the order of `texts` and
    then of first occurrence; overlapping and nested words are all reported. An empty list, or
    empty texts, give [].
    """
    campaign_id = campaign if isinstance(campaign, int) else campaign.pk
    automaton = automaton_for(campaign_id)
    if automaton is None:
        return []
    hits: list[Hit] = []
    for field, text in texts.items():
        if not text:
            continue
        found: dict[str, list] = {}
        for end, (word, category) in automaton.iter(normalize(text)):
            start = end - len(word) + 1
            if word in found:
                found[word][1] += 1
            else:
                found[word] = [category, 1, start]
        hits.extend(
            Hit(field=field, word=w, category=c, count=n, start=s)
            for w, (c, n, s) in sorted(found.items(), key=lambda kv: (kv[1][2], kv[0]))
        )
    return hits


def matched_words(hits: list[Hit]) -> list[str]:
    """The distinct words of `hits`, in order: what a moderator is shown."""
    return list(dict.fromkeys(hit.word for hit in hits))


def forget() -> None:
    """Drop this process's automata (tests)."""
    with _lock:
        _automata.clear()
