"""The activities workspace: units register and manage their activities, approvers decide.

Thin views: selectors read and authorise (404 outside what the person may see, 403 when only
seen), services write and validate; the policy only tells the pages what to offer. A
`DomainError` is shown on the form with status 400 and nothing is written; `NotAllowed` is 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sciday.accounts.selectors import user_memberships
from sciday.activities import policy, selectors, services
from sciday.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    FinishForm,
    ReasonForm,
    VenueForm,
)
from sciday.activities.models import Activity, Status, Venue, VenueKind
from sciday.activities.policy import Cap
from sciday.activities.selectors import ActivityFilters
from sciday.activities.services import Transition
from sciday.campaigns.selectors import campaign_current, campaign_list
from sciday.core.errors import DomainError, NotAllowed, apply_to_form
from sciday.orgs import policy as orgs_policy
from sciday.orgs.models import Unit
from sciday.orgs.views import workspace_view

PAGE_SIZE = 25
STATUS_BADGES: dict[str, str] = {
    Status.DRAFT: "badge",
    Status.SUBMITTED: "badge badge-warn",
    Status.PUBLISHED: "badge badge-ok",
    Status.RETURNED: "badge badge-err",
    Status.CANCELLED: "badge",
    Status.FINISHED: "badge badge-ok",
}
TRANSITION_LABELS = {
    Transition.SUBMIT: gettext_lazy("Submit for approval"),
    Transition.APPROVE: gettext_lazy("Approve and publish"),
    Transition.RETURN: gettext_lazy("Return to the unit"),
    Transition.CANCEL: gettext_lazy("Cancel the activity"),
    Transition.FINISH: gettext_lazy("Mark as finished"),
}
REASON_LABELS = {
    Transition.RETURN: gettext_lazy("What should the unit change?"),
    Transition.CANCEL: gettext_lazy("Why is the activity cancelled?"),
}
TRANSITION_DONE = {
    Transition.SUBMIT: gettext_lazy("The activity was submitted."),
    Transition.APPROVE: gettext_lazy("The activity was approved and published."),
    Transition.RETURN: gettext_lazy("The activity was returned to its unit."),
    Transition.CANCEL: gettext_lazy("The activity was cancelled."),
    Transition.FINISH: gettext_lazy("The activity was marked as finished."),
}
PUBLISHED_DIRECTLY = gettext_lazy(
    "The activity was published at once: your unit is trusted by the campaign to publish without "
    "approval."
)


def _show_error(form, error: DomainError) -> None:
    """Put a service's refusal on the form; a refusal of permission answers 403 instead."""
    if isinstance(error, NotAllowed) and error.field is None:
        raise error
    if error.field == "region":
        error.field = "prefecture" if form.cleaned_data.get("prefecture") else "province"
    apply_to_form(form, error)


def _lead_units(user) -> list[Unit]:
    """Units the person may lead activities for (asked of the policy), tree order."""
    visible = orgs_policy.units_for(user, orgs_policy.Cap.UNIT_VIEW).filter(is_active=True)
    return [u for u in visible.order_by("path") if policy.can_edit_in(user, u)]


def _in_scope(user) -> QuerySet[Activity]:
    """Activities the person edits or decides on (the workspace list, not the public one)."""
    return policy.activities_for(user, Cap.EDIT) | policy.activities_for(user, Cap.APPROVE)


def _badge(activity: Activity) -> str:
    return STATUS_BADGES.get(activity.status, "badge")


# --- List ------------------------------------------------------------------------------------


def list_filters(request, *, current) -> tuple[ActivityFilterForm, ActivityFilters]:
    """Return the workspace list's filter form and the filters it asks for.

    The list page and its Excel export read the same query string the same way; `current` is
    the current campaign, whose categories the form offers.
    """
    units = [m.unit for m in user_memberships(user=request.user)]
    form = ActivityFilterForm(
        request.GET or None,
        campaigns=list(campaign_list()),
        categories=list(current.categories.order_by("number")) if current else [],
        units=units,
    )
    data = form.cleaned_data if form.is_valid() else {}
    unit = next((u for u in units if u.pk == data["unit"]), None) if data.get("unit") else None
    filters = ActivityFilters(
        campaign=data.get("campaign") or None,
        category=data.get("category") or None,
        status=data.get("status") or None,
        unit=unit,
    )
    return form, filters


