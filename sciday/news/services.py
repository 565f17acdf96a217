"""Every write to news items. Each checks, validates, writes in one transaction, audits.

Workflow (`Status`): draft → submitted → published, or submitted → returned (with a reason) →
edited → submitted again. Campaign admins withdraw a published item with a reason (withdrawn:
off the public site, its unit may edit and submit it again), and pin or unpin published items.

What can be edited when (`news_update`, the cover services): everything but the campaign and the
unit while the item is a draft, returned or withdrawn; nothing while it is submitted (the approver
decides on what was submitted) or published (withdraw it first).

Attachments come from the resource library: the item's unit's own resources (any status; the
public page lists only the published ones) or published resources of any unit.

Each transition leaves a `NewsEvent` and an audit entry `news.item.<created|updated|submitted|
published|returned|withdrawn|pinned|unpinned|cover_set|cover_removed>`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciday.campaigns import policy as campaigns_policy
from sciday.campaigns.models import Campaign
from sciday.core.audit import audit_record, changed_fields, snapshot
from sciday.core.errors import Conflict, DomainError
from sciday.core.files import delete_files_on_commit
from sciday.core.images import image_reencode
from sciday.core.richtext import richtext_clean, richtext_to_text
from sciday.news import policy
from sciday.news.indexing import news_index_refresh
from sciday.news.models import EDITABLE_STATUSES, Category, NewsEvent, NewsItem, Status
from sciday.news.policy import Cap
from sciday.orgs.models import Unit
from sciday.resources.models import PUBLIC_STATUSES as RESOURCE_PUBLIC
from sciday.resources.models import Resource

BODY_MAX_CHARS = 100_000
MAX_ATTACHMENTS = 20
EDITABLE_FIELDS = ["category", "title", "summary", "body", "source_name", "source_url"]
_TEXT = {"title", "summary", "source_name", "source_url"}
COVER = "cover"


class Transition(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    WITHDRAW = "withdraw"
    PIN = "pin"
    UNPIN = "unpin"


TRANSITIONS: dict[Transition, tuple[frozenset[str], Cap]] = {
    Transition.SUBMIT: (EDITABLE_STATUSES, Cap.EDIT),
    Transition.APPROVE: (frozenset({Status.SUBMITTED}), Cap.APPROVE),
    Transition.RETURN: (frozenset({Status.SUBMITTED}), Cap.APPROVE),
    Transition.WITHDRAW: (frozenset({Status.PUBLISHED}), Cap.CURATE),
    Transition.PIN: (frozenset({Status.PUBLISHED}), Cap.CURATE),
    Transition.UNPIN: (frozenset({Status.PUBLISHED}), Cap.CURATE),
}
_WRONG_STATUS = {
    Transition.SUBMIT: _("Only a draft, a returned or a withdrawn item can be submitted."),
    Transition.APPROVE: _("Only a submitted item can be approved."),
    Transition.RETURN: _("Only a submitted item can be returned."),
    Transition.WITHDRAW: _("Only a published item can be withdrawn."),
    Transition.PIN: _("Only a published item can be pinned."),
    Transition.UNPIN: _("Only a published item can be unpinned."),
}


def news_transitions(user, item: NewsItem) -> list[Transition]:
    """Return the transitions `user` may take on `item` now, in workflow order."""
    allowed = []
    for transition, (sources, cap) in TRANSITIONS.items():
        if item.status not in sources or not policy.can(user, cap, item):
            continue
        if transition == Transition.PIN and item.pinned:
            continue
        if transition == Transition.UNPIN and not item.pinned:
            continue
        allowed.append(transition)
    return allowed


def news_may_edit(user, item: NewsItem) -> bool:
    """May `user` change `item`'s fields now?"""
    return item.status in EDITABLE_STATUSES and policy.can(user, Cap.EDIT, item)


# --- Validation -------------------------------------------------------------------------------


def _body(value: str | None) -> str:
    body = richtext_clean(value)
    if len(body) > BODY_MAX_CHARS:
        raise DomainError(
            _("The text is too long: keep it under %(n)s characters.") % {"n": BODY_MAX_CHARS},
            field="body",
            code="too_long",
        )
    return body


