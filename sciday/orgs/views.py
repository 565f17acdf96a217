"""The unit workspace: a person's units, members, sub-units, invitations and the campaign timeline.

Thin views: selectors read (and authorise: 404 outside what the person may see, 403 when only
seen), services write; a `DomainError` is shown on the form, a `NotAllowed` answers 403.
"""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sciday.accounts import selectors as account_selectors
from sciday.accounts import services as account_services
from sciday.accounts.models import Invitation, Membership, Role
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import DomainError, NotAllowed, apply_to_form
from sciday.orgs import policy, selectors, services
from sciday.orgs.forms import InviteForm, RoleForm, UnitCreateForm, UnitEditForm, UnitMoveForm
from sciday.orgs.models import Unit, UnitKind
from sciday.orgs.policy import Cap

PAGE_SIZE = 25


def workspace_view(view):
    """Signed-in people only; a refusal from a service (NotAllowed) answers 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc

    return wrapped


def _show_error(form, error: DomainError, region_field: str | None = None) -> None:
    if error.field == "region" and region_field:
        error.field = region_field
    elif error.field == "parent" and "parent" not in form.fields:
        error.field = None
    if isinstance(error, NotAllowed):
        raise error
    apply_to_form(form, error)


def _caps(user, unit: Unit) -> dict[str, bool]:
    return {cap.name.lower(): policy.can(user, cap, unit) for cap in Cap}


# --- Overview --------------------------------------------------------------------------------


def _timeline(campaign) -> list[dict]:
    """Return the campaign's dates in order, each marked past, next or upcoming."""
    if campaign is None:
        return []
    deadline = timezone.localtime(campaign.report_deadline)
    items: list[dict] = [
        {"on": campaign.window_start, "label": gettext_lazy("Activity period opens")},
        {"on": campaign.day, "label": gettext_lazy("National S&T Workers Day"), "key": True},
        {"on": campaign.window_end, "label": gettext_lazy("Activity period closes")},
        {
            "on": deadline.date(),
            "at": deadline,
            "label": gettext_lazy("Summary reports due"),
        },
    ]
    if campaign.awards_from:
        items.append(
            {
                "on": campaign.awards_from,
                "until": campaign.awards_until,
                "label": gettext_lazy("Awards and commendations"),
            }
        )
    items.sort(key=lambda item: item["on"])
    today: date = timezone.localdate()
    next_found = False
    for item in items:
        end = item.get("until") or item["on"]
        if end < today:
            item["state"] = "past"
        elif not next_found:
            item["state"] = "next"
            next_found = True
        else:
            item["state"] = "upcoming"
    return items


@workspace_view
def overview(request):
    memberships = account_selectors.user_memberships(user=request.user)
    campaign = campaign_current()
    return render(
        request,
        "orgs/overview.html",
        {
            "memberships": memberships,
            "campaign": campaign,
            "timeline": _timeline(campaign),
            "nav": "overview",
        },
    )


# --- Units -----------------------------------------------------------------------------------


@workspace_view
def unit_list(request):
    kind = request.GET.get("kind", "")
    if kind not in UnitKind.values:
        kind = ""
    search = request.GET.get("q", "").strip()[:100]
    root = None
    tree = None
    if request.GET.get("root", "").isdigit():
        root = selectors.unit_get(viewer=request.user, pk=int(request.GET["root"]))
        tree = selectors.unit_tree(viewer=request.user, root=root)
    page = None
    if tree is None:
        qs = selectors.unit_list(viewer=request.user, kind=kind or None, search=search)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orgs/unit_list.html",
        {
            "page": page,
            "tree": tree,
            "root": root,
            "kind": kind,
            "search": search,
            "kinds": UnitKind.choices,
            "query": query.urlencode(),
            "nav": "units",
        },
    )


def _unit_context(request, unit: Unit) -> dict:
    ancestors = selectors.unit_ancestors(unit=unit)
    crumbs = [{"unit": a, "visible": policy.can(request.user, Cap.UNIT_VIEW, a)} for a in ancestors]
    return {"unit": unit, "crumbs": crumbs, "caps": _caps(request.user, unit), "nav": "units"}


def _members_context(request, unit: Unit, caps: dict) -> dict:
    context: dict = {"members": None, "invitations": None, "role_choices": []}
    if caps["member_view"]:
        context["members"] = list(account_selectors.unit_members(unit=unit))
    if caps["member_manage"]:
        roles = policy.assignable_roles(request.user, unit)
        context["assignable"] = roles
        context["role_choices"] = [(r, Role(r).label) for r in roles]
        context["invitations"] = list(account_selectors.unit_invitations(unit=unit))
        for membership in context["members"] or []:
            membership.manageable = (
                membership.role in roles and membership.user_id != request.user.pk
            )
    return context


@workspace_view
def unit_detail(request, pk: int):
    unit = selectors.unit_get(viewer=request.user, pk=pk)
    context = _unit_context(request, unit)
    context["children"] = list(selectors.unit_children(unit=unit))
    context.update(_members_context(request, unit, context["caps"]))
    return render(request, "orgs/unit_detail.html", context)


