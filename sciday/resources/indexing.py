"""What a resource puts into the search index (`sciday.search`), and when.

The resource services call `_index(resource)`, which runs `resource_index_refresh(pk)` through
`transaction.on_commit` after every change (create, update, submit, approve, return, delete);
processing does the same once a file's text has been extracted. A rolled-back change never reaches
the index, and the entry is rebuilt from the committed row, whatever the caller changed.

- Every resource has an entry; only published ones have `published=True`, so public searches
  (`search(...)` without `include_unpublished`) never see a draft, a held or a returned resource,
  while a workspace search limited to what its reader may see (`within=`) can.
- The title is the title; the body holds the description, the article's text (without its
  markup), the text extracted from a document, the tags, the attribution and the unit's name.
- Filters: the campaign, and the province of the resource's unit (`region_code`, the same
  province the gallery's filter uses: the unit's region's first two digits).
- A deleted resource loses its entry (the refresh finds no row).
"""

from __future__ import annotations

from sciday.core.richtext import richtext_to_text
from sciday.resources.models import PUBLIC_STATUSES, Resource
from sciday.search.services import search_index_delete, search_index_upsert

KIND = "resources.resource"
_RELATED = ("unit", "unit__region")


def resource_index_body(resource: Resource) -> str:
    """The searchable text of a resource besides its title (plain text, one part a line)."""
    parts = [
        resource.description,
        richtext_to_text(resource.body) if resource.body else "",
        resource.extracted_text,
        " ".join(t.name for t in resource.tags.all()),
        resource.attribution,
        resource.unit.name,
    ]
    return "\n".join(p.strip() for p in parts if p and p.strip())


def resource_index(resource: Resource) -> None:
    """Write the index entry of `resource` as it is now."""
    search_index_upsert(
        kind=KIND,
        object_id=resource.pk,
        title=resource.title,
        body=resource_index_body(resource),
        campaign_id=resource.campaign_id,
        region_code=resource.unit.province_code or "",
        published=resource.status in PUBLIC_STATUSES,
    )


def resource_index_refresh(resource_id: int) -> None:
    """Re-read the resource and bring its index entry up to date; a deleted one loses it."""
    resource = (
        Resource.objects.select_related(*_RELATED)
        .prefetch_related("tags")
        .filter(pk=resource_id)
        .first()
    )
    if resource is None:
        search_index_delete(kind=KIND, object_id=resource_id)
        return
    resource_index(resource)


def resource_reindex_all(*, batch_size: int = 500) -> int:
    """Rebuild every resource's entry (command `reindex_resources`); return the count."""
    count = 0
    qs = Resource.objects.select_related(*_RELATED).prefetch_related("tags").order_by("pk")
    for resource in qs.iterator(chunk_size=batch_size):
        resource_index(resource)
        count += 1
    return count
