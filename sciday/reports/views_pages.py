"""The report pages, mounted at /workspace/reports/ (namespace `report_pages`).

- `report_home`: the person's unit's report in the current campaign (started from here), and
  for department reviewers and campaign admins the reports routed to them, by status.
- `report_edit`: figures, the three sections, photos and videos, the stamped scan. The form
  posts to `report_edit` (save), `report_refill` (figures taken again from the platform) or
  `report_submit_view`, each saving what was typed first with the same stale check; a refused
  save shows both texts and keeps the sent one. `report_autosave` is the JSON endpoint of
  `reports/autosave.js` (session + CSRF): 200 with the new version, 409 with both texts.
- `report_detail`: the report read-only, the department's accept / return, the versions and
  `report_compare` of any two. `report_scan` and `report_resource_file` serve the stored files
  after the report's policy check.

Thin views: selectors read and authorise (404 out of sight, 403 when only seen), services write.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sciday.accounts.selectors import user_memberships
from sciday.campaigns.models import Campaign
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.orgs.models import Unit
from sciday.orgs.views import workspace_view
from sciday.reports import policy, selectors, services
from sciday.reports.figures import ACTIVITIES, figure_list, flatten
from sciday.reports.models import (
    EDITABLE_STATUSES,
    SECTIONS,
    ExpectedReporter,
    LatePolicy,
    Report,
    Section,
    Status,
)
from sciday.reports.policy import Cap
from sciday.reports.services import SHANGHAI, StaleDraft

STATUS_BADGES: dict[str, str] = {
    Status.DRAFT: "badge",
    Status.SUBMITTED: "badge badge-warn",
    Status.RETURNED: "badge badge-err",
    Status.ACCEPTED: "badge badge-ok",
}


def _badge(report: Report) -> Report:
    setattr(report, "badge", STATUS_BADGES.get(report.status, "badge"))  # noqa: B010
    return report


# --- The list --------------------------------------------------------------------------------


def _own_units(user, campaign: Campaign) -> list[dict[str, Any]]:
    """The person's units expected to report (as editor or admin), with their report if any."""
    unit_ids = {m.unit_id for m in user_memberships(user=user) if m.role in policy.EDITOR_ROLES}
    rows = ExpectedReporter.objects.filter(
        campaign=campaign, unit_id__in=unit_ids, removed=False
    ).select_related("unit", "department")
    reports = {
        r.unit_id: _badge(r) for r in Report.objects.filter(campaign=campaign, unit_id__in=unit_ids)
    }
    return [{"row": row, "report": reports.get(row.unit_id)} for row in rows]


@workspace_view
def report_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaign = campaign_current()
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    own: list[dict[str, Any]] = []
    received: list[Report] = []
    reviews = bool(policy.reviewed_departments(user)) or policy.can_manage(user)
    if campaign is not None:
        own = _own_units(user, campaign)
        if reviews:
            qs = policy.reports_for(user, Cap.REVIEW).filter(campaign=campaign)
            if status:
                qs = qs.filter(status=status)
            received = [
                _badge(r)
                for r in qs.select_related("unit", "department").order_by("status", "unit__path")
            ]
    return render(
        request,
        "reports/pages/home.html",
        {
            "campaign": campaign,
            "own": own,
            "reviews": reviews,
            "received": received,
            "status": status,
            "statuses": Status.choices,
        },
    )


@workspace_view
@require_POST
def report_begin(request: HttpRequest, unit_pk: int) -> HttpResponse:
    campaign = campaign_current()
    unit = Unit.objects.filter(pk=unit_pk).first()
    if campaign is None or unit is None:
        raise Http404
    try:
        report = services.report_start(actor=request.user, campaign=campaign, unit=unit)
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        messages.error(request, str(error))
        return redirect("report_pages:home")
    return redirect("report_pages:edit", pk=report.pk)


# --- The form --------------------------------------------------------------------------------


