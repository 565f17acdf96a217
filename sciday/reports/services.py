"""Every write to summary reports. Each checks permission, validates, writes in one transaction,
audits (`reports.<thing>.<verb>`).

Who reports: `expected_recompute` (the default set, from who took part, routed by the campaign's
`ReportRoute`), `expected_add` and `expected_remove` (campaign admins), `report_settings_set`.

The report: `report_start` (created for an expected unit, figures pre-filled), `report_save_draft`
(figures, narrative, photos and videos; refused when based on an older version — the refused text
is kept as a `DraftConflict` first, so nothing typed is ever lost), `report_attach_scan` (the
stamped PDF), `report_submit` (on time or late by the campaign's deadline in Asia/Shanghai; the
campaign refuses late ones or flags them), `report_accept` and `report_return` (the receiving
department; a reason overall and optionally per section). Every submission is a `ReportVersion`.

The time of a submission is `timezone.now()` unless a caller passes `now=` (tests, imports).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sciday.campaigns.models import Campaign, ReportRoute
from sciday.core.audit import audit_record
from sciday.core.errors import Conflict, DomainError
from sciday.orgs.models import Unit, UnitKind
from sciday.reports import figures as figures_module
from sciday.reports import policy
from sciday.reports.models import (
    EDITABLE_STATUSES,
    SECTIONS,
    DraftConflict,
    ExpectedReporter,
    LatePolicy,
    Report,
    ReportFigure,
    ReportSettings,
    ReportVersion,
    Source,
    Status,
)
from sciday.reports.policy import Cap

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Kinds expected to report by default when they took part (the notice's section 五(三)).
DEFAULT_KINDS = frozenset(
    {
        UnitKind.PROVINCIAL_CAST,
        UnitKind.PROVINCIAL_STD,
        UnitKind.NATIONAL_SOCIETY,
        UnitKind.UNIVERSITY_CAST,
        UnitKind.ENTERPRISE_CAST,
    }
)
RESOURCE_KINDS = frozenset({"photo", "video"})
MAX_RESOURCES = 30


def settings_for(campaign: Campaign) -> ReportSettings:
    """Return the campaign's report settings (unsaved defaults when it has none)."""
    found = ReportSettings.objects.filter(campaign=campaign).first()
    return found or ReportSettings(campaign=campaign)


# --- Who reports to whom ---------------------------------------------------------------------


def _routes(campaign: Campaign) -> dict[str, ReportRoute]:
    return {r.unit_kind: r for r in campaign.routes.select_related("department")}


def expected_default(campaign: Campaign) -> list[Unit]:
    """Return the units expected to report by default: those of a default kind with a route
    that took part — a published or finished activity of the campaign led or co-organized by the
    unit or one of its sub-units."""
    from sciday.activities.models import Activity
    from sciday.activities.models import Status as ActivityStatus

    routed = set(_routes(campaign)) & DEFAULT_KINDS
    candidates = list(Unit.objects.filter(kind__in=routed, is_active=True).order_by("path"))
    activities = Activity.objects.filter(
        campaign=campaign, status__in=[ActivityStatus.PUBLISHED, ActivityStatus.FINISHED]
    )
    paths = set(activities.values_list("lead_unit__path", flat=True))
    paths |= set(
        activities.filter(co_organizers__isnull=False).values_list("co_organizers__path", flat=True)
    )
    return [u for u in candidates if any(p.startswith(u.path) for p in paths)]


@dataclass(frozen=True)
class Recomputed:
    added: int
    rerouted: int
    dropped: int


