"""Every write about people: invitations, memberships, passwords, tokens, second factor."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciday.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Role,
    SystemRole,
    User,
    normalize_phone,
)
from sciday.core.audit import audit_record
from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.orgs import policy
from sciday.orgs.models import Unit
from sciday.orgs.policy import Cap

PHONE_PATTERN_HELP = _("Enter an 11-digit mainland mobile number, such as 13800138000.")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _validate_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password", code="weak_password") from exc


def _validate_phone(phone: str, exclude_pk: int | None = None) -> str:
    if not phone:
        return ""
    value = normalize_phone(phone)
    if len(value) != 11 or not value.isdigit() or value[0] != "1" or value[1] not in "3456789":
        raise DomainError(PHONE_PATTERN_HELP, field="phone", code="invalid_phone")
    existing = User.objects.get_by_login(value)
    if existing is not None and existing.pk != exclude_pk:
        raise Conflict(_("This mobile number is already in use."), field="phone")
    return value


def _validate_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(_("Enter a valid e-mail address."), field="email") from exc
    return email


# --- Invitations ----------------------------------------------------------------------------


def _check_role_assignable(actor, unit: Unit, role: str) -> None:
    policy.require(actor, Cap.MEMBER_MANAGE, unit)
    if role not in Role.values:
        raise DomainError(_("Choose a role."), field="role")
    if role not in policy.assignable_roles(actor, unit):
        raise NotAllowed(_("You may not give this role in this unit."))


@transaction.atomic
def invitation_create(
    *, actor, unit: Unit, email: str, name: str, role: str
) -> tuple[Invitation, str]:
    """Invite a person to `unit` with `role`; return the invitation and its one-time secret.

    The e-mail with the link is sent after the transaction commits.
    """
    _check_role_assignable(actor, unit, role)
    email = _validate_email(email)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter the person's name."), field="name")
    if Membership.objects.filter(unit=unit, user__email__iexact=email).exists():
        raise Conflict(_("This person is already a member of the unit."), field="email")
    if User.objects.filter(email__iexact=email).exclude(system_role="").exists():
        raise Conflict(
            _("This person holds a system role and cannot also hold a role in a unit."),
            field="email",
        )
    now = timezone.now()
    if Invitation.objects.filter(
        unit=unit, email__iexact=email, accepted_at=None, revoked_at=None, expires_at__gt=now
    ).exists():
        raise Conflict(
            _("This person already has a pending invitation to the unit."), field="email"
        )
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        unit=unit,
        role=role,
        email=email,
        name=name,
        token_hash=_hash(secret),
        invited_by=actor,
        expires_at=now + settings.INVITATION_TTL,
    )
    audit_record(
        actor=actor,
        action="accounts.invitation.created",
        obj=invitation,
        changes={"unit": str(unit), "role": role, "email": email},
    )
    from sciday.accounts.tasks import send_invitation_email

    transaction.on_commit(
        lambda: send_invitation_email.enqueue(invitation_id=invitation.pk, secret=secret)
    )
    return invitation, secret


def invitation_by_secret(*, secret: str) -> Invitation:
    """Return the invitation for a link's secret; refuse unknown, used, revoked or expired ones."""
    invitation = (
        Invitation.objects.select_related("unit").filter(token_hash=_hash(secret or "")).first()
    )
    if invitation is None:
        raise DomainError(_("This invitation link is not valid."), code="invalid_invitation")
    if invitation.accepted_at:
        raise DomainError(_("This invitation has already been accepted."), code="used_invitation")
    if invitation.revoked_at:
        raise DomainError(_("This invitation was withdrawn."), code="revoked_invitation")
    if invitation.expires_at <= timezone.now():
        raise DomainError(
            _("This invitation has expired. Ask the unit's administrator for a new one."),
            code="expired_invitation",
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    secret: str,
    user: User | None = None,
    password: str = "",
    phone: str = "",
    name: str = "",
) -> Membership:
    """Accept an invitation: as the signed-in `user`, or as a new account with `password`.

    Returns the new membership. A new account's e-mail is the invited address.
    """
    invitation = invitation_by_secret(secret=secret)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise NotAllowed(
                _(
                    "This invitation was sent to another e-mail address. "
                    "Sign out and open the link again."
                )
            )
        person = user
        if person.system_role:
            raise NotAllowed(_("A holder of a system role cannot also hold a role in a unit."))
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise DomainError(
                _("An account with this e-mail already exists. Sign in first, then open the link."),
                code="account_exists",
            )
        person = User(email=invitation.email, name=(name or invitation.name).strip())
        person.set_phone(_validate_phone(phone))
        _validate_password(password, person)
        person.set_password(password)
        person.full_clean(exclude=["password"])
        person.save()
        audit_record(actor=person, action="accounts.user.created", obj=person)
    if Membership.objects.filter(user=person, unit=invitation.unit).exists():
        raise Conflict(_("You are already a member of this unit."))
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=person, unit=invitation.unit, role=invitation.role
            )
    except IntegrityError as exc:
        raise Conflict(_("You are already a member of this unit.")) from exc
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = person
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=person,
        action="accounts.invitation.accepted",
        obj=invitation,
        changes={"unit": str(invitation.unit), "role": invitation.role},
    )
    return membership


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    _check_role_held_manageable(actor, invitation.unit, invitation.role)
    if invitation.accepted_at:
        raise DomainError(_("An accepted invitation cannot be withdrawn."))
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.invitation.revoked", obj=invitation)
    return invitation


