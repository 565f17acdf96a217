"""The news workspace: editors write and submit items, approvers decide, campaign admins curate.

Thin views: selectors read and authorise (404 outside what the person may see, 403 when only
seen), services write and validate. A `DomainError` is shown on the form with status 400 (409 for
a status changed meanwhile) and nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import Conflict, DomainError, NotAllowed, apply_to_form
from sciday.news import policy, selectors, services
from sciday.news.forms import NewsFilterForm, NewsForm, ReasonForm
from sciday.news.models import NewsItem, Status
from sciday.news.policy import Cap
from sciday.news.services import Transition
from sciday.orgs import policy as orgs_policy
from sciday.orgs.models import Unit
from sciday.orgs.views import workspace_view

PAGE_SIZE = 25
# The workspace menu's entry (sciday/templates/workspace_base.html), translated by this catalogue.
SECTION_LABEL = gettext_lazy("News")
STATUS_BADGES: dict[str, str] = {
    Status.DRAFT: "badge",
    Status.SUBMITTED: "badge badge-warn",
    Status.PUBLISHED: "badge badge-ok",
    Status.RETURNED: "badge badge-err",
    Status.WITHDRAWN: "badge badge-err",
}
TRANSITION_LABELS = {
    Transition.SUBMIT: gettext_lazy("Submit for review"),
    Transition.APPROVE: gettext_lazy("Approve and publish"),
    Transition.RETURN: gettext_lazy("Return to the unit"),
    Transition.WITHDRAW: gettext_lazy("Withdraw from the site"),
    Transition.PIN: gettext_lazy("Pin to the top"),
    Transition.UNPIN: gettext_lazy("Unpin"),
}
TRANSITION_DONE = {
    Transition.SUBMIT: gettext_lazy("The item was submitted for review."),
    Transition.APPROVE: gettext_lazy("The item was approved and published."),
    Transition.RETURN: gettext_lazy("The item was returned to its unit."),
    Transition.WITHDRAW: gettext_lazy("The item was withdrawn from the site."),
    Transition.PIN: gettext_lazy("The item is pinned to the top of the news."),
    Transition.UNPIN: gettext_lazy("The item is no longer pinned."),
}
# Transitions that need a reason.
WITH_REASON = frozenset({Transition.RETURN, Transition.WITHDRAW})


def _editable_units(user) -> list[Unit]:
    visible = orgs_policy.units_for(user, orgs_policy.Cap.UNIT_VIEW).filter(is_active=True)
    return [u for u in visible.order_by("path") if policy.can_edit_in(user, u)]


@workspace_view
def news_list(request) -> HttpResponse:
    tab = "review" if request.GET.get("tab") == "review" else "mine"
    form = NewsFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.news_workspace_list(
        viewer=request.user,
        tab=tab,
        status=filters.get("status") or None,
        category=filters.get("category") or None,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.badge = STATUS_BADGES.get(item.status, "badge")  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "news/workspace/list.html",
        {
            "form": form,
            "page": page,
            "tab": tab,
            "query": query.urlencode(),
            "may_create": bool(_editable_units(request.user)),
            "to_review": policy.items_for(request.user, Cap.APPROVE)
            .filter(status=Status.SUBMITTED)
            .count(),
        },
    )


def _cover(request, form: NewsForm, item: NewsItem) -> None:
    """Apply the form's cover changes through the services (inside the caller's transaction)."""
    upload = form.cleaned_data.get("cover")
    if upload:
        services.news_cover_set(actor=request.user, item=item, upload=upload, name=upload.name)
    elif form.cleaned_data.get("cover_remove"):
        services.news_cover_remove(actor=request.user, item=item)


@workspace_view
def news_create(request) -> HttpResponse:
    campaign = campaign_current()
    if campaign is None:
        raise Http404
    units = _editable_units(request.user)
    if not units:
        raise NotAllowed()
    unit_qs = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
    form = NewsForm(
        request.POST or None,
        request.FILES or None,
        units=unit_qs,
        resources=selectors.attachable_resources(units=units),
        initial={"unit": units[0].pk} if len(units) == 1 else {},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                with transaction.atomic():
                    item = services.news_create(
                        actor=request.user,
                        campaign=campaign,
                        unit=form.cleaned_data["unit"],
                        **form.service_data(),
                    )
                    _cover(request, form, item)
            except DomainError as error:
                if isinstance(error, NotAllowed) and error.field is None:
                    raise
                apply_to_form(form, error)
            else:
                messages.success(request, _("The item was saved as a draft."))
                return redirect("news_admin:detail", pk=item.pk)
    return render(
        request,
        "news/workspace/form.html",
        {"form": form, "campaign": campaign, "item": None},
        status=status,
    )


@workspace_view
def news_edit(request, pk: int) -> HttpResponse:
    item = selectors.news_get(viewer=request.user, pk=pk, cap=Cap.EDIT)
    form = NewsForm(
        request.POST or None,
        request.FILES or None,
        item=item,
        resources=selectors.attachable_resources(units=[item.unit]),
    )
    refusal = ""
    status = 200
    if not services.news_may_edit(request.user, item):
        refusal = _("A %(status)s item cannot be edited.") % {"status": Status(item.status).label}
        status = 409
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.news_update(actor=request.user, item=item, **form.service_data())
                    _cover(request, form, item)
            except DomainError as error:
                if isinstance(error, NotAllowed) and error.field is None:
                    raise
                apply_to_form(form, error)
                status = 409 if isinstance(error, Conflict) else 400
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("news_admin:detail", pk=item.pk)
    return render(
        request,
        "news/workspace/form.html",
        {"form": form, "item": item, "refusal": refusal},
        status=status,
    )


def _detail(request, item: NewsItem, *, reason_form=None, status: int = 200) -> HttpResponse:
    user = request.user
    offered = services.news_transitions(user, item)
    return render(
        request,
        "news/workspace/detail.html",
        {
            "item": item,
            "badge": STATUS_BADGES.get(item.status, "badge"),
            "events": selectors.news_events(item=item),
            "transitions": [(t.value, TRANSITION_LABELS[t]) for t in offered],
            "with_reason": {t.value for t in WITH_REASON},
            "reason_form": reason_form or ReasonForm(),
            "may_edit": services.news_may_edit(user, item),
            "attachments": list(item.attachments.all()),
        },
        status=status,
    )


@workspace_view
def news_detail(request, pk: int) -> HttpResponse:
    return _detail(request, selectors.news_get(viewer=request.user, pk=pk))


@workspace_view
@require_POST
def news_transition(request, pk: int, transition: str) -> HttpResponse:
    item = selectors.news_get(viewer=request.user, pk=pk)
    try:
        step = Transition(transition)
    except ValueError:
        raise Http404 from None
    actor = request.user
    form = ReasonForm(request.POST) if step in WITH_REASON else None
    try:
        if form is not None and not form.is_valid():
            policy.require(actor, services.TRANSITIONS[step][1], item)
            return _detail(request, item, reason_form=form, status=400)
        reason = form.cleaned_data["reason"] if form is not None else ""
        if step == Transition.SUBMIT:
            services.news_submit(actor=actor, item=item)
        elif step == Transition.APPROVE:
            services.news_approve(actor=actor, item=item)
        elif step == Transition.RETURN:
            services.news_return(actor=actor, item=item, reason=reason)
        elif step == Transition.WITHDRAW:
            services.news_withdraw(actor=actor, item=item, reason=reason)
        elif step == Transition.PIN:
            services.news_pin(actor=actor, item=item)
        else:
            services.news_unpin(actor=actor, item=item)
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        item = selectors.news_get(viewer=actor, pk=pk)
        if form is not None and error.field in form.fields:
            apply_to_form(form, error)
            return _detail(request, item, reason_form=form, status=400)
        messages.error(request, str(error))
        return _detail(request, item, status=409 if isinstance(error, Conflict) else 400)
    messages.success(request, TRANSITION_DONE[step])
    return redirect("news_admin:detail", pk=pk)
