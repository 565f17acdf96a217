"""Security events from Django's auth signals and django-axes, written to the audit log.

Connected in `AccountsConfig.ready`. Each signed-in session is also recorded (`UserSession`) so
that disabling an account or resetting its password can end every one of them.
"""

from __future__ import annotations

import time
from datetime import timedelta

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from sciday.accounts.middleware import SESSION_HAS_DEVICE, SESSION_LAST_SEEN, SESSION_STARTED
from sciday.accounts.models import User, UserSession
from sciday.accounts.selectors import user_has_confirmed_device
from sciday.core.audit import audit_record
from sciday.core.context import client_ip


def _masked_login(login: str) -> str:
    """Return what was typed as the login, with a mobile number masked (no PII in clear)."""
    login = (login or "").strip()[:100]
    if "@" in login or len(login) < 7:
        return login
    return f"{login[:3]}****{login[-4:]}"


@receiver(user_logged_in, dispatch_uid="sciday_accounts_logged_in")
def on_logged_in(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        now = time.time()
        session[SESSION_STARTED] = now
        session[SESSION_LAST_SEEN] = now
        session[SESSION_HAS_DEVICE] = user_has_confirmed_device(user=user)
        if session.session_key is None:
            session.save()
        # Rows of sessions that have certainly expired are no longer needed.
        stale = timezone.now() - timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT)
        UserSession.objects.filter(user=user, created_at__lt=stale).delete()
        UserSession.objects.update_or_create(
            session_key=session.session_key,
            defaults={"user": user, "ip": client_ip(request) if request.META else None},
        )
    audit_record(actor=user, action="accounts.login.succeeded", obj=user)


@receiver(user_logged_out, dispatch_uid="sciday_accounts_logged_out")
def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()
    reason = getattr(request, "sciday_logout_reason", "")
    audit_record(
        actor=user,
        action="accounts.logout",
        obj=user,
        changes={"reason": reason} if reason else None,
    )


@receiver(user_login_failed, dispatch_uid="sciday_accounts_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    login = (credentials or {}).get("username") or ""
    user = User.objects.get_by_login(login)
    audit_record(
        actor=None,
        action="accounts.login.failed",
        obj=user,
        success=False,
        changes={"login": _masked_login(login)},
    )


@receiver(user_locked_out, dispatch_uid="sciday_accounts_locked_out")
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    user = User.objects.get_by_login(username or "")
    audit_record(
        actor=None,
        action="accounts.login.locked",
        obj=user,
        success=False,
        changes={"login": _masked_login(username or ""), "ip": ip_address or ""},
    )