@transaction.atomic
def expected_recompute(*, actor, campaign: Campaign) -> Recomputed:
    """Bring the expected reporters up to date with who took part and the routes.

    Units an admin removed stay removed; units an admin added stay; a default unit that no
    longer qualifies is dropped unless it has started its report. Reports not yet accepted follow
    a changed route.
    """
    policy.require_manage(actor)
    routes = _routes(campaign)
    default = {u.pk: u for u in expected_default(campaign)}
    rows = {
        r.unit_id: r
        for r in ExpectedReporter.objects.select_for_update()
        .filter(campaign=campaign)
        .select_related("unit")
    }
    started = set(Report.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
    added = rerouted = dropped = 0
    for unit_pk, unit in default.items():
        if unit_pk not in rows:
            route = routes[unit.kind]
            rows[unit_pk] = ExpectedReporter.objects.create(
                campaign=campaign,
                unit=unit,
                department=route.department,
                as_chapter_of=route.as_chapter_of,
                source=Source.DEFAULT,
            )
            added += 1
    for unit_pk, row in list(rows.items()):
        current = routes.get(row.unit.kind)
        if row.source == Source.DEFAULT and unit_pk not in default and unit_pk not in started:
            if not row.removed:
                dropped += 1
            row.delete()
            continue
        if current and (current.department_id, current.as_chapter_of) != (
            row.department_id,
            row.as_chapter_of,
        ):
            row.department, row.as_chapter_of = current.department, current.as_chapter_of
            row.save(update_fields=["department", "as_chapter_of"])
            Report.objects.filter(campaign=campaign, unit_id=unit_pk).exclude(
                status=Status.ACCEPTED
            ).update(department=current.department, as_chapter_of=current.as_chapter_of)
            rerouted += 1
    result = Recomputed(added=added, rerouted=rerouted, dropped=dropped)
    audit_record(
        actor=actor,
        action="reports.expected.recomputed",
        obj=campaign,
        changes={"added": added, "rerouted": rerouted, "dropped": dropped},
    )
    return result


@transaction.atomic
def expected_add(*, actor, campaign: Campaign, unit: Unit) -> ExpectedReporter:
    """Expect a report from `unit` (or expect it again after a removal); return the row."""
    policy.require_manage(actor)
    route = _routes(campaign).get(unit.kind)
    if route is None:
        raise DomainError(
            _(
                "Units of the kind “%(kind)s” have no receiving department in this campaign:"
                " set a report route for the kind first."
            )
            % {"kind": unit.get_kind_display()},
            field="unit",
            code="no_route",
        )
    row = ExpectedReporter.objects.select_for_update().filter(campaign=campaign, unit=unit).first()
    if row is not None and not row.removed:
        raise Conflict(_("This unit is already expected to report."), field="unit")
    if row is None:
        row = ExpectedReporter(campaign=campaign, unit=unit, source=Source.ADDED)
    row.department, row.as_chapter_of = route.department, route.as_chapter_of
    row.added_by, row.removed, row.removed_by, row.removed_at = actor, False, None, None
    row.save()
    audit_record(
        actor=actor,
        action="reports.expected.added",
        obj=row,
        changes={"unit": unit.name, "department": route.department.name},
    )
    return row


@transaction.atomic
def expected_remove(*, actor, campaign: Campaign, unit: Unit) -> ExpectedReporter:
    """Stop expecting a report from `unit`; the row stays, marked removed. Return it."""
    policy.require_manage(actor)
    row = ExpectedReporter.objects.select_for_update().filter(campaign=campaign, unit=unit).first()
    if row is None or row.removed:
        raise DomainError(_("This unit is not expected to report."), field="unit")
    row.removed, row.removed_by, row.removed_at = True, actor, timezone.now()
    row.save(update_fields=["removed", "removed_by", "removed_at"])
    audit_record(
        actor=actor, action="reports.expected.removed", obj=row, changes={"unit": unit.name}
    )
    return row


MAX_REMIND_DAYS = 5
REMIND_DAYS_RANGE = (1, 60)


def clean_remind_days(days: Any) -> list[int]:
    """Return the reminder days (0 to 5 distinct whole numbers of 1 to 60) sorted descending;
    raise DomainError otherwise."""
    low, high = REMIND_DAYS_RANGE
    if not isinstance(days, (list, tuple)) or any(
        isinstance(d, bool) or not isinstance(d, int) or not low <= d <= high for d in days
    ):
        raise DomainError(
            _("Each reminder day is a whole number of days between %(low)s and %(high)s.")
            % {"low": low, "high": high},
            field="remind_days_before",
        )
    twice = sorted({d for d in days if days.count(d) > 1})
    if twice:
        raise DomainError(
            _("A reminder day is given more than once: %(days)s.")
            % {"days": ", ".join(str(d) for d in twice)},
            field="remind_days_before",
        )
    if len(days) > MAX_REMIND_DAYS:
        raise DomainError(
            _("At most %(count)s reminder days.") % {"count": MAX_REMIND_DAYS},
            field="remind_days_before",
        )
    return sorted(days, reverse=True)


@transaction.atomic
def report_settings_set(
    *,
    actor,
    campaign: Campaign,
    late_reports: str,
    text_limit: int,
    remind_days_before: list[int] | None = None,
) -> ReportSettings:
    """Decide whether late reports are accepted (flagged) or refused, the length limit, and
    (unless None) the days before the deadline on which missing units are reminded."""
    policy.require_manage(actor)
    if late_reports not in LatePolicy.values:
        raise DomainError(_("Choose whether late reports are accepted."), field="late_reports")
    if isinstance(text_limit, bool) or not isinstance(text_limit, int):
        text_limit = -1
    if not 100 <= text_limit <= 100_000:
        raise DomainError(
            _("The length limit is between 100 and 100,000 characters."), field="text_limit"
        )
    days = None if remind_days_before is None else clean_remind_days(remind_days_before)
    row, _created = ReportSettings.objects.select_for_update().get_or_create(campaign=campaign)
    before = {
        "late_reports": row.late_reports,
        "text_limit": row.text_limit,
        "remind_days_before": row.remind_days_before,
    }
    row.late_reports, row.text_limit = late_reports, text_limit
    if days is not None:
        row.remind_days_before = days
    row.save()
    audit_record(
        actor=actor,
        action="reports.settings.updated",
        obj=campaign,
        changes={k: [v, getattr(row, k)] for k, v in before.items() if v != getattr(row, k)},
    )
    return row


@transaction.atomic
def report_figure_add(*, actor, campaign: Campaign, code: str, label: str) -> ReportFigure:
    """Ask every report of the campaign for one more figure; return it."""
    policy.require_manage(actor)
    code, label = (code or "").strip().lower(), (label or "").strip()
    known = {f.code for f in figures_module.figure_list(campaign)}
    if not code or not code.replace("_", "").isalnum() or not code.isascii() or "." in code:
        raise DomainError(
            _("A code has lower-case letters, digits and underscores only."), field="code"
        )
    if code in known or code == figures_module.ACTIVITIES:
        raise Conflict(_("The campaign already has a figure with this code."), field="code")
    if not label:
        raise DomainError(_("Give the figure a label."), field="label")
    position = campaign.report_figures.count()
    figure = ReportFigure(campaign=campaign, code=code, label=label[:100], position=position)
    figure.full_clean()
    figure.save()
    audit_record(actor=actor, action="reports.figure.added", obj=figure, changes={"code": code})
    return figure


@transaction.atomic
def report_figure_remove(*, actor, figure: ReportFigure) -> None:
    """Stop asking for an extra figure (values already saved stay in the submitted versions)."""
    policy.require_manage(actor)
    audit_record(
        actor=actor, action="reports.figure.removed", obj=figure, changes={"code": figure.code}
    )
    figure.delete()


# --- The report ------------------------------------------------------------------------------


def report_start(*, actor, campaign: Campaign, unit: Unit) -> Report:
    """Return the unit's report, creating it (figures pre-filled) on first use."""
    if not policy.can_edit_for(actor, unit):
        from django.http import Http404

        raise Http404
    expected = ExpectedReporter.objects.filter(campaign=campaign, unit=unit, removed=False).first()
    if expected is None:
        raise DomainError(_("This unit is not expected to report in this campaign."))
    existing = Report.objects.filter(campaign=campaign, unit=unit).first()
    if existing is not None:
        return existing
    report = Report(
        campaign=campaign,
        unit=unit,
        department=expected.department,
        as_chapter_of=expected.as_chapter_of,
        figures=figures_module.prefill(campaign=campaign, unit=unit),
        updated_by=actor,
    )
    try:
        with transaction.atomic():
            report.save()
            audit_record(actor=actor, action="reports.report.created", obj=report)
    except IntegrityError:  # another editor of the unit started it at the same moment
        return Report.objects.get(campaign=campaign, unit=unit)
    return report


class StaleDraft(Conflict):
    """A save based on an older version. Carries both texts; the sent one is kept as `kept`."""

    def __init__(self, *, stored: Report, sent: dict[str, Any], kept: DraftConflict) -> None:
        super().__init__(
            _(
                "Someone else saved this report meanwhile. Your text was not lost: it is kept"
                " next to theirs — compare both, then save again."
            ),
            code="stale",
        )
        self.stored = {"version": stored.version, "figures": stored.figures, **stored.sections()}
        self.sent = sent
        self.kept = kept


def _clean_sections(report: Report, data: dict) -> dict[str, str]:
    sections = {}
    for name in SECTIONS:
        value = data.get(name, getattr(report, name))
        if not isinstance(value, str):
            raise DomainError(_("The text is not in the expected form."), field=name)
        sections[name] = value.replace("\r\n", "\n").replace("\x00", "")
    limit = settings_for(report.campaign).text_limit
    total = sum(len(v) for v in sections.values())
    if total > limit:
        raise DomainError(
            _(
                "The narrative has %(total)s characters, more than the %(limit)s allowed for all"
                " sections together: shorten it by %(over)s."
            )
            % {"total": total, "limit": limit, "over": total - limit},
            field="overview",
            code="too_long",
        )
    return sections


def _clean_resources(report: Report, ids: Any) -> list:
    from sciday.resources.models import Processing, Resource
    from sciday.resources.models import Status as ResourceStatus

    if not isinstance(ids, (list, tuple)):
        raise DomainError(_("Choose photos and videos from the list."), field="resources")
    try:
        wanted = list(dict.fromkeys(int(getattr(i, "pk", i) or 0) for i in ids))
    except (TypeError, ValueError) as error:
        raise DomainError(
            _("Choose photos and videos from the list."), field="resources"
        ) from error
    if len(wanted) > MAX_RESOURCES:
        raise DomainError(
            _("At most %(count)s photos and videos.") % {"count": MAX_RESOURCES},
            field="resources",
        )
    found = list(
        Resource.objects.filter(
            pk__in=wanted,
            campaign=report.campaign,
            unit__path__startswith=report.unit.path,
            kind__in=RESOURCE_KINDS,
            processing=Processing.DONE,
        ).exclude(status__in=[ResourceStatus.HELD, ResourceStatus.RETURNED])
    )
    if len(found) != len(wanted):
        raise DomainError(
            _("Choose processed photos and videos of your unit or its sub-units in this campaign."),
            field="resources",
        )
    return found


def report_save_draft(*, actor, report: Report, base_version: int, data: dict) -> Report:
    """Save the figures, narrative and chosen photos and videos; return the saved report.

    `data` may hold `figures`, the sections (`overview`, `highlights`, `problems`) and
    `resources` (ids); what it leaves out is unchanged. When `base_version` is not the stored
    version, someone saved meanwhile: the sent text is kept as a `DraftConflict` (committed) and
    `StaleDraft` is raised with both texts.
    """
    policy.require(actor, Cap.EDIT, report)
    sent = {
        "figures": data.get("figures"),
        **{n: data[n] for n in SECTIONS if isinstance(data.get(n), str)},
    }
    stale: tuple[Report, DraftConflict] | None = None
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update().select_related("campaign", "unit").get(pk=report.pk)
        )
        if base_version != locked.version:
            kept = DraftConflict.objects.create(
                report=locked,
                author=actor,
                base_version=base_version if isinstance(base_version, int) else 0,
                stored_version=locked.version,
                figures=sent["figures"] if isinstance(sent["figures"], dict) else {},
                sections={n: sent[n] for n in SECTIONS if n in sent},
            )
            audit_record(
                actor=actor,
                action="reports.report.save_refused",
                obj=locked,
                success=False,
                changes={"base_version": base_version, "stored_version": locked.version},
            )
            stale = (locked, kept)
        else:
            if locked.status not in EDITABLE_STATUSES:
                raise Conflict(
                    _("The report is %(status)s: it can no longer be edited.")
                    % {"status": locked.get_status_display()},
                    code="not_editable",
                )
            sections = _clean_sections(locked, data)
            changed = [n for n in SECTIONS if sections[n] != getattr(locked, n)]
            for name in SECTIONS:
                setattr(locked, name, sections[name])
            if "figures" in data:
                cleaned = figures_module.clean_figures(locked.campaign, data["figures"])
                if cleaned != locked.figures:
                    changed.append("figures")
                locked.figures = cleaned
            resources = None
            if "resources" in data:
                resources = _clean_resources(locked, data["resources"])
                changed.append("resources")
            locked.version += 1
            locked.updated_by = actor
            locked.save()
            if resources is not None:
                locked.resources.set(resources)
            audit_record(
                actor=actor,
                action="reports.report.saved",
                obj=locked,
                changes={"version": locked.version, "changed": changed},
            )
    if stale is not None:
        raise StaleDraft(stored=stale[0], sent=sent, kept=stale[1])
    return locked