@workspace_view
def activity_list(request):
    user = request.user
    current = campaign_current()
    form, filters = list_filters(request, current=current)
    tab = "decide" if request.GET.get("tab") == "decide" else "all"
    scope = policy.activities_for(user, Cap.APPROVE) if tab == "decide" else _in_scope(user)
    if tab == "decide":
        scope = scope.filter(status=Status.SUBMITTED)
    qs = selectors.activity_list(viewer=user, filters=filters).filter(pk__in=scope.values("pk"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for activity in page.object_list:
        setattr(activity, "badge", _badge(activity))  # noqa: B010  (read by the template)
    decides = _decides(user)
    waiting = (
        policy.activities_for(user, Cap.APPROVE).filter(status=Status.SUBMITTED).count()
        if decides
        else 0
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/workspace/activity_list.html",
        {
            "page": page,
            "form": form,
            "tab": tab,
            "waiting": waiting,
            "decides": decides,
            "may_create": bool(current) and _may_create(user),
            "query": query.urlencode(),
        },
    )


def _decides(user) -> bool:
    """Does the person approve anyone's activities (an admin with sub-units, or national)?"""
    if policy.has_global(user, Cap.APPROVE):
        return True
    return any(m.role in policy.DECIDER_ROLES for m in user_memberships(user=user))


def _may_create(user) -> bool:
    if policy.has_global(user, Cap.EDIT):
        return True
    return any(m.role in policy.EDITOR_ROLES for m in user_memberships(user=user))


# --- Create and edit -------------------------------------------------------------------------


@workspace_view
def activity_create(request):
    campaign = campaign_current()
    if campaign is None:
        raise Http404
    lead_units = _lead_units(request.user)
    if not lead_units:
        raise NotAllowed()
    queryset = Unit.objects.filter(pk__in=[u.pk for u in lead_units]).order_by("path")
    initial = {"lead_unit": lead_units[0].pk} if len(lead_units) == 1 else {}
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        campaign=campaign,
        lead_units=queryset,
        may_override=any(policy.can_decide_for(request.user, u) for u in lead_units),
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                with transaction.atomic():  # a refused cover leaves no activity behind
                    activity = services.activity_create(
                        actor=request.user,
                        campaign=campaign,
                        lead_unit=form.cleaned_data["lead_unit"],
                        **form.service_data(),
                    )
                    _save_cover(request.user, activity, form)
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("The activity was saved as a draft."))
                return redirect("activity_admin:detail", pk=activity.pk)
    return render(
        request,
        "activities/workspace/activity_form.html",
        {"form": form, "campaign": campaign, "title": _("New activity")},
        status=status,
    )


@workspace_view
def activity_edit(request, pk: int):
    activity = selectors.activity_get(viewer=request.user, pk=pk, cap=Cap.EDIT)
    editable = services.activity_editable_fields(request.user, activity)
    if not editable:
        messages.warning(request, _("This activity cannot be edited in its current status."))
        return redirect("activity_admin:detail", pk=activity.pk)
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        campaign=activity.campaign,
        editable=editable,
        has_cover=bool(activity.cover),
        initial=ActivityForm.initial_for_activity(activity),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                with transaction.atomic():  # a refused cover leaves the other fields unchanged
                    services.activity_update(
                        actor=request.user,
                        activity=activity,
                        **form.service_data(changed_only=True),
                    )
                    _save_cover(request.user, activity, form)
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("The activity was saved."))
                return redirect("activity_admin:detail", pk=activity.pk)
    return render(
        request,
        "activities/workspace/activity_form.html",
        {
            "form": form,
            "activity": activity,
            "campaign": activity.campaign,
            "title": _("Edit %(title)s") % {"title": activity.title},
        },
        status=status,
    )


def _save_cover(user, activity: Activity, form: ActivityForm) -> None:
    action, upload = form.cover_change()
    if action == "set":
        services.activity_cover_set(actor=user, activity=activity, upload=upload)
    elif action == "remove":
        services.activity_cover_remove(actor=user, activity=activity)


# --- Detail and transitions ------------------------------------------------------------------


def _detail(
    request,
    activity: Activity,
    *,
    forms: dict | None = None,
    error: str = "",
    status: int = 200,
):
    transitions = services.activity_transitions(request.user, activity)
    forms = forms or {}
    actions = []
    for transition in transitions:
        form = forms.get(transition)
        if form is None and transition in (Transition.RETURN, Transition.CANCEL):
            form = ReasonForm(prefix=transition.value, label=REASON_LABELS[transition])
        elif form is None and transition == Transition.FINISH:
            form = FinishForm(prefix=transition.value)
        actions.append(
            {"name": transition.value, "label": TRANSITION_LABELS[transition], "form": form}
        )
    setattr(activity, "badge", _badge(activity))  # noqa: B010  (read by the template)
    return render(
        request,
        "activities/workspace/activity_detail.html",
        {
            "activity": activity,
            "events": list(selectors.activity_events(activity=activity).select_related("actor")),
            "actions": actions,
            "error": error,
            "may_edit": bool(services.activity_editable_fields(request.user, activity)),
        },
        status=status,
    )


