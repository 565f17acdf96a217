"""A campaign: one year's Workers Day, with every fact of its notice as data."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sciday.orgs.models import UnitKind


class Campaign(models.Model):
    """One year's campaign. Another year is made by copying the last one (`campaign_copy`)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    edition = models.PositiveSmallIntegerField(
        _("edition"), help_text=_("Which Workers Day this is: 2023 was the seventh.")
    )
    name = models.CharField(_("name"), max_length=100)
    theme = models.CharField(_("theme"), max_length=100)
    theme_en = models.CharField(_("theme in English"), max_length=200, blank=True)
    window_start = models.DateField(_("activities from"))
    window_end = models.DateField(_("activities until"))
    window_label = models.CharField(
        _("activity period as written"),
        max_length=100,
        blank=True,
        help_text=_("As the notice words it, e.g. 2023年5月上旬-6月上旬."),
    )
    day = models.DateField(_("the Day"))
    awards_from = models.DateField(_("awards encouraged from"), null=True, blank=True)
    awards_until = models.DateField(_("awards encouraged until"), null=True, blank=True)
    report_deadline = models.DateTimeField(_("summary report deadline"))
    # The notice as a document (GB/T 9704).
    # Blank while a copied campaign is a draft: a number and a date exist only once it is issued.
    doc_number = models.CharField(_("document number"), max_length=60, blank=True)
    doc_title = models.CharField(_("title"), max_length=200)
    issuers = models.JSONField(
        _("issuing authorities"),
        default=list,
        help_text=_("Names of the issuing authorities, lead issuer first."),
    )
    issue_date = models.DateField(_("date of issue"), null=True, blank=True)
    recipients = models.TextField(_("recipients (主送机关)"))
    body = models.TextField(
        _("body"),
        help_text=_(
            "One paragraph per line. Lines starting with 一、 are first-level headings, "
            "（一） second-level, 1. third-level."
        ),
    )
    attachments_note = models.TextField(_("attachments"), blank=True)
    annotation = models.CharField(_("annotation (附注)"), max_length=100, blank=True)
    copy_to = models.CharField(_("copied to (抄送)"), max_length=300, blank=True)
    printed_by = models.CharField(_("printed by (印发机关)"), max_length=100, blank=True)
    printed_on = models.DateField(_("printed on"), null=True, blank=True)
    is_current = models.BooleanField(_("current campaign"), default=False)
    is_published = models.BooleanField(_("published"), default=False)
    trusted_units = models.ManyToManyField(
        "orgs.Unit",
        verbose_name=_("trusted units"),
        blank=True,
        related_name="+",
        help_text=_("These units and their sub-units publish their activities without approval."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="campaigns_one_current"
            ),
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")),
                name="campaigns_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """An activity category, as the notice's section 四 numbers them: (一) to (六)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="categories")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(
        _("short name"), max_length=50, blank=True, help_text=_("For lists and filters.")
    )
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("activity category")
        verbose_name_plural = _("activity categories")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="campaigns_category_number")
        ]

    def __str__(self) -> str:
        return self.name


class SubType(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="subtypes")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("activity sub-type")
        verbose_name_plural = _("activity sub-types")
        ordering = ["category", "position", "id"]

    def __str__(self) -> str:
        return self.name


class ReportRoute(models.Model):
    """Where units of a kind send their summary report (the notice's section 五(三))."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="routes")
    unit_kind = models.CharField(_("unit kind"), max_length=32, choices=UnitKind.choices)
    department = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("receiving department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    as_chapter_of = models.CharField(
        _("as a chapter of"),
        max_length=100,
        blank=True,
        help_text=_("Set when the report is a dedicated chapter of another summary."),
    )

    class Meta:
        verbose_name = _("report route")
        verbose_name_plural = _("report routes")
        ordering = ["campaign", "unit_kind"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit_kind"], name="campaigns_route_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_unit_kind_display()} → {self.department}"


class Contact(models.Model):
    """A department's contacts for the campaign, as the notice's section 六 lists them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contacts")
    department = models.ForeignKey(
        "orgs.Unit", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    people = models.CharField(_("contact people"), max_length=200)
    phone = models.CharField(_("telephone"), max_length=60)
    fax = models.CharField(_("fax"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["campaign", "position", "id"]

    def __str__(self) -> str:
        return f"{self.department}: {self.people}"
