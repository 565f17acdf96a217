"""The resources workspace: units upload and submit their resources, moderators decide.

Thin views: selectors read and authorise (404 outside what the person may see, 403 when only
seen), services write and validate. A `DomainError` is shown on the form with status 400 and
nothing is written. Stored files are never linked from /media/: `resource_file` checks the
policy and streams them with `Content-Disposition` and `nosniff`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sciday.activities.models import Activity
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import Conflict, DomainError, NotAllowed, apply_to_form
from sciday.orgs import policy as orgs_policy
from sciday.orgs.models import Unit
from sciday.orgs.views import workspace_view
from sciday.resources import policy, selectors, services, serving
from sciday.resources.forms import ReasonForm, ResourceEditForm, ResourceFilterForm, ResourceForm
from sciday.resources.models import FILE_KINDS, Processing, Resource, Status
from sciday.resources.policy import Cap
from sciday.resources.services import Transition

PAGE_SIZE = 25
STATUS_BADGES: dict[str, str] = {
    Status.DRAFT: "badge",
    Status.SUBMITTED: "badge badge-warn",
    Status.HELD: "badge badge-err",
    Status.PUBLISHED: "badge badge-ok",
    Status.RETURNED: "badge badge-err",
}
TRANSITION_LABELS = {
    Transition.SUBMIT: gettext_lazy("Submit for moderation"),
    Transition.APPROVE: gettext_lazy("Approve and publish"),
    Transition.RETURN: gettext_lazy("Return to the unit"),
    Transition.FEATURE: gettext_lazy("Feature on the theme site"),
    Transition.UNFEATURE: gettext_lazy("Stop featuring"),
}
TRANSITION_DONE = {
    Transition.SUBMIT: gettext_lazy("The resource was submitted."),
    Transition.APPROVE: gettext_lazy("The resource was approved and published."),
    Transition.RETURN: gettext_lazy("The resource was returned to its unit."),
    Transition.FEATURE: gettext_lazy("The resource is featured on the theme site."),
    Transition.UNFEATURE: gettext_lazy("The resource is no longer featured."),
}
HELD_MESSAGE = gettext_lazy(
    "The resource contains words on the sensitive-word list: it is held until a moderator looks."
)


def _editable_units(user) -> list[Unit]:
    visible = orgs_policy.units_for(user, orgs_policy.Cap.UNIT_VIEW).filter(is_active=True)
    return [u for u in visible.order_by("path") if policy.can_edit_in(user, u)]


# --- List ------------------------------------------------------------------------------------


@workspace_view
def resource_list(request) -> HttpResponse:
    form = ResourceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.resource_workspace_list(
        viewer=request.user, status=filters.get("status"), kind=filters.get("kind")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for resource in page.object_list:
        resource.badge = STATUS_BADGES.get(resource.status, "badge")  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "resources/workspace/resource_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_create": bool(_editable_units(request.user)),
        },
    )


# --- Create ----------------------------------------------------------------------------------


@workspace_view
def resource_create(request) -> HttpResponse:
    campaign = campaign_current()
    if campaign is None:
        raise Http404
    units = _editable_units(request.user)
    if not units:
        raise NotAllowed()
    unit_qs = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
    activities = (
        Activity.objects.filter(campaign=campaign, lead_unit__in=unit_qs)
        .select_related("lead_unit")
        .order_by("-starts_at")
    )
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        units=unit_qs,
        activities=activities,
        initial={"unit": units[0].pk} if len(units) == 1 else {},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["kind"] in FILE_KINDS and data.get("upload_id") and not data.get("file"):
                    resource = services.resource_create_from_resumable(
                        actor=request.user,
                        unit=data["unit"],
                        campaign=campaign,
                        kind=data["kind"],
                        upload_id=data["upload_id"],
                        **form.service_data(),
                    )
                elif data["kind"] in FILE_KINDS:
                    resource = services.resource_create_from_upload(
                        actor=request.user,
                        unit=data["unit"],
                        campaign=campaign,
                        kind=data["kind"],
                        upload=data["file"],
                        **form.service_data(),
                    )
                else:
                    resource = services.resource_create(
                        actor=request.user,
                        unit=data["unit"],
                        campaign=campaign,
                        kind=data["kind"],
                        **form.service_data(),
                    )
            except DomainError as error:
                if isinstance(error, NotAllowed) and error.field is None:
                    raise
                apply_to_form(form, error)
                if error.field in (None, "file"):  # a refused upload is gone: choose it again
                    form.data = {**form.data.dict(), "upload_id": ""}  # type: ignore[attr-defined]
            else:
                messages.success(request, _("The resource was saved as a draft."))
                return redirect("resource_admin:detail", pk=resource.pk)
    return render(
        request,
        "resources/workspace/resource_form.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


# --- Edit ------------------------------------------------------------------------------------


@workspace_view
def resource_edit(request, pk: int) -> HttpResponse:
    """Edit a resource's metadata through `services.resource_update` (drafts and returned ones).

    404 when the person cannot see the resource, 403 when they see it without editing rights. A
    resource in another status shows why it cannot be edited (409) and offers no form; a refusal
    of the service is shown on the form (400, or 409 for a status changed meanwhile).
    """
    resource = selectors.resource_get_for_edit(actor=request.user, pk=pk)
    title = resource.title
    activities = (
        Activity.objects.filter(campaign_id=resource.campaign_id)
        .filter(
            Q(lead_unit__path__startswith=resource.unit.path)
            | Q(co_organizers__path__startswith=resource.unit.path)
            | Q(pk=resource.activity_id or 0)
        )
        .distinct()
        .select_related("lead_unit")
        .order_by("-starts_at")
    )
    form = ResourceEditForm(request.POST or None, resource=resource, activities=activities)
    refusal = ""
    status = 200
    if resource.status not in services.EDITABLE_STATUSES:
        refusal = _("A %(status)s resource cannot be edited.") % {
            "status": Status(resource.status).label
        }
        status = 409
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.resource_update(
                    actor=request.user, resource=resource, **form.service_data()
                )
            except DomainError as error:
                if isinstance(error, NotAllowed) and error.field is None:
                    raise
                apply_to_form(form, error)
                status = 409 if isinstance(error, Conflict) else 400
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("resource_admin:detail", pk=resource.pk)
    return render(
        request,
        "resources/workspace/resource_edit.html",
        {"form": form, "resource": resource, "title": title, "refusal": refusal},
        status=status,
    )


# --- Detail and transitions ------------------------------------------------------------------


def _detail(request, resource: Resource, *, reason_form=None, status: int = 200) -> HttpResponse:
    user = request.user
    offered = services.transitions_offered(user=user, resource=resource)
    thumbnails = sorted(int(w) for w in resource.thumbnails)
    context = {
        "resource": resource,
        "badge": STATUS_BADGES.get(resource.status, "badge"),
        "events": selectors.resource_events(resource=resource),
        "tags": list(resource.tags.all()),
        "transitions": [(step.value, TRANSITION_LABELS[step]) for step in offered],
        "may_return": Transition.RETURN in offered,
        "reason_form": reason_form or ReasonForm(),
        "may_moderate": policy.can(user, Cap.MODERATE, resource),
        "screening_hits": [
            {**hit, "field_label": services.SCREENED_FIELDS.get(hit.get("field", ""), "")}
            for hit in resource.screening_hits or []
        ],
        "thumbnail": f"thumb-{thumbnails[-1]}" if thumbnails else "",
        "thumbnail_width": thumbnails[-1] if thumbnails else 0,
        "processing_waits": resource.processing in (Processing.PENDING, Processing.RUNNING),
        "may_edit": resource.status in services.EDITABLE_STATUSES
        and policy.can(user, Cap.EDIT, resource),
    }
    return render(request, "resources/workspace/resource_detail.html", context, status=status)


@workspace_view
def resource_detail(request, pk: int) -> HttpResponse:
    resource = selectors.resource_get(viewer=request.user, pk=pk)
    return _detail(request, resource)


@workspace_view
@require_POST
def resource_transition(request, pk: int, transition: str) -> HttpResponse:
    resource = selectors.resource_get(viewer=request.user, pk=pk)
    try:
        step = Transition(transition)
    except ValueError:
        raise Http404 from None
    actor = request.user
    form = ReasonForm(request.POST) if step == Transition.RETURN else None
    done = TRANSITION_DONE[step]
    try:
        if form is not None and not form.is_valid():
            policy.require(actor, Cap.MODERATE, resource)
            return _detail(request, resource, reason_form=form, status=400)
        if step == Transition.SUBMIT:
            resource = services.resource_submit(actor=actor, resource=resource)
            if resource.status == Status.HELD:
                done = HELD_MESSAGE
        elif step == Transition.APPROVE:
            services.resource_approve(actor=actor, resource=resource)
        elif step == Transition.RETURN:
            assert form is not None
            services.resource_return(
                actor=actor, resource=resource, reason=form.cleaned_data["reason"]
            )
        elif step == Transition.FEATURE:
            services.resource_feature(actor=actor, resource=resource)
        else:
            services.resource_unfeature(actor=actor, resource=resource)
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        resource = selectors.resource_get(viewer=actor, pk=pk)
        if form is not None and error.field in form.fields:
            apply_to_form(form, error)
            return _detail(request, resource, reason_form=form, status=400)
        messages.error(request, str(error))
        return _detail(request, resource, status=400)
    messages.success(request, done)
    return redirect("resource_admin:detail", pk=pk)


# --- Stored files ----------------------------------------------------------------------------


@workspace_view
def resource_file(request, pk: int, which: str) -> HttpResponseBase:
    """Serve the original, the preview or a thumbnail after the permission check."""
    resource = selectors.resource_get(viewer=request.user, pk=pk)
    return serving.private(request, resource, which)
