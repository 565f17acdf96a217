"""Every write to resources. Each checks permission, validates, writes in one transaction, audits.

An uploaded file (photo, video, document) goes through `resource_create_from_upload`:
1. permission (unit editors and admins of the unit or an ancestor; campaign admins), then the
   metadata (title, attribution, licence, consent for photos and videos, the activity);
2. the file's checks (`sciday.resources.uploads.inspect_upload`) and the unit's quota — a refusal
   here has stored nothing;
3. the file is streamed to storage under a generated name (SHA-256 computed on the way), outside
   any transaction: a 2 GB copy must not hold the database's write lock;
4. in one transaction the unit row is locked, the quota checked again (two uploads at once), the
   row written and audited; processing is enqueued after the commit. If this step fails the
   stored file is deleted: a refused upload leaves neither a row nor a file.

Articles and links have no file: `resource_create`. An article's text is rich text, cleaned by
`sciday.core.richtext.richtext_clean` on every write; a link must be http or https.

Editing (`resource_update`) is open while the resource is a draft or returned; `resource_delete`
removes the row and, after the commit, every stored file.

The workflow (`resource_submit`, `resource_approve`, `resource_return`, `resource_feature`,
`resource_unfeature`) locks the row, checks the status, records a `ResourceEvent` and audits.
Submitting screens the texts (`_screen`): a hit holds the resource with the matched words for the
moderators (unit admins of an ancestor unit, never of the unit itself, and campaign admins).
Audit codes: `resources.resource.<created|updated|deleted|submitted|held|published|returned|
featured|unfeatured>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from sciday.activities import policy as activities_policy
from sciday.activities.models import Activity
from sciday.campaigns.models import Campaign
from sciday.core.audit import audit_record, changed_fields, snapshot
from sciday.core.errors import Conflict, DomainError
from sciday.core.richtext import richtext_clean
from sciday.orgs.models import Unit
from sciday.resources import policy, uploads
from sciday.resources.indexing import resource_index_refresh
from sciday.resources.models import (
    FILE_KINDS,
    PEOPLE_KINDS,
    PUBLIC_STATUSES,
    Kind,
    Licence,
    Processing,
    Resource,
    ResourceEvent,
    Status,
    Tag,
)
from sciday.resources.policy import Cap
from sciday.resources.tasks import schedule_processing

MAX_TAGS = 10
EDITABLE_FIELDS = [
    "title",
    "description",
    "attribution",
    "licence",
    "people_consent",
    "activity",
    "body",
    "url",
]
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})
_TEXT = ("title", "description", "attribution", "url")


def _index(resource: Resource) -> None:
    """Refresh the resource's search entry once the transaction commits (gone: removed).

    Called by every write below, before a deletion too (the primary key is read now).
    """
    pk = resource.pk
    transaction.on_commit(lambda: resource_index_refresh(pk))


# --- Validation ------------------------------------------------------------------------------


def _clean_tags(tags: Iterable[str] | str | None) -> list[str]:
    """Return the distinct tag names, in order; a string is split on commas and spaces."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
    names: list[str] = []
    for raw in tags:
        name = str(raw).strip().lstrip("#")
        if not name or name in names:
            continue
        if len(name) > 30:
            raise DomainError(_("A tag has at most 30 characters."), field="tags")
        names.append(name)
    if len(names) > MAX_TAGS:
        raise DomainError(
            _("At most %(count)s tags.") % {"count": MAX_TAGS}, field="tags", code="too_many"
        )
    return names


def _set_tags(resource: Resource, names: list[str]) -> None:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    tags = [existing.get(n) or Tag.objects.get_or_create(name=n)[0] for n in names]
    resource.tags.set(tags)


def _check_activity(actor, resource: Resource) -> None:
    activity: Activity | None = resource.activity
    if activity is None:
        return
    if not activities_policy.can(actor, activities_policy.Cap.VIEW, activity):
        raise DomainError(_("Choose an activity you can see."), field="activity")
    if activity.campaign_id != resource.campaign_id:
        raise DomainError(
            _("The activity belongs to another campaign than the resource."), field="activity"
        )
    organizers = [activity.lead_unit, *activity.co_organizers.all()]
    if not any(u.path.startswith(resource.unit.path) for u in organizers):
        raise DomainError(
            _("The activity is not organized by the resource's unit or one of its sub-units."),
            field="activity",
        )


