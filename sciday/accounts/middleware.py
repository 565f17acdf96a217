"""Session policy: idle and absolute timeouts, password age, second factor for national roles."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

SESSION_LAST_SEEN = "sciday_last_seen"
SESSION_STARTED = "sciday_started"

# Paths a signed-in person may reach while a password change or a second factor is pending.
_OPEN_PREFIXES = ("/static/", "/media/", "/healthz", "/api/", "/i18n/", "/favicon")


def password_expired(user) -> bool:
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if not max_age or user.password_changed_at is None:
        return bool(max_age) and user.has_usable_password()
    return user.password_changed_at + timedelta(days=max_age) <= timezone.now()


def needs_second_factor(user) -> bool:
    from sciday.accounts.selectors import user_requires_second_factor

    return user_requires_second_factor(user=user) and not user.is_verified()


class SessionPolicyMiddleware:
    """Runs after authentication and django-otp's middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            started = request.session.setdefault(SESSION_STARTED, now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            ):
                logout(request)
                messages.info(request, _("Your session timed out. Please sign in again."))
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            request.session[SESSION_LAST_SEEN] = now
            redirect_to = self._pending_step(request)
            if redirect_to and request.path != redirect_to:
                return redirect(redirect_to)
        return self.get_response(request)

    def _pending_step(self, request) -> str | None:
        if request.path.startswith(_OPEN_PREFIXES):
            return None
        logout_path = reverse("accounts:logout")
        if request.path == logout_path:
            return None
        user = request.user
        if needs_second_factor(user):
            from sciday.accounts.selectors import user_has_confirmed_device

            if user_has_confirmed_device(user=user):
                return reverse("accounts:otp_verify")
            return reverse("accounts:otp_setup")
        if password_expired(user):
            return reverse("accounts:password_change")
        return None