@workspace_view
def unit_edit(request, pk: int):
    unit = selectors.unit_get(viewer=request.user, pk=pk, cap=Cap.UNIT_EDIT)
    initial = {
        "name": unit.name,
        "short_name": unit.short_name,
        "code": unit.code or "",
        "address": unit.address,
        **UnitEditForm.initial_for(unit.region),
    }
    form = UnitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_update(
                actor=request.user,
                unit=unit,
                name=data["name"],
                short_name=data["short_name"],
                code=data["code"] or None,
                region_code=data["region_code"],
                address=data["address"],
            )
        except DomainError as error:
            _show_error(form, error, form.region_field_for_error())
        else:
            messages.success(request, _("The unit's details were saved."))
            return redirect("orgs:unit_detail", pk=unit.pk)
    context = _unit_context(request, unit)
    context.update(form=form, title=_("Edit %(unit)s") % {"unit": unit.name})
    return render(request, "orgs/unit_form.html", context)


@workspace_view
def unit_create(request, pk: int):
    parent = selectors.unit_get(viewer=request.user, pk=pk, cap=Cap.UNIT_CREATE_CHILD)
    form = UnitCreateForm(
        request.POST or None, parent=parent, initial=UnitCreateForm.initial_for(parent.region)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            child = services.unit_create(
                actor=request.user,
                parent=parent,
                name=data["name"],
                kind=data["kind"],
                short_name=data["short_name"],
                code=data["code"] or None,
                region_code=data["region_code"],
                address=data["address"],
            )
        except DomainError as error:
            _show_error(form, error, form.region_field_for_error())
        else:
            messages.success(request, _("The sub-unit %(unit)s was created.") % {"unit": child})
            return redirect("orgs:unit_detail", pk=child.pk)
    context = _unit_context(request, parent)
    context.update(form=form, title=_("New sub-unit of %(unit)s") % {"unit": parent.name})
    return render(request, "orgs/unit_form.html", context)


@workspace_view
def unit_move(request, pk: int):
    unit = selectors.unit_get(viewer=request.user, pk=pk, cap=Cap.UNIT_MOVE)
    targets = selectors.unit_move_targets(actor=request.user, unit=unit)
    form = UnitMoveForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_move(
                actor=request.user, unit=unit, new_parent=form.cleaned_data["parent"]
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The unit was moved."))
            return redirect("orgs:unit_detail", pk=unit.pk)
    context = _unit_context(request, unit)
    context.update(form=form)
    return render(request, "orgs/unit_move.html", context)


# --- Members and invitations -----------------------------------------------------------------


@workspace_view
def member_list(request, pk: int):
    unit = selectors.unit_get(viewer=request.user, pk=pk, cap=Cap.MEMBER_VIEW)
    context = _unit_context(request, unit)
    context.update(_members_context(request, unit, context["caps"]))
    return render(request, "orgs/members.html", context)


@workspace_view
def member_invite(request, pk: int):
    unit = selectors.unit_get(viewer=request.user, pk=pk, cap=Cap.MEMBER_MANAGE)
    form = InviteForm(request.POST or None, roles=policy.assignable_roles(request.user, unit))
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _secret = account_services.invitation_create(
                actor=request.user,
                unit=unit,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s. The link is valid until %(date)s.")
                % {
                    "email": invitation.email,
                    "date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
            return redirect("orgs:member_list", pk=unit.pk)
    context = _unit_context(request, unit)
    context.update(form=form)
    return render(request, "orgs/member_invite.html", context)


def _membership(request, pk: int, membership_id: int) -> Membership:
    unit = selectors.unit_get(viewer=request.user, pk=pk, cap=Cap.MEMBER_MANAGE)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, unit=unit
    )
    membership.unit = unit
    return membership


@workspace_view
@require_POST
def member_role(request, pk: int, membership_id: int):
    membership = _membership(request, pk, membership_id)
    form = RoleForm(request.POST, roles=policy.assignable_roles(request.user, membership.unit))
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles offered."))
    else:
        try:
            account_services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except NotAllowed:
            raise
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(person)s is now %(role)s.")
                % {"person": membership.user, "role": membership.get_role_display()},
            )
    return redirect("orgs:member_list", pk=pk)


@workspace_view
def member_remove(request, pk: int, membership_id: int):
    membership = _membership(request, pk, membership_id)
    if request.method == "POST":
        try:
            account_services.membership_remove(actor=request.user, membership=membership)
        except NotAllowed:
            raise
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(person)s was removed from the unit.") % {"person": membership.user},
            )
        return redirect("orgs:member_list", pk=pk)
    context = _unit_context(request, membership.unit)
    context.update(membership=membership)
    return render(request, "orgs/member_remove.html", context)


@workspace_view
@require_POST
def invitation_revoke(request, pk: int, invitation_id: int):
    unit = selectors.unit_get(viewer=request.user, pk=pk, cap=Cap.MEMBER_MANAGE)
    invitation = get_object_or_404(Invitation, pk=invitation_id, unit=unit)
    invitation.unit = unit
    try:
        account_services.invitation_revoke(actor=request.user, invitation=invitation)
    except NotAllowed:
        raise
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("orgs:member_list", pk=pk)
