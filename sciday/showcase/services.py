"""Every write of the showcase: each checks permission, validates, writes in a transaction, audits.

Refusals (a `DomainError` with a Chinese message; nothing written, no file kept):
- a nomination over the unit's quota for its kind (no quota for the kind: none allowed), without
  the person's recorded consent, after the deadline day (Asia/Shanghai: 23:59:59 on that day is
  still on time), and a submission without its materials;
- a score outside 0–100, or once the nomination is no longer `qualified` (shortlisted or later);
- a public notice without shortlisted nominations; an objection after the notice has ended,
  without text or without a contact, or too many from one address within an hour;
- a publication before the notice has ended, or while an objection is unanswered.

The notice's last day is `sciday.core.workdays.add_working_days(starts_on, working_days)`.
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import partial
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciday.core import crypto
from sciday.core.audit import audit_record, changed_fields, snapshot
from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.images import image_reencode
from sciday.orgs.models import Unit, UnitKind
from sciday.resources import uploads
from sciday.resources.models import Kind
from sciday.showcase import policy
from sciday.showcase.models import (
    FileKind,
    Gender,
    HonourKind,
    Nomination,
    NominationFile,
    Objection,
    PublicNotice,
    Quota,
    Score,
    Status,
)
from sciday.showcase.policy import Cap

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHOTO_EXTENSIONS = frozenset({".jpg", ".png", ".webp"})
ALLOWED_EXTENSIONS: dict[str, frozenset[str]] = {
    FileKind.RESUME: frozenset({".pdf", ".docx"}),
    FileKind.ACHIEVEMENTS: frozenset({".pdf", ".docx"}),
    FileKind.PHOTO: PHOTO_EXTENSIONS,
    FileKind.RECOMMENDATION: frozenset({".pdf"}),
    FileKind.CONSENT: frozenset({".pdf", ".jpg", ".png", ".webp"}),
}
REQUIRED_PERSON = (FileKind.RESUME, FileKind.ACHIEVEMENTS, FileKind.PHOTO, FileKind.RECOMMENDATION)
REQUIRED_TEAM = (FileKind.ACHIEVEMENTS, FileKind.PHOTO, FileKind.RECOMMENDATION)
PHOTO_MAX_BYTES = 20 * 1024 * 1024
OBJECTIONS_PER_HOUR = 5
_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")

NOMINATION_FIELDS = [
    "name",
    "gender",
    "birth_year",
    "affiliation",
    "title",
    "field",
    "summary",
    "team_members",
    "name_en",
    "affiliation_en",
    "field_en",
    "story_zh",
    "story_en",
]
PROFILE_FIELDS = ["name_en", "affiliation_en", "field_en", "story_zh", "story_en"]
HONOUR_FIELDS = [
    "name",
    "name_en",
    "description",
    "cycle_years",
    "team",
    "nomination_deadline",
    "position",
]


class Transition(StrEnum):
    SUBMIT = "submit"
    QUALIFY = "qualify"
    DISQUALIFY = "disqualify"
    SHORTLIST = "shortlist"
    SCORE = "score"
    DELETE = "delete"


def nomination_transitions(user, nomination: Nomination) -> list[Transition]:
    """Return the steps `user` may take on `nomination` now."""
    offered: list[Transition] = []
    status = nomination.status
    if status == Status.DRAFT and policy.can(user, Cap.EDIT, nomination):
        offered += [Transition.SUBMIT, Transition.DELETE]
    if policy.can(user, Cap.REVIEW, nomination):
        if status == Status.SUBMITTED:
            offered += [Transition.QUALIFY, Transition.DISQUALIFY]
        if status == Status.QUALIFIED:
            offered.append(Transition.SHORTLIST)
    if policy.can(user, Cap.SCORE, nomination):
        offered.append(Transition.SCORE)
    return offered


def now_in_shanghai(now: datetime | None = None) -> datetime:
    return timezone.localtime(now or timezone.now(), SHANGHAI)


def deadline_passed(honour: HonourKind, *, now: datetime | None = None) -> bool:
    """Whether the nomination deadline day (Beijing time, the whole day) is over."""
    return now_in_shanghai(now).date() > honour.nomination_deadline


def notice_end(notice: PublicNotice) -> datetime:
    """The moment the notice closes: the end of its last day, Beijing time."""
    return datetime.combine(notice.ends_on + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def notice_start(notice: PublicNotice) -> datetime:
    return datetime.combine(notice.starts_on, time(0), tzinfo=SHANGHAI)


def notice_is_open(notice: PublicNotice, *, now: datetime | None = None) -> bool:
    moment = now or timezone.now()
    return notice_start(notice) <= moment < notice_end(notice)


def _text(value: Any, *, limit: int) -> str:
    return str(value or "").strip()[:limit]


# --- Honours and quotas (campaign admins) -----------------------------------------------------


def _clean_honour(data: dict[str, Any]) -> None:
    data["name"] = _text(data.get("name"), limit=100)
    if not data["name"]:
        raise DomainError(_("Give the honour a name."), field="name")
    cycle = data.get("cycle_years") or 1
    if not isinstance(cycle, int) or cycle < 1 or cycle > 10:
        raise DomainError(_("Awarded every 1 to 10 years."), field="cycle_years")
    data["cycle_years"] = cycle
    if not isinstance(data.get("nomination_deadline"), date):
        raise DomainError(_("Give the nomination deadline."), field="nomination_deadline")


def honour_create(*, actor, campaign, **data: Any) -> HonourKind:
    """Create an honour in `campaign` (campaign admins)."""
    policy.require_admin(actor)
    data = {k: v for k, v in data.items() if k in HONOUR_FIELDS}
    _clean_honour(data)
    with transaction.atomic():
        if HonourKind.objects.filter(campaign=campaign, name=data["name"]).exists():
            raise Conflict(_("This campaign already has an honour of that name."), field="name")
        honour = HonourKind.objects.create(campaign=campaign, **data)
        audit_record(actor=actor, action="showcase.honour.created", obj=honour)
    return honour


def honour_update(*, actor, honour: HonourKind, **data: Any) -> HonourKind:
    policy.require_admin(actor)
    before = snapshot(honour, HONOUR_FIELDS)
    values = {**before, **{k: v for k, v in data.items() if k in HONOUR_FIELDS}}
    _clean_honour(values)
    with transaction.atomic():
        clash = HonourKind.objects.filter(campaign=honour.campaign, name=values["name"])
        if clash.exclude(pk=honour.pk).exists():
            raise Conflict(_("This campaign already has an honour of that name."), field="name")
        for key, value in values.items():
            setattr(honour, key, value)
        honour.save()
        audit_record(
            actor=actor,
            action="showcase.honour.updated",
            obj=honour,
            changes=changed_fields(honour, before, HONOUR_FIELDS),
        )
    return honour


def quota_set(*, actor, honour: HonourKind, unit_kind: str, max_nominations: int) -> Quota | None:
    """Set how many nominations each unit of `unit_kind` may make; 0 removes the quota."""
    policy.require_admin(actor)
    if unit_kind not in UnitKind.values:
        raise DomainError(_("Choose a unit kind."), field="unit_kind")
    if not isinstance(max_nominations, int) or not 0 <= max_nominations <= 100:
        raise DomainError(_("A quota is a number from 0 to 100."), field="max_nominations")
    with transaction.atomic():
        if max_nominations == 0:
            Quota.objects.filter(honour=honour, unit_kind=unit_kind).delete()
            quota = None
        else:
            quota, _created = Quota.objects.update_or_create(
                honour=honour, unit_kind=unit_kind, defaults={"max_nominations": max_nominations}
            )
        audit_record(
            actor=actor,
            action="showcase.quota.set",
            obj=honour,
            changes={"unit_kind": unit_kind, "max_nominations": max_nominations},
        )
    return quota


def honour_experts_set(*, actor, honour: HonourKind, experts: list) -> HonourKind:
    """Assign the experts who score `honour` (empty: every expert)."""
    policy.require_admin(actor)
    if any(not policy.is_expert(e) for e in experts):
        raise DomainError(_("Only people with the expert role can score."), field="experts")
    with transaction.atomic():
        honour.experts.set(experts)
        audit_record(
            actor=actor,
            action="showcase.honour.experts_set",
            obj=honour,
            changes={"experts": sorted(e.pk for e in experts)},
        )
    honour.__dict__.pop("_expert_ids", None)
    return honour


# --- Nominations (units) ----------------------------------------------------------------------


def _clean_nomination(honour: HonourKind, data: dict[str, Any]) -> None:
    data["name"] = _text(data.get("name"), limit=100)
    data["affiliation"] = _text(data.get("affiliation"), limit=200)
    data["field"] = _text(data.get("field"), limit=200)
    data["summary"] = _text(data.get("summary"), limit=1000)
    data["title"] = _text(data.get("title"), limit=200)
    data["team_members"] = _text(data.get("team_members"), limit=5000)
    for key, limit in (("name_en", 200), ("affiliation_en", 300), ("field_en", 300)):
        data[key] = _text(data.get(key), limit=limit)
    data["story_zh"] = _text(data.get("story_zh"), limit=20000)
    data["story_en"] = _text(data.get("story_en"), limit=20000)
    if not data["name"]:
        raise DomainError(
            _("Give the team's name.") if honour.team else _("Give the person's name."),
            field="name",
        )
    if not data["affiliation"]:
        raise DomainError(_("Give the affiliation."), field="affiliation")
    if not data["field"]:
        raise DomainError(_("Give the field of work."), field="field")
    if not data["summary"]:
        raise DomainError(_("Write a short summary of the achievements."), field="summary")
    if honour.team:
        data["gender"], data["birth_year"] = "", None
        if not data["team_members"]:
            raise DomainError(_("List the team's members."), field="team_members")
        return
    data["team_members"] = ""
    if data.get("gender") not in Gender.values:
        raise DomainError(_("Choose the gender."), field="gender")
    year = data.get("birth_year")
    this_year = now_in_shanghai().year
    if not isinstance(year, int) or not this_year - 110 <= year <= this_year - 16:
        raise DomainError(_("Give a plausible year of birth."), field="birth_year")


def _clean_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if not phone:
        raise DomainError(_("Give a telephone number for the nominee."), field="phone")
    if not _PHONE.match(phone):
        raise DomainError(_("The telephone number is not valid."), field="phone")
    return phone


def _require_on_time(honour: HonourKind) -> None:
    if deadline_passed(honour):
        raise DomainError(
            _("Nominations for %(honour)s closed on %(date)s (Beijing time).")
            % {"honour": honour.name, "date": honour.nomination_deadline.isoformat()},
            code="deadline",
        )


def _check_consent(consent: bool, consent_date: date | None) -> None:
    if not consent:
        raise DomainError(
            _("The nominee's consent to be nominated and to have the story made public is needed."),
            field="consent",
            code="consent",
        )
    if not isinstance(consent_date, date):
        raise DomainError(_("Give the date the consent was given."), field="consent_date")
    if consent_date > now_in_shanghai().date():
        raise DomainError(_("The consent date cannot be in the future."), field="consent_date")


def _check_quota(honour: HonourKind, unit: Unit) -> None:
    """Refuse a nomination over the unit's quota. Locks the quota row (one at a time per honour)."""
    quota = Quota.objects.select_for_update().filter(honour=honour, unit_kind=unit.kind).first()
    if quota is None:
        raise Conflict(
            _("Units of the kind “%(kind)s” do not nominate for %(honour)s.")
            % {"kind": unit.get_kind_display(), "honour": honour.name},
            code="quota",
        )
    used = Nomination.objects.filter(honour=honour, unit=unit).count()
    if used >= quota.max_nominations:
        raise Conflict(
            _(
                "%(unit)s has used its quota of %(max)d nomination(s) for %(honour)s:"
                " delete a draft first."
            )
            % {"unit": unit.name, "max": quota.max_nominations, "honour": honour.name},
            code="quota",
        )


