"""Who may maintain a campaign's sensitive words: its campaign admins (a national role)."""

from __future__ import annotations

from sciday.campaigns.policy import can_manage
from sciday.core.errors import NotAllowed


def can_manage_words(user) -> bool:
    return can_manage(user)


def require_manage(user) -> None:
    if not can_manage_words(user):
        raise NotAllowed()
