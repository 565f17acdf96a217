"""Bulk import and export pages of the activities workspace.

Upload (a unit and an .xlsx) → the background check (progress shown, the page refreshes itself)
→ preview (counts, and the rows with problems, each bad cell named; nothing written) → save (the
background task writes the good rows; progress, then the outcome). The upload waits in an
`ImportJob` found by the person's own random token (`importing.job_create`).
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sciday.activities import importing, selectors
from sciday.activities.models import ImportStatus
from sciday.activities.views_workspace import _in_scope, _lead_units, list_filters
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import DomainError, NotAllowed
from sciday.orgs.views import workspace_view

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("Lead unit"), coerce=int)
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        help_text=gettext_lazy("At most 40 MB and 100,000 activities."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [(u.pk, u.name) for u in units]


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@workspace_view
def import_template(request):
    return _xlsx(
        importing.template_workbook(campaign=campaign_current()), "activities-template.xlsx"
    )


def _campaign():
    campaign = campaign_current()
    if campaign is None:
        raise Http404
    return campaign


@workspace_view
def import_upload(request):
    campaign = _campaign()
    units = _lead_units(request.user)
    if not units:
        raise NotAllowed()
    form = UploadForm(request.POST or None, request.FILES or None, units=units)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            unit = next((u for u in units if u.pk == form.cleaned_data["unit"]), None)
            assert unit is not None
            upload = form.cleaned_data["file"]
            try:
                importing.check_size(upload.size)
                job = importing.job_create(
                    actor=request.user,
                    unit=unit,
                    campaign=campaign,
                    data=upload.read(),
                    filename=upload.name,
                    save=False,
                )
            except DomainError as error:
                form.add_error("file", str(error.message))
            else:
                return redirect("activity_admin:import_preview", token=job.token)
        elif "unit" in form.errors and request.POST.get("unit", "").isdigit():
            # A unit the person may not lead for: as if it did not exist.
            raise Http404
    return render(
        request,
        "activities/workspace/import_upload.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


PROBLEMS_PER_PAGE = 50


@workspace_view
def import_preview(request, token: str):
    """The import's state: progress while a step runs, then the counts and the problem rows."""
    job = importing.job_get(actor=request.user, token=token)
    if job is None or job.unit not in _lead_units(request.user):
        raise Http404
    if request.method == "POST":
        if job.status == ImportStatus.CHECKED and _good(job):
            job = importing.job_save(actor=request.user, job=job)
        return redirect("activity_admin:import_preview", token=token)
    page = Paginator(importing.job_problems(job), PROBLEMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = {"create": 0, "update": 0, "unchanged": 0, "skip": 0, "error": 0, **job.counts}
    committed = job.status == ImportStatus.SAVED
    if committed and request.GET.get("page") is None:
        messages.success(
            request,
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "created": counts["create"],
                "updated": counts["update"],
                "unchanged": counts["unchanged"],
            },
        )
    return render(
        request,
        "activities/workspace/import_preview.html",
        {
            "job": job,
            "running": job.status in importing.RUNNING,
            "percent": min(100, job.processed * 100 // job.total) if job.total else 0,
            "results": list(page.object_list),
            "page": page,
            "counts": counts,
            "committed": committed,
            "unit": job.unit,
            "filename": job.filename,
            "token": token,
            "campaign": job.campaign,
            "good": _good(job),
            "hidden": job.problem_total - len(job.problems),
        },
    )


def _good(job) -> int:
    return job.counts.get("create", 0) + job.counts.get("update", 0)


@workspace_view
def export(request):
    """The workspace list's current filters as an .xlsx in the import columns."""
    user = request.user
    _form, filters = list_filters(request, current=campaign_current())
    qs = selectors.activity_list(viewer=user, filters=filters).filter(
        pk__in=_in_scope(user).values("pk")
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(importing.export_workbook(activities=qs), f"activities-{stamp}.xlsx")