def nomination_create(
    *,
    actor,
    honour: HonourKind,
    unit: Unit,
    phone: str,
    consent: bool,
    consent_date: date | None,
    **data: Any,
) -> Nomination:
    """Nominate a person or a team of `unit` for `honour`: a draft, to which materials are added."""
    policy.require_nominate_in(actor, unit)
    if not unit.is_active:
        raise DomainError(_("This unit is disabled."), field="unit")
    _require_on_time(honour)
    _check_consent(consent, consent_date)
    values = {k: data.get(k) for k in NOMINATION_FIELDS}
    _clean_nomination(honour, values)
    phone = _clean_phone(phone)
    with transaction.atomic():
        _check_quota(honour, unit)
        nomination = Nomination(
            honour=honour,
            unit=unit,
            is_team=honour.team,
            consent=True,
            consent_date=consent_date,
            consent_recorded_by=actor,
            created_by=actor,
            **values,
        )
        nomination.set_phone(phone)
        nomination.save()
        audit_record(actor=actor, action="showcase.nomination.created", obj=nomination)
    return nomination


def nomination_update(*, actor, nomination: Nomination, **data: Any) -> Nomination:
    """Edit a draft nomination (its unit, before the deadline)."""
    policy.require(actor, Cap.EDIT, nomination)
    if nomination.status != Status.DRAFT:
        raise DomainError(_("Only a draft nomination can be edited."), code="status")
    _require_on_time(nomination.honour)
    before = snapshot(nomination, NOMINATION_FIELDS)
    values = {**before, **{k: v for k, v in data.items() if k in NOMINATION_FIELDS}}
    _clean_nomination(nomination.honour, values)
    phone = _clean_phone(data["phone"]) if "phone" in data else None
    with transaction.atomic():
        for key, value in values.items():
            setattr(nomination, key, value)
        if phone is not None:
            nomination.set_phone(phone)
        nomination.save(update_fields=[*NOMINATION_FIELDS, "phone_encrypted", "updated_at"])
        changes = changed_fields(nomination, before, NOMINATION_FIELDS)
        if phone is not None:
            changes["phone"] = ["…", "…"]
        audit_record(
            actor=actor, action="showcase.nomination.updated", obj=nomination, changes=changes
        )
    return nomination


