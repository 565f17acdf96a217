"""The completeness board of a receiving department, reminders, and who is expected to report.

- `/workspace/reports/board/`: for a department's reviewers (campaign admins choose the
  department) the counts by unit kind and by province; each number links to the same page
  filtered (`?state=late&kind=...&province=32`), which lists the units behind it. Reminders are
  sent from here, to all missing units or to those ticked.
- `/workspace/reports/board/expected/`: campaign admins add and remove expected units and
  recompute the default set.

Thin views: `sciday.reports.board` reads and authorises, the services write; a `DomainError` is
shown as a message and nothing is written; `NotAllowed` answers 403.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from sciday.campaigns.models import Campaign
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import DomainError, NotAllowed
from sciday.orgs.models import Unit, UnitKind
from sciday.orgs.views import workspace_view
from sciday.reports import board as board_selectors
from sciday.reports import policy, selectors, services
from sciday.reports.board import STATES
from sciday.reports.models import ExpectedReporter, Status
from sciday.reports.reminders import report_remind

PAGE_SIZE = 50
STATE_LABELS = {
    "expected": pgettext_lazy("board", "Expected"),
    "submitted": pgettext_lazy("board", "Submitted"),
    "on_time": pgettext_lazy("board", "On time"),
    "late": pgettext_lazy("board", "Late"),
    "returned": pgettext_lazy("board", "Returned"),
    "accepted": pgettext_lazy("board", "Accepted"),
    "missing": pgettext_lazy("board", "Missing"),
}


def _campaign(request: HttpRequest) -> Campaign | None:
    raw = request.GET.get("campaign") or request.POST.get("campaign")
    if raw:
        if not raw.isdigit():
            raise Http404
        return get_object_or_404(Campaign, pk=int(raw))
    return campaign_current()


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@workspace_view
def board(request: HttpRequest) -> HttpResponse:
    campaign = _campaign(request)
    if campaign is None:
        return render(request, "reports/board/board.html", {"campaign": None})
    department, departments = board_selectors.board_department_get(
        viewer=request.user, campaign=campaign, pk=_int(request.GET.get("department"))
    )
    data = board_selectors.board(viewer=request.user, campaign=campaign, department=department)
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    province = request.GET.get("province", "")
    page = None
    if state:
        units = board_selectors.board_units(
            viewer=request.user,
            campaign=campaign,
            department=department,
            state=state,
            kind=kind or None,
            province=province or None,
        )
        page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
        for row in page.object_list:
            status = getattr(row, "r_status", None)
            label = Status(status).label if status else _("not started")
            setattr(row, "r_status_label", label)  # noqa: B010  (read by the template)
    base = {"campaign": campaign.pk, "department": department.pk}
    filter_label = ""
    if state:
        parts = [str(STATE_LABELS.get(state, state))]
        if kind:
            parts.append(str(UnitKind(kind).label) if kind in UnitKind.values else kind)
        if province:
            names = {r.key: r.label for r in data.by_province}
            parts.append(names.get(province) or _("no province"))
        filter_label = " · ".join(parts)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/board/board.html",
        {
            "campaign": campaign,
            "department": department,
            "departments": departments,
            "board": data,
            "states": [(s, STATE_LABELS[s]) for s in STATES],
            "base": base,
            "state": state,
            "kind": kind,
            "province": province,
            "filter_label": filter_label,
            "page": page,
            "query": query.urlencode(),
            "may_manage": policy.can_manage(request.user),
            "here": request.get_full_path(),
        },
    )


@workspace_view
def remind(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    campaign = _campaign(request)
    if campaign is None:
        raise Http404
    department, _departments = board_selectors.board_department_get(
        viewer=request.user, campaign=campaign, pk=_int(request.POST.get("department"))
    )
    raw_ids = request.POST.getlist("unit")
    unit_ids = [int(u) for u in raw_ids if u.isdigit()] if raw_ids else None
    try:
        count = report_remind(
            actor=request.user, campaign=campaign, department=department, unit_ids=unit_ids
        )
    except NotAllowed:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("A reminder is on its way to %(count)d units (their administrators and editors).")
            % {"count": count},
        )
    fallback = reverse("report_board:board") + f"?campaign={campaign.pk}&department={department.pk}"
    return _back(request, fallback)


# --- Who is expected to report (campaign admins) ----------------------------------------------


class AddUnitForm(forms.Form):
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        max_length=200,
        help_text=gettext_lazy("The unit's full name or its code."),
    )


def _find_unit(text: str) -> Unit:
    matches = list(Unit.objects.filter(Q(name=text) | Q(code=text), is_active=True)[:2])
    if not matches:
        raise DomainError(_("No active unit has this name or code."), field="unit")
    if len(matches) > 1:
        raise DomainError(_("Several units have this name: enter the unit's code."), field="unit")
    return matches[0]


@workspace_view
def expected(request: HttpRequest) -> HttpResponse:
    policy.require_manage(request.user)
    campaign = _campaign(request)
    if campaign is None:
        return render(request, "reports/board/expected.html", {"campaign": None})
    form = AddUnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = _find_unit(form.cleaned_data["unit"])
            services.expected_add(actor=request.user, campaign=campaign, unit=unit)
        except DomainError as error:
            form.add_error("unit" if error.field == "unit" else None, str(error.message))
        else:
            messages.success(request, _("%(unit)s is now expected to report.") % {"unit": unit})
            return redirect(reverse("report_board:expected") + f"?campaign={campaign.pk}")
    rows = selectors.expected_list(viewer=request.user, campaign=campaign)
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(unit__name__icontains=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    removed = (
        ExpectedReporter.objects.filter(campaign=campaign, removed=True)
        .select_related("unit", "removed_by")
        .order_by("-removed_at")[:20]
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/board/expected.html",
        {
            "campaign": campaign,
            "form": form,
            "page": page,
            "removed": removed,
            "q": q,
            "query": query.urlencode(),
        },
        status=400 if request.method == "POST" else 200,
    )


@workspace_view
def expected_remove(request: HttpRequest, unit_id: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    policy.require_manage(request.user)
    campaign = _campaign(request)
    if campaign is None:
        raise Http404
    unit = get_object_or_404(Unit, pk=unit_id)
    try:
        services.expected_remove(actor=request.user, campaign=campaign, unit=unit)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("%(unit)s is no longer expected to report.") % {"unit": unit})
    return _back(request, reverse("report_board:expected") + f"?campaign={campaign.pk}")


@workspace_view
def expected_recompute(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    policy.require_manage(request.user)
    campaign = _campaign(request)
    if campaign is None:
        raise Http404
    try:
        result = services.expected_recompute(actor=request.user, campaign=campaign)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Recomputed: %(added)d added, %(rerouted)d rerouted, %(dropped)d dropped.")
            % {"added": result.added, "rerouted": result.rerouted, "dropped": result.dropped},
        )
    return redirect(reverse("report_board:expected") + f"?campaign={campaign.pk}")
