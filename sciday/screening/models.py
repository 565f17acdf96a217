"""Sensitive words: a list per campaign, maintained by campaign admins, matched by `matcher`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The longest word accepted, counted after normalisation.
WORD_MAX_LENGTH = 50


class SensitiveWord(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="sensitive_words",
        verbose_name=_("campaign"),
    )
    # Stored normalised (NFKC + casefold, stripped): see sciday.screening.text.normalize_word.
    word = models.CharField(_("word"), max_length=WORD_MAX_LENGTH)
    category = models.CharField(
        pgettext_lazy("sensitive word", "category"), max_length=50, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("sensitive word")
        verbose_name_plural = _("sensitive words")
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "word"], name="screening_word_unique_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return self.word
