"""The showcase (风采展示): honours, nominations, review, the public notice (公示), profiles.

An `HonourKind` belongs to a campaign (最美科技工作者 each year; 全国创新争先奖 every three years).
Units nominate people or teams within a `Quota` per unit kind, until the honour's deadline day
(Asia/Shanghai, the whole day). A `Nomination` goes:

    draft → submitted → qualified → shortlisted → in_notice → published
                      ↘ not_qualified (with a reason)

Experts `Score` qualified nominations; campaign admins shortlist, open a `PublicNotice` (公示) for
the shortlisted ones, answer each `Objection`, then publish: a published nomination is a profile.
Files (`NominationFile`) are private: the unit, campaign admins and the honour's experts only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sciday.core import crypto
from sciday.orgs.models import UnitKind


class HonourKind(models.Model):
    """An honour awarded in a campaign, with its nomination deadline and experts."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="honours",
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    cycle_years = models.PositiveSmallIntegerField(
        _("awarded every (years)"), default=1, help_text=_("1 for every year, 3 for every three.")
    )
    team = models.BooleanField(_("awarded to teams"), default=False)
    nomination_deadline = models.DateField(
        _("nomination deadline"), help_text=_("Nominations are accepted until 24:00 Beijing time.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    experts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned experts"),
        blank=True,
        related_name="+",
        help_text=_("Left empty, every expert scores."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="showcase_honour_name"),
            models.CheckConstraint(condition=Q(cycle_years__gte=1), name="showcase_cycle_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Quota(models.Model):
    """How many nominations a unit of `unit_kind` may make for an honour."""

    honour = models.ForeignKey(HonourKind, on_delete=models.CASCADE, related_name="quotas")
    unit_kind = models.CharField(_("unit kind"), max_length=32, choices=UnitKind.choices)
    max_nominations = models.PositiveSmallIntegerField(_("nominations per unit"))

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["honour", "unit_kind"]
        constraints = [
            models.UniqueConstraint(fields=["honour", "unit_kind"], name="showcase_quota_kind")
        ]

    def __str__(self) -> str:
        return f"{self.honour}: {self.get_unit_kind_display()} × {self.max_nominations}"


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    QUALIFIED = "qualified", _("qualified")
    NOT_QUALIFIED = "not_qualified", _("not qualified")
    SHORTLISTED = "shortlisted", _("shortlisted")
    IN_NOTICE = "in_notice", _("in public notice")
    PUBLISHED = "published", _("published")


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")


class PublicNotice(models.Model):
    """A public notice period (公示) for the shortlisted nominations of a campaign."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="public_notices"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    working_days = models.PositiveSmallIntegerField(_("working days"), default=5)
    ends_on = models.DateField(_("ends on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Nomination(models.Model):
    """A unit's nomination of a person or a team; once published, the public profile."""

    honour = models.ForeignKey(
        HonourKind, verbose_name=_("honour"), on_delete=models.PROTECT, related_name="nominations"
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("nominating unit"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    is_team = models.BooleanField(_("a team"), default=False)
    name = models.CharField(_("name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    affiliation = models.CharField(_("affiliation"), max_length=200)
    title = models.CharField(_("title or position"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=200)
    phone_encrypted = models.TextField(_("telephone (encrypted)"), blank=True, editable=False)
    summary = models.TextField(_("summary"), max_length=1000)
    team_members = models.TextField(_("team members"), blank=True)
    # The profile, in both languages.
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    affiliation_en = models.CharField(_("affiliation in English"), max_length=300, blank=True)
    field_en = models.CharField(_("field in English"), max_length=300, blank=True)
    story_zh = models.TextField(_("story"), blank=True)
    story_en = models.TextField(_("story in English"), blank=True)
    # Consent of the person (or the team's leader).
    consent = models.BooleanField(_("consent recorded"), default=False)
    consent_date = models.DateField(_("consent given on"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Review.
    qualification_reason = models.TextField(_("reason"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    shortlisted_at = models.DateTimeField(null=True, blank=True)
    notice = models.ForeignKey(
        PublicNotice,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nominations",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    related_activities = models.ManyToManyField(
        "activities.Activity", verbose_name=_("related activities"), blank=True, related_name="+"
    )
    related_resources = models.ManyToManyField(
        "resources.Resource", verbose_name=_("related resources"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["honour", "status"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted)

    def set_phone(self, value: str) -> None:
        self.phone_encrypted = crypto.encrypt(value.strip())

    @property
    def masked_phone(self) -> str:
        phone = self.phone
        return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else phone


class FileKind(models.TextChoices):
    RESUME = "resume", _("resume")
    ACHIEVEMENTS = "achievements", _("achievements")
    PHOTO = "photo", _("photo")
    RECOMMENDATION = "recommendation", _("stamped recommendation")
    CONSENT = "consent", _("signed consent")


class NominationFile(models.Model):
    """A material of a nomination: stored under a generated name, served after a policy check."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=20, choices=FileKind.choices)
    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["nomination", "kind", "id"]

    def __str__(self) -> str:
        return self.original_name


class Score(models.Model):
    """One expert's score of one qualified nomination (0–100), editable until shortlisting."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="scores")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "expert"], name="showcase_one_score"),
            models.CheckConstraint(condition=Q(score__lte=100), name="showcase_score_max"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination}: {self.score}"


class Objection(models.Model):
    """An objection filed during a public notice; the contact is encrypted at rest."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="objections")
    nomination = models.ForeignKey(
        Nomination,
        verbose_name=_("about"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="objections",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    contact_encrypted = models.TextField(editable=False)
    text = models.TextField(_("objection"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.notice} #{self.pk}"

    @property
    def contact(self) -> str:
        return crypto.decrypt(self.contact_encrypted)
