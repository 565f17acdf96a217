"""Template context every page shares: the current campaign, for the shell's theme."""

from __future__ import annotations

from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    from sciday.campaigns.selectors import campaign_current

    return {"current_campaign": campaign_current()}
