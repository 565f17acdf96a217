"""Who may do what to campaigns.

Campaign admins (a national role) configure every campaign; everyone, signed in or not, reads a
published campaign. An unpublished one (a draft copied for next year) is seen by campaign admins
only.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import QuerySet
from django.http import Http404

from sciday.accounts.selectors import user_is_campaign_admin
from sciday.core.errors import NotAllowed


class Cap(StrEnum):
    CAMPAIGN_VIEW = "campaign.view"
    CAMPAIGN_MANAGE = "campaign.manage"


def can_manage(user) -> bool:
    """May `user` edit, copy, publish and switch campaigns?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user_is_campaign_admin(user=user)


def can(user, cap: Cap, campaign=None) -> bool:
    if cap == Cap.CAMPAIGN_MANAGE:
        return can_manage(user)
    return bool(campaign is not None and campaign.is_published) or can_manage(user)


def require(user, cap: Cap, campaign=None) -> None:
    """Raise 404 for a campaign `user` may not see, NotAllowed for one only seen."""
    if can(user, cap, campaign):
        return
    if campaign is not None and not can(user, Cap.CAMPAIGN_VIEW, campaign):
        raise Http404
    raise NotAllowed()


def campaigns_for(user, qs: QuerySet) -> QuerySet:
    """Return the campaigns of `qs` that `user` may read."""
    return qs if can_manage(user) else qs.filter(is_published=True)
