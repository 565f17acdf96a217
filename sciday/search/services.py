"""Writes to the search index. Domains call these from their own services, after the commit:

    transaction.on_commit(lambda: search_index_upsert(kind="activities.activity", ...))

These are index maintenance, not user actions: they take no actor, check no permission and
write no audit entry (the domain service that triggers them does all three). The vendor's
full-text structure follows the entry table by itself (triggers on SQLite, a generated column
on PostgreSQL), so nothing here depends on the database.
"""

from __future__ import annotations

from django.db import transaction

from sciday.search import analyzer
from sciday.search.models import SearchEntry


def search_index_upsert(
    *,
    kind: str,
    object_id: int,
    title: str,
    body: str = "",
    campaign_id: int | None = None,
    region_code: str = "",
    published: bool = False,
) -> SearchEntry:
    """Create or replace the entry of (kind, object_id); return it.

    `published=False` (the default) keeps the entry out of public searches.
    """
    entry, _created = SearchEntry.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={
            "title": title,
            "body": body,
            "title_terms": analyzer.terms_text(title),
            "body_terms": analyzer.terms_text(body),
            "campaign_id": campaign_id,
            "region_code": region_code,
            "published": published,
        },
    )
    return entry


def search_index_delete(*, kind: str, object_id: int) -> bool:
    """Remove the entry of (kind, object_id); return whether there was one."""
    deleted, _ = SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()
    return bool(deleted)


def search_index_reanalyze(*, kind: str | None = None, batch_size: int = 1000) -> int:
    """Recompute the stored tokens of every entry (of `kind`) after an analyzer change.

    Returns the number of entries rewritten.
    """
    entries = SearchEntry.objects.all() if kind is None else SearchEntry.objects.filter(kind=kind)
    count = 0
    batch: list[SearchEntry] = []
    with transaction.atomic():
        for entry in entries.only("id", "title", "body").iterator(chunk_size=batch_size):
            entry.title_terms = analyzer.terms_text(entry.title)
            entry.body_terms = analyzer.terms_text(entry.body)
            batch.append(entry)
            if len(batch) >= batch_size:
                count += _flush(batch)
        count += _flush(batch)
    return count


def _flush(batch: list[SearchEntry]) -> int:
    SearchEntry.objects.bulk_update(batch, ["title_terms", "body_terms"])
    done = len(batch)
    batch.clear()
    return done