def _validate(item: NewsItem) -> None:
    """Raise DomainError for the first broken rule; nothing has been written yet."""
    if not item.title:
        raise DomainError(_("Enter the title."), field="title", code="required")
    if item.category not in Category.values:
        raise DomainError(
            _("Choose national news, local news, media coverage or an announcement."),
            field="category",
            code="category",
        )
    if item.category == Category.MEDIA and not item.source_name:
        raise DomainError(
            _("Name the newspaper, site or channel that published this report."),
            field="source_name",
            code="required",
        )
    if item.source_url:
        try:
            URLValidator(schemes=["http", "https"])(item.source_url)
        except ValidationError:
            raise DomainError(
                _("Enter a link that starts with http:// or https://."),
                field="source_url",
                code="bad_link",
            ) from None
    try:
        item.full_clean(
            exclude=["campaign", "unit", "created_by", "decided_by", "source_url"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def _attachments(item: NewsItem, resources: Iterable[Resource | int] | None) -> list[Resource]:
    """The resources to attach, checked: the unit's own or published ones, at most 20."""
    if resources is None:
        return list(item.attachments.all())
    ids = list(dict.fromkeys(r.pk if isinstance(r, Resource) else int(r) for r in resources))
    if len(ids) > MAX_ATTACHMENTS:
        raise DomainError(
            _("Attach at most %(n)s resources.") % {"n": MAX_ATTACHMENTS},
            field="attachments",
            code="too_many",
        )
    found = {r.pk: r for r in Resource.objects.filter(pk__in=ids).select_related("unit")}
    for pk in ids:
        resource = found.get(pk)
        if resource is None or (
            resource.unit_id != item.unit_id and resource.status not in RESOURCE_PUBLIC
        ):
            raise DomainError(
                _(
                    "Resource %(id)s cannot be attached: attach your unit's own resources or "
                    "published ones from the library."
                )
                % {"id": pk},
                field="attachments",
                code="attachment_not_allowed",
            )
    return [found[pk] for pk in ids]


def _assign(item: NewsItem, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key == "body":
            item.body = _body(value)
        elif key in _TEXT:
            setattr(item, key, (value or "").strip())
        else:
            setattr(item, key, value)


def _reindex(item: NewsItem) -> None:
    pk = item.pk
    transaction.on_commit(lambda: news_index_refresh(pk))


def _event(actor, item: NewsItem, from_status: str, reason: str = "") -> None:
    is_user = getattr(actor, "is_authenticated", False)
    NewsEvent.objects.create(
        item=item,
        actor=actor if is_user else None,
        actor_repr=str(actor)[:200] if is_user else "",
        from_status=from_status,
        to_status=item.status,
        reason=reason,
    )


def _locked(item: NewsItem) -> NewsItem:
    return (
        NewsItem.objects.select_for_update(of=("self",))
        .select_related("campaign", "unit")
        .get(pk=item.pk)
    )


# --- Create and edit --------------------------------------------------------------------------


@transaction.atomic
def news_create(
    *,
    actor,
    campaign: Campaign,
    unit: Unit,
    category: str,
    title: str,
    summary: str = "",
    body: str = "",
    source_name: str = "",
    source_url: str = "",
    attachments: Iterable[Resource | int] = (),
) -> NewsItem:
    """Create a draft item of `unit` in `campaign`; return it."""
    policy.require_edit_in(actor, unit)
    if not campaigns_policy.can(actor, campaigns_policy.Cap.CAMPAIGN_VIEW, campaign):
        raise DomainError(
            _("News can be written once the campaign is published."), field="campaign"
        )
    item = NewsItem(campaign=campaign, unit=unit, created_by=actor, status=Status.DRAFT)
    _assign(
        item,
        {
            "category": category,
            "title": title,
            "summary": summary,
            "body": body,
            "source_name": source_name,
            "source_url": source_url,
        },
    )
    _validate(item)
    chosen = _attachments(item, list(attachments))
    item.save()
    item.attachments.set(chosen)
    _event(actor, item, "")
    audit_record(
        actor=actor,
        action="news.item.created",
        obj=item,
        changes={
            "unit": str(unit),
            "campaign": str(campaign),
            "category": item.category,
            "attachments": [r.pk for r in chosen],
        },
    )
    _reindex(item)
    return item


@transaction.atomic
def news_update(*, actor, item: NewsItem, **data: Any) -> NewsItem:
    """Change the given fields (and `attachments`) of a draft, returned or withdrawn item."""
    policy.require(actor, Cap.EDIT, item)
    item = _locked(item)
    unknown = set(data) - {*EDITABLE_FIELDS, "attachments"}
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
            code="not_editable",
        )
    _require_editable(item)
    before = snapshot(item, EDITABLE_FIELDS)
    before_attached = sorted(item.attachments.values_list("pk", flat=True))
    new_attachments = data.pop("attachments", None)
    _assign(item, data)
    _validate(item)
    chosen = _attachments(item, new_attachments) if new_attachments is not None else None
    item.save()
    diff = changed_fields(item, before, EDITABLE_FIELDS)
    if chosen is not None:
        item.attachments.set(chosen)
        after = sorted(r.pk for r in chosen)
        if after != before_attached:
            diff["attachments"] = [before_attached, after]
    if diff:
        audit_record(actor=actor, action="news.item.updated", obj=item, changes=diff)
    _reindex(item)
    return item


def _require_editable(item: NewsItem) -> None:
    if item.status == Status.SUBMITTED:
        raise Conflict(
            _("A submitted item cannot be edited until it is approved or returned."),
            code="locked",
        )
    if item.status == Status.PUBLISHED:
        raise Conflict(
            _("A published item cannot be edited; ask a campaign admin to withdraw it first."),
            code="published",
        )


# --- Cover ------------------------------------------------------------------------------------


_COVER_FIELDS = ("cover", "cover_thumb", "cover_width", "cover_height")


@transaction.atomic
def news_cover_set(*, actor, item: NewsItem, upload, name: str = "") -> NewsItem:
    """Check the picture `upload`, store it re-encoded as the item's cover; return the item.

    Refused (DomainError on `cover`, nothing stored) unless a JPEG, PNG or WebP within
    `settings.COVER_IMAGE_MAX_BYTES` (see `sciday.core.images.image_reencode`).
    """
    policy.require(actor, Cap.EDIT, item)
    picture = image_reencode(
        upload,
        name=name or getattr(upload, "name", "") or "",
        max_bytes=settings.COVER_IMAGE_MAX_BYTES,
        field=COVER,
    )
    item = _locked(item)
    _require_editable(item)
    old = (item.cover.name, item.cover_thumb.name)
    token = uuid.uuid4().hex
    item.cover.save(f"{token}.jpg", ContentFile(picture.jpeg), save=False)
    item.cover_thumb.save(f"{token}-thumb.webp", ContentFile(picture.thumb_webp), save=False)
    new = (item.cover.name, item.cover_thumb.name)
    try:
        item.cover_width, item.cover_height = picture.width, picture.height
        item.save(update_fields=[*_COVER_FIELDS, "updated_at"])
    except Exception:
        for stored in new:
            if stored:
                default_storage.delete(stored)
        raise
    delete_files_on_commit(*old)
    audit_record(
        actor=actor,
        action="news.item.cover_set",
        obj=item,
        changes={"cover": item.cover.name, "width": picture.width, "height": picture.height},
    )
    return item


@transaction.atomic
def news_cover_remove(*, actor, item: NewsItem) -> NewsItem:
    """Remove the item's cover (its files are deleted on commit); return the item."""
    policy.require(actor, Cap.EDIT, item)
    item = _locked(item)
    _require_editable(item)
    old = (item.cover.name, item.cover_thumb.name)
    if not old[0]:
        return item
    item.cover = item.cover_thumb = ""  # type: ignore[assignment]
    item.cover_width = item.cover_height = None
    item.save(update_fields=[*_COVER_FIELDS, "updated_at"])
    delete_files_on_commit(*old)
    audit_record(actor=actor, action="news.item.cover_removed", obj=item, changes={"cover": old[0]})
    return item


# --- Transitions ------------------------------------------------------------------------------


def _begin(actor, item: NewsItem, transition: Transition) -> NewsItem:
    """Check permission, then lock the row and check the status allows `transition`."""
    sources, cap = TRANSITIONS[transition]
    policy.require(actor, cap, item)
    item = _locked(item)
    if item.status not in sources:
        raise Conflict(_WRONG_STATUS[transition], field="status", code="wrong_status")
    return item


def _reason(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(message, field="reason", code="reason_required")
    return reason


@transaction.atomic
def news_submit(*, actor, item: NewsItem) -> NewsItem:
    """Submit a draft, returned or withdrawn item for approval; return it."""
    item = _begin(actor, item, Transition.SUBMIT)
    _validate(item)
    has_text = bool(richtext_to_text(item.body).strip()) if item.body else False
    if not has_text and not (item.category == Category.MEDIA and item.source_url):
        raise DomainError(
            _("Write the text before submitting (or, for media coverage, link the original)."),
            field="body",
            code="required",
        )
    source = item.status
    item.status = Status.SUBMITTED
    item.submitted_at = timezone.now()
    item.return_reason = ""
    item.save()
    _event(actor, item, source)
    audit_record(actor=actor, action="news.item.submitted", obj=item)
    _reindex(item)
    return item


@transaction.atomic
def news_approve(*, actor, item: NewsItem) -> NewsItem:
    """Publish a submitted item; return it."""
    item = _begin(actor, item, Transition.APPROVE)
    item.status = Status.PUBLISHED
    item.published_at = timezone.now()
    item.decided_by = actor
    item.withdraw_reason = ""
    item.save()
    _event(actor, item, Status.SUBMITTED)
    audit_record(actor=actor, action="news.item.published", obj=item)
    _reindex(item)
    return item


@transaction.atomic
def news_return(*, actor, item: NewsItem, reason: str) -> NewsItem:
    """Send a submitted item back to its unit with `reason` (required); return it."""
    item = _begin(actor, item, Transition.RETURN)
    reason = _reason(reason, _("Say what the unit should change."))
    item.status = Status.RETURNED
    item.return_reason = reason
    item.decided_by = actor
    item.save()
    _event(actor, item, Status.SUBMITTED, reason)
    audit_record(actor=actor, action="news.item.returned", obj=item, changes={"reason": reason})
    _reindex(item)
    return item


@transaction.atomic
def news_withdraw(*, actor, item: NewsItem, reason: str) -> NewsItem:
    """Take a published item off the public site with `reason` (required); return it."""
    item = _begin(actor, item, Transition.WITHDRAW)
    reason = _reason(reason, _("Say why the item is withdrawn."))
    item.status = Status.WITHDRAWN
    item.withdraw_reason = reason
    item.pinned = False
    item.pinned_at = None
    item.decided_by = actor
    item.save()
    _event(actor, item, Status.PUBLISHED, reason)
    audit_record(actor=actor, action="news.item.withdrawn", obj=item, changes={"reason": reason})
    _reindex(item)
    return item


@transaction.atomic
def news_pin(*, actor, item: NewsItem) -> NewsItem:
    """Pin a published item at the top of /news/ (the most recently pinned first); return it."""
    item = _begin(actor, item, Transition.PIN)
    if item.pinned:
        return item
    item.pinned = True
    item.pinned_at = timezone.now()
    item.save(update_fields=["pinned", "pinned_at", "updated_at"])
    audit_record(actor=actor, action="news.item.pinned", obj=item)
    return item


@transaction.atomic
def news_unpin(*, actor, item: NewsItem) -> NewsItem:
    """Stop pinning a published item; return it."""
    item = _begin(actor, item, Transition.UNPIN)
    if not item.pinned:
        return item
    item.pinned = False
    item.pinned_at = None
    item.save(update_fields=["pinned", "pinned_at", "updated_at"])
    audit_record(actor=actor, action="news.item.unpinned", obj=item)
    return item
