"""Session policy: idle and absolute timeouts, password age, second factor for national roles."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_LAST_SEEN = "sciday_last_seen"
SESSION_STARTED = "sciday_started"
# Set at sign-in when the person has enrolled an authenticator although their roles do not
# require one: having opted in, they are asked for a code too.
SESSION_HAS_DEVICE = "sciday_has_device"

# Paths a signed-in person may reach while a password change or a second factor is pending.
_OPEN_PREFIXES = ("/static/", "/media/", "/healthz", "/api/", "/i18n/", "/favicon")


def password_expired(user) -> bool:
    """True when the password is older than PASSWORD_MAX_AGE_DAYS (0 turns the rule off)."""
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if not max_age or not user.has_usable_password():
        return False
    if user.password_changed_at is None:
        return True
    return user.password_changed_at + timedelta(days=max_age) <= timezone.now()


def needs_second_factor(user, session=None) -> bool:
    from sciday.accounts.selectors import user_requires_second_factor

    if user.is_verified():
        return False
    opted_in = bool(session is not None and session.get(SESSION_HAS_DEVICE))
    return opted_in or user_requires_second_factor(user=user)


class SessionPolicyMiddleware:
    """Runs after authentication and django-otp's middleware, before messages.

    A session that has been idle longer than SESSION_IDLE_TIMEOUT, or has lasted longer than
    SESSION_ABSOLUTE_TIMEOUT, is ended; the login page then says why (`?reason=timeout`, since
    the messages framework is not yet available at this point of the stack). A pending second
    factor or an expired password sends every page to the step that clears it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            started = request.session.get(SESSION_STARTED, now)
            reason = ""
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                reason = "idle"
            elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                reason = "absolute"
            if reason:
                request.sciday_logout_reason = reason
                logout(request)
                query = {"reason": "timeout"}
                if request.method == "GET" and not request.path.startswith(_OPEN_PREFIXES):
                    query["next"] = request.get_full_path()
                return redirect(f"{reverse('accounts:login')}?{urlencode(query)}")
            request.session[SESSION_LAST_SEEN] = now
            request.session.setdefault(SESSION_STARTED, now)
            redirect_to = self._pending_step(request)
            if redirect_to and request.path != redirect_to:
                if request.method == "GET":
                    redirect_to += "?" + urlencode({"next": request.get_full_path()})
                return redirect(redirect_to)
        return self.get_response(request)

    def _pending_step(self, request) -> str | None:
        if request.path.startswith(_OPEN_PREFIXES):
            return None
        if request.path == reverse("accounts:logout"):
            return None
        user = request.user
        if needs_second_factor(user, request.session):
            from sciday.accounts.selectors import user_has_confirmed_device

            if user_has_confirmed_device(user=user):
                return reverse("accounts:otp_verify")
            return reverse("accounts:otp_setup")
        if password_expired(user):
            return reverse("accounts:password_change")
        return None
