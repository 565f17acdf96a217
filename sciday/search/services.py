"""Writes to the search index. Domains call these from their own services, after the commit:

    transaction.on_commit(lambda: search_index_upsert(kind="activities.activity", ...))

These are index maintenance, not user actions: they take no actor, check no permission and
write no audit entry (the domain service that triggers them does all three). The vendor's
full-text structure follows the entry table by itself (triggers on SQLite, a generated column
on PostgreSQL), so nothing here depends on the database.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

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


def search_index_upsert_many(*, kind: str, entries: list[dict]) -> int:
    """Create or replace many entries of `kind` at once; return how many were written.

    Each entry is a dict of `search_index_upsert`'s arguments besides `kind` (`object_id`,
    `title`, and optionally `body`, `campaign_id`, `region_code`, `published`): the result is the
    same as calling it for each, in two queries per batch instead of two per entry.
    """
    if not entries:
        return 0
    existing = {
        e.object_id: e
        for e in SearchEntry.objects.filter(
            kind=kind, object_id__in=[e["object_id"] for e in entries]
        ).only("id", "object_id")
    }
    now = timezone.now()
    to_create: list[SearchEntry] = []
    to_update: list[SearchEntry] = []
    for data in entries:
        title, body = data["title"], data.get("body", "")
        entry = existing.get(data["object_id"]) or SearchEntry(
            kind=kind, object_id=data["object_id"]
        )
        entry.title = title
        entry.body = body
        entry.title_terms = analyzer.terms_text(title)
        entry.body_terms = analyzer.terms_text(body)
        entry.campaign_id = data.get("campaign_id")
        entry.region_code = data.get("region_code", "")
        entry.published = data.get("published", False)
        entry.updated_at = now
        (to_update if entry.pk else to_create).append(entry)
    SearchEntry.objects.bulk_create(to_create, batch_size=500)
    SearchEntry.objects.bulk_update(to_update, _UPSERTED, batch_size=500)
    return len(entries)


_UPSERTED = [
    "title",
    "body",
    "title_terms",
    "body_terms",
    "campaign_id",
    "region_code",
    "published",
    "updated_at",
]


def search_index_delete_many(*, kind: str, object_ids: list[int]) -> int:
    """Remove the entries of these objects of `kind`; return how many there were."""
    if not object_ids:
        return 0
    deleted, _ = SearchEntry.objects.filter(kind=kind, object_id__in=object_ids).delete()
    return deleted


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