@workspace_view
def activity_detail(request, pk: int):
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    return _detail(request, activity)


@require_POST
@workspace_view
def activity_transition(request, pk: int, transition: str) -> HttpResponse:
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    try:
        step = Transition(transition)
    except ValueError:
        raise Http404 from None
    form: ReasonForm | FinishForm | None = None
    if step in (Transition.RETURN, Transition.CANCEL):
        form = ReasonForm(request.POST, prefix=step.value, label=REASON_LABELS[step])
    elif step == Transition.FINISH:
        form = FinishForm(request.POST, prefix=step.value)
    done = TRANSITION_DONE[step]
    try:
        if form is not None and not form.is_valid():
            return _detail(request, activity, forms={step: form}, status=400)
        actor = request.user
        if step == Transition.SUBMIT:
            activity = services.activity_submit(actor=actor, activity=activity)
            if activity.status == Status.PUBLISHED:  # a trusted unit publishes directly
                done = PUBLISHED_DIRECTLY
        elif step == Transition.APPROVE:
            services.activity_approve(actor=actor, activity=activity)
        elif step == Transition.RETURN:
            assert form is not None
            services.activity_return(
                actor=actor, activity=activity, reason=form.cleaned_data["reason"]
            )
        elif step == Transition.CANCEL:
            assert form is not None
            services.activity_cancel(
                actor=actor, activity=activity, reason=form.cleaned_data["reason"]
            )
        else:
            assert form is not None
            services.activity_finish(
                actor=actor,
                activity=activity,
                actual_participants=form.cleaned_data["actual_participants"],
                online_views=form.cleaned_data["online_views"],
            )
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        activity = selectors.activity_get(viewer=request.user, pk=pk)
        if form is not None and error.field in form.fields:
            apply_to_form(form, error)
            return _detail(request, activity, forms={step: form}, status=400)
        # A refusal without a field of its own (a rule the draft breaks, a stale status).
        forms = {step: form} if form is not None else {}
        return _detail(request, activity, forms=forms, error=str(error), status=400)
    messages.success(request, done)
    return redirect("activity_admin:detail", pk=activity.pk)


# --- Venues ----------------------------------------------------------------------------------


@workspace_view
def venue_list(request):
    kind = request.GET.get("kind", "")
    if kind not in VenueKind.values:
        kind = ""
    qs = selectors.venue_list(kind=kind or None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for venue in page.object_list:
        setattr(venue, "editable", policy.can_edit_venue(request.user, venue=venue))  # noqa: B010
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/workspace/venue_list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": VenueKind.choices,
            "may_create": _may_create(request.user),
            "query": query.urlencode(),
            "decides": _decides(request.user),
        },
    )


@workspace_view
def venue_create(request):
    units = _lead_units(request.user)
    national = policy.can_edit_venue(request.user)
    if not units and not national:
        raise NotAllowed()
    queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
    initial = {"unit": units[0].pk} if len(units) == 1 else {}
    form = VenueForm(request.POST or None, units=queryset, national=national, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                venue = services.venue_create(
                    actor=request.user,
                    kind=data["kind"],
                    name=data["name"],
                    region=data["region_code"],
                    address=data["address"],
                    unit=data.get("unit"),
                )
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("The venue %(name)s was registered.") % {"name": venue})
                return redirect("activity_admin:venue_list")
    return render(
        request,
        "activities/workspace/venue_form.html",
        {"form": form, "title": _("New venue")},
        status=status,
    )


@workspace_view
def venue_edit(request, pk: int):
    venue = get_object_or_404(Venue.objects.select_related("region", "unit"), pk=pk)
    if not policy.can_edit_venue(request.user, venue=venue):
        raise NotAllowed()
    initial = {
        "kind": venue.kind,
        "name": venue.name,
        "address": venue.address,
        "is_active": venue.is_active,
        **VenueForm.initial_for(venue.region),
    }
    form = VenueForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.venue_update(
                    actor=request.user,
                    venue=venue,
                    kind=data["kind"],
                    name=data["name"],
                    region=data["region_code"],
                    address=data["address"],
                    is_active=data["is_active"],
                )
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("The venue was saved."))
                return redirect("activity_admin:venue_list")
    return render(
        request,
        "activities/workspace/venue_form.html",
        {"form": form, "venue": venue, "title": _("Edit %(name)s") % {"name": venue.name}},
        status=status,
    )