# --- Memberships ----------------------------------------------------------------------------


def _check_role_held_manageable(actor, unit: Unit, role: str) -> None:
    """Refuse to touch a person whose current role the actor could not have given.

    Without this a unit admin of a national department could demote or remove a campaign admin.
    """
    policy.require(actor, Cap.MEMBER_MANAGE, unit)
    if role not in policy.assignable_roles(actor, unit):
        raise NotAllowed(_("You may not change the role of a person with this role."))


@transaction.atomic
def membership_change_role(*, actor, membership: Membership, role: str) -> Membership:
    _check_role_held_manageable(actor, membership.unit, membership.role)
    _check_role_assignable(actor, membership.unit, role)
    if membership.user_id == actor.pk:
        raise DomainError(_("You cannot change your own role."))
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor,
        action="accounts.membership.role_changed",
        obj=membership,
        changes={"role": [old, role], "user": str(membership.user)},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    _check_role_held_manageable(actor, membership.unit, membership.role)
    if membership.user_id == actor.pk:
        raise DomainError(_("You cannot remove yourself from a unit."))
    audit_record(
        actor=actor,
        action="accounts.membership.removed",
        obj=membership,
        changes={
            "user": str(membership.user),
            "unit": str(membership.unit),
            "role": membership.role,
        },
    )
    membership.delete()


# --- Passwords and accounts -----------------------------------------------------------------


@transaction.atomic
def user_set_password(
    *,
    actor,
    user: User,
    password: str,
    old_password: str | None = None,
    keep_session_key: str | None = None,
) -> User:
    """Set a new password (the old one is checked when given); refuse weak and unchanged ones.

    Every other session of the person ends; `keep_session_key` (the current one) stays.
    """
    if actor.pk != user.pk:
        raise NotAllowed()
    if old_password is not None and not user.check_password(old_password):
        raise DomainError(_("The current password is not correct."), field="old_password")
    if user.has_usable_password() and user.check_password(password):
        raise DomainError(_("The new password must differ from the current one."), field="password")
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password", "password_changed_at"])
    user_end_sessions(user=user, keep_session_key=keep_session_key)
    audit_record(actor=user, action="accounts.user.password_changed", obj=user)
    return user


@transaction.atomic
def user_reset_password(*, user: User, password: str) -> User:
    """Set a new password through an e-mailed reset link (the link's holder acts as `user`).

    Ends every session of the person, so whoever else may have held one is signed out.
    """
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password", "password_changed_at"])
    user_end_sessions(user=user)
    audit_record(actor=user, action="accounts.user.password_reset", obj=user)
    return user


