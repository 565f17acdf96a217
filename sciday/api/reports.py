"""Summary reports (总结报告): list, detail, drafts, the stamped scan, submission and review.

Reads go through `sciday.reports.selectors` and writes through `sciday.reports.services`, which
check `sciday.reports.policy`: a unit's editors see their own unit's report only, a department's
reviewers the reports routed to their department, campaign admins every report; anyone else gets
a 404. A stale draft save (someone saved meanwhile) answers 409 with both texts: the refused text
is already kept on the server, nothing typed is lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from sciday.api.activity_schemas import local
from sciday.api.auth import REQUIRED
from sciday.api.schemas import ErrorOut, errors, paginate
from sciday.campaigns.models import Campaign
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import DomainError
from sciday.orgs.models import Unit
from sciday.reports import selectors, services
from sciday.reports.figures import figure_list, flatten
from sciday.reports.models import SECTIONS, Report, ReportVersion, Section
from sciday.reports.policy import Cap
from sciday.resources import serving

router = Router(tags=["reports"], auth=REQUIRED)

_WRITES = {**errors(400, 403, 404, 409)}


# --- Shapes ----------------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    province: str | None = Field(None, description="The unit's province code (320000)")


class DepartmentRef(Schema):
    id: int
    name: str


class ReportOut(Schema):
    id: int
    campaign: int = Field(description="The campaign's year")
    unit: UnitRef
    department: DepartmentRef
    as_chapter_of: str
    status: str
    status_label: str
    is_late: bool
    submitted_at: datetime | None
    last_submitted_at: datetime | None
    version: int = Field(description="Send it back as base_version when saving")
    updated_at: datetime


class ReportPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ReportOut]


class FigureOut(Schema):
    code: str
    label: str
    value: int | float | None
    decimal: bool


class ResourceRef(Schema):
    id: int
    title: str
    kind: str
    url: str


class ScanOut(Schema):
    name: str
    size: int
    sha256: str
    url: str


class VersionOut(Schema):
    number: int
    submitted_at: datetime
    submitted_by: str | None
    is_late: bool
    decision: str
    reason: str
    section_notes: dict[str, str]
    decided_at: datetime | None
    decided_by: str | None


class VersionDetailOut(VersionOut):
    figures: dict[str, Any]
    sections: dict[str, str]
    resources: list[dict[str, Any]]
    scan_name: str


class ReportDetailOut(ReportOut):
    figures: list[FigureOut]
    sections: dict[str, str] = Field(description="overview, highlights, problems")
    section_labels: dict[str, str]
    text_limit: int = Field(description="Characters allowed for all sections together")
    resources: list[ResourceRef]
    scan: ScanOut | None
    return_reason: str
    section_notes: dict[str, str]
    versions: list[VersionOut]
    transitions: list[str] = Field(description="What you may do now: edit, submit, accept, return")


class ReportFiltersIn(Schema):
    campaign: int | None = Field(None, description="Year (default: the current campaign)")
    status: str = Field("", description="draft, submitted, returned, accepted")
    late: bool | None = None
    unit_kind: str = ""
    province: str = Field("", description="A province code (320000)")
    department: int | None = Field(None, description="The receiving department's unit id")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class StartIn(Schema):
    unit: int
    campaign: int | None = Field(None, description="Year (default: the current campaign)")


class DraftIn(Schema):
    base_version: int = Field(description="The `version` your text is based on")
    figures: dict[str, Any] | None = None
    overview: str | None = Field(None, max_length=200_000)
    highlights: str | None = Field(None, max_length=200_000)
    problems: str | None = Field(None, max_length=200_000)
    resources: list[int] | None = Field(None, description="Photo and video ids (all of them)")


class StaleOut(ErrorOut):
    """409 `stale`: someone saved meanwhile. `stored` is their text, `sent` yours (kept)."""

    stored: dict[str, Any]
    sent: dict[str, Any]
    kept: int = Field(description="The id of the kept copy of your text")


class ReturnIn(Schema):
    reason: str = Field(max_length=5000)
    section_notes: dict[str, str] = Field(default_factory=dict)


class FigureChangeOut(Schema):
    code: str
    label: str
    old: Any
    new: Any


class SectionDiffOut(Schema):
    name: str
    label: str
    changed: bool
    segments: list[tuple[str, str]] = Field(description="(equal|insert|delete, text)")


class DiffOut(Schema):
    old: int
    new: int
    figures: list[FigureChangeOut]
    sections: list[SectionDiffOut]
    resources_added: list[dict[str, Any]]
    resources_removed: list[dict[str, Any]]
    scan_changed: bool


# --- Shaping ---------------------------------------------------------------------------------


def _name(user) -> str | None:
    return user.name if user is not None else None


def _unit_ref(unit: Unit) -> UnitRef:
    return UnitRef(
        id=unit.pk,
        name=unit.name,
        kind=unit.kind,
        kind_label=str(unit.get_kind_display()),  # type: ignore[attr-defined]
        province=f"{unit.province_code}0000" if unit.province_code else None,
    )


def _summary(r: Report) -> dict[str, Any]:
    return {
        "id": r.pk,
        "campaign": r.campaign.year,
        "unit": _unit_ref(r.unit),
        "department": DepartmentRef(id=r.department_id, name=r.department.name),
        "as_chapter_of": r.as_chapter_of,
        "status": r.status,
        "status_label": str(r.get_status_display()),  # type: ignore[attr-defined]
        "is_late": r.is_late,
        "submitted_at": local(r.submitted_at),
        "last_submitted_at": local(r.last_submitted_at),
        "version": r.version,
        "updated_at": local(r.updated_at),
    }


def _version(v: ReportVersion) -> dict[str, Any]:
    return {
        "number": v.number,
        "submitted_at": local(v.submitted_at),
        "submitted_by": _name(v.submitted_by),
        "is_late": v.is_late,
        "decision": v.decision,
        "reason": v.reason,
        "section_notes": v.section_notes or {},
        "decided_at": local(v.decided_at),
        "decided_by": _name(v.decided_by),
    }


def _detail(user, r: Report) -> ReportDetailOut:
    values = flatten(r.figures or {})
    figures = [
        FigureOut(code=f.code, label=f.label, value=values.get(f.code), decimal=f.decimal)
        for f in figure_list(r.campaign)
    ]
    resources = [
        ResourceRef(
            id=res.pk,
            title=res.title,
            kind=res.kind,
            url=reverse("api:resource_file", kwargs={"resource_id": res.pk, "variant": "original"}),
        )
        for res in r.resources.order_by("pk")
    ]
    scan = (
        ScanOut(
            name=r.scan_name,
            size=r.scan_size,
            sha256=r.scan_sha256,
            url=reverse("api:report_scan", kwargs={"report_id": r.pk}),
        )
        if r.scan
        else None
    )
    versions = [VersionOut(**_version(v)) for v in selectors.report_versions(viewer=user, report=r)]
    return ReportDetailOut(
        **_summary(r),
        figures=figures,
        sections=r.sections(),
        section_labels={name: str(Section(name).label) for name in SECTIONS},
        text_limit=services.settings_for(r.campaign).text_limit,
        resources=resources,
        scan=scan,
        return_reason=r.return_reason,
        section_notes=r.section_notes or {},
        versions=versions,
        transitions=services.report_transitions(user, r),
    )


def _fresh(user, pk: int) -> ReportDetailOut:
    return _detail(user, selectors.report_get(viewer=user, pk=pk))


def _campaign(year: int | None) -> Campaign:
    campaign = campaign_current() if year is None else Campaign.objects.filter(year=year).first()
    if campaign is None:
        raise Http404
    return campaign


# --- List and detail -------------------------------------------------------------------------


def _list_queryset(user, f: ReportFiltersIn) -> QuerySet[Report]:
    qs = selectors.report_list(viewer=user, campaign=_campaign(f.campaign), status=f.status or None)
    if f.late is not None:
        qs = qs.filter(is_late=f.late)
    if f.unit_kind:
        qs = qs.filter(unit__kind=f.unit_kind)
    if f.province:
        qs = qs.filter(unit__region__code__startswith=f.province[:2])
    if f.department is not None:
        qs = qs.filter(department_id=f.department)
    return qs.select_related("campaign")


@router.get(
    "/reports",
    response={200: ReportPage, **errors(404)},
    summary="List the reports you may see: your unit's, your department's, or all (campaign "
    "admins)",
)
def report_list(request, filters: Query[ReportFiltersIn]):
    """Ordered by the unit tree. Filters combine."""
    count, rows = paginate(_list_queryset(request.auth, filters), filters.page, filters.page_size)
    return ReportPage(
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        items=[ReportOut(**_summary(r)) for r in rows],
    )


@router.post(
    "/reports",
    response={200: ReportDetailOut, 201: ReportDetailOut, **errors(400, 404)},
    summary="Start your unit's report (figures pre-filled); an existing report is returned",
)
def report_start(request, data: StartIn):
    """201 when the report is created, 200 when it existed already."""
    campaign = _campaign(data.campaign)
    unit = get_object_or_404(Unit, pk=data.unit)
    existed = Report.objects.filter(campaign=campaign, unit=unit).exists()
    report = services.report_start(actor=request.auth, campaign=campaign, unit=unit)
    return Status(200 if existed else 201, _fresh(request.auth, report.pk))


# --- The completeness board -----------------------------------------------------------------


class CountsOut(Schema):
    expected: int
    submitted: int
    on_time: int
    late: int
    returned: int
    accepted: int
    missing: int


class BoardRowOut(Schema):
    key: str = Field(description="A unit kind, or a province's two-digit code (`none`: no region)")
    label: str
    counts: CountsOut


class BoardOut(Schema):
    campaign: int
    department: DepartmentRef
    departments: list[DepartmentRef] = Field(description="Every board you may see")
    total: CountsOut
    by_kind: list[BoardRowOut]
    by_province: list[BoardRowOut]


class BoardQuery(Schema):
    campaign: int | None = Field(None, description="Year (default: the current campaign)")
    department: int | None = Field(None, description="Default: the first you may see")


class BoardUnitsQuery(BoardQuery):
    state: str = Field(
        "expected", description="expected, submitted, on_time, late, returned, accepted, missing"
    )
    unit_kind: str = ""
    province: str = Field("", description="Two digits (32), or `none`")


class BoardUnitOut(Schema):
    unit: UnitRef
    status: str | None = Field(description="The report's status; null: not started")
    submitted: bool
    late: bool


def _counts(c) -> CountsOut:
    return CountsOut(**dict(c.as_list()))


@router.get(
    "/reports/board",
    response={200: BoardOut, **errors(403, 404)},
    summary="The completeness board of a receiving department: counts by unit kind and province",
)
def report_board(request, q: Query[BoardQuery]):
    """Department reviewers see their department's board, campaign admins every department's;
    anyone else 403."""
    from sciday.reports import board as boards

    campaign = _campaign(q.campaign)
    department, departments = boards.board_department_get(
        viewer=request.auth, campaign=campaign, pk=q.department
    )
    result = boards.board_counts(campaign=campaign, department=department)
    return BoardOut(
        campaign=campaign.year,
        department=DepartmentRef(id=department.pk, name=department.name),
        departments=[DepartmentRef(id=d.pk, name=d.name) for d in departments],
        total=_counts(result.total),
        by_kind=[
            BoardRowOut(key=r.key, label=r.label, counts=_counts(r.counts)) for r in result.by_kind
        ],
        by_province=[
            BoardRowOut(key=r.key, label=r.label, counts=_counts(r.counts))
            for r in result.by_province
        ],
    )


@router.get(
    "/reports/board/units",
    response={200: list[BoardUnitOut], **errors(403, 404)},
    summary="The units behind one number of the board",
)
def report_board_units(request, q: Query[BoardUnitsQuery]):
    from sciday.reports import board as boards

    campaign = _campaign(q.campaign)
    department, _departments = boards.board_department_get(
        viewer=request.auth, campaign=campaign, pk=q.department
    )
    rows = boards.board_units(
        viewer=request.auth,
        campaign=campaign,
        department=department,
        state=q.state,
        kind=q.unit_kind or None,
        province=q.province or None,
    )
    return [
        BoardUnitOut(
            unit=_unit_ref(row.unit),
            status=row.r_status,  # type: ignore[attr-defined]
            submitted=row.r_submitted,  # type: ignore[attr-defined]
            late=row.r_late,  # type: ignore[attr-defined]
        )
        for row in rows
    ]


# --- The campaign's report settings (campaign admins) ----------------------------------------
# Declared before /reports/{report_id}, which would take "settings" for an id.


class SettingsQuery(Schema):
    campaign: int | None = Field(None, description="Year (default: the current campaign)")


class SettingsFigureOut(Schema):
    code: str
    label: str
    builtin: bool = Field(description="Built in (read-only), or the campaign's own (removable)")


class SettingsOut(Schema):
    campaign: int = Field(description="The campaign's year")
    late_reports: str = Field(description="accept (with a late flag) or refuse")
    text_limit: int = Field(description="Characters allowed for the three sections together")
    remind_days_before: list[int] = Field(description="Days before the deadline, descending")
    figures: list[SettingsFigureOut]


class SettingsIn(Schema):
    late_reports: str = Field(description="accept or refuse")
    text_limit: int = Field(description="100 to 100,000")
    remind_days_before: list[int] = Field(
        description="0 to 5 distinct whole numbers of 1 to 60, e.g. [7, 1]"
    )


class FigureIn(Schema):
    code: str = Field(max_length=40, description="Lower-case letters, digits and underscores")
    label: str = Field(max_length=100)


def _settings_out(campaign: Campaign) -> SettingsOut:
    current = services.settings_for(campaign)
    own = {f.code for f in campaign.report_figures.all()}
    return SettingsOut(
        campaign=campaign.year,
        late_reports=current.late_reports,
        text_limit=current.text_limit,
        remind_days_before=list(current.remind_days_before or []),
        figures=[
            SettingsFigureOut(code=f.code, label=f.label, builtin=f.code not in own)
            for f in figure_list(campaign)
        ],
    )


@router.get(
    "/reports/settings",
    response={200: SettingsOut, **errors(403, 404)},
    summary="The campaign's report settings: late reports, length limit, reminders, figures",
)
def report_settings(request, q: Query[SettingsQuery]):
    """Campaign admins only; anyone else 403."""
    from sciday.reports import policy

    policy.require_manage(request.auth)
    return _settings_out(_campaign(q.campaign))


@router.put(
    "/reports/settings",
    response={200: SettingsOut, **_WRITES},
    summary="Set whether late reports are accepted, the length limit and the reminder days",
)
def report_settings_put(request, q: Query[SettingsQuery], data: SettingsIn):
    """A refusal (400, with the field) changes nothing."""
    campaign = _campaign(q.campaign)
    services.report_settings_set(
        actor=request.auth,
        campaign=campaign,
        late_reports=data.late_reports,
        text_limit=data.text_limit,
        remind_days_before=data.remind_days_before,
    )
    return _settings_out(campaign)


@router.post(
    "/reports/settings/figures",
    response={201: SettingsOut, **_WRITES},
    summary="Ask every report of the campaign for one more figure",
)
def report_settings_figure_add(request, q: Query[SettingsQuery], data: FigureIn):
    campaign = _campaign(q.campaign)
    services.report_figure_add(
        actor=request.auth, campaign=campaign, code=data.code, label=data.label
    )
    return Status(201, _settings_out(campaign))


@router.delete(
    "/reports/settings/figures/{code}",
    response={204: None, **_WRITES},
    summary="Stop asking for one of the campaign's own figures (built-in ones stay)",
)
def report_settings_figure_remove(request, code: str, q: Query[SettingsQuery]):
    """Values already submitted stay in the reports' versions. 404 for an unknown or built-in
    code."""
    from sciday.reports import policy
    from sciday.reports.models import ReportFigure

    policy.require_manage(request.auth)
    campaign = _campaign(q.campaign)
    figure = get_object_or_404(ReportFigure, campaign=campaign, code=code)
    services.report_figure_remove(actor=request.auth, figure=figure)
    return Status(204, None)


@router.get(
    "/reports/{report_id}",
    response={200: ReportDetailOut, **errors(404)},
    summary="A report: figures, sections, photos and videos, the scan, its versions",
)
def report_detail(request, report_id: int):
    return _fresh(request.auth, report_id)


@router.patch(
    "/reports/{report_id}",
    response={200: ReportDetailOut, 409: StaleOut, **errors(400, 403, 404)},
    summary="Save the draft (only what you send changes); 409 with both texts when stale",
)
def report_save(request, report_id: int, data: DraftIn):
    """Send `base_version` = the `version` you loaded. When someone saved meanwhile the answer is
    409 `stale`, with `stored` (their text) and `sent` (yours, kept on the server as `kept`)."""
    report = selectors.report_get(viewer=request.auth, pk=report_id, cap=Cap.EDIT)
    changes = data.model_dump(exclude_unset=True, exclude={"base_version"})
    changes = {k: v for k, v in changes.items() if v is not None}
    try:
        services.report_save_draft(
            actor=request.auth, report=report, base_version=data.base_version, data=changes
        )
    except services.StaleDraft as stale:
        return Status(
            409,
            StaleOut(
                detail=str(stale.message),
                code=stale.code,
                field=None,
                stored=stale.stored,
                sent=stale.sent,
                kept=stale.kept.pk,
            ),
        )
    return _fresh(request.auth, report_id)


@router.post(
    "/reports/{report_id}/scan",
    response={200: ReportDetailOut, **errors(400, 403, 404, 409, 413)},
    summary="Upload the stamped scan of the signed report (multipart `file`, PDF only)",
)
def report_scan_attach(request, report_id: int, file: File[UploadedFile]):
    """Checked by content before it is stored; a refusal stores nothing (413: too large).
    Replaces an earlier scan."""
    report = selectors.report_get(viewer=request.auth, pk=report_id, cap=Cap.EDIT)
    try:
        services.report_attach_scan(
            actor=request.auth,
            report=report,
            upload=file,
            name=file.name or "",
            size=file.size or 0,
        )
    except DomainError as error:
        if error.code == "too_large":
            error.status = 413
        raise
    return _fresh(request.auth, report_id)


@router.get(
    "/reports/{report_id}/scan",
    url_name="report_scan",
    response=errors(404),
    summary="Download the stamped scan (PDF)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF, as an attachment",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            },
            302: {"description": "On S3: a short-lived signed link"},
        }
    },
)
def report_scan(request, report_id: int):
    report = selectors.report_get(viewer=request.auth, pk=report_id)
    if not report.scan:
        raise Http404
    served = serving.Served(
        name=report.scan.name or "",
        content_type="application/pdf",
        filename=report.scan_name or "scan.pdf",
        as_attachment=True,
        sha256=report.scan_sha256,
    )
    storage = report.scan.storage
    if serving.is_s3(storage):
        return serving.signed_redirect(storage, served)
    return serving.stream(request, storage, served, cache_control="private, max-age=60")


# --- Workflow --------------------------------------------------------------------------------


@router.post(
    "/reports/{report_id}/submit",
    response={200: ReportDetailOut, **_WRITES},
    summary="Submit (or resubmit after a return) the report as saved",
)
def report_submit(request, report_id: int):
    """Needs the overview and the stamped scan. After the campaign's deadline (Asia/Shanghai, to
    the second) a first submission is flagged late, or refused (400 `late`) as the campaign
    decides."""
    report = selectors.report_get(viewer=request.auth, pk=report_id, cap=Cap.EDIT)
    services.report_submit(actor=request.auth, report=report)
    return _fresh(request.auth, report_id)


@router.post(
    "/reports/{report_id}/accept",
    response={200: ReportDetailOut, **_WRITES},
    summary="Accept a submitted report (its receiving department, campaign admins)",
)
def report_accept(request, report_id: int):
    report = selectors.report_get(viewer=request.auth, pk=report_id, cap=Cap.REVIEW)
    services.report_accept(actor=request.auth, report=report)
    return _fresh(request.auth, report_id)


@router.post(
    "/reports/{report_id}/return",
    response={200: ReportDetailOut, **_WRITES},
    summary="Return a submitted report with a reason, and notes per section if needed",
)
def report_return(request, report_id: int, data: ReturnIn):
    report = selectors.report_get(viewer=request.auth, pk=report_id, cap=Cap.REVIEW)
    services.report_return(
        actor=request.auth, report=report, reason=data.reason, section_notes=data.section_notes
    )
    return _fresh(request.auth, report_id)


# --- Versions --------------------------------------------------------------------------------


@router.get(
    "/reports/{report_id}/versions",
    response={200: list[VersionDetailOut], **errors(404)},
    summary="Every submission of the report with its content and the decision on it",
)
def report_version_list(request, report_id: int):
    report = selectors.report_get(viewer=request.auth, pk=report_id)
    return [
        VersionDetailOut(
            **_version(v),
            figures=v.figures,
            sections=v.sections,
            resources=v.resources,
            scan_name=v.scan_name,
        )
        for v in selectors.report_versions(viewer=request.auth, report=report)
    ]


class DiffQuery(Schema):
    old: int = Field(alias="from", ge=1)
    new: int = Field(alias="to", ge=1)


@router.get(
    "/reports/{report_id}/diff",
    response={200: DiffOut, **errors(404)},
    summary="Compare two submissions: ?from=1&to=2",
)
def report_diff(request, report_id: int, q: Query[DiffQuery]):
    """Figures that changed, each section's text character by character, photos added and
    removed, whether the scan changed."""
    report = selectors.report_get(viewer=request.auth, pk=report_id)
    versions = {
        v.number: v
        for v in selectors.report_versions(viewer=request.auth, report=report).filter(
            number__in=[q.old, q.new]
        )
    }
    if q.old not in versions or q.new not in versions:
        raise DomainError(
            _("This report has no submission number %(n)s.")
            % {"n": q.old if q.old not in versions else q.new},
            field="from" if q.old not in versions else "to",
            code="unknown_version",
        )
    diff = selectors.report_diff(versions[q.old], versions[q.new])
    return DiffOut(
        old=q.old,
        new=q.new,
        figures=[FigureChangeOut(**vars(c)) for c in diff.figures],
        sections=[
            SectionDiffOut(name=s.name, label=s.label, changed=s.changed, segments=s.segments)
            for s in diff.sections
        ],
        resources_added=diff.resources_added,
        resources_removed=diff.resources_removed,
        scan_changed=diff.scan_changed,
    )
