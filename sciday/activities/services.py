"""Every write to activities and venues. Each checks, validates, writes in one transaction, audits.

Workflow (`Status`): draft → submitted → published, or submitted → returned (with a reason) →
edited → submitted again; published → cancelled (with a reason) or → finished (with the actual
figures, once it has ended). A unit trusted by the campaign (`Campaign.trusted_units`, the unit or
one of its ancestors) publishes at once when it submits.

What can be edited when (`activity_update`):
- draft and returned: everything except the campaign and the lead unit;
- submitted: nothing — the approver decides on what was submitted;
- published: only practical details that need no new approval (`PUBLISHED_EDITABLE`: summary,
  description, audience, address, link, venue, capacity, sign-up, expected participants,
  co-organizers); title, dates, place, category and format do not change once approved;
- cancelled and finished: nothing.

Exceptions — dates outside the campaign window, a region outside the unit's province — are allowed
only by the people who approve (the parent unit's admins, campaign admins): they alone may set or
clear `window_override` / `region_override`. When anyone else changes the dates (or the region),
the allowance lapses and the rule applies again, since it covered what the admin saw.

Each transition leaves an `ActivityEvent` (the history on the activity's page) and an audit entry
`activities.activity.<created|updated|submitted|published|returned|cancelled|finished>`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciday.activities import policy
from sciday.activities.indexing import activity_index_refresh
from sciday.activities.models import (
    NEEDS_LINK,
    NEEDS_PLACE,
    Activity,
    ActivityEvent,
    Format,
    Status,
    Venue,
    VenueKind,
)
from sciday.activities.policy import Cap
from sciday.activities.signups import signups_notify_cancelled
from sciday.campaigns import policy as campaigns_policy
from sciday.campaigns.models import Campaign, Category, SubType
from sciday.core.audit import audit_record, changed_fields, snapshot
from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.files import delete_files_on_commit
from sciday.core.images import image_reencode
from sciday.core.richtext import richtext_clean
from sciday.orgs.models import Region, Unit, UnitKind

# The cover is changed by its own services (`activity_cover_set`, `activity_cover_remove`),
# whenever the description may change.
COVER = "cover"
BODY_MAX_CHARS = 100_000
# Fields a service may set; the campaign and the lead unit are fixed at creation.
EDITABLE_FIELDS = [
    "title",
    "summary",
    "body",
    "category",
    "subtype",
    "format",
    "starts_at",
    "ends_at",
    "region",
    "address",
    "online_url",
    "venue",
    "audience",
    "capacity",
    "signup_required",
    "expected_participants",
    "window_override",
    "region_override",
    "reference",
]
PUBLISHED_EDITABLE = frozenset(
    {
        "summary",
        "body",
        "audience",
        "address",
        "online_url",
        "venue",
        "capacity",
        "signup_required",
        "expected_participants",
        "co_organizers",
        COVER,
    }
)
OVERRIDE_FIELDS = ("window_override", "region_override")
_TEXT = {"title", "summary", "body", "address", "online_url", "audience", "reference"}
# Units bound to one province: their activities take place in it unless an admin allows otherwise.
PROVINCIAL_KINDS = frozenset(
    {UnitKind.PROVINCIAL_CAST, UnitKind.PROVINCIAL_STD, UnitKind.LOCAL_CAST}
)
VENUE_FIELDS = ["kind", "name", "region", "address", "is_active"]


class Transition(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    CANCEL = "cancel"
    FINISH = "finish"


# Each transition: the statuses it starts from, the capability it needs.
TRANSITIONS: dict[Transition, tuple[frozenset[str], Cap]] = {
    Transition.SUBMIT: (frozenset({Status.DRAFT, Status.RETURNED}), Cap.EDIT),
    Transition.APPROVE: (frozenset({Status.SUBMITTED}), Cap.APPROVE),
    Transition.RETURN: (frozenset({Status.SUBMITTED}), Cap.APPROVE),
    Transition.CANCEL: (frozenset({Status.PUBLISHED}), Cap.EDIT),
    Transition.FINISH: (frozenset({Status.PUBLISHED}), Cap.EDIT),
}
_WRONG_STATUS = {
    Transition.SUBMIT: _("Only a draft or a returned activity can be submitted."),
    Transition.APPROVE: _("Only a submitted activity can be approved."),
    Transition.RETURN: _("Only a submitted activity can be returned."),
    Transition.CANCEL: _("Only a published activity can be cancelled."),
    Transition.FINISH: _("Only a published activity can be marked finished."),
}


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _has_ended(activity: Activity) -> bool:
    return activity.ends_at <= timezone.now()


def activity_transitions(user, activity: Activity) -> list[Transition]:
    """Return the transitions `user` may take on `activity` now, in workflow order."""
    allowed = []
    for transition, (sources, cap) in TRANSITIONS.items():
        if activity.status not in sources or not policy.can(user, cap, activity):
            continue
        if transition == Transition.FINISH and not _has_ended(activity):
            continue
        allowed.append(transition)
    return allowed


def activity_editable_fields(user, activity: Activity) -> frozenset[str]:
    """Return the fields `user` may change on `activity` now (empty when none)."""
    if not policy.can(user, Cap.EDIT, activity):
        return frozenset()
    if activity.status in (Status.DRAFT, Status.RETURNED):
        fields = {*EDITABLE_FIELDS, "co_organizers", COVER}
        if not policy.can(user, Cap.OVERRIDE, activity):
            fields -= set(OVERRIDE_FIELDS)
        return frozenset(fields)
    if activity.status == Status.PUBLISHED:
        return PUBLISHED_EDITABLE
    return frozenset()


# --- Validation -------------------------------------------------------------------------------


def _region(value: Region | str | None) -> Region | None:
    if value is None or value == "":
        return None
    if isinstance(value, Region):
        return value
    region = Region.objects.filter(pk=str(value).strip()).first()
    if region is None:
        raise DomainError(
            _("There is no region with code %(code)s in GB/T 2260.") % {"code": value},
            field="region",
            code="unknown_region",
        )
    return region


def _count(value: Any, field: str, minimum: int = 0) -> int | None:
    """Return `value` as a whole number ≥ `minimum`, or None when blank."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a whole number."), field=field, code="not_a_number") from None
    if number != value and not isinstance(value, str):
        raise DomainError(_("Enter a whole number."), field=field, code="not_a_number")
    if number < minimum:
        if field == "capacity":
            message = _("The capacity must be at least 1; leave it blank for no limit.")
        else:
            message = _("This figure cannot be negative.")
        raise DomainError(message, field=field, code="negative")
    return number