@transaction.atomic
def user_update_profile(*, actor, user: User, name: str, phone: str = "") -> User:
    if actor.pk != user.pk:
        raise NotAllowed()
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter your name."), field="name")
    user.name = name
    user.set_phone(_validate_phone(phone, exclude_pk=user.pk))
    user.save(update_fields=["name", "phone_encrypted", "phone_index"])
    audit_record(actor=actor, action="accounts.user.profile_updated", obj=user)
    return user


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> User:
    """Enable or disable an account (system administrator); disabling ends its sessions."""
    if actor.system_role != SystemRole.SYSTEM_ADMIN:
        raise NotAllowed()
    if user.pk == actor.pk:
        raise DomainError(_("You cannot disable your own account."))
    if user.system_role:
        raise NotAllowed(
            _("Accounts holding a system role are managed with the grant_system_role command.")
        )
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        user_end_sessions(user=user)
        ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action="accounts.user.enabled" if active else "accounts.user.disabled",
        obj=user,
    )
    return user


def user_end_sessions(*, user: User, keep_session_key: str | None = None) -> None:
    """End every session of `user` (database and cache sessions alike), but `keep_session_key`."""
    from importlib import import_module

    engine = import_module(settings.SESSION_ENGINE)
    from sciday.accounts.models import UserSession

    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    for key in sessions.values_list("session_key", flat=True):
        engine.SessionStore(session_key=key).delete()
    sessions.delete()


@transaction.atomic
def user_unlock(*, actor, user: User) -> None:
    """Lift a login lockout (security administrator)."""
    if actor.system_role != SystemRole.SECURITY_ADMIN:
        raise NotAllowed()
    from axes.utils import reset

    reset(username=user.email)
    audit_record(actor=actor, action="accounts.user.unlocked", obj=user)


@transaction.atomic
def lockout_lift(*, actor, username: str = "", ip_address: str = "") -> int:
    """Lift the lockout of a login name or of an address (security administrator).

    Returns how many lockout records were cleared. A login name need not belong to an account
    (an attacker may have guessed it), so this works on what the lockout was keyed on.
    """
    if actor.system_role != SystemRole.SECURITY_ADMIN:
        raise NotAllowed()
    if bool(username) == bool(ip_address):
        raise DomainError(_("Choose one login name or one address to unlock."))
    from axes.utils import reset

    count = reset(username=username) if username else reset(ip=ip_address)
    user = User.objects.get_by_login(username) if username else None
    audit_record(
        actor=actor,
        action="accounts.lockout.lifted",
        obj=user,
        object_repr=None if user else (username or ip_address),
        changes={"username": username, "ip": ip_address, "records": count},
    )
    return count


@transaction.atomic
def user_reset_second_factor(*, actor, user: User) -> None:
    """Remove a person's TOTP devices (lost phone); they enrol again at next sign-in.

    Security administrator only, and never their own: a second holder must do it.
    """
    if actor.system_role != SystemRole.SECURITY_ADMIN:
        raise NotAllowed()
    if user.pk == actor.pk:
        raise NotAllowed(_("Another security administrator must reset your own second factor."))
    from django_otp.plugins.otp_totp.models import TOTPDevice

    deleted, _details = TOTPDevice.objects.filter(user=user).delete()
    user_end_sessions(user=user)
    audit_record(
        actor=actor,
        action="accounts.totp.reset",
        obj=user,
        changes={"devices": deleted},
    )


@transaction.atomic
def user_grant_system_role(*, user: User, role: str, actor=None) -> User:
    """Give one of the three separated system roles (deployment command only).

    A person holds at most one; a holder of a system role holds no unit roles, so no one
    combines administration of the system with running the campaign.
    """
    if role not in SystemRole.values:
        raise DomainError(_("Unknown system role."))
    if role and user.memberships.exists():
        raise Conflict(_("A person with roles in units cannot also hold a system role."))
    old = user.system_role
    user.system_role = role
    user.save(update_fields=["system_role"])
    audit_record(
        actor=actor,
        action="accounts.user.system_role_changed",
        obj=user,
        changes={"system_role": [old, role]},
    )
    return user


# --- API tokens -----------------------------------------------------------------------------

TOKEN_PREFIX = "sd_"  # noqa: S105 (a public prefix, not a secret)


