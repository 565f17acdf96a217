"""Every write to campaigns: facts, categories, sub-types, report routes, contacts, copy, current.

Each service checks that the actor is a campaign admin, validates, writes in one transaction and
records an audit entry (`campaigns.<thing>.<verb>`). Bad input raises `DomainError` with a message
that says what to fix; nothing is written then.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, overload
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciday.campaigns import policy
from sciday.campaigns.document import parse_doc_number
from sciday.campaigns.models import Campaign, Category, Contact, ReportRoute, SubType
from sciday.campaigns.policy import Cap
from sciday.core.audit import audit_record, changed_fields, snapshot
from sciday.core.errors import Conflict, DomainError
from sciday.orgs.models import Unit, UnitKind
from sciday.screening import matcher as screening_matcher
from sciday.screening.models import SensitiveWord

CAMPAIGN_FIELDS = [
    "edition",
    "name",
    "theme",
    "theme_en",
    "window_start",
    "window_end",
    "window_label",
    "day",
    "awards_from",
    "awards_until",
    "report_deadline",
    "doc_number",
    "doc_title",
    "issuers",
    "issue_date",
    "recipients",
    "body",
    "attachments_note",
    "annotation",
    "copy_to",
    "printed_by",
    "printed_on",
    "is_published",
]
_TEXT_FIELDS = {
    "name",
    "theme",
    "theme_en",
    "window_label",
    "doc_number",
    "doc_title",
    "annotation",
    "copy_to",
    "printed_by",
}
CATEGORY_FIELDS = ["name", "short_name", "name_en", "description"]
SUBTYPE_FIELDS = ["name", "name_en"]
CONTACT_FIELDS = ["department", "people", "phone", "fax", "email", "address", "postcode"]


def _require_admin(actor) -> None:
    policy.require(actor, Cap.CAMPAIGN_MANAGE)


def _touch(campaign_id: int) -> None:
    """Mark the campaign changed (its notice and pages are cached on `updated_at`)."""
    Campaign.objects.filter(pk=campaign_id).update(updated_at=timezone.now())


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _clean_lines(text: str) -> str:
    """Return text with one stripped, non-empty paragraph per line."""
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    """Run model validation and turn its first error into a DomainError on that field."""
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        errors = getattr(exc, "error_dict", None)
        if errors:
            field, messages = next(iter(errors.items()))
            raise DomainError(messages[0].messages[0], field=field) from exc
        raise DomainError(exc.messages[0]) from exc


# --- Campaign facts ---------------------------------------------------------------------------


def campaign_validate(campaign: Campaign) -> None:
    """Raise DomainError for the first broken rule of the campaign's facts."""
    start, end = campaign.window_start, campaign.window_end
    if start and end and end < start:
        raise DomainError(
            _("The activity period ends before it starts."), field="window_end", code="window"
        )
    if campaign.day and start and end and not start <= campaign.day <= end:
        raise DomainError(
            _("The Day must fall inside the activity period."), field="day", code="day"
        )
    if (
        campaign.awards_from
        and campaign.awards_until
        and campaign.awards_until < campaign.awards_from
    ):
        raise DomainError(
            _("The award period ends before it starts."), field="awards_until", code="awards"
        )
    if campaign.report_deadline and campaign.window_start:
        if timezone.is_naive(campaign.report_deadline):
            raise DomainError(_("Give the deadline with its time zone."), field="report_deadline")
        window_opens = datetime.combine(campaign.window_start, time.min, tzinfo=_tz())
        if campaign.report_deadline <= window_opens:
            raise DomainError(
                _("The report deadline must be after the activity period starts."),
                field="report_deadline",
                code="deadline",
            )
    issuers = [name for name in campaign.issuers or [] if str(name).strip()]
    if not issuers or len(issuers) != len(campaign.issuers or []):
        raise DomainError(_("Name at least one issuing authority."), field="issuers")
    if campaign.doc_number:
        number = parse_doc_number(campaign.doc_number)
        if number is None:
            raise DomainError(
                _(
                    "Write the document number as GB/T 9704 does, e.g. 科协发宣字〔2023〕13号: the "
                    "year in 〔〕, the serial number without leading zeros, ending with 号."
                ),
                field="doc_number",
                code="doc_number",
            )
        expected_year = campaign.issue_date.year if campaign.issue_date else campaign.year
        if number.year != expected_year:
            raise DomainError(
                _("The year in the document number must be %(year)s.") % {"year": expected_year},
                field="doc_number",
                code="doc_number_year",
            )
    if campaign.is_published:
        for name, message in (
            ("doc_number", _("A published notice needs its document number.")),
            ("issue_date", _("A published notice needs its date of issue.")),
            ("doc_title", _("A published notice needs its title.")),
            ("body", _("A published notice needs its body text.")),
        ):
            if not getattr(campaign, name):
                raise DomainError(message, field=name, code="incomplete")
    if not campaign.is_published and campaign.is_current:
        raise DomainError(
            _("The current campaign stays published: make another campaign current first."),
            field="is_published",
            code="current_unpublished",
        )


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, **data: Any) -> Campaign:
    """Change any of the campaign's facts (CAMPAIGN_FIELDS); return the campaign."""
    _require_admin(actor)
    unknown = set(data) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    for name, value in data.items():
        if name in _TEXT_FIELDS:
            value = (
                " ".join((value or "").split()) if name != "doc_title" else (value or "").strip()
            )
        elif name in ("body", "attachments_note"):
            value = _clean_lines(value)
        elif name == "recipients":
            value = " ".join((value or "").split())
        elif name == "issuers":
            if isinstance(value, str):
                value = value.replace("、", "\n").replace(",", "\n").replace("，", "\n").split()
            value = [str(v).strip() for v in value or []]
        elif name == "is_published":
            value = bool(value)
        setattr(campaign, name, value)
    campaign_validate(campaign)
    _full_clean(campaign, exclude=["year"])
    campaign.save()
    changes = changed_fields(campaign, before, CAMPAIGN_FIELDS)
    if changes:
        audit_record(
            actor=actor, action="campaigns.campaign.updated", obj=campaign, changes=changes
        )
    return campaign


