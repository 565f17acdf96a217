"""The search index: one row per searchable object of any domain.

The row keeps the original title and body (for snippets) and their analyzed tokens. The
full-text structure on top of it is vendor-specific and lives outside the Django model state:
on SQLite an FTS5 table kept in sync by triggers, on PostgreSQL a generated tsvector column
with a GIN index (see `backends.py` and migration 0002).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One searchable object: `kind` names its model ("activities.activity"), `object_id` its pk.

    The filter columns are the ones every domain shares; a domain filters on anything else by
    passing its own queryset to the selectors (`within=`).
    """

    kind = models.CharField(_("kind"), max_length=64)
    object_id = models.BigIntegerField(_("object id"))
    title = models.TextField(_("title"))
    body = models.TextField(_("body"), blank=True, default="")
    title_terms = models.TextField(_("title terms"), blank=True, default="")
    body_terms = models.TextField(_("body terms"), blank=True, default="")
    campaign_id = models.BigIntegerField(_("campaign"), null=True, blank=True)
    # GB/T 2260 code of the province, "" when the object has no place.
    region_code = models.CharField(_("province code"), max_length=12, blank=True, default="")
    published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object")
        ]
        indexes = [
            models.Index(fields=["kind", "published"], name="search_entry_kind_published"),
            models.Index(fields=["campaign_id"], name="search_entry_campaign"),
            models.Index(fields=["region_code"], name="search_entry_region"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
