"""Activities of a campaign, the venues they take place in, and each activity's workflow history.

An activity belongs to a campaign and a lead unit, with co-organizing units (联动). Its status moves
only through the services in `sciday.activities.services`; each move leaves an `ActivityEvent`
(who, from, to, why) for the history shown on the activity's page, besides the audit log entry.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class VenueKind(models.TextChoices):
    SCIENTIST_SPIRIT_BASE = "scientist_spirit_base", _("scientist-spirit education base")
    SCIENCE_EDUCATION_BASE = "science_education_base", _("science education base")
    ACADEMIC_ETHOS_STUDIO = "academic_ethos_studio", _("academic ethos heritage studio")
    CIVILIZATION_PRACTICE_CENTER = (
        "civilization_practice_center",
        _("new-era civilization practice center"),
    )
    PARTY_MASS_CENTER = "party_mass_center", _("party and mass service center")
    COMMUNITY_CENTER = "community_center", _("community service center")
    SCHOOL = "school", _("school")
    INSTITUTE = "institute", _("research institute")
    ENTERPRISE = "enterprise", _("enterprise")
    OTHER = "other", _("other")


class Venue(models.Model):
    """A place activities are held in: an education base, a center, a school... (a registry)."""

    kind = models.CharField(_("kind"), max_length=40, choices=VenueKind.choices)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        "orgs.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("owning unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="venues",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["region", "name"]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.name


class Format(models.TextChoices):
    OFFLINE = "offline", _("offline")
    ONLINE = "online", _("online")
    HYBRID = "hybrid", _("online and offline")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    PUBLISHED = "published", _("published")
    RETURNED = "returned", _("returned")
    CANCELLED = "cancelled", _("cancelled")
    FINISHED = "finished", _("finished")


# Statuses everyone, anonymous visitors included, may see.
PUBLIC_STATUSES = frozenset({Status.PUBLISHED, Status.CANCELLED, Status.FINISHED})
NEEDS_PLACE = frozenset({Format.OFFLINE, Format.HYBRID})
NEEDS_LINK = frozenset({Format.ONLINE, Format.HYBRID})


class Activity(models.Model):
    """One activity a unit organizes in a campaign."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    lead_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="led_activities",
    )
    co_organizers = models.ManyToManyField(
        "orgs.Unit",
        verbose_name=_("co-organizers"),
        blank=True,
        related_name="co_organized_activities",
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    # Sanitized HTML (`sciday.core.richtext.richtext_clean`, applied by the services): templates
    # render it with |safe. Nothing else may write it.
    body = models.TextField(_("description"), blank=True)
    # The cover picture, re-encoded by `activity_cover_set` (JPEG, EXIF dropped) and a WebP
    # thumbnail for lists; server-generated names under activities/covers/. Served through
    # `activities:cover`, which checks that the viewer may see the activity.
    cover = models.FileField(_("cover image"), upload_to="activities/covers/", blank=True)
    cover_thumb = models.FileField(_("cover thumbnail"), upload_to="activities/covers/", blank=True)
    cover_width = models.PositiveIntegerField(_("cover width"), null=True, blank=True)
    cover_height = models.PositiveIntegerField(_("cover height"), null=True, blank=True)
    category = models.ForeignKey(
        "campaigns.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    subtype = models.ForeignKey(
        "campaigns.SubType",
        verbose_name=_("sub-type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    region = models.ForeignKey(
        "orgs.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The province the activity counts for (GB/T 2260, e.g. 440000): its region's, or for an
    # online activity without one, its lead unit's. Kept by the services; the public list and
    # the province tiles filter and group on it with an index.
    province = models.CharField(_("province"), max_length=6, blank=True, editable=False)
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(_("live-stream or meeting link"), max_length=500, blank=True)
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave blank for no limit.")
    )
    signup_required = models.BooleanField(_("sign-up required"), default=False)
    expected_participants = models.PositiveIntegerField(
        _("expected participants"), null=True, blank=True
    )
    actual_participants = models.PositiveIntegerField(
        _("actual participants"), null=True, blank=True
    )
    online_views = models.PositiveIntegerField(_("online views"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    window_override = models.BooleanField(
        _("dates outside the campaign window allowed"), default=False
    )
    region_override = models.BooleanField(
        _("region outside the unit's province allowed"), default=False
    )
    reference = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("The unit's own reference, so that a re-import updates this activity."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["status", "campaign", "starts_at"]),
            models.Index(fields=["region", "starts_at"]),
            models.Index(fields=["category", "starts_at"]),
            # The public list: soonest first, whole or by province.
            models.Index(fields=["starts_at", "id"], name="activities_list_soonest"),
            models.Index(fields=["province", "starts_at", "id"], name="activities_list_province"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lead_unit", "reference"],
                condition=~Q(reference=""),
                name="activities_reference_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="activities_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def derive_province(self) -> None:
        """Set `province` from the region, else from the lead unit's region ("" when neither)."""
        code = self.region_id
        if not code and self.lead_unit_id:
            code = self.lead_unit.region_id
        self.province = f"{code[:2]}0000" if code else ""

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    def _cover_url(self, size: str, name: str | None) -> str:
        if not name:
            return ""
        # The file's generated name changes with each upload, so caches never show an old one.
        version = PurePosixPath(name).stem[:12]
        return reverse("activities:cover", args=[self.pk, size]) + f"?v={version}"

    @property
    def cover_url(self) -> str:
        """The cover's URL (checked by the view), or "" without a cover."""
        return self._cover_url("full", self.cover.name)

    @property
    def cover_thumb_url(self) -> str:
        """The list thumbnail's URL, or "" without a cover."""
        return self._cover_url("thumb", self.cover_thumb.name)


class ActivityEvent(models.Model):
    """One step of an activity's workflow: who moved it from which status to which, and why.

    Kept beside the audit log because the activity's page shows its history to its organizers and
    approvers: one indexed query by activity, readable without audit-log rights.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField(_("by"), max_length=200, blank=True)
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["activity", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.from_status or '-'} → {self.to_status}"


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    WAITING = "waiting", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")


ACTIVE_SIGNUP = frozenset({SignupStatus.CONFIRMED, SignupStatus.WAITING})


class Signup(models.Model):
    """One person's place (or place in the queue) at an activity that needs sign-up.

    Within the activity's capacity a sign-up is confirmed; beyond it the person waits, ordered by
    `position` (increasing per activity, never reused); a cancellation promotes the first waiting
    person. A person holds at most one active (confirmed or waiting) sign-up per activity; a
    cancelled one stays as a record and the person may sign up again.
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="signups"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="activity_signups",
    )
    status = models.CharField(_("status"), max_length=10, choices=SignupStatus.choices)
    position = models.PositiveIntegerField(_("waiting-list position"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity", "created_at", "id"]
        indexes = [models.Index(fields=["activity", "status", "position"])]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=Q(status__in=["confirmed", "waiting"]),
                name="activities_one_active_signup",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.user_id}: {self.status}"


class Rating(models.Model):
    """A participant's satisfaction with an activity once it has ended: 1–5, with a comment."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="ratings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="activity_ratings",
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("rated"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["activity", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="activities_one_rating"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="activities_rating_score_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.user_id}: {self.score}"


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("checking")
    CHECKED = "checked", _("checked")
    SAVING = "saving", _("saving")
    SAVED = "saved", _("saved")
    FAILED = "failed", _("failed")


class ImportJob(models.Model):
    """One Excel upload on its way through the background check and save (`importing`).

    The upload is kept in `data` (not as a file in the web root) until it is saved or given up;
    `processed` / `total` is the progress of the running step; `problems` keeps the first rows
    with errors for the preview, `problem_total` counts them all.
    """

    token = models.CharField(_("token"), max_length=32, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="activity_imports",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("lead unit"), on_delete=models.CASCADE, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=255)
    data = models.BinaryField(_("file"), blank=True, default=b"")
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    problems = models.JSONField(_("rows with problems"), default=list, blank=True)
    problem_total = models.PositiveIntegerField(_("rows with problems"), default=0)
    reason = models.TextField(_("reason of failure"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("activity import")
        verbose_name_plural = _("activity imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"