def nomination_delete(*, actor, nomination: Nomination) -> None:
    """Delete a draft nomination and its files (frees the quota)."""
    policy.require(actor, Cap.EDIT, nomination)
    if nomination.status != Status.DRAFT:
        raise DomainError(_("Only a draft nomination can be deleted."), code="status")
    names = [f.file.name or "" for f in nomination.files.all()]
    with transaction.atomic():
        audit_record(actor=actor, action="showcase.nomination.deleted", obj=nomination)
        nomination.delete()
        transaction.on_commit(partial(uploads.delete_stored, names))


def _storage_name(extension: str) -> str:
    now = timezone.localtime()
    return f"showcase/{now:%Y/%m}/{uuid.uuid4().hex}{extension}"


def nomination_file_add(
    *, actor, nomination: Nomination, kind: str, upload: IO[bytes], name: str, size: int
) -> NominationFile:
    """Check and store a material of a draft nomination (photos re-encoded without metadata)."""
    policy.require(actor, Cap.EDIT, nomination)
    if nomination.status != Status.DRAFT:
        raise DomainError(_("Materials can be changed on a draft only."), code="status")
    if kind not in ALLOWED_EXTENSIONS:
        raise DomainError(_("Choose what the file is."), field="kind")
    _require_on_time(nomination.honour)
    allowed = ALLOWED_EXTENSIONS[kind]
    extension = uploads._extension(uploads.clean_display_name(name))
    if extension not in allowed:
        raise DomainError(
            _("A %(kind)s must be one of: %(accepted)s.")
            % {"kind": FileKind(kind).label, "accepted": ", ".join(sorted(allowed))},
            field="file",
            code="type",
        )
    resource_kind = Kind.PHOTO if extension in PHOTO_EXTENSIONS else Kind.DOCUMENT
    inspected = uploads.inspect_upload(kind=resource_kind, upload=upload, name=name, size=size)
    if resource_kind == Kind.PHOTO:
        upload.seek(0)
        picture = image_reencode(
            upload, name=inspected.display_name, max_bytes=PHOTO_MAX_BYTES, field="file"
        )
        stored = uploads.store(
            upload=io.BytesIO(picture.jpeg), size=len(picture.jpeg), name=_storage_name(".jpg")
        )
        mime_type = "image/jpeg"
        display = inspected.display_name.rsplit(".", 1)[0] + ".jpg"
    else:
        stored = uploads.store(upload=upload, size=size, name=_storage_name(inspected.extension))
        mime_type, display = inspected.mime_type, inspected.display_name
    try:
        with transaction.atomic():
            item = NominationFile.objects.create(
                nomination=nomination,
                kind=kind,
                file=stored.name,
                original_name=display,
                mime_type=mime_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by=actor,
            )
            audit_record(
                actor=actor,
                action="showcase.nomination.file_added",
                obj=nomination,
                changes={"kind": kind, "file": display},
            )
    except Exception:
        uploads.delete_stored([stored.name])
        raise
    return item


