"""The campaign's report settings, mounted at /workspace/reports/settings/ (`report_settings`).

For campaign admins (`policy.require_manage`; others 403, anonymous people to the login page):
- `settings_page`: whether late reports are accepted with a flag or refused, the narrative's
  length limit, the days before the deadline on which missing units are reminded ("7, 1"), and
  the figures every report gives — the built-in ones read-only, the campaign's own with a remove
  button, and a form to add one (`figure_add`, `figure_remove`).

Thin views: the services validate and write; a `DomainError` is shown next to its field (or as a
message) and nothing is written.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sciday.campaigns.models import Campaign
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import DomainError, NotAllowed
from sciday.orgs.views import workspace_view
from sciday.reports import policy, services
from sciday.reports.figures import figure_list
from sciday.reports.models import LatePolicy, ReportFigure

# The service's field names → the form's.
FORM_FIELDS = {"remind_days_before": "remind_days", "code": "code", "label": "label"}


class SettingsForm(forms.Form):
    late_reports = forms.ChoiceField(
        label=gettext_lazy("Late reports"),
        choices=LatePolicy.choices,
        widget=forms.RadioSelect,
    )
    text_limit = forms.IntegerField(
        label=gettext_lazy("Length limit of the narrative"),
        help_text=gettext_lazy("Characters, the three sections together (100 to 100,000)."),
    )
    remind_days = forms.CharField(
        label=gettext_lazy("Reminders before the deadline"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "Days before the deadline on which units that have not reported receive an e-mail,"
            " separated by commas, e.g. 7, 1 (at most 5 days, each 1 to 60). Empty: no reminder."
        ),
    )


class FigureForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        help_text=gettext_lazy("Lower-case letters, digits and underscores, e.g. exhibitions."),
    )
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)


def parse_days(text: str) -> list[int]:
    """Return the days written as "7, 1" (commas, Chinese commas or spaces between)."""
    tokens = [t for t in re.split(r"[\s,，、;；]+", text or "") if t]
    if not all(t.isascii() and t.isdigit() for t in tokens):
        raise DomainError(
            _("Write the reminder days as whole numbers separated by commas, e.g. 7, 1."),
            field="remind_days_before",
        )
    return [int(t) for t in tokens]


def _campaign(request: HttpRequest) -> Campaign | None:
    raw = request.GET.get("campaign") or request.POST.get("campaign")
    if raw:
        if not raw.isdigit():
            raise Http404
        return get_object_or_404(Campaign, pk=int(raw))
    return campaign_current()


def _here(campaign: Campaign) -> str:
    return reverse("report_settings:settings") + f"?campaign={campaign.pk}"


def _show(form: forms.Form, error: DomainError) -> None:
    if isinstance(error, NotAllowed):
        raise error
    field = FORM_FIELDS.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, str(error.message))


def _render(
    request: HttpRequest,
    campaign: Campaign | None,
    *,
    form: SettingsForm | None = None,
    figure_form: FigureForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict = {
        "campaign": campaign,
        "campaigns": Campaign.objects.order_by("-year"),
    }
    if campaign is not None:
        current = services.settings_for(campaign)
        extra = list(campaign.report_figures.all())
        extra_codes = {f.code for f in extra}
        context.update(
            form=form
            or SettingsForm(
                initial={
                    "late_reports": current.late_reports,
                    "text_limit": current.text_limit,
                    "remind_days": ", ".join(str(d) for d in current.remind_days_before or []),
                }
            ),
            figure_form=figure_form or FigureForm(),
            builtin=[f for f in figure_list(campaign) if f.code not in extra_codes],
            extra=extra,
        )
    return render(request, "reports/settings/settings.html", context, status=status)


@workspace_view
def settings_page(request: HttpRequest) -> HttpResponse:
    policy.require_manage(request.user)
    campaign = _campaign(request)
    if campaign is None or request.method != "POST":
        return _render(request, campaign)
    form = SettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_settings_set(
                actor=request.user,
                campaign=campaign,
                late_reports=data["late_reports"],
                text_limit=data["text_limit"],
                remind_days_before=parse_days(data["remind_days"]),
            )
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("The report settings were saved."))
            return redirect(_here(campaign))
    return _render(request, campaign, form=form, status=400)


@workspace_view
@require_POST
def figure_add(request: HttpRequest) -> HttpResponse:
    policy.require_manage(request.user)
    campaign = _campaign(request)
    if campaign is None:
        raise Http404
    form = FigureForm(request.POST)
    if form.is_valid():
        try:
            figure = services.report_figure_add(
                actor=request.user,
                campaign=campaign,
                code=form.cleaned_data["code"],
                label=form.cleaned_data["label"],
            )
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(
                request, _("Every report now asks for “%(label)s”.") % {"label": figure.label}
            )
            return redirect(_here(campaign))
    return _render(request, campaign, figure_form=form, status=400)


@workspace_view
@require_POST
def figure_remove(request: HttpRequest, figure_id: int) -> HttpResponse:
    policy.require_manage(request.user)
    campaign = _campaign(request)
    if campaign is None:
        raise Http404
    figure = get_object_or_404(ReportFigure, pk=figure_id, campaign=campaign)
    label = figure.label
    try:
        services.report_figure_remove(actor=request.user, figure=figure)
    except NotAllowed:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Reports no longer ask for “%(label)s”.") % {"label": label})
    return redirect(_here(campaign))
