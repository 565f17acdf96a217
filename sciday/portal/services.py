"""Writes of the home page's composition, by campaign admins.

Each service checks `policy.require_compose`, validates, writes in one transaction and records
an audit entry `portal.home.*`; the entry makes the cached public pages refresh on commit
(`sciday.portal.hooks`).
"""

from __future__ import annotations

import uuid
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from sciday.activities.models import Activity
from sciday.activities.models import Status as ActivityStatus
from sciday.campaigns.models import Campaign
from sciday.core.audit import audit_record
from sciday.core.errors import DomainError
from sciday.core.files import delete_files_on_commit
from sciday.core.images import image_reencode
from sciday.portal.models import Block, FeaturedActivity, HomeLayout
from sciday.portal.policy import require_compose
from sciday.resources import services as resource_services
from sciday.resources.models import Resource
from sciday.resources.models import Status as ResourceStatus

BANNER_MAX_SIDE = 2400
BANNER_THUMB = (480, 160)
MAX_FEATURED = 12
FEATURABLE_ACTIVITY = frozenset({ActivityStatus.PUBLISHED, ActivityStatus.FINISHED})


def _layout(campaign: Campaign) -> HomeLayout:
    """Return the campaign's layout, created when missing, locked for this transaction."""
    HomeLayout.objects.get_or_create(campaign=campaign)
    return HomeLayout.objects.select_for_update().select_related("campaign").get(campaign=campaign)


@transaction.atomic
def home_banner_set(*, actor, campaign: Campaign, upload: IO[bytes], name: str = "") -> HomeLayout:
    """Check the picture `upload`, store it re-encoded as the campaign's banner; return the layout.

    Refused (DomainError on `banner`, nothing stored) unless it is a JPEG, PNG or WebP within
    `COVER_IMAGE_MAX_BYTES` (`sciday.core.images.image_reencode`). The old banner's file is
    deleted on commit.
    """
    require_compose(actor)
    picture = image_reencode(
        upload,
        name=name or getattr(upload, "name", "") or "",
        max_bytes=settings.COVER_IMAGE_MAX_BYTES,
        max_side=BANNER_MAX_SIDE,
        thumb_size=BANNER_THUMB,
        field="banner",
    )
    layout = _layout(campaign)
    old = layout.banner.name or ""
    layout.banner.save(f"{uuid.uuid4().hex}.jpg", ContentFile(picture.jpeg), save=False)
    try:
        layout.banner_width, layout.banner_height = picture.width, picture.height
        layout.save()
    except Exception:
        default_storage.delete(layout.banner.name or "")
        raise
    delete_files_on_commit(old)
    audit_record(
        actor=actor,
        action="portal.home.banner_set",
        obj=layout,
        changes={"banner": layout.banner.name, "width": picture.width, "height": picture.height},
    )
    return layout


@transaction.atomic
def home_banner_remove(*, actor, campaign: Campaign) -> HomeLayout:
    """Remove the banner picture: the page shows the designed banner again."""
    require_compose(actor)
    layout = _layout(campaign)
    old = layout.banner.name or ""
    if not old:
        return layout
    layout.banner = ""  # type: ignore[assignment]
    layout.banner_width = layout.banner_height = None
    layout.save()
    delete_files_on_commit(old)
    audit_record(
        actor=actor, action="portal.home.banner_removed", obj=layout, changes={"banner": old}
    )
    return layout


def _check_activity(campaign: Campaign, activity: Activity | None) -> Activity:
    if activity is None or activity.campaign_id != campaign.pk:
        raise DomainError(
            _("Choose a published activity of this campaign."), field="activity", code="campaign"
        )
    if activity.status not in FEATURABLE_ACTIVITY:
        raise DomainError(
            _("Only a published activity can be featured on the home page."),
            field="activity",
            code="unpublished",
        )
    return activity


