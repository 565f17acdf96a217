"""Reads about people and their roles, cached on the user object for one request."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone

from sciday.accounts.models import (
    NATIONAL_ROLES,
    ApiToken,
    Invitation,
    Membership,
    Role,
    SystemRole,
    User,
)


def user_memberships(*, user) -> list[Membership]:
    """Return the person's memberships with their units, fetched once per user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_sciday_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, unit__is_active=True)
            .select_related("unit", "unit__region")
            .order_by("unit__path")
        )
        user._sciday_memberships = cached
    return cached


def user_roles(*, user) -> set[str]:
    return {m.role for m in user_memberships(user=user)}


def user_is_campaign_admin(*, user) -> bool:
    return Role.CAMPAIGN_ADMIN in user_roles(user=user)


def user_is_department_reviewer(*, user) -> bool:
    return Role.DEPARTMENT_REVIEWER in user_roles(user=user)


def user_has_system_role(*, user, role: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.system_role == role


def user_requires_second_factor(*, user) -> bool:
    """National roles and the three system administrators must use a TOTP second factor."""
    if user.system_role != SystemRole.NONE:
        return True
    return bool(user_roles(user=user) & NATIONAL_ROLES)


def user_has_confirmed_device(*, user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def unit_members(*, unit) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(unit=unit).select_related("user").order_by("role", "user__name")
    )


def unit_invitations(*, unit) -> QuerySet[Invitation]:
    return Invitation.objects.filter(unit=unit).select_related("invited_by").order_by("-created_at")


def user_list(*, search: str = "") -> QuerySet[User]:
    qs = User.objects.order_by("email")
    if search:
        qs = qs.filter(email__icontains=search) | qs.filter(name__icontains=search)
    return qs


def user_by_email(*, email: str) -> User | None:
    """Return the account with this e-mail address (any case), or None."""
    email = (email or "").strip()
    return User.objects.filter(email__iexact=email).first() if email else None


def user_api_tokens(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def _recent_attempts():
    return AccessAttempt.objects.filter(
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    )


def _locked(key: str):
    """Usernames or addresses whose failures reached the limit within the cool-off."""
    qs = _recent_attempts()
    if key == "username":
        qs = qs.exclude(username=None)
    return (
        qs.values(key)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )


def security_overview() -> dict:
    """Return what the security administrator's page shows: lockouts, failures, role holders."""
    failures = AccessFailureLog.objects.filter(
        attempt_time__gte=timezone.now() - timedelta(days=1)
    ).order_by("-attempt_time")
    locked_usernames = list(_locked("username")[:200])
    locked_addresses = list(_locked("ip_address")[:200])
    return {
        "locked_usernames": locked_usernames,
        "locked_addresses": locked_addresses,
        "failures": failures[:100],
        "failure_count": failures.count(),
        "holders": User.objects.exclude(system_role="").order_by("system_role", "email"),
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "no_locks": not (locked_usernames or locked_addresses),
    }