def _posted(request: HttpRequest, report: Report) -> dict[str, Any]:
    """The draft as posted by the form: figures, sections, chosen photos and videos."""
    post = request.POST
    figures = {
        f.code: post.get(f"fig__{f.code}", "")
        for f in figure_list(report.campaign)
        if f"fig__{f.code}" in post
    }
    data: dict[str, Any] = {name: post.get(name, "") for name in SECTIONS if name in post}
    if figures:
        data["figures"] = figures
    if "resources_shown" in post:
        data["resources"] = post.getlist("resources")
    return data


def _base_version(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _deadline(report: Report) -> dict[str, Any]:
    """What the page says about the deadline: when, and what happens after it."""
    deadline = timezone.localtime(report.campaign.report_deadline, SHANGHAI)
    late_policy = services.settings_for(report.campaign).late_reports
    passed = services.is_late(report.campaign, timezone.now())
    return {
        "at": deadline,
        "passed": passed and report.submitted_at is None,
        "refuses": late_policy == LatePolicy.REFUSE,
    }


def _edit_context(
    request: HttpRequest,
    report: Report,
    *,
    values: dict[str, Any] | None = None,
    stale: StaleDraft | None = None,
    error: str = "",
    field_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the edit page shows; `values` (what was posted) win over the stored report."""
    values = values or {}
    stored_figures = flatten(report.figures)
    posted_figures = values.get("figures") or {}
    figures = [
        {
            "code": f.code,
            "label": f.label,
            "decimal": f.decimal,
            "value": posted_figures.get(f.code, stored_figures.get(f.code, 0)),
            "platform": f.code.startswith(ACTIVITIES + ".")
            or f.code in ("participants", "publicity_products"),
        }
        for f in figure_list(report.campaign)
    ]
    notes = report.section_notes if report.status == Status.RETURNED else {}
    sections = [
        {
            "name": name,
            "label": Section(name).label,
            "value": values.get(name, getattr(report, name)),
            "note": notes.get(name, ""),
        }
        for name in SECTIONS
    ]
    chosen = {str(i) for i in values.get("resources", [])} or {
        str(pk) for pk in report.resources.values_list("pk", flat=True)
    }
    choices = list(selectors.report_resource_choices(viewer=request.user, report=report)[:200])
    for resource in choices:
        widths = sorted(int(w) for w in (resource.thumbnails or {}))
        setattr(resource, "thumb", f"thumb-{widths[0]}" if widths else "")  # noqa: B010
        setattr(resource, "chosen", str(resource.pk) in chosen)  # noqa: B010
    stale_sections = []
    if stale is not None:
        stale_sections = [
            {
                "name": name,
                "label": Section(name).label,
                "theirs": stale.stored.get(name, ""),
                "mine": stale.sent.get(name, stale.stored.get(name, "")),
            }
            for name in SECTIONS
        ]
    return {
        "report": _badge(report),
        "figures": figures,
        "sections": sections,
        "choices": choices,
        "limit": services.settings_for(report.campaign).text_limit,
        "total": sum(len(s["value"]) for s in sections),
        "base_version": stale.stored["version"] if stale is not None else report.version,
        "stale": stale,
        "stale_sections": stale_sections,
        "error": error,
        "field_errors": field_errors or {},
        "deadline": _deadline(report),
        "autosave_url": reverse("report_pages:autosave", args=[report.pk]),
    }


def _editable(request: HttpRequest, pk: int) -> Report:
    return selectors.report_get(viewer=request.user, pk=pk, cap=Cap.EDIT)


def _save_posted(request: HttpRequest, report: Report) -> Report:
    """Save what the form posted (and the scan, if one was chosen); raise what the services do."""
    data = _posted(request, report)
    report = services.report_save_draft(
        actor=request.user,
        report=report,
        base_version=_base_version(request.POST.get("base_version")),
        data=data,
    )
    upload = request.FILES.get("scan")
    if upload is not None:
        report = services.report_attach_scan(
            actor=request.user,
            report=report,
            upload=upload,
            name=upload.name or "",
            size=upload.size or 0,
        )
    return report


def _refused(request: HttpRequest, report: Report, error: DomainError) -> HttpResponse:
    """Show the form again with what was posted, and the refusal (both texts when stale)."""
    if isinstance(error, NotAllowed):
        raise error
    values = _posted(request, report)
    report.refresh_from_db()
    stale = error if isinstance(error, StaleDraft) else None
    field = error.field if error.field in (*SECTIONS, "figures", "resources", "file") else None
    context = _edit_context(
        request,
        report,
        values=values,
        stale=stale,
        error="" if stale or field else str(error),
        field_errors={field: str(error)} if field else {},
    )
    return render(request, "reports/pages/edit.html", context, status=error.status)


@workspace_view
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _editable(request, pk)
    if report.status not in EDITABLE_STATUSES:
        return redirect("report_pages:detail", pk=report.pk)
    if request.method == "POST":
        try:
            report = _save_posted(request, report)
        except DomainError as error:
            return _refused(request, report, error)
        messages.success(request, _("The draft was saved."))
        return redirect("report_pages:edit", pk=report.pk)
    return render(request, "reports/pages/edit.html", _edit_context(request, report))


@workspace_view
@require_POST
def report_refill(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what was typed, then take the platform's figures again."""
    report = _editable(request, pk)
    try:
        report = _save_posted(request, report)
        report = services.report_prefill(
            actor=request.user, report=report, base_version=report.version
        )
    except DomainError as error:
        return _refused(request, report, error)
    messages.success(request, _("The figures were taken again from the platform."))
    return redirect("report_pages:edit", pk=report.pk)


@workspace_view
@require_POST
def report_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what was typed, then submit."""
    report = _editable(request, pk)
    try:
        report = _save_posted(request, report)
        report = services.report_submit(actor=request.user, report=report)
    except DomainError as error:
        return _refused(request, report, error)
    if report.is_late:
        messages.warning(
            request, _("The report was submitted after the deadline: it is marked as late.")
        )
    else:
        messages.success(request, _("The report was submitted on time."))
    return redirect("report_pages:detail", pk=report.pk)


def _json_draft(payload: Any) -> tuple[int, dict[str, Any]]:
    if not isinstance(payload, dict):
        raise DomainError(_("The draft is not in the expected form."))
    data: dict[str, Any] = {}
    for name in SECTIONS:
        if name in payload:
            data[name] = payload[name]
    if "figures" in payload:
        data["figures"] = payload["figures"]
    if "resources" in payload:
        data["resources"] = payload["resources"]
    version = payload.get("base_version")
    if isinstance(version, str) and version.isdigit():
        version = int(version)
    if not isinstance(version, int) or isinstance(version, bool):
        raise DomainError(_("The draft is not in the expected form."))
    return version, data


@workspace_view
@require_POST
def report_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Save the draft sent as JSON; 200 {version, saved_at}, 409 {stored, sent} when stale."""
    report = selectors.report_get(viewer=request.user, pk=pk, cap=Cap.VIEW)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        payload = None
    try:
        version, data = _json_draft(payload)
        saved = services.report_save_draft(
            actor=request.user, report=report, base_version=version, data=data
        )
    except StaleDraft as stale:
        return JsonResponse(
            {"error": str(stale), "code": "stale", "stored": stale.stored, "sent": stale.sent},
            status=409,
        )
    except DomainError as error:
        return JsonResponse(
            {"error": str(error), "code": error.code, "field": error.field}, status=error.status
        )
    saved_at = timezone.localtime(saved.updated_at, SHANGHAI)
    return JsonResponse({"version": saved.version, "saved_at": f"{saved_at:%H:%M}"})


# --- Reading and reviewing -------------------------------------------------------------------


def _figure_rows(report: Report) -> list[tuple[str, Any]]:
    values = flatten(report.figures)
    return [(f.label, values.get(f.code, 0)) for f in figure_list(report.campaign)]


@workspace_view
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(viewer=request.user, pk=pk)
    versions: QuerySet = selectors.report_versions(viewer=request.user, report=report)
    actions = services.report_transitions(request.user, report)
    notes = report.section_notes or {}
    sections = [
        {
            "name": name,
            "label": Section(name).label,
            "value": getattr(report, name),
            "note": notes.get(name, ""),
        }
        for name in SECTIONS
    ]
    version_list = list(versions)
    resources = list(report.resources.order_by("pk"))
    for resource in resources:
        widths = sorted(int(w) for w in (resource.thumbnails or {}))
        setattr(resource, "thumb", f"thumb-{widths[0]}" if widths else "")  # noqa: B010
    return render(
        request,
        "reports/pages/detail.html",
        {
            "report": _badge(report),
            "figures": _figure_rows(report),
            "sections": sections,
            "resources": resources,
            "versions": version_list,
            "compare_a": version_list[-2].number if len(version_list) > 1 else "",
            "compare_b": version_list[-1].number if version_list else "",
            "actions": actions,
            "deadline": _deadline(report),
            "section_choices": [(n, Section(n).label) for n in SECTIONS],
        },
    )


@workspace_view
@require_POST
def report_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    report = selectors.report_get(viewer=request.user, pk=pk)
    try:
        if decision == "accept":
            services.report_accept(actor=request.user, report=report)
            messages.success(request, _("The report was accepted."))
        elif decision == "return":
            notes = {name: request.POST.get(f"note__{name}", "") for name in SECTIONS}
            services.report_return(
                actor=request.user,
                report=report,
                reason=request.POST.get("reason", ""),
                section_notes=notes,
            )
            messages.success(request, _("The report was returned to its unit."))
        else:
            raise Http404
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        messages.error(request, str(error))
        status = 409 if isinstance(error, Conflict) else 400
        response = report_detail(request, pk)
        response.status_code = status
        return response
    return redirect("report_pages:detail", pk=report.pk)


@workspace_view
def report_compare(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(viewer=request.user, pk=pk)
    versions = {v.number: v for v in selectors.report_versions(viewer=request.user, report=report)}
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        a = b = 0
    if a not in versions or b not in versions:
        messages.error(request, _("Choose two submissions of this report to compare."))
        return redirect("report_pages:detail", pk=report.pk)
    diff = selectors.report_diff(versions[a], versions[b])
    return render(
        request,
        "reports/pages/compare.html",
        {"report": _badge(report), "a": versions[a], "b": versions[b], "diff": diff},
    )


@workspace_view
def report_scan(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The stamped scan (PDF), as an attachment, after the report's policy check."""
    from sciday.resources import serving

    report = selectors.report_get(viewer=request.user, pk=pk)
    if not report.scan:
        raise Http404
    served = serving.Served(
        name=report.scan.name or "",
        content_type="application/pdf",
        filename=f"report-{report.pk}-{report.scan_name or 'scan.pdf'}",
        as_attachment=True,
        sha256=report.scan_sha256,
    )
    return serving.stream(request, report.scan.storage, served, cache_control="private, no-store")


@workspace_view
def report_version_scan(request: HttpRequest, pk: int, number: int) -> HttpResponseBase:
    """The stamped scan (PDF) as it was at submission `number`, after the report's policy
    check (the same as `report_scan`)."""
    from sciday.resources import serving

    report = selectors.report_get(viewer=request.user, pk=pk)
    version = selectors.report_versions(viewer=request.user, report=report).filter(number=number)
    found = version.first()
    if found is None or not found.scan or not report.scan.storage.exists(found.scan):
        raise Http404
    served = serving.Served(
        name=found.scan,
        content_type="application/pdf",
        filename=f"report-{report.pk}-v{number}-{found.scan_name or 'scan.pdf'}",
        as_attachment=True,
    )
    return serving.stream(request, report.scan.storage, served, cache_control="private, no-store")


@workspace_view
def report_resource_file(request: HttpRequest, pk: int, resource_pk: int, which: str):
    """A thumbnail or preview of a photo or video chosen for (or choosable by) the report."""
    from sciday.resources import serving

    if not (which.startswith("thumb-") or which == "preview"):
        raise Http404
    report = selectors.report_get(viewer=request.user, pk=pk)
    resource = report.resources.filter(pk=resource_pk).first()
    if resource is None and policy.can(request.user, Cap.EDIT, report):
        choices = selectors.report_resource_choices(viewer=request.user, report=report)
        resource = choices.filter(pk=resource_pk).first()
    if resource is None:
        raise Http404
    return serving.private(request, resource, which)
