"""Who may compose the home page: campaign admins (a national role), for every campaign.

Everyone else is refused (403 on the page, `NotAllowed` from the services). Reading the home
page follows the campaign's own visibility (`sciday.campaigns.policy`).
"""

from __future__ import annotations

from sciday.campaigns.policy import can_manage
from sciday.core.errors import NotAllowed


def can_compose(user) -> bool:
    """May `user` change a campaign's home page (banner, featured items, blocks)?"""
    return can_manage(user)


def require_compose(user) -> None:
    if not can_compose(user):
        raise NotAllowed()