def nomination_file_remove(*, actor, item: NominationFile) -> None:
    nomination = item.nomination
    policy.require(actor, Cap.EDIT, nomination)
    if nomination.status != Status.DRAFT:
        raise DomainError(_("Materials can be changed on a draft only."), code="status")
    name = item.file.name or ""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="showcase.nomination.file_removed",
            obj=nomination,
            changes={"kind": item.kind, "file": item.original_name},
        )
        item.delete()
        transaction.on_commit(partial(uploads.delete_stored, [name]))


def missing_materials(nomination: Nomination) -> list[str]:
    """Return the labels of the required materials the nomination lacks."""
    present = {f.kind for f in nomination.files.all()}
    required = REQUIRED_TEAM if nomination.is_team else REQUIRED_PERSON
    return [str(FileKind(k).label) for k in required if k not in present]


def _locked(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update()
        .select_related("honour", "unit")
        .get(pk=nomination.pk)
    )


def nomination_submit(*, actor, nomination: Nomination) -> Nomination:
    """Send a draft to the campaign admins: materials complete, consent recorded, on time."""
    policy.require(actor, Cap.EDIT, nomination)
    with transaction.atomic():
        nomination = _locked(nomination)
        if nomination.status != Status.DRAFT:
            raise Conflict(_("This nomination has already been submitted."), code="status")
        _require_on_time(nomination.honour)
        _check_consent(nomination.consent, nomination.consent_date)
        missing = missing_materials(nomination)
        if missing:
            raise DomainError(
                _("Add the missing materials before submitting: %(missing)s.")
                % {"missing": "、".join(missing)},
                code="materials",
            )
        nomination.status = Status.SUBMITTED
        nomination.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="showcase.nomination.submitted", obj=nomination)
    return nomination


