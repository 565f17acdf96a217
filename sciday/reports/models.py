"""Summary reports (总结报告) of a campaign: who reports to whom, the report, its versions.

- `ExpectedReporter`: a unit expected to report in a campaign and the department that receives
  its report (from the campaign's `ReportRoute` for the unit's kind). Computed by default from
  who took part; campaign admins add and remove units. A removed row stays (with who removed it)
  so that recomputing does not bring the unit back.
- `ReportSettings` and `ReportFigure`: what the campaign decides — whether a late report is
  accepted with a flag or refused, the narrative's length limit, and extra figures.
- `Report`: one per unit and campaign. `version` counts the saves of its content: a save based on
  an older version is refused (`DraftConflict` keeps the refused text, nothing is lost).
- `ReportVersion`: a snapshot of every submission, with the department's decision on it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DEFAULT_TEXT_LIMIT = 3000


class Section(models.TextChoices):
    OVERVIEW = "overview", _("overview")
    HIGHLIGHTS = "highlights", _("highlights and typical experience")
    PROBLEMS = "problems", _("problems and suggestions")


SECTIONS: tuple[str, ...] = tuple(Section.values)


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    ACCEPTED = "accepted", _("accepted")


EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})


class LatePolicy(models.TextChoices):
    ACCEPT = "accept", _("accept with a late flag")
    REFUSE = "refuse", _("refuse")


DEFAULT_REMIND_DAYS: tuple[int, ...] = (7, 1)


def default_remind_days() -> list[int]:
    return list(DEFAULT_REMIND_DAYS)


class ReportSettings(models.Model):
    """What a campaign decides about its reports. A campaign without a row uses the defaults."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="report_settings",
    )
    late_reports = models.CharField(
        _("late reports"), max_length=10, choices=LatePolicy.choices, default=LatePolicy.ACCEPT
    )
    text_limit = models.PositiveIntegerField(
        _("length limit of the narrative"),
        default=DEFAULT_TEXT_LIMIT,
        help_text=_("Characters, all sections together."),
    )
    remind_days_before = models.JSONField(
        _("reminders before the deadline"),
        default=default_remind_days,
        blank=True,
        help_text=_("Days before the deadline on which missing units are reminded, e.g. [7, 1]."),
    )

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return str(self.campaign)


class ReportFigure(models.Model):
    """A figure a campaign asks for on top of the default ones."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="report_figures",
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("report figure")
        verbose_name_plural = _("report figures")
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="reports_figure_code")
        ]

    def __str__(self) -> str:
        return self.label


class Source(models.TextChoices):
    DEFAULT = "default", _("took part")
    ADDED = "added", _("added by an administrator")


class ExpectedReporter(models.Model):
    """A unit expected to report in a campaign, and where its report goes."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="expected_reporters",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("receiving department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    as_chapter_of = models.CharField(_("as a chapter of"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed = models.BooleanField(_("removed"), default=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expected reporter")
        verbose_name_plural = _("expected reporters")
        ordering = ["campaign", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="reports_expected_unit")
        ]
        indexes = [models.Index(fields=["campaign", "department", "removed"])]

    def __str__(self) -> str:
        return f"{self.unit} → {self.department}"


class Report(models.Model):
    """A unit's summary report for a campaign."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports"
    )
    department = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("receiving department"),
        on_delete=models.PROTECT,
        related_name="received_reports",
    )
    as_chapter_of = models.CharField(_("as a chapter of"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_late = models.BooleanField(_("late"), default=False)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    last_submitted_at = models.DateTimeField(_("last submitted"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    figures = models.JSONField(_("figures"), default=dict, blank=True)
    overview = models.TextField(_("overview"), blank=True)
    highlights = models.TextField(_("highlights and typical experience"), blank=True)
    problems = models.TextField(_("problems and suggestions"), blank=True)
    resources = models.ManyToManyField(
        "resources.Resource", verbose_name=_("photos and videos"), blank=True, related_name="+"
    )

    # The stamped scan of the signed report (PDF), under a server-generated name.
    scan = models.FileField(_("stamped scan"), max_length=200, blank=True)
    scan_name = models.CharField(_("scan file name"), max_length=200, blank=True)
    scan_size = models.BigIntegerField(_("scan size"), default=0)
    scan_sha256 = models.CharField(_("scan SHA-256"), max_length=64, blank=True)

    return_reason = models.TextField(_("reason for return"), blank=True)
    section_notes = models.JSONField(
        _("notes per section"), default=dict, blank=True, help_text="{section: note}"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("summary report")
        verbose_name_plural = _("summary reports")
        ordering = ["campaign", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="reports_report_unit"),
            models.CheckConstraint(condition=Q(version__gte=1), name="reports_version_positive"),
        ]
        indexes = [models.Index(fields=["campaign", "department", "status"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.campaign}"

    def sections(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in SECTIONS}


class ReportVersion(models.Model):
    """A snapshot of one submission, and the department's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "", _("pending")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("submission"))
    figures = models.JSONField(_("figures"), default=dict)
    sections = models.JSONField(_("sections"), default=dict)
    resources = models.JSONField(_("photos and videos"), default=list, help_text="[{id, title}]")
    scan = models.CharField(_("stamped scan"), max_length=200, blank=True)
    scan_name = models.CharField(_("scan file name"), max_length=200, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, blank=True, default=""
    )
    reason = models.TextField(_("reason for return"), blank=True)
    section_notes = models.JSONField(_("notes per section"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reports_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.report} #{self.number}"


class DraftConflict(models.Model):
    """A save refused because someone else saved first: the refused text, kept whole."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="conflicts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    base_version = models.PositiveIntegerField(_("edited version"))
    stored_version = models.PositiveIntegerField(_("version saved meanwhile"))
    figures = models.JSONField(_("figures"), default=dict)
    sections = models.JSONField(_("sections"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("unsaved draft")
        verbose_name_plural = _("unsaved drafts")
        ordering = ["report", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} ({self.base_version} < {self.stored_version})"


class CompilationJob(models.Model):
    """A department's national compilation (DOCX, PDF, XLSX), produced in the background."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("in progress")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="compilation_jobs",
    )
    department = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("receiving department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    reports = models.PositiveIntegerField(_("reports"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    docx = models.CharField(_("DOCX file"), max_length=200, blank=True)
    pdf = models.CharField(_("PDF file"), max_length=200, blank=True)
    xlsx = models.CharField(_("XLSX file"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("compilation")
        verbose_name_plural = _("compilations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="reports_compilation_progress",
            )
        ]
        indexes = [models.Index(fields=["campaign", "department", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.department} · {self.campaign} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.State.DONE, self.State.FAILED)


class ReminderSent(models.Model):
    """A reminder e-mail sent to a unit about its missing report: one per kind and day, so that
    the due reminders run twice the same day (by the timer and by hand) send once."""

    class Kind(models.TextChoices):
        DUE = "due", _("before the deadline")
        MANUAL = "manual", _("on demand")

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    day = models.DateField(_("day (Asia/Shanghai)"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["campaign", "-day", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "kind", "day"], name="reports_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.day} · {self.kind}"