@transaction.atomic
def api_token_create(*, actor, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    """Create a personal API token; return it and the secret, which is shown only once."""
    name = (name or "").strip()
    if not name:
        raise DomainError(
            _("Give the token a name, such as the system that will use it."), field="name"
        )
    if days is not None and not (1 <= days <= 730):
        raise DomainError(_("A token may last from 1 to 730 days."), field="days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=secret[:10],
        key_hash=_hash(secret),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit_record(actor=actor, action="accounts.api_token.created", obj=token)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise NotAllowed()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.api_token.revoked", obj=token)
    return token


def api_token_authenticate(*, secret: str) -> User | None:
    """Return the active user owning a usable token with this secret, else None."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(secret)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Second factor (TOTP) -------------------------------------------------------------------


@transaction.atomic
def totp_device_begin(*, actor: User):
    """Return the person's unconfirmed TOTP device, creating one with a fresh key if needed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=actor, name=str(_("Authenticator app")), confirmed=False
        )
    return device


def _clean_token(token: str) -> str:
    return "".join(ch for ch in (token or "") if ch.isdigit())


def totp_device_confirm(*, actor: User, device, token: str):
    """Confirm an enrolment with a code from the app; return the confirmed device.

    Any other device of the person is removed, so exactly one authenticator is in use.
    """
    if device.user_id != actor.pk:
        raise NotAllowed()
    with transaction.atomic():
        ok = device.verify_token(_clean_token(token))
    if not ok:
        audit_record(actor=actor, action="accounts.totp.enrol_failed", obj=actor, success=False)
        raise DomainError(
            _("The code is not correct. Check the time on your phone and enter the current code."),
            field="token",
            code="invalid_token",
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        type(device).objects.filter(user=actor).exclude(pk=device.pk).delete()
        audit_record(actor=actor, action="accounts.totp.enrolled", obj=actor)
    return device


def totp_verify(*, actor: User, token: str):
    """Check a code against the person's confirmed device; return the device.

    django-otp slows repeated failures down (exponential throttling) by itself.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=actor, confirmed=True).first()
    if device is None:
        raise DomainError(_("Set up an authenticator app first."), code="no_device")
    with transaction.atomic():
        allowed, _details = device.verify_is_allowed()
        ok = bool(allowed) and device.verify_token(_clean_token(token))
    if not ok:
        audit_record(actor=actor, action="accounts.totp.failed", obj=actor, success=False)
        if not allowed:
            raise DomainError(
                _("Too many wrong codes. Wait a moment before trying again."),
                field="token",
                code="throttled",
            )
        raise DomainError(
            _("The code is not correct. Check the time on your phone and enter the current code."),
            field="token",
            code="invalid_token",
        )
    audit_record(actor=actor, action="accounts.totp.verified", obj=actor)
    return device


# --- Personal data (PIPL Art. 45: a copy of one's own data) ---------------------------------


def user_data_export(*, actor: User) -> dict:
    """Return the person's own data as plain JSON-ready values, and record the export."""
    from sciday.core.models import AuditEntry

    def when(value):
        return value.isoformat() if value else None

    data = {
        "profile": {
            "email": actor.email,
            "name": actor.name,
            "mobile": actor.phone,
            "language": actor.language,
            "system_role": actor.system_role,
            "joined": when(actor.date_joined),
            "last_login": when(actor.last_login),
            "password_changed": when(actor.password_changed_at),
        },
        "memberships": [
            {"unit": m.unit.name, "role": m.role, "since": when(m.created_at)}
            for m in Membership.objects.filter(user=actor).select_related("unit")
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created": when(t.created_at),
                "expires": when(t.expires_at),
                "last_used": when(t.last_used_at),
                "revoked": when(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=actor)
        ],
        "audit_entries": [
            {
                "at": when(e.at),
                "action": e.action,
                "success": e.success,
                "object": e.object_repr,
                "ip": e.ip,
            }
            for e in AuditEntry.objects.filter(actor=actor).order_by("at", "id")[:5000]
        ],
    }
    audit_record(actor=actor, action="accounts.user.data_exported", obj=actor)
    data["exported_at"] = when(timezone.now())
    return data


def user_session_moved(*, old_key: str | None, new_key: str | None) -> None:
    """Keep the session record when Django gives a session a new key (password change)."""
    from sciday.accounts.models import UserSession

    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)
