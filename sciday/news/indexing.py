"""What a news item puts into the search index (`sciday.search`), and when.

The services call `_reindex(item)`, which runs `news_index_refresh(pk)` through
`transaction.on_commit` after every change; a rolled-back change never reaches the index.
Every item has an entry; only published ones have `published=True`, so public searches never
see a draft, a submitted, returned or withdrawn item. The body holds the summary, the text
(without its markup), the source and the unit's name; filters: the campaign and the province of
the item's unit.
"""

from __future__ import annotations

from sciday.core.richtext import richtext_to_text
from sciday.news.models import PUBLIC_STATUSES, NewsItem
from sciday.search.services import search_index_delete, search_index_upsert

KIND = "news.item"
_RELATED = ("unit", "unit__region")


def news_index_body(item: NewsItem) -> str:
    """The searchable text of an item besides its title (plain text, one part a line)."""
    parts = [
        item.summary,
        richtext_to_text(item.body) if item.body else "",
        item.source_name,
        item.unit.name,
    ]
    return "\n".join(p.strip() for p in parts if p and p.strip())


def news_index(item: NewsItem) -> None:
    """Write the index entry of `item` as it is now."""
    search_index_upsert(
        kind=KIND,
        object_id=item.pk,
        title=item.title,
        body=news_index_body(item),
        campaign_id=item.campaign_id,
        region_code=item.unit.province_code or "",
        published=item.status in PUBLIC_STATUSES,
    )


def news_index_refresh(item_id: int) -> None:
    """Re-read the item and bring its index entry up to date; a deleted one loses it."""
    item = NewsItem.objects.select_related(*_RELATED).filter(pk=item_id).first()
    if item is None:
        search_index_delete(kind=KIND, object_id=item_id)
        return
    news_index(item)


def news_reindex_all(*, batch_size: int = 500) -> int:
    """Rebuild every item's entry; return the count."""
    count = 0
    for item in NewsItem.objects.select_related(*_RELATED).order_by("pk").iterator(batch_size):
        news_index(item)
        count += 1
    return count
