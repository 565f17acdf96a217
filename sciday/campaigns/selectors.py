"""Reads of campaigns."""

from __future__ import annotations

from django.db.models import QuerySet

from sciday.campaigns.models import Campaign


def campaign_current() -> Campaign | None:
    """Return the campaign marked current, or the latest published one."""
    return (
        Campaign.objects.filter(is_current=True).first()
        or Campaign.objects.filter(is_published=True).order_by("-year").first()
    )


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.order_by("-year")
