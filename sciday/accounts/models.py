"""People, their roles in units, invitations and personal API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciday.core import crypto


class Role(models.TextChoices):
    """Roles a person holds in a unit (a membership)."""

    CAMPAIGN_ADMIN = "campaign_admin", _("campaign admin")
    DEPARTMENT_REVIEWER = "department_reviewer", _("department reviewer")
    UNIT_ADMIN = "unit_admin", _("unit admin")
    UNIT_EDITOR = "unit_editor", _("unit editor")
    EXPERT = "expert", _("expert")
    CONSULTANT = "consultant", _("consultant")


# Roles held only in a national department; they require a TOTP second factor.
NATIONAL_ROLES = frozenset({Role.CAMPAIGN_ADMIN, Role.DEPARTMENT_REVIEWER})


class SystemRole(models.TextChoices):
    """The three separated administration roles (三权分立). One field: no one holds two."""

    NONE = "", _("none")
    SYSTEM_ADMIN = "system_admin", _("system administrator")
    AUDITOR = "auditor", _("auditor")
    SECURITY_ADMIN = "security_admin", _("security administrator")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_login(self, login: str) -> User | None:
        """Return the active or inactive user whose e-mail or mobile number is `login`."""
        login = (login or "").strip()
        if not login:
            return None
        if "@" in login:
            return self.filter(email__iexact=login).first()
        return self.filter(phone_index=crypto.blind_index(normalize_phone(login))).first()


def normalize_phone(value: str) -> str:
    """Strip spaces, dashes and a +86 prefix from a mainland mobile number."""
    digits = "".join(ch for ch in value if ch.isdigit() or ch == "+")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with e-mail or mobile number; the number is encrypted at rest."""

    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    phone_encrypted = models.TextField(_("mobile number (encrypted)"), blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    system_role = models.CharField(
        _("system role"), max_length=20, choices=SystemRole.choices, blank=True, default=""
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True, default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_index"],
                condition=~Q(phone_index=""),
                name="accounts_user_phone_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted)

    def set_phone(self, value: str) -> None:
        value = normalize_phone(value) if value else ""
        self.phone_encrypted = crypto.encrypt(value)
        self.phone_index = crypto.blind_index(value)

    @property
    def masked_phone(self) -> str:
        phone = self.phone
        return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else phone

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class Membership(models.Model):
    """A person's role in a unit. One role per person per unit."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="accounts_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class Invitation(models.Model):
    """An invitation of a person (by e-mail) to a unit with a role; the link carries a secret."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.unit}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ApiToken(models.Model):
    """A personal API token. Only a hash is kept; the secret is shown once when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class UserSession(models.Model):
    """A signed-in session of a person, so that disabling the account can end all of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.created_at:%Y-%m-%d %H:%M}"
