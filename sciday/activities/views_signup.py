"""Sign-up pages: the public sign-up, cancel and rating forms (POST, then back to the activity's
page with a message), and the organizers' list of sign-ups with its CSV export.

Anonymous visitors are sent to sign in, then back to the activity's page (not to the POST-only
address). A service's refusal is shown as a message on the activity's page; nothing is written.
"""

from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from sciday.activities import selectors, signup_selectors, signups
from sciday.activities.models import Activity, SignupStatus
from sciday.activities.views_public import _public_activity
from sciday.core.errors import DomainError
from sciday.orgs.views import workspace_view


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("Your score"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=signups.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _back(activity: Activity) -> HttpResponse:
    return redirect(reverse("activities:detail", args=[activity.pk]) + "#signup")


def _sign_in_first(activity: Activity) -> HttpResponse:
    return redirect_to_login(reverse("activities:detail", args=[activity.pk]))


@require_POST
def signup_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _public_activity(pk)
    if not request.user.is_authenticated:
        return _sign_in_first(activity)
    try:
        signup = signups.signup_create(actor=request.user, activity=activity)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back(activity)
    if signup.status == SignupStatus.CONFIRMED:
        messages.success(request, _("You are signed up. A confirmation is on its way by e-mail."))
    else:
        messages.info(
            request,
            _("The activity is full: you are on the waiting list, number %(n)s.")
            % {"n": signup_selectors.waiting_rank(signup=signup)},
        )
    return _back(activity)


@require_POST
def signup_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _public_activity(pk)
    if not request.user.is_authenticated:
        return _sign_in_first(activity)
    signup = signup_selectors.signup_of(user=request.user, activity=activity)
    if signup is None:
        messages.error(request, _("You have not signed up for this activity."))
        return _back(activity)
    try:
        signups.signup_cancel(actor=request.user, signup=signup)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back(activity)
    messages.success(request, _("Your sign-up is cancelled."))
    return _back(activity)


@require_POST
def rating_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _public_activity(pk)
    if not request.user.is_authenticated:
        return _sign_in_first(activity)
    form = RatingForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{errors[0]}" if label else str(errors[0]))
        return _back(activity)
    try:
        signups.rating_submit(
            actor=request.user,
            activity=activity,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back(activity)
    messages.success(request, _("Thank you for your rating."))
    return _back(activity)


# --- Organizers --------------------------------------------------------------------------------


@workspace_view
def signup_list(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    rows = list(
        signup_selectors.activity_signups_for_organizer(viewer=request.user, activity=activity)
    )
    return render(
        request,
        "activities/workspace/signup_list.html",
        {
            "activity": activity,
            "rows": _numbered(rows),
            "counts": signup_selectors.activity_signup_counts(activity=activity),
            "satisfaction": signup_selectors.activity_satisfaction(activity=activity),
        },
    )


def _numbered(rows):
    """Attach each waiting sign-up's place in the queue (rows are confirmed, then the queue)."""
    rank = 0
    for row in rows:
        if row.status == SignupStatus.WAITING:
            rank += 1
            row.rank = rank
        else:
            row.rank = None
    return rows


def _cell(value: str) -> str:
    """Neutralise a spreadsheet formula (a cell starting with =, +, -, @, tab or CR)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@workspace_view
def signup_export(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    rows = _numbered(
        list(
            signup_selectors.activity_signups_for_organizer(viewer=request.user, activity=activity)
        )
    )
    signups.signup_list_exported(actor=request.user, activity=activity)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="signups-{activity.pk}.csv"'
    response.write("\ufeff")  # so that Excel reads UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            pgettext("person", "Name"),
            _("E-mail"),
            _("Status"),
            _("Waiting-list number"),
            _("Signed up"),
        ]
    )
    tz = timezone.get_current_timezone()
    for row in rows:
        writer.writerow(
            [
                _cell(row.user.name),
                _cell(row.user.email),
                row.get_status_display(),
                row.rank or "",
                row.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return response