def _validate(actor, resource: Resource) -> None:
    """Check the metadata of `resource` (not its file); raise DomainError on the first problem."""
    for name in _TEXT:
        setattr(resource, name, (getattr(resource, name) or "").strip())
    if not resource.title:
        raise DomainError(_("Enter a title."), field="title")
    if not resource.attribution:
        raise DomainError(
            _("Enter the author or how the resource should be credited."), field="attribution"
        )
    if resource.licence not in Licence.values:
        raise DomainError(_("Choose a licence from the list."), field="licence")
    if resource.kind in PEOPLE_KINDS and not resource.people_consent:
        raise DomainError(
            _(
                "Confirm that the people who can be recognised agreed to publication"
                " (or that no one can be recognised)."
            ),
            field="people_consent",
            code="consent",
        )
    if resource.kind == Kind.LINK:
        try:
            URLValidator(schemes=["http", "https"])(resource.url)
        except ValidationError:
            raise DomainError(
                _("Enter a link that starts with http:// or https://."), field="url"
            ) from None
    elif resource.url:
        raise DomainError(_("Only a link has an address."), field="url")
    if resource.kind == Kind.ARTICLE:
        resource.body = richtext_clean(resource.body)
        if not resource.body:
            raise DomainError(_("Write the article's text."), field="body")
    elif resource.body:
        raise DomainError(_("Only an article has a text."), field="body")
    _check_activity(actor, resource)
    try:
        resource.full_clean(exclude=["file", "preview", "thumbnails", "url", "tags"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def unit_storage_used(*, unit: Unit) -> int:
    """Return the bytes of stored files the unit's resources hold."""
    return Resource.objects.filter(unit=unit).aggregate(total=Sum("size"))["total"] or 0


def _check_quota(unit: Unit, size: int) -> None:
    quota = settings.RESOURCE_UNIT_QUOTA_BYTES
    if not quota:
        return
    used = unit_storage_used(unit=unit)
    if used + size > quota:
        raise Conflict(
            _(
                "The unit's storage quota (%(quota)s) would be exceeded: %(used)s are used"
                " and the file has %(size)s. Delete resources you no longer need or ask the"
                " platform's administrators for more space."
            )
            % {
                "quota": uploads.human_size(quota),
                "used": uploads.human_size(used),
                "size": uploads.human_size(size),
            },
            field="file",
            code="quota",
        )


# --- Create ----------------------------------------------------------------------------------


def _new(
    *,
    actor,
    unit: Unit,
    campaign: Campaign,
    kind: str,
    title: str,
    attribution: str,
    description: str = "",
    licence: str = Licence.PLATFORM,
    people_consent: bool = False,
    activity: Activity | None = None,
    body: str = "",
    url: str = "",
) -> Resource:
    return Resource(
        kind=kind,
        unit=unit,
        campaign=campaign,
        activity=activity,
        title=title,
        description=description,
        attribution=attribution,
        licence=licence,
        people_consent=people_consent,
        body=body,
        url=url,
        created_by=actor,
    )


def _audit_created(actor, resource: Resource, tags: list[str]) -> None:
    audit_record(
        actor=actor,
        action="resources.resource.created",
        obj=resource,
        changes={
            "kind": resource.kind,
            "unit": str(resource.unit),
            "size": resource.size,
            "sha256": resource.sha256,
            "tags": tags,
        },
    )


def resource_create_from_upload(
    *,
    actor,
    unit: Unit,
    campaign: Campaign,
    kind: str,
    upload: IO[bytes],
    title: str,
    attribution: str,
    file_name: str | None = None,
    tags: Iterable[str] | str | None = None,
    **fields: Any,
) -> Resource:
    """Check and store an uploaded photo, video or document; return the new draft resource.

    `upload` is a Django UploadedFile (or any file object with `.name` and `.size`, or give
    `file_name`). Processing is enqueued after the commit.
    """
    policy.require_edit_in(actor, unit)
    if kind not in FILE_KINDS:
        raise DomainError(_("Only photos, videos and documents are uploaded."), field="kind")
    resource = _new(
        actor=actor,
        unit=unit,
        campaign=campaign,
        kind=kind,
        title=title,
        attribution=attribution,
        **fields,
    )
    _validate(actor, resource)
    tag_names = _clean_tags(tags)
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    inspected = uploads.inspect_upload(
        kind=kind, upload=upload, name=file_name or getattr(upload, "name", "") or "", size=size
    )
    _check_quota(unit, inspected.size)

    stored = uploads.store(
        upload=upload, size=inspected.size, name=uploads.storage_name(inspected.extension)
    )
    try:
        with transaction.atomic():
            Unit.objects.select_for_update().filter(pk=unit.pk).first()
            _check_quota(unit, stored.size)
            resource.file.name = stored.name
            resource.original_name = inspected.display_name
            resource.size = stored.size
            resource.sha256 = stored.sha256
            resource.mime_type = inspected.mime_type
            resource.width, resource.height = inspected.width, inspected.height
            resource.processing = Processing.PENDING
            resource.processing_since = timezone.now()
            resource.save()
            _set_tags(resource, tag_names)
            _audit_created(actor, resource, tag_names)
            schedule_processing(resource.pk)
            _index(resource)
    except BaseException:
        uploads.delete_stored([stored.name])
        raise
    return resource


def resource_create(
    *,
    actor,
    unit: Unit,
    campaign: Campaign,
    kind: str,
    title: str,
    attribution: str,
    tags: Iterable[str] | str | None = None,
    **fields: Any,
) -> Resource:
    """Create an article (rich text written here) or a link; return the new draft resource."""
    policy.require_edit_in(actor, unit)
    if kind not in (Kind.ARTICLE, Kind.LINK):
        raise DomainError(_("Photos, videos and documents are uploaded as files."), field="kind")
    resource = _new(
        actor=actor,
        unit=unit,
        campaign=campaign,
        kind=kind,
        title=title,
        attribution=attribution,
        **fields,
    )
    _validate(actor, resource)
    tag_names = _clean_tags(tags)
    with transaction.atomic():
        resource.save()
        _set_tags(resource, tag_names)
        _audit_created(actor, resource, tag_names)
        _index(resource)
    return resource


# --- Update and delete -----------------------------------------------------------------------


def resource_update(
    *,
    actor,
    resource: Resource,
    tags: Iterable[str] | str | None = None,
    **data: Any,
) -> Resource:
    """Change a draft's or returned resource's metadata (the file is not replaced here)."""
    policy.require(actor, Cap.EDIT, resource)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if resource.status not in EDITABLE_STATUSES:
        raise Conflict(
            _("A %(status)s resource cannot be edited.")
            % {"status": Status(resource.status).label},
            code="status",
        )
    before = snapshot(resource, EDITABLE_FIELDS)
    old_tags = list(resource.tags.values_list("name", flat=True))
    for key, value in data.items():
        setattr(resource, key, value)
    _validate(actor, resource)
    tag_names = _clean_tags(tags) if tags is not None else old_tags
    changes = changed_fields(resource, before, EDITABLE_FIELDS)
    if tag_names != old_tags:
        changes["tags"] = [old_tags, tag_names]
    with transaction.atomic():
        resource.save()
        if tags is not None:
            _set_tags(resource, tag_names)
        audit_record(
            actor=actor, action="resources.resource.updated", obj=resource, changes=changes
        )
        _index(resource)
    return resource


def resource_delete(*, actor, resource: Resource) -> None:
    """Delete a resource; its stored files are removed once the deletion is committed."""
    policy.require(actor, Cap.EDIT, resource)
    names = resource.stored_names()
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="resources.resource.deleted",
            obj=resource,
            changes={"kind": resource.kind, "size": resource.size, "sha256": resource.sha256},
        )
        _index(resource)
        resource.delete()
        transaction.on_commit(lambda: uploads.delete_stored(names))


# --- Workflow --------------------------------------------------------------------------------


class Transition(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    FEATURE = "feature"
    UNFEATURE = "unfeature"


TRANSITIONS: dict[Transition, tuple[frozenset[str], Cap]] = {
    Transition.SUBMIT: (frozenset({Status.DRAFT, Status.RETURNED}), Cap.EDIT),
    Transition.APPROVE: (frozenset({Status.SUBMITTED, Status.HELD}), Cap.MODERATE),
    Transition.RETURN: (frozenset({Status.SUBMITTED, Status.HELD}), Cap.MODERATE),
    Transition.FEATURE: (frozenset({Status.PUBLISHED}), Cap.FEATURE),
    Transition.UNFEATURE: (frozenset({Status.PUBLISHED}), Cap.FEATURE),
}
_WRONG_STATUS = {
    Transition.SUBMIT: gettext_lazy("Only a draft or a returned resource can be submitted."),
    Transition.APPROVE: gettext_lazy("Only a submitted or held resource can be published."),
    Transition.RETURN: gettext_lazy("Only a submitted or held resource can be returned."),
    Transition.FEATURE: gettext_lazy("Only a published resource can be featured."),
    Transition.UNFEATURE: gettext_lazy("Only a published resource can be featured."),
}


def transitions_offered(*, user, resource: Resource) -> list[Transition]:
    """The steps `user` may take on `resource` now (its status and their rights), in order.

    Pages show these as buttons and the API lists them; each step still checks again.
    """
    offered = []
    for step, (statuses, cap) in TRANSITIONS.items():
        if resource.status not in statuses or not policy.can(user, cap, resource):
            continue
        if step == Transition.FEATURE and resource.featured:
            continue
        if step == Transition.UNFEATURE and not resource.featured:
            continue
        offered.append(step)
    return offered


def _begin(actor, resource: Resource, transition: Transition) -> Resource:
    """Check permission, then lock the row and check the status allows `transition`."""
    sources, cap = TRANSITIONS[transition]
    policy.require(actor, cap, resource)
    locked = (
        Resource.objects.select_for_update(of=("self",))
        .select_related("unit", "campaign", "activity")
        .get(pk=resource.pk)
    )
    if locked.status not in sources:
        raise Conflict(_WRONG_STATUS[transition], field="status", code="wrong_status")
    return locked


def _event(actor, resource: Resource, from_status: str, note: str = "") -> None:
    is_user = getattr(actor, "is_authenticated", False)
    ResourceEvent.objects.create(
        resource=resource,
        actor=actor if is_user else None,
        actor_repr=str(actor)[:200] if is_user else "",
        from_status=from_status,
        to_status=resource.status,
        note=note,
    )


# The texts screening reads, and what moderators are told a hit was found in.
SCREENED_FIELDS = {
    "title": gettext_lazy("title"),
    "description": pgettext_lazy("resource", "description"),
    "body": gettext_lazy("article text"),
    "extracted_text": gettext_lazy("text of the document"),
}


def _screen(resource: Resource) -> list[dict[str, str]]:
    """Return the campaign's sensitive words found in the resource's texts, as [{word, field}].

    Title, description, the article's text (without its markup) and the text extracted from a
    document are matched (`sciday.screening.matcher`, Aho-Corasick over the campaign's list).
    """
    from sciday.screening.matcher import screen

    texts = {
        "title": resource.title,
        "description": resource.description,
        "body": strip_tags(resource.body),
        "extracted_text": resource.extracted_text,
    }
    return [
        {"word": hit.word, "field": hit.field}
        for hit in screen(campaign=resource.campaign_id, texts=texts)
    ]


@transaction.atomic
def resource_submit(*, actor, resource: Resource) -> Resource:
    """Submit a draft or returned resource for moderation; a screening hit holds it."""
    resource = _begin(actor, resource, Transition.SUBMIT)
    if resource.processing not in (Processing.DONE, Processing.NONE):
        if resource.processing == Processing.FAILED:
            message = _(
                "The file could not be processed (%(reason)s): delete this resource and upload"
                " the file again."
            ) % {"reason": resource.processing_error or "?"}
        else:
            message = _("The file is still being processed: submit it once it is ready.")
        raise Conflict(message, field="status", code="processing")
    _validate(actor, resource)
    source = resource.status
    hits = _screen(resource)
    resource.screening_hits = hits
    resource.status = Status.HELD if hits else Status.SUBMITTED
    resource.submitted_at = timezone.now()
    resource.return_reason = ""
    resource.save()
    _event(actor, resource, source)
    audit_record(actor=actor, action="resources.resource.submitted", obj=resource)
    if hits:
        audit_record(
            actor=actor, action="resources.resource.held", obj=resource, changes={"hits": hits}
        )
    _index(resource)
    return resource


@transaction.atomic
def resource_approve(*, actor, resource: Resource) -> Resource:
    """Publish a submitted or held resource; return it."""
    resource = _begin(actor, resource, Transition.APPROVE)
    source = resource.status
    resource.status = Status.PUBLISHED
    resource.published_at = timezone.now()
    resource.save()
    _event(actor, resource, source)
    audit_record(actor=actor, action="resources.resource.published", obj=resource)
    _index(resource)
    return resource


@transaction.atomic
def resource_return(*, actor, resource: Resource, reason: str) -> Resource:
    """Send a submitted or held resource back to its unit with `reason` (required)."""
    resource = _begin(actor, resource, Transition.RETURN)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Say what the unit should change."), field="reason", code="reason_required"
        )
    source = resource.status
    resource.status = Status.RETURNED
    resource.return_reason = reason
    resource.save()
    _event(actor, resource, source, reason)
    audit_record(
        actor=actor, action="resources.resource.returned", obj=resource, changes={"reason": reason}
    )
    _index(resource)
    return resource


def _set_featured(actor, resource: Resource, transition: Transition, value: bool) -> Resource:
    resource = _begin(actor, resource, transition)
    if resource.featured == value:
        return resource
    resource.featured = value
    resource.save(update_fields=["featured", "updated_at"])
    _event(actor, resource, resource.status, _("featured") if value else _("no longer featured"))
    audit_record(
        actor=actor,
        action=f"resources.resource.{'featured' if value else 'unfeatured'}",
        obj=resource,
    )
    return resource


@transaction.atomic
def resource_feature(*, actor, resource: Resource) -> Resource:
    """Show a published resource on the campaign's theme site (campaign admins)."""
    return _set_featured(actor, resource, Transition.FEATURE, True)


@transaction.atomic
def resource_unfeature(*, actor, resource: Resource) -> Resource:
    """Take a resource off the theme site (campaign admins)."""
    return _set_featured(actor, resource, Transition.UNFEATURE, False)


def resource_download_count(*, actor, resource: Resource) -> bool:
    """Count one download of a published resource's original; return whether it was counted.

    One `UPDATE ... SET download_count = download_count + 1` (an F() expression), so concurrent
    downloads never lose a count. Anyone may download a published resource, signed in or not:
    there is no permission to check beyond the status (re-checked in the UPDATE itself), and no
    audit entry is written — an anonymous count names no one and would only flood the audit log.
    `actor` is accepted for the services' uniform signature and not stored.
    """
    del actor
    updated = Resource.objects.filter(pk=resource.pk, status__in=PUBLIC_STATUSES).update(
        download_count=F("download_count") + 1
    )
    return updated == 1


# --- Resumable uploads -----------------------------------------------------------------------


def resource_create_from_resumable(
    *,
    actor,
    upload_id: Any,
    unit: Unit,
    campaign: Campaign,
    kind: str,
    **fields: Any,
) -> Resource:
    """Make a resource of a complete resumable (tus) upload; return the new draft resource.

    The bytes go through `resource_create_from_upload` (the same checks and streamed storage),
    then the upload's row and partial file are removed — also when the file is refused, so a
    refused file leaves nothing behind. A refusal of the form's metadata alone (a title, the
    people's consent; an error naming another field than the file) keeps the upload, so the
    person corrects the form without sending the file again. An incomplete or unknown upload is
    refused with a DomainError on the "file" field.
    """
    from sciday.resources import tus

    upload = tus.upload_take(actor=actor, upload_id=upload_id)
    try:
        with tus.upload_opened(upload) as handle:
            try:
                resource = resource_create_from_upload(
                    actor=actor,
                    unit=unit,
                    campaign=campaign,
                    kind=kind,
                    upload=handle,
                    file_name=upload.display_name,
                    **fields,
                )
            except DomainError as error:
                if error.field in (None, "file"):
                    tus.upload_discard(upload)
                raise
            except BaseException:
                tus.upload_discard(upload)
                raise
            tus.upload_discard(upload)
    except tus.TusError as error:  # another request holds or took the upload
        raise DomainError(error.message, field="file", code=error.code) from None
    return resource