# --- Review (campaign admins, experts) --------------------------------------------------------


def nomination_check(
    *, actor, nomination: Nomination, qualified: bool, reason: str = ""
) -> Nomination:
    """Record the qualification check: qualified, or not qualified with a reason."""
    policy.require(actor, Cap.REVIEW, nomination)
    reason = _text(reason, limit=2000)
    if not qualified and not reason:
        raise DomainError(_("Say why the nomination does not qualify."), field="reason")
    with transaction.atomic():
        nomination = _locked(nomination)
        if nomination.status != Status.SUBMITTED:
            raise Conflict(_("Only a submitted nomination can be checked."), code="status")
        nomination.status = Status.QUALIFIED if qualified else Status.NOT_QUALIFIED
        nomination.qualification_reason = reason
        nomination.checked_by = actor
        nomination.checked_at = timezone.now()
        nomination.save()
        audit_record(
            actor=actor,
            action=f"showcase.nomination.{'qualified' if qualified else 'not_qualified'}",
            obj=nomination,
            changes={"reason": reason} if reason else None,
        )
    return nomination


def score_set(*, actor, nomination: Nomination, score: int, comment: str = "") -> Score:
    """Record or change the expert's own score (0–100) while the nomination is qualified."""
    policy.require(actor, Cap.VIEW, nomination)
    if not policy.is_honour_expert(actor, nomination.honour):
        raise NotAllowed()
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise DomainError(_("A score is a whole number from 0 to 100."), field="score")
    comment = _text(comment, limit=5000)
    with transaction.atomic():
        nomination = _locked(nomination)
        if nomination.status != Status.QUALIFIED:
            raise Conflict(
                _("Scores can no longer be changed: the shortlist has been drawn."), code="status"
            )
        item, created = Score.objects.update_or_create(
            nomination=nomination, expert=actor, defaults={"score": score, "comment": comment}
        )
        audit_record(
            actor=actor,
            action="showcase.score.created" if created else "showcase.score.updated",
            obj=nomination,
            changes={"score": score},
        )
    return item


def nomination_shortlist(*, actor, nomination: Nomination) -> Nomination:
    policy.require(actor, Cap.REVIEW, nomination)
    with transaction.atomic():
        nomination = _locked(nomination)
        if nomination.status != Status.QUALIFIED:
            raise Conflict(_("Only a qualified nomination can be shortlisted."), code="status")
        nomination.status = Status.SHORTLISTED
        nomination.shortlisted_at = timezone.now()
        nomination.save()
        audit_record(actor=actor, action="showcase.nomination.shortlisted", obj=nomination)
    return nomination


# --- The public notice (公示), objections, publication ----------------------------------------