@transaction.atomic
def campaign_set_current(*, actor, campaign: Campaign) -> Campaign:
    """Make `campaign` the one the site shows (it must be published); return it."""
    _require_admin(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_published:
        raise DomainError(_("Publish the campaign before making it current."), code="unpublished")
    previous = list(Campaign.objects.filter(is_current=True).exclude(pk=campaign.pk))
    Campaign.objects.filter(is_current=True).exclude(pk=campaign.pk).update(is_current=False)
    if not campaign.is_current:
        campaign.is_current = True
        campaign.save(update_fields=["is_current", "updated_at"])
        audit_record(
            actor=actor,
            action="campaigns.campaign.set_current",
            obj=campaign,
            changes={"previous": [str(c) for c in previous]},
        )
    return campaign


@overload
def _shift_date(value: date, years: int) -> date: ...
@overload
def _shift_date(value: None, years: int) -> None: ...
def _shift_date(value: date | None, years: int) -> date | None:
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February into a common year
        return value.replace(year=value.year + years, day=28)


def _shift_datetime(value: datetime, years: int) -> datetime:
    local = timezone.localtime(value, _tz())
    try:
        return local.replace(year=local.year + years)
    except ValueError:
        return local.replace(year=local.year + years, day=28)


@transaction.atomic
def campaign_copy(*, actor, source: Campaign, year: int) -> Campaign:
    """Make the campaign of `year` by copying `source`; return the new campaign.

    Copied: every fact, the categories with their sub-types, the report routes, the contacts,
    the units trusted to publish directly and the sensitive-word list (`sciday.screening`: each
    word with its active state, category and note, in one bulk insert; who added it and when
    start afresh with the copy).
    Dates (window, the Day, awards, report deadline) move by whole years; the edition moves by as
    many. Text that names the year ("2023年") in the name, title, period label and body names the
    new year instead; everything else is for the campaign admin to edit.
    Blanked, because they exist only once the new notice is issued: the document number, the date
    of issue and the printing date. The copy is neither published nor current.
    """
    _require_admin(actor)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a year such as 2024."), field="year") from None
    if not 2000 <= year <= 2100:
        raise DomainError(_("Enter a year between 2000 and 2100."), field="year")
    if Campaign.objects.filter(year=year).exists():
        raise Conflict(
            _("There is already a campaign for %(year)s.") % {"year": year}, field="year"
        )
    delta = year - source.year
    old_label, new_label = f"{source.year}年", f"{year}年"

    def retitle(text: str) -> str:
        return (text or "").replace(old_label, new_label)

    campaign = Campaign(
        year=year,
        edition=max(source.edition + delta, 1),
        name=retitle(source.name),
        theme=source.theme,
        theme_en=source.theme_en,
        window_start=_shift_date(source.window_start, delta),
        window_end=_shift_date(source.window_end, delta),
        window_label=retitle(source.window_label),
        day=_shift_date(source.day, delta),
        awards_from=_shift_date(source.awards_from, delta),
        awards_until=_shift_date(source.awards_until, delta),
        report_deadline=_shift_datetime(source.report_deadline, delta),
        doc_number="",
        doc_title=retitle(source.doc_title),
        issuers=list(source.issuers),
        issue_date=None,
        recipients=source.recipients,
        body=retitle(source.body),
        attachments_note=source.attachments_note,
        annotation=source.annotation,
        copy_to=source.copy_to,
        printed_by=source.printed_by,
        printed_on=None,
        is_current=False,
        is_published=False,
    )
    if campaign.name == source.name:
        campaign.name = f"{year} {source.name}"
    _full_clean(campaign)
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        raise Conflict(
            _("There is already a campaign for %(year)s.") % {"year": year}, field="year"
        ) from None
    for category in source.categories.order_by("number").prefetch_related("subtypes"):
        new_category = Category.objects.create(
            campaign=campaign, **{f: getattr(category, f) for f in ["number", *CATEGORY_FIELDS]}
        )
        SubType.objects.bulk_create(
            SubType(category=new_category, position=s.position, name=s.name, name_en=s.name_en)
            for s in category.subtypes.all()
        )
    ReportRoute.objects.bulk_create(
        ReportRoute(
            campaign=campaign,
            unit_kind=r.unit_kind,
            department_id=r.department_id,
            as_chapter_of=r.as_chapter_of,
        )
        for r in source.routes.all()
    )
    Contact.objects.bulk_create(
        Contact(
            campaign=campaign,
            position=c.position,
            **{f: getattr(c, f) for f in CONTACT_FIELDS},
        )
        for c in source.contacts.all()
    )
    campaign.trusted_units.set(source.trusted_units.all())
    SensitiveWord.objects.bulk_create(
        SensitiveWord(
            campaign=campaign,
            word=w.word,
            category=w.category,
            note=w.note,
            is_active=w.is_active,
            created_by=actor,
        )
        for w in source.sensitive_words.all()
    )
    screening_matcher.list_changed(campaign.pk)
    audit_record(
        actor=actor,
        action="campaigns.campaign.copied",
        obj=campaign,
        changes={"source": source.year, "year": year},
    )
    return campaign


# --- Categories and sub-types -----------------------------------------------------------------


def _clean_names(data: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    unknown = set(data) - set(fields)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    return {
        k: (v or "").strip() if k != "description" else _clean_lines(v) for k, v in data.items()
    }


def _check_category_name(campaign: Campaign, name: str, exclude_pk: int | None = None) -> None:
    if not name:
        raise DomainError(_("Enter the category's name."), field="name")
    if campaign.categories.filter(name=name).exclude(pk=exclude_pk or 0).exists():
        raise DomainError(_("This campaign already has a category of that name."), field="name")


@transaction.atomic
def category_create(*, actor, campaign: Campaign, name: str, **data: Any) -> Category:
    """Add a category at the end of the campaign's list; return it."""
    _require_admin(actor)
    _touch(campaign.pk)
    data = _clean_names({"name": name, **data}, CATEGORY_FIELDS)
    _check_category_name(campaign, data["name"])
    last = campaign.categories.aggregate(n=Max("number"))["n"] or 0
    category = Category(campaign=campaign, number=last + 1, **data)
    _full_clean(category, exclude=["campaign"])
    category.save()
    audit_record(actor=actor, action="campaigns.category.created", obj=category, changes=data)
    return category


@transaction.atomic
def category_update(*, actor, category: Category, **data: Any) -> Category:
    """Rename or describe a category; return it."""
    _require_admin(actor)
    _touch(category.campaign_id)
    data = _clean_names(data, CATEGORY_FIELDS)
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = snapshot(category, CATEGORY_FIELDS)
    for key, value in data.items():
        setattr(category, key, value)
    _check_category_name(category.campaign, category.name, exclude_pk=category.pk)
    _full_clean(category, exclude=["campaign"])
    category.save()
    changes = changed_fields(category, before, CATEGORY_FIELDS)
    if changes:
        audit_record(
            actor=actor, action="campaigns.category.updated", obj=category, changes=changes
        )
    return category


def _renumber_categories(campaign: Campaign, ordered: list[Category]) -> None:
    # Two passes so the (campaign, number) constraint holds at every step.
    offset = 1000
    for index, category in enumerate(ordered, start=1):
        Category.objects.filter(pk=category.pk).update(number=offset + index)
    for index, category in enumerate(ordered, start=1):
        Category.objects.filter(pk=category.pk).update(number=index)


@transaction.atomic
def category_move(*, actor, category: Category, direction: str) -> Category:
    """Move a category one place "up" or "down"; numbers stay 1..n; return it."""
    _require_admin(actor)
    _touch(category.campaign_id)
    ordered = list(
        Category.objects.select_for_update()
        .filter(campaign_id=category.campaign_id)
        .order_by("number")
    )
    index = next(i for i, c in enumerate(ordered) if c.pk == category.pk)
    target = index - 1 if direction == "up" else index + 1 if direction == "down" else None
    if target is None:
        raise DomainError(_("Move a category up or down."))
    if not 0 <= target < len(ordered):
        return category
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber_categories(category.campaign, ordered)
    category.refresh_from_db()
    audit_record(
        actor=actor,
        action="campaigns.category.reordered",
        obj=category,
        changes={"order": [c.name for c in ordered]},
    )
    return category


def _delete_unless_used(obj, message) -> None:
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError):
        raise Conflict(message, code="in_use") from None


@transaction.atomic
def category_delete(*, actor, category: Category) -> None:
    """Remove a category and its sub-types, unless activities use them; renumber the rest."""
    _require_admin(actor)
    _touch(category.campaign_id)
    campaign = category.campaign
    name = str(category)
    pk = category.pk
    _delete_unless_used(
        category, _("Activities use this category or its sub-types, so it cannot be removed.")
    )
    _renumber_categories(campaign, list(campaign.categories.order_by("number")))
    audit_record(
        actor=actor,
        action="campaigns.category.deleted",
        obj=campaign,
        changes={"category": name, "id": pk},
    )


def _check_subtype_name(category: Category, name: str, exclude_pk: int | None = None) -> None:
    if not name:
        raise DomainError(_("Enter the sub-type's name."), field="name")
    if category.subtypes.filter(name=name).exclude(pk=exclude_pk or 0).exists():
        raise DomainError(_("This category already has a sub-type of that name."), field="name")


@transaction.atomic
def subtype_create(*, actor, category: Category, name: str, name_en: str = "") -> SubType:
    """Add a sub-type at the end of the category's list; return it."""
    _require_admin(actor)
    _touch(category.campaign_id)
    data = _clean_names({"name": name, "name_en": name_en}, SUBTYPE_FIELDS)
    _check_subtype_name(category, data["name"])
    last = category.subtypes.aggregate(n=Max("position"))["n"] or 0
    subtype = SubType(category=category, position=last + 1, **data)
    _full_clean(subtype, exclude=["category"])
    subtype.save()
    audit_record(actor=actor, action="campaigns.subtype.created", obj=subtype, changes=data)
    return subtype


@transaction.atomic
def subtype_update(*, actor, subtype: SubType, **data: Any) -> SubType:
    """Rename a sub-type; return it."""
    _require_admin(actor)
    _touch(subtype.category.campaign_id)
    data = _clean_names(data, SUBTYPE_FIELDS)
    subtype = SubType.objects.select_for_update().select_related("category").get(pk=subtype.pk)
    before = snapshot(subtype, SUBTYPE_FIELDS)
    for key, value in data.items():
        setattr(subtype, key, value)
    _check_subtype_name(subtype.category, subtype.name, exclude_pk=subtype.pk)
    _full_clean(subtype, exclude=["category"])
    subtype.save()
    changes = changed_fields(subtype, before, SUBTYPE_FIELDS)
    if changes:
        audit_record(actor=actor, action="campaigns.subtype.updated", obj=subtype, changes=changes)
    return subtype


@transaction.atomic
def subtype_move(*, actor, subtype: SubType, direction: str) -> SubType:
    """Move a sub-type one place "up" or "down" within its category; return it."""
    _require_admin(actor)
    _touch(subtype.category.campaign_id)
    ordered = list(
        SubType.objects.select_for_update()
        .filter(category_id=subtype.category_id)
        .order_by("position", "id")
    )
    index = next(i for i, s in enumerate(ordered) if s.pk == subtype.pk)
    target = index - 1 if direction == "up" else index + 1 if direction == "down" else None
    if target is None:
        raise DomainError(_("Move a sub-type up or down."))
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        SubType.objects.filter(pk=item.pk).update(position=position)
    subtype.refresh_from_db()
    audit_record(
        actor=actor,
        action="campaigns.subtype.reordered",
        obj=subtype,
        changes={"order": [s.name for s in ordered]},
    )
    return subtype


@transaction.atomic
def subtype_delete(*, actor, subtype: SubType) -> None:
    """Remove a sub-type unless activities use it."""
    _require_admin(actor)
    _touch(subtype.category.campaign_id)
    category = subtype.category
    name, pk = str(subtype), subtype.pk
    _delete_unless_used(subtype, _("Activities use this sub-type, so it cannot be removed."))
    audit_record(
        actor=actor,
        action="campaigns.subtype.deleted",
        obj=category,
        changes={"subtype": name, "id": pk},
    )


# --- Report routes ----------------------------------------------------------------------------


def _national_department(unit: Unit | None, field: str = "department") -> Unit:
    if unit is None or unit.kind != UnitKind.NATIONAL_DEPARTMENT or not unit.is_active:
        raise DomainError(_("Choose one of the national departments."), field=field)
    return unit


@transaction.atomic
def route_set(
    *, actor, campaign: Campaign, unit_kind: str, department: Unit | None, as_chapter_of: str = ""
) -> ReportRoute:
    """Send the summary reports of units of `unit_kind` to `department`; return the route."""
    _require_admin(actor)
    _touch(campaign.pk)
    if unit_kind not in UnitKind.values or unit_kind == UnitKind.NATIONAL_DEPARTMENT:
        raise DomainError(_("Choose the kind of unit that reports."), field="unit_kind")
    department = _national_department(department)
    as_chapter_of = " ".join((as_chapter_of or "").split())
    route = (
        ReportRoute.objects.select_for_update()
        .filter(campaign=campaign, unit_kind=unit_kind)
        .first()
    )
    before = snapshot(route, ["department", "as_chapter_of"]) if route else {}
    if route is None:
        route = ReportRoute(campaign=campaign, unit_kind=unit_kind)
    route.department = department
    route.as_chapter_of = as_chapter_of
    _full_clean(route, exclude=["campaign"])
    route.save()
    changes = (
        changed_fields(route, before, ["department", "as_chapter_of"])
        if before
        else {"unit_kind": unit_kind, "department": str(department), "as_chapter_of": as_chapter_of}
    )
    if changes:
        audit_record(actor=actor, action="campaigns.route.set", obj=route, changes=changes)
    return route


@transaction.atomic
def route_delete(*, actor, route: ReportRoute) -> None:
    _require_admin(actor)
    _touch(route.campaign_id)
    campaign, kind = route.campaign, route.unit_kind
    route.delete()
    audit_record(
        actor=actor, action="campaigns.route.deleted", obj=campaign, changes={"unit_kind": kind}
    )


# --- Contacts ---------------------------------------------------------------------------------


def _apply_contact(contact: Contact, data: dict[str, Any]) -> None:
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    for key, value in data.items():
        if key == "department":
            contact.department = _national_department(value)
        else:
            setattr(contact, key, " ".join((value or "").split()))
    if not contact.people:
        raise DomainError(_("Enter the contact people."), field="people")
    if not contact.phone:
        raise DomainError(_("Enter a telephone number."), field="phone")
    if contact.postcode and not (len(contact.postcode) == 6 and contact.postcode.isdigit()):
        raise DomainError(_("A postcode has six digits."), field="postcode")
    _full_clean(contact, exclude=["campaign"])


@transaction.atomic
def contact_create(*, actor, campaign: Campaign, **data: Any) -> Contact:
    """Add a department's contacts at the end of the list; return them."""
    _require_admin(actor)
    _touch(campaign.pk)
    last = campaign.contacts.aggregate(n=Max("position"))["n"] or 0
    contact = Contact(campaign=campaign, position=last + 1)
    if "department" not in data:
        raise DomainError(_("Choose one of the national departments."), field="department")
    _apply_contact(contact, data)
    contact.save()
    audit_record(
        actor=actor,
        action="campaigns.contact.created",
        obj=contact,
        changes={k: str(v) for k, v in data.items()},
    )
    return contact


@transaction.atomic
def contact_update(*, actor, contact: Contact, **data: Any) -> Contact:
    _require_admin(actor)
    _touch(contact.campaign_id)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    before = snapshot(contact, CONTACT_FIELDS)
    _apply_contact(contact, data)
    contact.save()
    changes = changed_fields(contact, before, CONTACT_FIELDS)
    if changes:
        audit_record(actor=actor, action="campaigns.contact.updated", obj=contact, changes=changes)
    return contact


@transaction.atomic
def contact_delete(*, actor, contact: Contact) -> None:
    _require_admin(actor)
    _touch(contact.campaign_id)
    campaign, name = contact.campaign, str(contact)
    contact.delete()
    audit_record(
        actor=actor, action="campaigns.contact.deleted", obj=campaign, changes={"contact": name}
    )


# --- Units trusted to publish directly ------------------------------------------------------


def _trustable(unit: Unit | None) -> Unit:
    """Return `unit` if it may be trusted: it exists and is not archived."""
    if unit is None:
        raise DomainError(_("Choose an existing unit."), field="unit", code="unknown_unit")
    if not unit.is_active:
        raise DomainError(
            _("%(unit)s is archived: archived units cannot be trusted.") % {"unit": unit.name},
            field="unit",
            code="archived_unit",
        )
    return unit


def _lock_campaign(campaign: Campaign) -> Campaign:
    # Serialises concurrent edits of the same campaign's trusted units.
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


@transaction.atomic
def campaign_trusted_unit_add(*, actor, campaign: Campaign, unit: Unit | None) -> Campaign:
    """Let `unit` and its sub-units publish their activities without approval; return the campaign.

    Refused: a unit that does not exist or is archived, or one already trusted (Conflict).
    """
    _require_admin(actor)
    unit = _trustable(unit)
    campaign = _lock_campaign(campaign)
    if campaign.trusted_units.filter(pk=unit.pk).exists():
        raise Conflict(
            _("%(unit)s is already trusted.") % {"unit": unit.name},
            field="unit",
            code="already_trusted",
        )
    campaign.trusted_units.add(unit)
    _touch(campaign.pk)
    audit_record(
        actor=actor,
        action="campaigns.trusted_unit.added",
        obj=campaign,
        changes={"unit": unit.name, "unit_id": unit.pk},
    )
    return campaign


@transaction.atomic
def campaign_trusted_unit_remove(*, actor, campaign: Campaign, unit: Unit) -> Campaign:
    """Send `unit`'s activities through approval again; return the campaign.

    Activities already published stay published. Refused for a unit that is not trusted.
    """
    _require_admin(actor)
    campaign = _lock_campaign(campaign)
    if not campaign.trusted_units.filter(pk=unit.pk).exists():
        raise DomainError(
            _("%(unit)s is not trusted in this campaign.") % {"unit": unit.name},
            field="unit",
            code="not_trusted",
        )
    campaign.trusted_units.remove(unit)
    _touch(campaign.pk)
    audit_record(
        actor=actor,
        action="campaigns.trusted_unit.removed",
        obj=campaign,
        changes={"unit": unit.name, "unit_id": unit.pk},
    )
    return campaign


@transaction.atomic
def campaign_trusted_units_set(*, actor, campaign: Campaign, units: list[Unit | None]) -> Campaign:
    """Make `units` exactly the campaign's trusted units; return the campaign.

    Every unit must exist and be active (the first that is not is refused, nothing is written).
    Units already trusted but archived since may stay; they cannot be added anew.
    """
    _require_admin(actor)
    campaign = _lock_campaign(campaign)
    current = {u.pk: u for u in campaign.trusted_units.all()}
    wanted: dict[int, Unit] = {}
    for unit in units:
        if unit is not None and unit.pk in current:
            wanted[unit.pk] = unit
        else:
            unit = _trustable(unit)
            wanted[unit.pk] = unit
    added = [wanted[pk] for pk in wanted.keys() - current.keys()]
    removed = [current[pk] for pk in current.keys() - wanted.keys()]
    if not added and not removed:
        return campaign
    campaign.trusted_units.set(list(wanted.values()))
    _touch(campaign.pk)
    audit_record(
        actor=actor,
        action="campaigns.trusted_units.set",
        obj=campaign,
        changes={
            "added": sorted(u.name for u in added),
            "removed": sorted(u.name for u in removed),
        },
    )
    return campaign
