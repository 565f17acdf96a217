"""The national compilation, mounted at /workspace/reports/compilation/.

- `/`: the departments whose compilation the person may produce (a department's reviewers,
  campaign admins), a button to produce it, and the latest compilations;
- `/<id>/`: its progress (the page refreshes itself with a `<meta http-equiv="refresh">` while
  the compilation runs: no script needed), the reason of a failure, the download links;
- `/<id>/<docx|pdf|xlsx>/`: the file, served after the permission check (private, nosniff).

Thin views: selectors read and authorise (404 outside what the person may see), the service
writes; a `DomainError` is shown as a message and nothing is written; `NotAllowed` is 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sciday.campaigns.models import Campaign
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import DomainError, NotAllowed
from sciday.orgs.views import workspace_view
from sciday.reports import selectors, services
from sciday.resources import serving

REFRESH_SECONDS = 3
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _campaign(request: HttpRequest) -> Campaign | None:
    pk = request.GET.get("campaign") or request.POST.get("campaign")
    if pk and str(pk).isdigit():
        return get_object_or_404(Campaign, pk=int(pk))
    return campaign_current()


@workspace_view
def home(request: HttpRequest) -> HttpResponse:
    campaign = _campaign(request)
    departments, jobs = [], []
    if campaign is not None:
        departments = selectors.compilation_departments(viewer=request.user, campaign=campaign)
        if not departments:
            raise NotAllowed(_("Only the department's reviewers may compile its reports."))
        jobs = selectors.compilation_jobs(viewer=request.user, campaign=campaign)
    return render(
        request,
        "reports/compilation/home.html",
        {"campaign": campaign, "departments": departments, "jobs": jobs},
    )


@workspace_view
@require_POST
def request_compilation(request: HttpRequest) -> HttpResponse:
    campaign = _campaign(request)
    if campaign is None:
        raise Http404
    pk = request.POST.get("department", "")
    allowed = {
        d.pk: d for d in selectors.compilation_departments(viewer=request.user, campaign=campaign)
    }
    department = allowed.get(int(pk)) if pk.isdigit() else None
    if department is None:
        raise Http404
    try:
        job = services.compilation_request(
            actor=request.user, campaign=campaign, department=department
        )
    except NotAllowed:
        raise
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("report_compilation:home")
    messages.success(request, _("The compilation is being produced."))
    return redirect("report_compilation:job", pk=job.pk)


@workspace_view
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.compilation_job_get(viewer=request.user, pk=pk)
    files = [(fmt, getattr(job, fmt)) for fmt in FORMATS if getattr(job, fmt)]
    return render(
        request,
        "reports/compilation/job.html",
        {
            "job": job,
            "files": files,
            "refresh": None if job.finished else REFRESH_SECONDS,
        },
    )


@workspace_view
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    job = selectors.compilation_job_get(viewer=request.user, pk=pk)
    name = getattr(job, fmt, "") if fmt in FORMATS else ""
    if job.status != job.State.DONE or not name:
        raise Http404
    filename = _("%(department)s compilation of summary reports %(year)s.%(ext)s") % {
        "department": job.department.name,
        "year": job.campaign.year,
        "ext": fmt,
    }
    served = serving.Served(
        name=name, content_type=FORMATS[fmt], filename=filename, as_attachment=True
    )
    if serving.is_s3(default_storage):
        return serving.signed_redirect(default_storage, served)
    return serving.stream(request, default_storage, served, cache_control="private, no-store")