def report_prefill(*, actor, report: Report, base_version: int) -> Report:
    """Take the figures the platform knows again (activities, participants, publicity
    products), keeping the others as typed; return the saved report (a normal, versioned save)."""
    fresh = figures_module.prefill(campaign=report.campaign, unit=report.unit)
    figures = dict(report.figures)
    for code in figures_module.PREFILLED:
        figures[code] = fresh[code]
    return report_save_draft(
        actor=actor, report=report, base_version=base_version, data={"figures": figures}
    )


def report_transitions(user, report: Report) -> list[str]:
    """Return the actions `user` may take on `report` now: edit, submit, accept, return."""
    actions = []
    if report.status in EDITABLE_STATUSES and policy.can(user, Cap.EDIT, report):
        actions += ["edit", "submit"]
    if report.status == Status.SUBMITTED and policy.can(user, Cap.REVIEW, report):
        actions += ["accept", "return"]
    return actions


def _scan_name() -> str:
    now = timezone.localtime(timezone.now(), SHANGHAI)
    return f"reports/{now:%Y/%m}/{uuid.uuid4().hex}.pdf"


def report_attach_scan(*, actor, report: Report, upload: IO[bytes], name: str, size: int) -> Report:
    """Check and store the stamped scan (PDF only), replacing an earlier one; return the report.

    A refused file stores nothing; the replaced file is deleted after the commit unless a
    submitted version names it (each version keeps its own scan).
    """
    from sciday.resources import uploads

    policy.require(actor, Cap.EDIT, report)
    if report.status not in EDITABLE_STATUSES:
        raise Conflict(_("The report can no longer be edited."), code="not_editable")
    inspected = uploads.inspect_upload(kind="document", upload=upload, name=name, size=size)
    if inspected.extension != ".pdf":
        raise DomainError(_("The stamped scan must be a PDF file."), field="file", code="type")
    stored = uploads.store(upload=upload, size=size, name=_scan_name())
    try:
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            if locked.status not in EDITABLE_STATUSES:
                raise Conflict(_("The report can no longer be edited."), code="not_editable")
            old = locked.scan.name
            locked.scan = stored.name
            locked.scan_name = inspected.display_name[:200]
            locked.scan_size, locked.scan_sha256 = stored.size, stored.sha256
            locked.updated_by = actor
            locked.save()
            audit_record(
                actor=actor,
                action="reports.report.scan_attached",
                obj=locked,
                changes={"scan": locked.scan_name, "size": stored.size},
            )
            # A submitted version may name the replaced file: it stays for the history.
            if old and not ReportVersion.objects.filter(scan=old).exists():
                transaction.on_commit(lambda: uploads.delete_stored([old]))
    except BaseException:
        uploads.delete_stored([stored.name])
        raise
    return locked


