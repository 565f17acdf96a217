"""Reads of summary reports, each knowing its reader (see `sciday.reports.policy`)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from sciday.campaigns.models import Campaign
from sciday.reports import policy
from sciday.reports.figures import figure_list, flatten
from sciday.reports.models import (
    SECTIONS,
    DraftConflict,
    ExpectedReporter,
    Report,
    ReportVersion,
    Section,
)
from sciday.reports.policy import Cap


def report_list(*, viewer, campaign: Campaign, status: str | None = None) -> QuerySet[Report]:
    """Return the campaign's reports `viewer` may see: their unit's, their department's, or all."""
    qs = policy.reports_for(viewer, Cap.VIEW).filter(campaign=campaign)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("unit", "unit__region", "department").order_by("unit__path")


def report_get(*, viewer, pk: int, cap: Cap = Cap.VIEW) -> Report:
    """Return the report `pk` if `viewer` may take `cap` on it; 404 when it is out of sight."""
    report = Report.objects.select_related("campaign", "unit", "department").filter(pk=pk).first()
    if report is None:
        raise Http404
    policy.require(viewer, cap, report)
    return report


def report_for_unit(*, viewer, campaign: Campaign, unit) -> Report | None:
    """Return the unit's report in the campaign (None when not started); 404 out of sight."""
    report = Report.objects.filter(campaign=campaign, unit=unit).first()
    if report is not None:
        policy.require(viewer, Cap.VIEW, report)
    elif not policy.can_edit_for(viewer, unit):
        raise Http404
    return report


def report_versions(*, viewer, report: Report) -> QuerySet[ReportVersion]:
    """Return every submission of the report, oldest first."""
    policy.require(viewer, Cap.VIEW, report)
    return report.versions.select_related("submitted_by", "decided_by").order_by("number")


def report_conflicts(*, viewer, report: Report) -> QuerySet[DraftConflict]:
    """Return the refused saves of the report (their text kept), newest first."""
    policy.require(viewer, Cap.EDIT, report)
    return report.conflicts.select_related("author")


def expected_list(*, viewer, campaign: Campaign, department=None) -> QuerySet[ExpectedReporter]:
    """Return the units expected to report: all for campaign admins, a department's reviewers
    their department's; others nothing. Removed rows are left out."""
    qs = ExpectedReporter.objects.filter(campaign=campaign, removed=False)
    if not policy.can_manage(viewer):
        departments = policy.reviewed_departments(viewer)
        if not departments:
            return qs.none()
        qs = qs.filter(department_id__in=departments)
    if department is not None:
        qs = qs.filter(department=department)
    return qs.select_related("unit", "unit__region", "department").order_by("unit__path")


# --- Comparing two versions ------------------------------------------------------------------


@dataclass
class FigureChange:
    code: str
    label: str
    old: Any
    new: Any


@dataclass
class SectionDiff:
    name: str
    label: str
    changed: bool
    # (op, text) with op "equal", "insert" or "delete", character by character (Chinese text
    # has no spaces to split words on).
    segments: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class VersionDiff:
    figures: list[FigureChange]
    sections: list[SectionDiff]
    resources_added: list[dict]
    resources_removed: list[dict]
    scan_changed: bool


def _segments(old: str, new: str) -> list[tuple[str, str]]:
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", old[i1:i2]))
            continue
        if op in ("delete", "replace"):
            segments.append(("delete", old[i1:i2]))
        if op in ("insert", "replace"):
            segments.append(("insert", new[j1:j2]))
    return segments


def report_diff(v1: ReportVersion, v2: ReportVersion) -> VersionDiff:
    """Return what changed from `v1` to `v2`: figures, each section's text, photos, the scan."""
    old_figures, new_figures = flatten(v1.figures), flatten(v2.figures)
    labels = {f.code: f.label for f in figure_list(v2.report.campaign)}
    codes = list(labels) + sorted((set(old_figures) | set(new_figures)) - set(labels))
    figures = [
        FigureChange(code, labels.get(code, code), old_figures.get(code), new_figures.get(code))
        for code in codes
        if old_figures.get(code) != new_figures.get(code)
    ]
    sections = []
    for name in SECTIONS:
        old, new = v1.sections.get(name, ""), v2.sections.get(name, "")
        sections.append(
            SectionDiff(
                name=name,
                label=str(Section(name).label),
                changed=old != new,
                segments=_segments(old, new),
            )
        )
    old_ids = {r["id"] for r in v1.resources}
    new_ids = {r["id"] for r in v2.resources}
    return VersionDiff(
        figures=figures,
        sections=sections,
        resources_added=[r for r in v2.resources if r["id"] not in old_ids],
        resources_removed=[r for r in v1.resources if r["id"] not in new_ids],
        scan_changed=v1.scan != v2.scan,
    )


# --- The national compilation ----------------------------------------------------------------


def compilation_departments(*, viewer, campaign: Campaign) -> list:
    """Return the departments receiving reports in the campaign whose compilation `viewer` may
    produce: all for campaign admins, their own for department reviewers."""
    from sciday.orgs.models import Unit

    ids = set(campaign.routes.values_list("department_id", flat=True))
    if not policy.has_global(viewer, Cap.REVIEW) or not policy.is_active_person(viewer):
        ids &= policy.reviewed_departments(viewer)
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


def compilation_jobs(*, viewer, campaign: Campaign, limit: int = 20) -> list:
    """Return the latest compilations of the departments `viewer` may compile, newest first."""
    from sciday.reports.models import CompilationJob

    departments = [d.pk for d in compilation_departments(viewer=viewer, campaign=campaign)]
    return list(
        CompilationJob.objects.filter(campaign=campaign, department_id__in=departments)
        .select_related("department", "requested_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def compilation_job_get(*, viewer, pk: int):
    """Return the compilation `pk` if `viewer` may see it; 404 otherwise."""
    from sciday.reports.models import CompilationJob

    job = (
        CompilationJob.objects.select_related("campaign", "department", "requested_by")
        .filter(pk=pk)
        .first()
    )
    if job is None or not policy.can_compile(viewer, job.department_id):
        raise Http404
    return job


def report_resource_choices(*, viewer, report: Report):
    """Return the photos and videos `viewer` may choose for the report: processed ones of the
    unit's subtree in the campaign, not held or returned, newest first (404 out of sight)."""
    from sciday.resources.models import Processing, Resource
    from sciday.resources.models import Status as ResourceStatus

    policy.require(viewer, Cap.EDIT, report)
    return (
        Resource.objects.filter(
            campaign=report.campaign,
            unit__path__startswith=report.unit.path,
            kind__in=["photo", "video"],
            processing=Processing.DONE,
        )
        .exclude(status__in=[ResourceStatus.HELD, ResourceStatus.RETURNED])
        .order_by("-pk")
    )
