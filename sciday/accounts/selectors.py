"""Reads about people and their roles, cached on the user object for one request."""

from __future__ import annotations

from django.db.models import QuerySet

from sciday.accounts.models import NATIONAL_ROLES, Invitation, Membership, Role, SystemRole, User


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