def is_late(campaign: Campaign, when: datetime) -> bool:
    """Is a submission at `when` after the campaign's deadline?

    Compared to the second in Asia/Shanghai: a deadline of 23:59:59 takes the whole of that
    second, so 23:59:59.999 is on time and 00:00:00 the next day is late, whatever the server's
    or the sender's time zone.
    """
    if timezone.is_naive(when):
        raise ValueError("a submission time must be aware")
    deadline = campaign.report_deadline.astimezone(SHANGHAI).replace(microsecond=0)
    return when.astimezone(SHANGHAI).replace(microsecond=0) > deadline


def _snapshot(report: Report, *, actor, when: datetime, number: int) -> ReportVersion:
    return ReportVersion.objects.create(
        report=report,
        number=number,
        figures=report.figures,
        sections=report.sections(),
        resources=[{"id": r.pk, "title": r.title} for r in report.resources.order_by("pk")],
        scan=report.scan.name or "",
        scan_name=report.scan_name,
        is_late=report.is_late,
        submitted_by=actor,
        submitted_at=when,
    )


def report_submit(*, actor, report: Report, now: datetime | None = None) -> Report:
    """Submit (or resubmit after a return) the report as saved; return it.

    The first submission decides lateness (a resubmission asked for by the department is never
    late); a late first submission is refused or flagged, as the campaign decides.
    """
    when = now or timezone.now()
    policy.require(actor, Cap.EDIT, report)
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("campaign").get(pk=report.pk)
        if locked.status not in EDITABLE_STATUSES:
            raise Conflict(
                _("The report is %(status)s: it cannot be submitted now.")
                % {"status": locked.get_status_display()},
                code="not_submittable",
            )
        if not locked.overview.strip():
            raise DomainError(_("Write the overview before submitting."), field="overview")
        if not locked.scan:
            raise DomainError(
                _("Upload the stamped scan of the signed report (PDF) before submitting."),
                field="file",
            )
        first = locked.submitted_at is None
        if first and is_late(locked.campaign, when):
            if settings_for(locked.campaign).late_reports == LatePolicy.REFUSE:
                audit_record(
                    actor=actor,
                    action="reports.report.late_refused",
                    obj=locked,
                    success=False,
                    changes={"at": when.isoformat()},
                )
                refused = True
            else:
                locked.is_late = True
                refused = False
        else:
            refused = False
        if not refused:
            if first:
                locked.submitted_at = when
            locked.last_submitted_at = when
            locked.status = Status.SUBMITTED
            locked.return_reason, locked.section_notes = "", {}
            locked.updated_by = actor
            locked.save()
            number = locked.versions.count() + 1
            _snapshot(locked, actor=actor, when=when, number=number)
            audit_record(
                actor=actor,
                action="reports.report.submitted",
                obj=locked,
                changes={"submission": number, "late": locked.is_late, "at": when.isoformat()},
            )
    if refused:
        deadline = timezone.localtime(locked.campaign.report_deadline, SHANGHAI)
        raise DomainError(
            _(
                "The deadline for summary reports passed on %(deadline)s (Beijing time): this"
                " campaign does not accept late reports."
            )
            % {"deadline": f"{deadline:%Y-%m-%d %H:%M:%S}"},
            code="late",
        )
    return locked


