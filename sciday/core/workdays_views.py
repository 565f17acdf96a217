"""The 工作日历 tab of the campaign admin pages: the year's official days and the overrides.

The calendar is one for the whole site (a 公示 period counts working days whatever the campaign);
the tab sits among the campaign tabs because campaign admins are the people who keep it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sciday.campaigns.models import Campaign
from sciday.campaigns.views import _page, admin_required
from sciday.core import workdays
from sciday.core.errors import DomainError, apply_to_form
from sciday.core.models import CalendarDay
from sciday.core.workdays_forms import CalendarDayForm, CalendarImportForm

TEMPLATE = "core/working_calendar.html"
EDIT_TEMPLATE = "core/working_calendar_day.html"


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if workdays.FIRST_YEAR <= year <= workdays.LAST_YEAR else timezone.localdate().year


def _back(campaign: Campaign, year: int):
    return redirect(f"{reverse('campaigns:working_calendar', args=[campaign.pk])}?year={year}")


def _delete(request, campaign: Campaign, year: int):
    item = workdays.calendar_day_get(actor=request.user, pk=request.POST.get("day"))
    if item is None:
        messages.error(request, _("That day is no longer in the calendar."))
    else:
        workdays.calendar_day_delete(actor=request.user, item=item)
        messages.success(
            request, _("%(date)s follows the official calendar again.") % {"date": item.date}
        )
    return _back(campaign, year)


@admin_required
def working_calendar(request, campaign: Campaign):
    year = _year(request)
    day_form, import_form, status = CalendarDayForm(), CalendarImportForm(), 200
    if request.method == "POST":
        action, status = request.POST.get("action"), 400
        if action == "add":
            day_form = CalendarDayForm(request.POST)
            if day_form.is_valid():
                data = day_form.cleaned_data
                try:
                    item = workdays.calendar_day_add(
                        actor=request.user, day=data["date"], kind=data["kind"], name=data["name"]
                    )
                except DomainError as error:
                    apply_to_form(day_form, error)
                else:
                    messages.success(request, _("%(day)s was added.") % {"day": item})
                    return _back(campaign, item.date.year)
        elif action == "import":
            import_form = CalendarImportForm(request.POST)
            if import_form.is_valid():
                try:
                    result = workdays.calendar_days_import(
                        actor=request.user, text=import_form.cleaned_data["text"]
                    )
                except DomainError as error:
                    apply_to_form(import_form, error)
                else:
                    messages.success(
                        request,
                        _("%(added)d days added; %(skipped)d already listed.")
                        % {"added": result.added, "skipped": result.skipped},
                    )
                    return _back(campaign, year)
        elif action == "delete":
            return _delete(request, campaign, year)
        else:
            messages.error(request, _("Unknown action."))
            return _back(campaign, year)
    first, last = workdays.builtin_years()
    override_years = workdays.calendar_override_years(actor=request.user)
    today = timezone.localdate().year
    around = range(min(today, last) - 3, max(today, last) + 2)
    years = sorted({*around, *override_years, year})
    return _page(
        request,
        TEMPLATE,
        campaign,
        year=year,
        years=years,
        days=workdays.calendar_year(actor=request.user, year=year),
        builtin_first=first,
        builtin_last=last,
        year_is_builtin=first <= year <= last,
        day_form=day_form,
        import_form=import_form,
        status=status,
    )


@admin_required
def working_calendar_day(request, campaign: Campaign, did: int):
    item = workdays.calendar_day_get(actor=request.user, pk=did)
    if item is None:
        raise Http404
    status = 200
    if request.method == "POST":
        form = CalendarDayForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                workdays.calendar_day_update(
                    actor=request.user,
                    item=item,
                    day=data["date"],
                    kind=data["kind"],
                    name=data["name"],
                )
            except DomainError as error:
                apply_to_form(form, error)
                item = CalendarDay.objects.get(pk=item.pk)  # the page shows the stored entry
            else:
                messages.success(request, _("%(day)s was saved.") % {"day": item})
                return _back(campaign, item.date.year)
    else:
        form = CalendarDayForm(initial={"date": item.date, "kind": item.kind, "name": item.name})
    return _page(request, EDIT_TEMPLATE, campaign, item=item, form=form, status=status)
