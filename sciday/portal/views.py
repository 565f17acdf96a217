"""The public theme site's shell pages (composition only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sciday.campaigns.selectors import campaign_current
from sciday.core.pagecache import public_page
from sciday.portal.selectors import campaign_countdown, campaign_for_home


@public_page
def home(request: HttpRequest) -> HttpResponse:
    campaign = campaign_current()
    context: dict = {"campaign": None}
    if campaign is not None:
        context = {
            "campaign": campaign_for_home(campaign=campaign),
            "countdown": campaign_countdown(campaign=campaign),
        }
    return render(request, "portal/home.html", context)