@transaction.atomic
def home_activity_feature(*, actor, campaign: Campaign, activity: Activity | None) -> HomeLayout:
    """Add a published activity of `campaign` at the end of the featured activities."""
    require_compose(actor)
    activity = _check_activity(campaign, activity)
    layout = _layout(campaign)
    if layout.featured.filter(activity=activity).exists():
        return layout
    if layout.featured.count() >= MAX_FEATURED:
        raise DomainError(
            _("At most %(count)s activities can be featured; remove one first.")
            % {"count": MAX_FEATURED},
            field="activity",
            code="too_many",
        )
    last = layout.featured.aggregate(last=Max("position"))["last"]
    FeaturedActivity.objects.create(
        layout=layout, activity=activity, position=0 if last is None else last + 1
    )
    audit_record(actor=actor, action="portal.home.activity_featured", obj=activity)
    return layout


@transaction.atomic
def home_activity_unfeature(*, actor, campaign: Campaign, activity: Activity) -> HomeLayout:
    """Take an activity off the home page."""
    require_compose(actor)
    layout = _layout(campaign)
    deleted, _rows = layout.featured.filter(activity=activity).delete()
    if deleted:
        audit_record(actor=actor, action="portal.home.activity_unfeatured", obj=activity)
    return layout


@transaction.atomic
def home_activity_move(
    *, actor, campaign: Campaign, activity: Activity, direction: str
) -> HomeLayout:
    """Move a featured activity one place "up" or "down"."""
    require_compose(actor)
    if direction not in ("up", "down"):
        raise DomainError(_("Unknown direction."), code="direction")
    layout = _layout(campaign)
    rows = list(layout.featured.order_by("position", "id"))
    index = next((i for i, row in enumerate(rows) if row.activity_id == activity.pk), None)
    if index is None:
        raise DomainError(_("This activity is not featured."), field="activity", code="missing")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return layout
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        row.position = position
    FeaturedActivity.objects.bulk_update(rows, ["position"])
    audit_record(
        actor=actor,
        action="portal.home.activity_moved",
        obj=activity,
        changes={"direction": direction},
    )
    return layout


@transaction.atomic
def home_blocks_set(*, actor, campaign: Campaign, blocks: list[tuple[str, bool]]) -> HomeLayout:
    """Set the order of the home page's blocks and which are shown.

    `blocks` names every block once, in display order, each with whether it is shown.
    """
    require_compose(actor)
    keys = [key for key, _shown in blocks]
    if sorted(keys) != sorted(Block.values) or len(set(keys)) != len(keys):
        raise DomainError(_("Give every block once."), field="blocks", code="blocks")
    layout = _layout(campaign)
    before = layout.blocks
    layout.blocks = [[key, bool(shown)] for key, shown in blocks]
    layout.save()
    audit_record(
        actor=actor,
        action="portal.home.blocks_set",
        obj=layout,
        changes={"blocks": [before, layout.blocks]},
    )
    return layout


def home_resource_feature(*, actor, campaign: Campaign, resource: Resource | None) -> Resource:
    """Feature a published resource of `campaign` (the resource library's `featured` flag)."""
    require_compose(actor)
    if resource is None or resource.campaign_id != campaign.pk:
        raise DomainError(
            _("Choose a published resource of this campaign."), field="resource", code="campaign"
        )
    if resource.status != ResourceStatus.PUBLISHED:
        raise DomainError(
            _("Only a published resource can be featured on the home page."),
            field="resource",
            code="unpublished",
        )
    return resource_services.resource_feature(actor=actor, resource=resource)


def home_resource_unfeature(*, actor, campaign: Campaign, resource: Resource) -> Resource:
    """Take a resource of `campaign` off the home page (its `featured` flag)."""
    require_compose(actor)
    if resource.campaign_id != campaign.pk:
        raise DomainError(
            _("Choose a published resource of this campaign."), field="resource", code="campaign"
        )
    return resource_services.resource_unfeature(actor=actor, resource=resource)
