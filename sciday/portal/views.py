"""The public theme site: the home page of the current campaign, the archive of earlier years,
the banner picture, robots.txt. Thin: the selectors read, the template composes.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET

from sciday.campaigns import policy as campaign_policy
from sciday.campaigns.models import Campaign
from sciday.campaigns.policy import Cap as CampaignCap
from sciday.campaigns.selectors import campaign_current
from sciday.core.pagecache import public_page
from sciday.portal import selectors
from sciday.portal.models import Block, HomeLayout
from sciday.portal.sitemaps import sitemaps

# Blocks whose app is not part of the site are left out of the page and the composition.
UNAVAILABLE_BLOCKS: frozenset[str] = frozenset()


def available_blocks() -> list[str]:
    return [block.value for block in Block if block not in UNAVAILABLE_BLOCKS]


def _countdown_texts() -> dict[str, str]:
    """The countdown's sentences for the script that keeps it current ({n}: the days)."""
    before = "%(days)s day to the Day, 30 May", "%(days)s days to the Day, 30 May"
    return {
        "one": ngettext(*before, 1) % {"days": "{n}"},
        "other": ngettext(*before, 2) % {"days": "{n}"},
        "today": gettext("Today is National Science and Technology Workers Day"),
        "after_day": gettext("The campaign's activities are under way"),
        "over": gettext("This year's campaign is over. Thank you to everyone who took part."),
    }


def _home(
    request: HttpRequest, campaign: Campaign, *, archive: bool, current_year: int | None
) -> HttpResponse:
    layout: HomeLayout = selectors.home_layout(campaign=campaign)
    available = set(available_blocks())
    shown = [key for key in layout.shown_blocks() if key in available]
    context = {
        "campaign": campaign,
        "layout": layout,
        "archive": archive,
        "countdown": selectors.campaign_countdown(campaign=campaign),
        "countdown_texts": _countdown_texts(),
        "blocks": shown,
        "figures": selectors.home_figures(campaign=campaign),
        "featured_activities": selectors.home_featured_activities(layout=layout),
        "featured_resources": selectors.home_featured_resources(campaign=campaign),
        "latest_news": selectors.home_latest_news(campaign=campaign) if "news" in shown else [],
        "showcase": selectors.home_showcase(campaign=campaign) if "showcase" in shown else [],
        "years": selectors.archive_years(campaign=campaign),
        "current_year": current_year,
        "absolute_url": request.build_absolute_uri(request.path),
    }
    if campaign.is_current:
        context["current_campaign"] = campaign  # the shell need not fetch it again
    return render(request, "portal/home.html", context)


@public_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The home page of the current campaign (the 专题网页)."""
    campaign = campaign_current()
    if campaign is None:
        return render(request, "portal/home.html", {"campaign": None})
    return _home(
        request,
        selectors.campaign_for_home(campaign=campaign),
        archive=False,
        current_year=campaign.year,
    )


@public_page
@require_GET
def home_year(request: HttpRequest, year: int) -> HttpResponse:
    """An earlier campaign's home page as it was; the current campaign's year goes to /."""
    current = campaign_current()
    if current is not None and current.year == year:
        return redirect("portal:home")
    campaign = selectors.campaign_for_year(viewer=request.user, year=year)
    return _home(
        request,
        campaign,
        archive=True,
        current_year=current.year if current is not None else None,
    )


@require_GET
def banner(request: HttpRequest, pk: int) -> FileResponse:
    """A campaign's banner picture (re-encoded JPEG), for whoever may see the campaign."""
    layout = (
        HomeLayout.objects.select_related("campaign").filter(campaign_id=pk).first() if pk else None
    )
    if layout is None or not layout.banner.name:
        raise Http404
    if not campaign_policy.can(request.user, CampaignCap.CAMPAIGN_VIEW, layout.campaign):
        raise Http404
    try:
        handle = default_storage.open(layout.banner.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="banner-{layout.campaign.year}.jpg"'
    public = layout.campaign.is_published
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


ROBOTS_DISALLOWED = ("/workspace/", "/accounts/", "/api/", "/uploads/", "/campaigns/")


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Let crawlers read the public site, not the workspace; point them at the sitemap."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOWED]
    lines.append(f"Sitemap: {settings.SITE_URL.rstrip('/')}{reverse('portal:sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@public_page
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: the index of the sections' sitemaps (and their pages beyond 50,000 URLs)."""
    return sitemap_views.index(
        request, sitemaps=sitemaps(), sitemap_url_name="portal:sitemap_section"
    )


@public_page
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """/sitemap-<section>.xml (?p=2 …): one section's URLs with their last change."""
    return sitemap_views.sitemap(request, sitemaps=sitemaps(), section=section)
