"""Pages for signing in and managing one's own account.

Thin views: forms collect input, services validate and write, domain errors go back onto the
form. The system roles' pages are in `admin_views.py`.
"""

from __future__ import annotations

import json
from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sciday.accounts import forms, services
from sciday.accounts.middleware import password_expired
from sciday.accounts.models import ApiToken
from sciday.accounts.policy import HOME_PAGE
from sciday.accounts.selectors import (
    user_api_tokens,
    user_by_email,
    user_has_confirmed_device,
    user_memberships,
    user_requires_second_factor,
)
from sciday.core.errors import DomainError, apply_to_form

BACKEND = "sciday.accounts.backends.EmailOrPhoneBackend"


def _safe_next(request, default: str) -> str:
    """Return `?next=` (or the posted `next`) when it points to this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- Signing in and out ---------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    form_class = forms.LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.GET.get("reason") == "timeout"
        return context

    def get_default_redirect_url(self):
        home = HOME_PAGE.get(getattr(self.request.user, "system_role", ""))
        return reverse(home) if home else super().get_default_redirect_url()


class SignOutView(auth_views.LogoutView):
    """POST only (Django refuses GET), so a link or an image cannot sign anyone out."""


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    """The page django-axes shows once a login name or an address is locked out."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked.html",
        {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


# --- Passwords ------------------------------------------------------------------------------


@login_required
def password_change(request):
    user = request.user
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=user,
                user=user,
                password=form.cleaned_data["password1"],
                old_password=form.cleaned_data["old_password"],
                keep_session_key=request.session.session_key,
            )
        except DomainError as error:
            if error.field == "password":
                error.field = "password1"
            apply_to_form(form, error)
        else:
            old_key = request.session.session_key
            update_session_auth_hash(request, user)
            services.user_session_moved(old_key=old_key, new_key=request.session.session_key)
            messages.success(request, _("Your password was changed."))
            return redirect(_safe_next(request, reverse("accounts:profile")))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "expired": password_expired(user),
            "max_age": settings.PASSWORD_MAX_AGE_DAYS,
        },
    )


class ResetRequestView(auth_views.PasswordResetView):
    form_class = forms.ResetRequestForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):  # type: ignore[override]
        """Links in e-mails are built from SITE_URL, never from the request's Host header."""
        return {
            "site_url": settings.SITE_URL.rstrip("/"),
            "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.ResetSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as error:
            error.field = "new_password1" if error.field == "password" else error.field
            apply_to_form(form, error)
            return self.form_invalid(form)


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Second factor --------------------------------------------------------------------------


def _qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)


@login_required
def otp_setup(request):
    user = request.user
    if user_has_confirmed_device(user=user) and not user.is_verified():
        # Enrolling a new device must not get around the one already set up.
        return redirect(f"{reverse('accounts:otp_verify')}?next={reverse('accounts:otp_setup')}")
    device = services.totp_device_begin(actor=user)
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_device_confirm(
                actor=user, device=device, token=form.cleaned_data["token"]
            )
        except DomainError as error:
            apply_to_form(form, error)
        else:
            django_otp.login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_safe_next(request, reverse("accounts:profile")))
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "required": user_requires_second_factor(user=user),
        },
    )


@login_required
def otp_verify(request):
    user = request.user
    if not user_has_confirmed_device(user=user):
        return redirect("accounts:otp_setup")
    if user.is_verified():
        return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_verify(actor=user, token=form.cleaned_data["token"])
        except DomainError as error:
            apply_to_form(form, error)
        else:
            django_otp.login(request, device)
            home = HOME_PAGE.get(user.system_role) or settings.LOGIN_REDIRECT_URL
            return redirect(_safe_next(request, reverse(home)))
    return render(request, "accounts/otp_verify.html", {"form": form})


# --- Invitations ----------------------------------------------------------------------------


def invitation_accept(request, secret: str):
    try:
        invitation = services.invitation_by_secret(secret=secret)
    except DomainError as error:
        status = 404 if error.code == "invalid_invitation" else 410
        return render(
            request, "accounts/invitation_invalid.html", {"error": error.message}, status=status
        )
    user = request.user
    context: dict = {"invitation": invitation}
    if user.is_authenticated:
        context["mode"] = "accept" if user.email.lower() == invitation.email.lower() else "other"
        if request.method == "POST" and context["mode"] == "accept":
            try:
                services.invitation_accept(secret=secret, user=user)
            except DomainError as error:
                context["error"] = error.message
            else:
                messages.success(
                    request,
                    _("You joined %(unit)s as %(role)s.")
                    % {"unit": invitation.unit, "role": invitation.get_role_display()},
                )
                return redirect(settings.LOGIN_REDIRECT_URL)
        status = 403 if context["mode"] == "other" else 200
        if context.get("error"):
            status = 409
        return render(request, "accounts/invitation_accept.html", context, status=status)

    if user_by_email(email=invitation.email) is not None:
        context["mode"] = "sign_in"
        context["login_url"] = f"{reverse('accounts:login')}?next={request.path}"
        return render(request, "accounts/invitation_accept.html", context)
    context["mode"] = "new"
    form = forms.InvitationAcceptForm(request.POST or None, initial={"name": invitation.name})
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                secret=secret,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password1"],
            )
        except DomainError as error:
            if error.field == "password":
                error.field = "password1"
            apply_to_form(form, error)
        else:
            auth_login(request, membership.user, backend=BACKEND)
            messages.success(
                request,
                _("Welcome. You joined %(unit)s as %(role)s.")
                % {"unit": invitation.unit, "role": invitation.get_role_display()},
            )
            return redirect(settings.LOGIN_REDIRECT_URL)
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context, status=200)


# --- Profile, tokens, personal data ---------------------------------------------------------


def _profile_context(request, **extra) -> dict:
    user = request.user
    return {
        "profile_form": forms.ProfileForm(initial={"name": user.name}),
        "token_form": forms.ApiTokenForm(),
        "tokens": user_api_tokens(user=user),
        "memberships": user_memberships(user=user),
        "has_device": user_has_confirmed_device(user=user),
        "totp_required": user_requires_second_factor(user=user),
        "now": timezone.now(),
        **extra,
    }


@login_required
def profile(request):
    user = request.user
    status = 200
    extra: dict = {}
    if request.method == "POST":
        form = forms.ProfileForm(request.POST)
        if form.is_valid():
            try:
                phone = form.cleaned_data["phone"].strip()
                if not phone and not form.cleaned_data["remove_phone"]:
                    phone = user.phone  # an empty field keeps the number on file
                services.user_update_profile(
                    actor=user, user=user, name=form.cleaned_data["name"], phone=phone
                )
            except DomainError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("accounts:profile")
        extra["profile_form"] = form
        status = 400
    return render(
        request, "accounts/profile.html", _profile_context(request, **extra), status=status
    )


@login_required
@require_POST
def token_create(request):
    form = forms.ApiTokenForm(request.POST)
    extra: dict = {"token_form": form}
    status = 400
    if form.is_valid():
        try:
            token, secret = services.api_token_create(
                actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except DomainError as error:
            apply_to_form(form, error)
        else:
            # Shown on this response only: the platform keeps just a hash of it.
            extra = {"new_token": token, "new_secret": secret}
            status = 201
    return render(
        request, "accounts/profile.html", _profile_context(request, **extra), status=status
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:profile")


@login_required
@require_POST
def data_export(request):
    data = services.user_data_export(actor=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="sciday-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response