def notice_open(
    *,
    actor,
    campaign,
    title: str,
    starts_on: date,
    working_days: int = 5,
    nominations: QuerySet[Nomination] | list[Nomination] | None = None,
) -> PublicNotice:
    """Open a public notice for the shortlisted nominations of `campaign` (or those given)."""
    from sciday.core.workdays import add_working_days

    policy.require_admin(actor)
    title = _text(title, limit=200)
    if not title:
        raise DomainError(_("Give the notice a title."), field="title")
    if not isinstance(starts_on, date):
        raise DomainError(_("Give the first day of the notice."), field="starts_on")
    if starts_on < now_in_shanghai().date():
        raise DomainError(_("The notice cannot start in the past."), field="starts_on")
    if not isinstance(working_days, int) or not 1 <= working_days <= 30:
        raise DomainError(_("A notice lasts 1 to 30 working days."), field="working_days")
    with transaction.atomic():
        qs = Nomination.objects.select_for_update().filter(
            honour__campaign=campaign, status=Status.SHORTLISTED
        )
        if nominations is not None:
            qs = qs.filter(pk__in=[n.pk for n in nominations])
        chosen = list(qs)
        if not chosen:
            raise DomainError(_("No shortlisted nomination to put on notice."), code="empty")
        notice = PublicNotice.objects.create(
            campaign=campaign,
            title=title,
            starts_on=starts_on,
            working_days=working_days,
            ends_on=add_working_days(starts_on, working_days),
            opened_by=actor,
        )
        Nomination.objects.filter(pk__in=[n.pk for n in chosen]).update(
            status=Status.IN_NOTICE, notice=notice, updated_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="showcase.notice.opened",
            obj=notice,
            changes={"nominations": [n.pk for n in chosen], "ends_on": str(notice.ends_on)},
        )
    return notice


def _clean_contact(contact: str) -> str:
    contact = (contact or "").strip()[:200]
    if not contact:
        raise DomainError(
            _("Leave a telephone number or an e-mail address so that we can answer you."),
            field="contact",
        )
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError:
            raise DomainError(_("The e-mail address is not valid."), field="contact") from None
    elif not _PHONE.match(contact):
        raise DomainError(_("The telephone number is not valid."), field="contact")
    return contact


def _rate_limited(ip: str) -> bool:
    """Count this objection against `ip`; True when it is over the hourly limit."""
    limit = int(getattr(settings, "SHOWCASE_OBJECTIONS_PER_HOUR", OBJECTIONS_PER_HOUR))
    key = f"showcase:objections:{crypto.blind_index(ip or 'unknown')[:32]}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > limit


def objection_file(
    *,
    actor,
    notice: PublicNotice,
    text: str,
    contact: str,
    name: str = "",
    nomination: Nomination | None = None,
    ip: str = "",
) -> Objection:
    """File an objection during the notice (anyone, anonymous allowed)."""
    if not notice_is_open(notice):
        if timezone.now() >= notice_end(notice):
            raise DomainError(
                _("The public notice ended on %(date)s: objections are no longer accepted.")
                % {"date": notice.ends_on.isoformat()},
                code="closed",
            )
        raise DomainError(_("The public notice has not started yet."), code="closed")
    text = _text(text, limit=5000)
    if not text:
        raise DomainError(_("Write the objection."), field="text")
    contact = _clean_contact(contact)
    if nomination is not None and nomination.notice_id != notice.pk:
        raise DomainError(_("Choose a name from this notice."), field="nomination")
    if _rate_limited(ip):
        raise DomainError(
            _("Too many objections from your address: please try again in an hour."),
            code="rate_limited",
        )
    with transaction.atomic():
        objection = Objection.objects.create(
            notice=notice,
            nomination=nomination,
            name=_text(name, limit=100),
            contact_encrypted=crypto.encrypt(contact),
            text=text,
        )
        audit_record(actor=actor, action="showcase.objection.filed", obj=objection)
    return objection


def objection_answer(
    *, actor, objection: Objection, answer: str, send_email: bool = False
) -> Objection:
    """Record the answer to an objection; optionally e-mail it to the contact (task queue)."""
    policy.require_admin(actor)
    answer = _text(answer, limit=5000)
    if not answer:
        raise DomainError(_("Write the answer."), field="answer")
    if send_email and "@" not in objection.contact:
        raise DomainError(
            _("The objection left a telephone number, not an e-mail address: call back instead."),
            field="send_email",
        )
    with transaction.atomic():
        objection.answer = answer
        objection.answered_by = actor
        objection.answered_at = timezone.now()
        objection.save()
        audit_record(actor=actor, action="showcase.objection.answered", obj=objection)
        if send_email:
            from sciday.showcase.tasks import send_objection_answer

            transaction.on_commit(partial(send_objection_answer.enqueue, objection_id=objection.pk))
    return objection