def _decide(*, actor, report: Report, to: str, reason: str, notes: dict[str, str]) -> Report:
    policy.require(actor, Cap.REVIEW, report)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != Status.SUBMITTED:
            raise Conflict(
                _("Only a submitted report can be accepted or returned; this one is %(status)s.")
                % {"status": locked.get_status_display()},
                code="not_submitted",
            )
        now = timezone.now()
        locked.status = to
        locked.return_reason, locked.section_notes = reason, notes
        locked.save(update_fields=["status", "return_reason", "section_notes", "updated_at"])
        ReportVersion.objects.filter(
            pk=locked.versions.order_by("-number").values("pk")[:1]
        ).update(decision=to, reason=reason, section_notes=notes, decided_by=actor, decided_at=now)
        audit_record(
            actor=actor,
            action=f"reports.report.{to}",
            obj=locked,
            changes={"reason": reason, "sections": sorted(notes)} if reason else {},
        )
    return locked


def report_accept(*, actor, report: Report) -> Report:
    """Accept a submitted report (the receiving department or a campaign admin)."""
    return _decide(actor=actor, report=report, to=Status.ACCEPTED, reason="", notes={})


def report_return(
    *, actor, report: Report, reason: str, section_notes: dict[str, str] | None = None
) -> Report:
    """Return a submitted report for revision with a reason, and notes per section if needed."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the report is returned."), field="reason")
    notes = {}
    for name, note in (section_notes or {}).items():
        if name not in SECTIONS:
            raise DomainError(_("Unknown section: %(name)s.") % {"name": name}, field="reason")
        if isinstance(note, str) and note.strip():
            notes[name] = note.strip()
    return _decide(actor=actor, report=report, to=Status.RETURNED, reason=reason, notes=notes)


__all__ = [
    "DEFAULT_KINDS",
    "Recomputed",
    "StaleDraft",
    "expected_add",
    "expected_default",
    "expected_recompute",
    "expected_remove",
    "is_late",
    "report_accept",
    "report_attach_scan",
    "report_figure_add",
    "report_figure_remove",
    "report_prefill",
    "report_return",
    "report_save_draft",
    "report_settings_set",
    "report_start",
    "report_submit",
    "report_transitions",
    "settings_for",
]


# --- The national compilation ----------------------------------------------------------------


def compilation_request(*, actor, campaign: Campaign, department: Unit):
    """Ask for the compilation of `department`'s accepted reports (DOCX, PDF, XLSX), produced
    in the background (`sciday.reports.tasks_compilation`). A compilation of the same
    department still waiting or in progress is returned instead of starting another."""
    from sciday.core.errors import NotAllowed
    from sciday.reports.models import CompilationJob
    from sciday.reports.tasks_compilation import schedule_compilation

    if not policy.can_compile(actor, department.pk):
        raise NotAllowed(_("Only the department's reviewers may compile its reports."))
    if not ReportRoute.objects.filter(campaign=campaign, department=department).exists():
        raise DomainError(_("No report is routed to this department in this campaign."))
    active = (CompilationJob.State.PENDING, CompilationJob.State.RUNNING)
    with transaction.atomic():
        running = (
            CompilationJob.objects.select_for_update()
            .filter(campaign=campaign, department=department, status__in=active)
            .first()
        )
        if running is not None:
            return running
        job = CompilationJob.objects.create(
            campaign=campaign, department=department, requested_by=actor
        )
        audit_record(actor=actor, action="reports.compilation.requested", obj=job)
        schedule_compilation(job.pk)
    return job
