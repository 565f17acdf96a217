"""What an activity puts into the search index (`sciday.search`), and when.

The activity services call `activity_index_refresh(activity.pk)` through
`transaction.on_commit` after every change the public may see (create, update, submit, approve,
return, cancel, finish): a rolled-back change never reaches the index, and the entry is rebuilt
from the committed row, whatever the service changed.

- Published and finished activities are indexed with `published=True`.
- Cancelled activities stay indexed with `published=True` too: their page stays public and says
  the activity is cancelled and why, and someone looking for an activity they heard of must learn
  it will not take place rather than find nothing. Results show the status.
- Drafts, submitted and returned activities have no entry (a returned activity's entry, from
  when it was ever indexed, is deleted), so nothing unpublished can leak through search.

The body holds the summary, the description (its text: tags dropped, entities decoded), the
lead unit, the co-organizers, the venue, the address and the category and sub-type names; the
filters are the campaign and the province code of the activity (of its lead unit for an online
activity without a region).
"""

from __future__ import annotations

from sciday.activities.models import PUBLIC_STATUSES, Activity
from sciday.core.richtext import richtext_to_text
from sciday.search.services import search_index_delete, search_index_upsert

KIND = "activities.activity"
_RELATED = ("lead_unit", "lead_unit__region", "category", "subtype", "region", "venue")


def activity_region_code(activity: Activity) -> str:
    """The province code an activity is filed under: its own region's, else its lead unit's."""
    if activity.region_id is not None:
        return activity.region.province_code  # type: ignore[union-attr]
    return activity.lead_unit.province_code or ""


def activity_index_body(activity: Activity) -> str:
    """The searchable text of an activity besides its title (plain text, one part a line)."""
    venue, region, subtype = activity.venue, activity.region, activity.subtype
    parts = [
        activity.summary,
        richtext_to_text(activity.body),
        activity.lead_unit.name,
        *(u.name for u in activity.co_organizers.all()),
        venue.name if venue is not None else "",
        venue.address if venue is not None else "",
        activity.address,
        region.name if region is not None else "",
        activity.category.name,
        subtype.name if subtype is not None else "",
        activity.audience,
    ]
    return "\n".join(p.strip() for p in parts if p and p.strip())


def activity_index(activity: Activity) -> None:
    """Write (or remove) the index entry of `activity` as it is now."""
    if activity.status not in PUBLIC_STATUSES:
        search_index_delete(kind=KIND, object_id=activity.pk)
        return
    search_index_upsert(
        kind=KIND,
        object_id=activity.pk,
        title=activity.title,
        body=activity_index_body(activity),
        campaign_id=activity.campaign_id,
        region_code=activity_region_code(activity),
        published=True,
    )


def activity_index_refresh(activity_id: int) -> None:
    """Re-read the activity from the database and bring its index entry up to date.

    Called on commit by the services; an activity deleted in the meantime loses its entry.
    """
    activity = (
        Activity.objects.select_related(*_RELATED)
        .prefetch_related("co_organizers")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        search_index_delete(kind=KIND, object_id=activity_id)
        return
    activity_index(activity)


def activity_reindex_all(*, batch_size: int = 500) -> int:
    """Rebuild every activity's entry (command `reindex_activities`); return the count."""
    count = 0
    qs = Activity.objects.select_related(*_RELATED).prefetch_related("co_organizers").order_by("pk")
    for activity in qs.iterator(chunk_size=batch_size):
        activity_index(activity)
        count += 1
    return count