def notice_publish(*, actor, notice: PublicNotice) -> PublicNotice:
    """Publish the profiles of the notice once it has ended and every objection is answered."""
    policy.require_admin(actor)
    with transaction.atomic():
        notice = PublicNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.published_at is not None:
            raise Conflict(_("These profiles are already published."), code="status")
        if timezone.now() < notice_end(notice):
            raise DomainError(
                _("The public notice runs until %(date)s: publish after it ends.")
                % {"date": notice.ends_on.isoformat()},
                code="notice_running",
            )
        open_objections = notice.objections.filter(answered_at__isnull=True).count()
        if open_objections:
            raise DomainError(
                _("%(count)d objection(s) still unanswered: answer them before publishing.")
                % {"count": open_objections},
                code="objections",
            )
        now = timezone.now()
        notice.published_at = now
        notice.save(update_fields=["published_at"])
        published = list(
            notice.nominations.filter(status=Status.IN_NOTICE).values_list("pk", flat=True)
        )
        Nomination.objects.filter(pk__in=published).update(
            status=Status.PUBLISHED, published_at=now, updated_at=now
        )
        audit_record(
            actor=actor,
            action="showcase.notice.published",
            obj=notice,
            changes={"nominations": published},
        )
    return notice


def notice_withdraw_nomination(*, actor, nomination: Nomination, reason: str) -> Nomination:
    """Take a nomination off a running notice after a well-founded objection (not published)."""
    policy.require(actor, Cap.REVIEW, nomination)
    reason = _text(reason, limit=2000)
    if not reason:
        raise DomainError(_("Say why the nomination is withdrawn."), field="reason")
    with transaction.atomic():
        nomination = _locked(nomination)
        if nomination.status != Status.IN_NOTICE:
            raise Conflict(_("Only a nomination on notice can be withdrawn."), code="status")
        nomination.status = Status.NOT_QUALIFIED
        nomination.qualification_reason = reason
        nomination.save()
        audit_record(
            actor=actor,
            action="showcase.nomination.withdrawn",
            obj=nomination,
            changes={"reason": reason},
        )
    return nomination


# --- Profiles (after publication) -------------------------------------------------------------


def profile_update(
    *,
    actor,
    nomination: Nomination,
    activity_ids: list[int] | None = None,
    resource_ids: list[int] | None = None,
    **data: Any,
) -> Nomination:
    """Edit a profile's bilingual texts and its related activities and resources (admins)."""
    from sciday.activities.models import PUBLIC_STATUSES as ACTIVITY_PUBLIC
    from sciday.activities.models import Activity
    from sciday.resources.models import PUBLIC_STATUSES as RESOURCE_PUBLIC
    from sciday.resources.models import Resource

    policy.require(actor, Cap.REVIEW, nomination)
    before = snapshot(nomination, PROFILE_FIELDS)
    activities = resources = None
    if activity_ids is not None:
        activities = list(Activity.objects.filter(pk__in=activity_ids, status__in=ACTIVITY_PUBLIC))
        if len(activities) != len(set(activity_ids)):
            raise DomainError(
                _("Some of these activities do not exist or are not published."),
                field="activity_ids",
            )
    if resource_ids is not None:
        resources = list(Resource.objects.filter(pk__in=resource_ids, status__in=RESOURCE_PUBLIC))
        if len(resources) != len(set(resource_ids)):
            raise DomainError(
                _("Some of these resources do not exist or are not published."),
                field="resource_ids",
            )
    with transaction.atomic():
        for key in PROFILE_FIELDS:
            if key in data:
                setattr(nomination, key, _text(data[key], limit=20000 if "story" in key else 300))
        nomination.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
        if activities is not None:
            nomination.related_activities.set(activities)
        if resources is not None:
            nomination.related_resources.set(resources)
        changes = changed_fields(nomination, before, PROFILE_FIELDS)
        if activity_ids is not None:
            changes["activities"] = sorted(set(activity_ids))
        if resource_ids is not None:
            changes["resources"] = sorted(set(resource_ids))
        audit_record(
            actor=actor, action="showcase.profile.updated", obj=nomination, changes=changes
        )
    return nomination