def _window_bounds(campaign: Campaign) -> tuple[datetime, datetime]:
    """Return the campaign window as [first instant, instant after the last day), in Shanghai."""
    start = datetime.combine(campaign.window_start, time.min, tzinfo=_tz())
    end = datetime.combine(campaign.window_end + timedelta(days=1), time.min, tzinfo=_tz())
    return start, end


def _validate_url(url: str) -> None:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(
            _("Enter a link that starts with http:// or https://."),
            field="online_url",
            code="bad_link",
        ) from None


_EXCLUDE = ["campaign", "lead_unit", "created_by", "decided_by"]
# The fields an import sets and checks only through `full_clean` (lengths, minimums); the others
# are checked above, or come from objects loaded for the whole file, or keep their defaults.
_PRELOADED_CLEANED = {
    "title",
    "summary",
    "address",
    "online_url",
    "audience",
    "reference",
    "capacity",
    "expected_participants",
}
_PRELOADED_EXCLUDE = [f.name for f in Activity._meta.fields if f.name not in _PRELOADED_CLEANED]


def _validate(
    activity: Activity, co_organizers: list[Unit] | None, *, preloaded: bool = False
) -> None:
    """Raise DomainError for the first broken rule; nothing has been written yet.

    `preloaded=True` is for the bulk import, which has loaded the category, sub-type and region
    objects and the unit's references once for the whole file: the per-row queries (the
    reference's uniqueness, each foreign key's existence) are left to it, and `full_clean` checks
    only the fields it sets and that are not checked above (lengths, number ranges).
    """
    if not activity.title:
        raise DomainError(_("Enter the activity's title."), field="title", code="required")
    if activity.category.campaign_id != activity.campaign_id:
        raise DomainError(
            _("This category belongs to another campaign."), field="category", code="category"
        )
    if activity.subtype is not None and activity.subtype.category_id != activity.category_id:
        raise DomainError(
            _("This sub-type belongs to another category."), field="subtype", code="subtype"
        )
    if activity.format not in Format.values:
        raise DomainError(_("Choose offline, online or both."), field="format", code="format")
    if activity.starts_at is None or activity.ends_at is None:
        raise DomainError(_("Enter when the activity starts and ends."), field="starts_at")
    if timezone.is_naive(activity.starts_at) or timezone.is_naive(activity.ends_at):
        raise DomainError(_("Give the times with their time zone."), field="starts_at")
    if activity.ends_at <= activity.starts_at:
        raise DomainError(
            _("The activity ends before it starts."), field="ends_at", code="ends_before_start"
        )
    if not activity.window_override:
        first, after_last = _window_bounds(activity.campaign)
        if activity.starts_at < first or activity.ends_at > after_last:
            raise DomainError(
                _(
                    "The activity must take place between %(start)s and %(end)s, the campaign's "
                    "activity period; ask the unit above yours to allow other dates."
                )
                % {"start": activity.campaign.window_start, "end": activity.campaign.window_end},
                field="starts_at",
                code="outside_window",
            )
    if activity.format in NEEDS_PLACE and activity.region_id is None:
        raise DomainError(
            _("Choose the region where the activity takes place."),
            field="region",
            code="region_required",
        )
    if activity.format in NEEDS_LINK and not activity.online_url:
        raise DomainError(
            _("Enter the live-stream or meeting link of an online activity."),
            field="online_url",
            code="link_required",
        )
    if activity.online_url:
        _validate_url(activity.online_url)
    lead = activity.lead_unit
    if (
        activity.region is not None
        and not activity.region_override
        and lead.kind in PROVINCIAL_KINDS
        and lead.province_code
        and activity.region.province_code != lead.province_code
    ):
        raise DomainError(
            _("%(region)s is outside %(unit)s's province; ask the unit above yours to allow it.")
            % {"region": activity.region.name, "unit": lead.name},
            field="region",
            code="outside_province",
        )
    for co in co_organizers or []:
        if co.pk == lead.pk:
            raise DomainError(
                _("The lead unit cannot also be a co-organizer."),
                field="co_organizers",
                code="co_organizer_is_lead",
            )
        if not co.is_active:
            raise DomainError(
                _("%(unit)s is no longer active.") % {"unit": co.name},
                field="co_organizers",
                code="co_organizer_inactive",
            )
    if (
        activity.reference
        and not preloaded
        and Activity.objects.filter(lead_unit=lead, reference=activity.reference)
        .exclude(reference="")  # spelled out so SQLite uses the partial unique index
        .exclude(pk=activity.pk)
        .exists()
    ):
        raise Conflict(
            _("Another activity of this unit already has the reference %(ref)s.")
            % {"ref": activity.reference},
            field="reference",
            code="duplicate_reference",
        )
    try:
        activity.full_clean(
            exclude=_PRELOADED_EXCLUDE if preloaded else _EXCLUDE,
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def _assign(activity: Activity, data: dict[str, Any]) -> None:
    """Set the given fields on `activity`, normalising text, numbers and the region."""
    for key, value in data.items():
        if key == "region":
            activity.region = _region(value)
        elif key in ("capacity",):
            activity.capacity = _count(value, key, minimum=1)
        elif key == "expected_participants":
            activity.expected_participants = _count(value, key)
        elif key == "venue":
            # A venue retired later does not block edits of activities already held there.
            if (
                value is not None
                and value.pk != activity.venue_id
                and not Venue.objects.filter(pk=value.pk, is_active=True).exists()
            ):
                raise DomainError(_("This venue is no longer in use."), field="venue", code="venue")
            activity.venue = value
        elif key == "body":
            activity.body = _body(value)
        elif key in _TEXT:
            setattr(activity, key, (value or "").strip())
        elif key in ("signup_required", "window_override", "region_override"):
            setattr(activity, key, bool(value))
        else:
            setattr(activity, key, value)
    activity.derive_province()


def _body(value: str | None) -> str:
    """The description as stored: sanitized rich text (plain text becomes paragraphs)."""
    body = richtext_clean(value)
    if len(body) > BODY_MAX_CHARS:
        raise DomainError(
            _("The description is too long: keep it under %(n)s characters.")
            % {"n": BODY_MAX_CHARS},
            field="body",
            code="too_long",
        )
    return body


def _check_overrides(actor, activity: Activity, data: dict[str, Any]) -> None:
    """Only deciders may set or clear an allowance; anyone else's change of dates voids it."""
    may_override = policy.can(actor, Cap.OVERRIDE, activity)
    for key in OVERRIDE_FIELDS:
        if key in data and bool(data[key]) != getattr(activity, key) and not may_override:
            error = NotAllowed(
                _(
                    "Only the admins of the unit above yours, or campaign admins, may allow "
                    "exceptions to the campaign's rules."
                ),
                code="override_not_allowed",
            )
            error.field = key
            raise error
    if may_override:
        return
    if ({"starts_at", "ends_at"} & data.keys()) and "window_override" not in data:
        activity.window_override = False
    if "region" in data and "region_override" not in data:
        activity.region_override = False


def _co_organizers(units: Iterable[Unit] | None) -> list[Unit] | None:
    if units is None:
        return None
    return list({u.pk: u for u in units}.values())


def _reindex(activity: Activity) -> None:
    """Bring the activity's search entry up to date once the transaction commits."""
    pk = activity.pk
    transaction.on_commit(lambda: activity_index_refresh(pk))


def _event(actor, activity: Activity, from_status: str, reason: str = "") -> None:
    is_user = getattr(actor, "is_authenticated", False)
    ActivityEvent.objects.create(
        activity=activity,
        actor=actor if is_user else None,
        actor_repr=str(actor)[:200] if is_user else "",
        from_status=from_status,
        to_status=activity.status,
        reason=reason,
    )


# --- Create and edit --------------------------------------------------------------------------


@transaction.atomic
def activity_create(
    *,
    actor,
    campaign: Campaign,
    lead_unit: Unit,
    title: str,
    category: Category,
    format: str,
    starts_at: datetime,
    ends_at: datetime,
    subtype: SubType | None = None,
    summary: str = "",
    body: str = "",
    region: Region | str | None = None,
    address: str = "",
    online_url: str = "",
    venue: Venue | None = None,
    audience: str = "",
    capacity: int | None = None,
    signup_required: bool = False,
    expected_participants: int | None = None,
    co_organizers: Iterable[Unit] = (),
    window_override: bool = False,
    region_override: bool = False,
    reference: str = "",
) -> Activity:
    """Create a draft activity led by `lead_unit` in `campaign`; return it."""
    policy.require_edit_in(actor, lead_unit)
    if not campaigns_policy.can(actor, campaigns_policy.Cap.CAMPAIGN_VIEW, campaign):
        raise DomainError(
            _("Activities can be added once the campaign is published."), field="campaign"
        )
    activity = Activity(
        campaign=campaign, lead_unit=lead_unit, created_by=actor, status=Status.DRAFT
    )
    data = {
        "title": title,
        "summary": summary,
        "body": body,
        "category": category,
        "subtype": subtype,
        "format": format,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "region": region,
        "address": address,
        "online_url": online_url,
        "venue": venue,
        "audience": audience,
        "capacity": capacity,
        "signup_required": signup_required,
        "expected_participants": expected_participants,
        "window_override": window_override,
        "region_override": region_override,
        "reference": reference,
    }
    _check_overrides(actor, activity, data)
    _assign(activity, data)
    co = _co_organizers(co_organizers) or []
    _validate(activity, co)
    activity.save()
    activity.co_organizers.set(co)
    _event(actor, activity, "")
    audit_record(
        actor=actor,
        action="activities.activity.created",
        obj=activity,
        changes={
            "lead_unit": str(lead_unit),
            "campaign": str(campaign),
            "co_organizers": [str(u) for u in co],
        },
    )
    _reindex(activity)
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, **data: Any) -> Activity:
    """Change the given fields (see the module docstring for what may change when); return it."""
    policy.require(actor, Cap.EDIT, activity)
    activity = _locked(activity)
    unknown = set(data) - {*EDITABLE_FIELDS, "co_organizers"}
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    if activity.status == Status.SUBMITTED:
        raise Conflict(
            _("A submitted activity cannot be edited until it is approved or returned."),
            code="locked",
        )
    if activity.status == Status.PUBLISHED:
        frozen = set(data) - PUBLISHED_EDITABLE
        if frozen:
            labels = ", ".join(
                str(Activity._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
                for name in sorted(frozen)
            )
            raise Conflict(
                _("A published activity keeps its approved %(fields)s.") % {"fields": labels},
                field=sorted(frozen)[0],
                code="published",
            )
    elif activity.status not in (Status.DRAFT, Status.RETURNED):
        raise Conflict(_("A cancelled or finished activity cannot be edited."), code="closed")
    before = snapshot(activity, EDITABLE_FIELDS)
    before_co = sorted(str(u) for u in activity.co_organizers.all())
    co = _co_organizers(data.pop("co_organizers", None))
    _check_overrides(actor, activity, data)
    _assign(activity, data)
    _validate(activity, co if co is not None else list(activity.co_organizers.all()))
    capacity_changed = activity.capacity != before["capacity"]
    if capacity_changed:
        from sciday.activities.signups import signups_check_capacity

        signups_check_capacity(activity=activity, capacity=activity.capacity)
    activity.save()
    diff = changed_fields(activity, before, EDITABLE_FIELDS)
    if co is not None:
        activity.co_organizers.set(co)
        after_co = sorted(str(u) for u in co)
        if after_co != before_co:
            diff["co_organizers"] = [before_co, after_co]
    if diff:
        audit_record(actor=actor, action="activities.activity.updated", obj=activity, changes=diff)
    if capacity_changed and activity.status == Status.PUBLISHED:
        from sciday.activities.signups import signups_capacity_changed

        signups_capacity_changed(activity=activity)
    _reindex(activity)
    return activity


# --- Cover image ------------------------------------------------------------------------------


def _require_cover_editable(actor, activity: Activity) -> None:
    policy.require(actor, Cap.EDIT, activity)
    if COVER not in activity_editable_fields(actor, activity):
        raise Conflict(
            _("The cover of a submitted, cancelled or finished activity cannot be changed."),
            field=COVER,
            code="locked",
        )


@transaction.atomic
def activity_cover_set(*, actor, activity: Activity, upload, name: str = "") -> Activity:
    """Check the picture `upload` (named `name`), store it re-encoded as the cover; return it.

    The picture is refused (DomainError on `cover`, nothing stored, nothing changed) unless it
    is a JPEG, PNG or WebP within `settings.COVER_IMAGE_MAX_BYTES` (see `image_reencode`).
    The stored files get new random names; the previous cover's files are deleted on commit.
    """
    _require_cover_editable(actor, activity)
    picture = image_reencode(
        upload,
        name=name or getattr(upload, "name", "") or "",
        max_bytes=settings.COVER_IMAGE_MAX_BYTES,
        field=COVER,
    )
    activity = _locked(activity)
    _require_cover_editable(actor, activity)
    old = (activity.cover.name, activity.cover_thumb.name)
    token = uuid.uuid4().hex
    activity.cover.save(f"{token}.jpg", ContentFile(picture.jpeg), save=False)
    activity.cover_thumb.save(f"{token}-thumb.webp", ContentFile(picture.thumb_webp), save=False)
    new = (activity.cover.name, activity.cover_thumb.name)
    try:
        activity.cover_width, activity.cover_height = picture.width, picture.height
        activity.save(update_fields=[*_COVER_FIELDS, "updated_at"])
    except Exception:
        for stored in new:
            if stored:
                default_storage.delete(stored)
        raise
    delete_files_on_commit(*old)
    audit_record(
        actor=actor,
        action="activities.activity.cover_set",
        obj=activity,
        changes={
            "cover": activity.cover.name,
            "width": picture.width,
            "height": picture.height,
            "bytes": len(picture.jpeg),
        },
    )
    return activity


@transaction.atomic
def activity_cover_remove(*, actor, activity: Activity) -> Activity:
    """Remove the activity's cover (its files are deleted on commit); return the activity."""
    _require_cover_editable(actor, activity)
    activity = _locked(activity)
    old = (activity.cover.name, activity.cover_thumb.name)
    if not old[0]:
        return activity
    activity.cover = activity.cover_thumb = ""  # type: ignore[assignment]
    activity.cover_width = activity.cover_height = None
    activity.save(update_fields=[*_COVER_FIELDS, "updated_at"])
    delete_files_on_commit(*old)
    audit_record(
        actor=actor,
        action="activities.activity.cover_removed",
        obj=activity,
        changes={"cover": old[0]},
    )
    return activity


_COVER_FIELDS = ("cover", "cover_thumb", "cover_width", "cover_height")


# --- Transitions ------------------------------------------------------------------------------


def _locked(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("campaign", "lead_unit", "category", "subtype", "region", "venue")
        .get(pk=activity.pk)
    )


def _begin(actor, activity: Activity, transition: Transition) -> Activity:
    """Check permission, then lock the row and check the status allows `transition`."""
    sources, cap = TRANSITIONS[transition]
    policy.require(actor, cap, activity)
    activity = _locked(activity)
    if activity.status not in sources:
        raise Conflict(_WRONG_STATUS[transition], field="status", code="wrong_status")
    return activity


def _is_trusted(activity: Activity) -> bool:
    paths = [u.path for u in activity.campaign.trusted_units.all()]
    return any(activity.lead_unit.path.startswith(p) for p in paths)


@transaction.atomic
def activity_submit(*, actor, activity: Activity) -> Activity:
    """Submit a draft or returned activity for approval; a trusted unit's is published at once."""
    activity = _begin(actor, activity, Transition.SUBMIT)
    _validate(activity, list(activity.co_organizers.all()))
    source = activity.status
    now = timezone.now()
    activity.submitted_at = now
    activity.return_reason = ""
    direct = _is_trusted(activity)
    if direct:
        activity.status = Status.PUBLISHED
        activity.published_at = now
    else:
        activity.status = Status.SUBMITTED
    activity.save()
    _event(actor, activity, source)
    audit_record(actor=actor, action="activities.activity.submitted", obj=activity)
    if direct:
        audit_record(
            actor=actor,
            action="activities.activity.published",
            obj=activity,
            changes={"trusted_unit": True},
        )
    _reindex(activity)
    return activity


@transaction.atomic
def activity_approve(*, actor, activity: Activity) -> Activity:
    """Publish a submitted activity; return it."""
    activity = _begin(actor, activity, Transition.APPROVE)
    activity.status = Status.PUBLISHED
    activity.published_at = timezone.now()
    activity.decided_by = actor
    activity.save()
    _event(actor, activity, Status.SUBMITTED)
    audit_record(actor=actor, action="activities.activity.published", obj=activity)
    _reindex(activity)
    return activity


def _reason(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(message, field="reason", code="reason_required")
    return reason


@transaction.atomic
def activity_return(*, actor, activity: Activity, reason: str) -> Activity:
    """Send a submitted activity back to its unit with `reason` (required); return it."""
    activity = _begin(actor, activity, Transition.RETURN)
    reason = _reason(reason, _("Say what the unit should change."))
    activity.status = Status.RETURNED
    activity.return_reason = reason
    activity.decided_by = actor
    activity.save()
    _event(actor, activity, Status.SUBMITTED, reason)
    audit_record(
        actor=actor, action="activities.activity.returned", obj=activity, changes={"reason": reason}
    )
    _reindex(activity)
    return activity


@transaction.atomic
def activity_cancel(*, actor, activity: Activity, reason: str) -> Activity:
    """Cancel a published activity with `reason` (required, shown on its page); return it.

    Everyone signed up (confirmed or waiting) gets a notice by e-mail, queued after the commit.
    """
    activity = _begin(actor, activity, Transition.CANCEL)
    reason = _reason(reason, _("Say why the activity is cancelled."))
    activity.status = Status.CANCELLED
    activity.cancel_reason = reason
    activity.save()
    _event(actor, activity, Status.PUBLISHED, reason)
    audit_record(
        actor=actor,
        action="activities.activity.cancelled",
        obj=activity,
        changes={"reason": reason},
    )
    signups_notify_cancelled(activity=activity)
    _reindex(activity)
    return activity


@transaction.atomic
def activity_finish(
    *, actor, activity: Activity, actual_participants: int, online_views: int | None = None
) -> Activity:
    """Mark a published activity that has ended as finished, with its actual figures."""
    activity = _begin(actor, activity, Transition.FINISH)
    if not _has_ended(activity):
        raise Conflict(_("The activity has not ended yet."), field="status", code="not_ended")
    participants = _count(actual_participants, "actual_participants")
    if participants is None:
        raise DomainError(
            _("Enter how many people took part."), field="actual_participants", code="required"
        )
    activity.actual_participants = participants
    activity.online_views = _count(online_views, "online_views")
    activity.status = Status.FINISHED
    activity.save()
    _event(actor, activity, Status.PUBLISHED)
    audit_record(
        actor=actor,
        action="activities.activity.finished",
        obj=activity,
        changes={
            "actual_participants": activity.actual_participants,
            "online_views": activity.online_views,
        },
    )
    _reindex(activity)
    return activity


# --- Venues -----------------------------------------------------------------------------------


def _validate_venue(venue: Venue) -> None:
    if not venue.name:
        raise DomainError(_("Enter the venue's name."), field="name", code="required")
    if venue.kind not in VenueKind.values:
        raise DomainError(_("Choose the kind of venue."), field="kind", code="kind")
    if venue.region_id is None:
        raise DomainError(_("Choose the venue's region."), field="region", code="required")
    try:
        venue.full_clean(exclude=["unit"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def _require_venue(actor, *, venue: Venue | None = None, unit: Unit | None = None) -> None:
    if not policy.can_edit_venue(actor, venue=venue, unit=unit):
        raise NotAllowed()


@transaction.atomic
def venue_create(
    *,
    actor,
    kind: str,
    name: str,
    region: Region | str,
    address: str = "",
    unit: Unit | None = None,
) -> Venue:
    """Register a venue owned by `unit` (or a national one, for campaign admins); return it."""
    _require_venue(actor, unit=unit)
    venue = Venue(
        kind=kind,
        name=(name or "").strip(),
        region=_region(region),
        address=(address or "").strip(),
        unit=unit,
    )
    _validate_venue(venue)
    venue.save()
    audit_record(
        actor=actor,
        action="activities.venue.created",
        obj=venue,
        changes={"kind": kind, "unit": str(unit) if unit else None},
    )
    return venue


@transaction.atomic
def venue_update(*, actor, venue: Venue, **data: Any) -> Venue:
    """Change the venue's kind, name, region, address or whether it is in use; return it."""
    _require_venue(actor, venue=venue)
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    unknown = set(data) - set(VENUE_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    before = snapshot(venue, VENUE_FIELDS)
    for key, value in data.items():
        if key == "region":
            venue.region = _region(value)  # type: ignore[assignment]
        elif key in ("name", "address"):
            setattr(venue, key, (value or "").strip())
        elif key == "is_active":
            venue.is_active = bool(value)
        else:
            setattr(venue, key, value)
    _validate_venue(venue)
    venue.save()
    diff = changed_fields(venue, before, VENUE_FIELDS)
    if diff:
        audit_record(actor=actor, action="activities.venue.updated", obj=venue, changes=diff)
    return venue
