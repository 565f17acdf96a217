"""Reads of the sensitive-word lists (campaign admins only)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from sciday.campaigns.models import Campaign
from sciday.screening.models import SensitiveWord
from sciday.screening.policy import require_manage
from sciday.screening.text import normalize_word

STATUSES = ("all", "active", "inactive")


def word_list(*, actor, campaign: Campaign, search: str = "", status: str = "all") -> QuerySet:
    """Return `campaign`'s words matching `search` (word, category or note) and `status`."""
    require_manage(actor)
    qs = SensitiveWord.objects.filter(campaign=campaign).select_related("created_by")
    search = normalize_word(search)
    if search:
        qs = qs.filter(
            Q(word__contains=search) | Q(category__icontains=search) | Q(note__icontains=search)
        )
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    return qs.order_by("word")


def word_counts(*, actor, campaign: Campaign) -> dict[str, int]:
    """Return {"all": n, "active": n, "inactive": n} for `campaign`'s list, in one query."""
    require_manage(actor)
    counts = SensitiveWord.objects.filter(campaign=campaign).aggregate(
        all=Count("id"), active=Count("id", filter=Q(is_active=True))
    )
    return {**counts, "inactive": counts["all"] - counts["active"]}


def word_get(*, actor, campaign: Campaign, pk) -> SensitiveWord | None:
    require_manage(actor)
    if not str(pk).isdigit():
        return None
    return SensitiveWord.objects.filter(campaign=campaign, pk=int(pk)).first()
