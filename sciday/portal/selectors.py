"""Reads for the public theme site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from sciday.campaigns.models import Campaign


@dataclass(frozen=True)
class Countdown:
    """Where today stands against the campaign: before the Day, on it, during or after."""

    state: str  # "before", "today", "after_day", "over"
    days: int


def campaign_countdown(*, campaign: Campaign, today: date | None = None) -> Countdown:
    """Return the countdown to the Day (30 May) in Asia/Shanghai local time."""
    today = today or timezone.localdate()
    if today < campaign.day:
        return Countdown("before", (campaign.day - today).days)
    if today == campaign.day:
        return Countdown("today", 0)
    if today <= campaign.window_end:
        return Countdown("after_day", (today - campaign.day).days)
    return Countdown("over", (today - campaign.window_end).days)


def campaign_for_home(*, campaign: Campaign) -> Campaign:
    """Return the campaign with what the home page shows prefetched (categories, contacts)."""
    return Campaign.objects.prefetch_related("categories__subtypes", "contacts__department").get(
        pk=campaign.pk
    )
