"""Pages of the system administrator and the security administrator (三权分立).

The auditor's page is `sciday.core.audit_views`. Each page answers 403 to everyone but its
own role (see `sciday.accounts.policy`); the services check the role again.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sciday.accounts import forms, services
from sciday.accounts.models import SystemRole, User
from sciday.accounts.policy import system_role_required
from sciday.accounts.selectors import security_overview, user_by_email, user_list
from sciday.core.errors import DomainError

# --- System administrator: accounts ---------------------------------------------------------


@system_role_required(SystemRole.SYSTEM_ADMIN)
def admin_users(request):
    form = forms.UserSearchForm(request.GET or None)
    search, status = "", ""
    if form.is_valid():
        search = form.cleaned_data["q"].strip()
        status = form.cleaned_data["status"]
    qs = user_list(search=search).annotate(unit_count=Count("memberships"))
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "disabled":
        qs = qs.filter(is_active=False)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/admin_users.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@system_role_required(SystemRole.SYSTEM_ADMIN)
@require_POST
def admin_user_set_active(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user=person, active=active)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if active:
            messages.success(request, _("%(person)s can sign in again.") % {"person": person})
        else:
            messages.success(
                request,
                _(
                    "%(person)s was disabled: their sessions ended and their API tokens "
                    "were revoked."
                )
                % {"person": person},
            )
    back = request.POST.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("accounts:admin_users")
    return redirect(back)


# --- Security administrator: lockouts, second factors, who holds which system role ----------


@system_role_required(SystemRole.SECURITY_ADMIN)
def security(request):
    return render(request, "accounts/security.html", security_overview())


@system_role_required(SystemRole.SECURITY_ADMIN)
@require_POST
def security_unlock(request):
    username = request.POST.get("username", "").strip()
    ip_address = request.POST.get("ip_address", "").strip()
    try:
        services.lockout_lift(actor=request.user, username=username, ip_address=ip_address)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("The lockout of %(who)s was lifted.") % {"who": username or ip_address}
        )
    return redirect("accounts:security")


@system_role_required(SystemRole.SECURITY_ADMIN)
@require_POST
def security_reset_second_factor(request):
    email = request.POST.get("email", "").strip()
    person = user_by_email(email=email)
    if person is None:
        messages.error(request, _("No account has this e-mail address."))
        return redirect("accounts:security")
    try:
        services.user_reset_second_factor(actor=request.user, user=person)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The second factor of %(person)s was reset; they set it up again at next sign-in.")
            % {"person": person},
        )
    return redirect("accounts:security")
