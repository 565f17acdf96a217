"""The demo's composed home page of 2023, for `manage.py load_demo`.

Through `sciday.portal.services` as the campaign admin: a banner picture drawn here with Pillow
(the theme 点亮精神火炬 on a red torch-light gradient; nothing shipped or downloaded), four
published activities featured in order (those with a cover first), and at least three featured
resources (the resource library's flag). Idempotent: a banner or featured items already there
are kept. Returns how many things it added.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from sciday.accounts.models import User
from sciday.activities.models import Activity
from sciday.activities.models import Status as ActivityStatus
from sciday.campaigns.models import Campaign
from sciday.portal import selectors, services
from sciday.resources.models import Resource
from sciday.resources.models import Status as ResourceStatus

YEAR = 2023
FEATURED_ACTIVITIES = 4
FEATURED_RESOURCES = 3
FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def banner_picture(theme: str, kicker: str) -> bytes:
    """Draw a 2400×800 banner: a red-to-amber gradient, rays of light, the theme in gold."""
    width, height = 2400, 800
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for x in range(width):
        t = x / (width - 1)
        colour = (int(142 + 74 * t), int(20 + 47 * t), int(20 + 1 * t))
        draw.line([(x, 0), (x, height)], fill=colour)
    centre = (int(width * 0.82), int(height * 0.55))
    for i in range(18):
        angle_x = int(width * 0.82 - 1400 + i * 160)
        draw.line([centre, (angle_x, 0)], fill=(255, 214, 120), width=3)
    draw.ellipse(
        [centre[0] - 90, centre[1] - 150, centre[0] + 90, centre[1] + 30], fill=(255, 200, 60)
    )
    draw.ellipse(
        [centre[0] - 50, centre[1] - 110, centre[0] + 50, centre[1] + 10], fill=(255, 244, 200)
    )
    draw.polygon(
        [
            (centre[0] - 60, centre[1] + 20),
            (centre[0] + 60, centre[1] + 20),
            (centre[0], centre[1] + 330),
        ],
        fill=(90, 16, 16),
    )
    draw.text((160, 250), kicker, font=_font(64), fill=(255, 240, 220))
    draw.text((150, 350), theme, font=_font(200), fill=(255, 232, 163))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def load_demo_home(*, campaign_admin: User) -> int:
    """Compose the 2023 campaign's home page; return how many things were added."""
    campaign = Campaign.objects.filter(year=YEAR).first()
    if campaign is None:
        return 0
    added = 0
    layout = selectors.home_layout(campaign=campaign)
    if not layout.banner:
        picture = banner_picture(
            campaign.theme, f"{campaign.year} · 第{campaign.edition}个全国科技工作者日"
        )
        services.home_banner_set(
            actor=campaign_admin, campaign=campaign, upload=io.BytesIO(picture), name="banner.png"
        )
        added += 1
    layout = selectors.home_layout(campaign=campaign)
    if not selectors.home_featured_activities(layout=layout):
        published = Activity.objects.filter(
            campaign=campaign, status=ActivityStatus.PUBLISHED
        ).order_by("starts_at", "pk")
        candidates = list(published.exclude(cover="")[:FEATURED_ACTIVITIES])
        candidates += list(published.filter(cover="")[: FEATURED_ACTIVITIES - len(candidates)])
        for activity in candidates:
            services.home_activity_feature(
                actor=campaign_admin, campaign=campaign, activity=activity
            )
            added += 1
    featured = Resource.objects.filter(
        campaign=campaign, featured=True, status=ResourceStatus.PUBLISHED
    ).count()
    if featured < FEATURED_RESOURCES:
        more = Resource.objects.filter(
            campaign=campaign, featured=False, status=ResourceStatus.PUBLISHED
        ).order_by("-published_at", "-pk")[: FEATURED_RESOURCES - featured]
        for resource in more:
            services.home_resource_feature(
                actor=campaign_admin, campaign=campaign, resource=resource
            )
            added += 1
    return added
