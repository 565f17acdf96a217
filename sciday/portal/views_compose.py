"""The campaign admins' page that composes a campaign's home page: /campaigns/<pk>/home/.

Banner picture, featured activities (found by title, ordered), featured resources (the resource
library's `featured` flag), the order of the blocks and which are shown. Each POST calls one
service; a DomainError becomes a message and nothing is written.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sciday.activities.models import Activity
from sciday.campaigns.models import Campaign
from sciday.campaigns.views import admin_required
from sciday.core.errors import DomainError
from sciday.portal import selectors, services
from sciday.portal.models import Block
from sciday.portal.views import available_blocks
from sciday.resources.models import Resource


def _posted(request: HttpRequest, model, name: str):
    pk = request.POST.get(name, "")
    return model.objects.filter(pk=int(pk)).first() if pk.isdigit() else None


def _posted_blocks(
    request: HttpRequest, current: list[tuple[str, bool]], available: set[str]
) -> list[tuple[str, bool]]:
    """Read the blocks' positions and shown boxes; ties keep the current order.

    A block not offered on the page (its app is not part of the site yet) keeps its state.
    """
    rows = []
    for index, (key, shown) in enumerate(current):
        raw = request.POST.get(f"position-{key}", "")
        # Blocks not offered keep their relative order after the offered ones.
        position = int(raw) if raw.isdigit() and key in available else 1000 + index
        if key in available:
            shown = request.POST.get(f"shown-{key}") == "on"
        rows.append((position, index, key, shown))
    return [(key, shown) for _p, _i, key, shown in sorted(rows)]


def _do(request: HttpRequest, campaign: Campaign, action: str) -> str:
    """Run the posted action; return the success message."""
    actor = request.user
    if action == "banner_set":
        upload = request.FILES.get("banner")
        if upload is None:
            raise DomainError(_("Choose a picture to upload."), field="banner")
        services.home_banner_set(
            actor=actor, campaign=campaign, upload=upload, name=upload.name or ""
        )
        return _("The banner picture was saved.")
    if action == "banner_remove":
        services.home_banner_remove(actor=actor, campaign=campaign)
        return _("The banner picture was removed: the designed banner is shown.")
    if action == "activity_add":
        activity = _posted(request, Activity, "activity")
        services.home_activity_feature(actor=actor, campaign=campaign, activity=activity)
        return _("%(title)s is featured on the home page.") % {"title": activity}
    if action in ("activity_remove", "activity_up", "activity_down"):
        activity = _posted(request, Activity, "activity")
        if activity is None:
            raise Http404
        if action == "activity_remove":
            services.home_activity_unfeature(actor=actor, campaign=campaign, activity=activity)
            return _("%(title)s is no longer featured.") % {"title": activity}
        services.home_activity_move(
            actor=actor, campaign=campaign, activity=activity, direction=action.split("_")[1]
        )
        return _("The order was saved.")
    if action == "resource_add":
        resource = _posted(request, Resource, "resource")
        services.home_resource_feature(actor=actor, campaign=campaign, resource=resource)
        return _("%(title)s is featured on the home page.") % {"title": resource}
    if action == "resource_remove":
        resource = _posted(request, Resource, "resource")
        if resource is None:
            raise Http404
        services.home_resource_unfeature(actor=actor, campaign=campaign, resource=resource)
        return _("%(title)s is no longer featured.") % {"title": resource}
    if action == "blocks":
        layout = selectors.home_layout(campaign=campaign)
        services.home_blocks_set(
            actor=actor,
            campaign=campaign,
            blocks=_posted_blocks(request, layout.ordered_blocks(), set(available_blocks())),
        )
        return _("The order of the blocks was saved.")
    raise DomainError(_("Unknown action."))


@admin_required
def home_compose(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """Show the composition of `campaign`'s home page; POST: change one part of it."""
    activity_q = " ".join(request.GET.get("aq", "").split())[:100]
    resource_q = " ".join(request.GET.get("rq", "").split())[:100]
    if request.method == "POST":
        try:
            messages.success(request, _do(request, campaign, request.POST.get("action", "")))
        except DomainError as error:
            messages.error(request, str(error.message))
        query = {k: v for k, v in (("aq", activity_q), ("rq", resource_q)) if v}
        url = reverse("portal:compose", args=[campaign.pk])
        anchor = request.POST.get("anchor", "")
        anchor = f"#{anchor}" if anchor.isidentifier() else ""
        return redirect(f"{url}?{urlencode(query)}{anchor}" if query else f"{url}{anchor}")
    layout = selectors.home_layout(campaign=campaign)
    available = set(available_blocks())
    labels = dict(Block.choices)
    offered = [(key, shown) for key, shown in layout.ordered_blocks() if key in available]
    blocks = [
        {"key": key, "label": labels.get(key, key), "shown": shown, "position": index + 1}
        for index, (key, shown) in enumerate(offered)
    ]
    return render(
        request,
        "portal/compose.html",
        {
            "campaign": campaign,
            "section": "home_layout",
            "layout": layout,
            "blocks": blocks,
            "featured_activities": selectors.home_featured_activities(layout=layout),
            "featured_resources": list(selectors.featured_resources_for_admin(campaign=campaign)),
            "activity_q": activity_q,
            "resource_q": resource_q,
            "activity_candidates": selectors.activity_feature_candidates(
                campaign=campaign, layout=layout, q=activity_q
            ),
            "resource_candidates": selectors.resource_feature_candidates(
                campaign=campaign, q=resource_q
            ),
            "max_featured": services.MAX_FEATURED,
        },
    )
