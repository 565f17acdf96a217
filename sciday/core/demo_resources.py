"""Demo resources for `manage.py load_demo`: photos, a short video, documents, an article, a link.

Every file is generated here, at load time (Pillow draws the pictures and the PDF, ffmpeg makes
the video from its test pattern, openpyxl the workbook); nothing is shipped or downloaded. Each
resource goes through `sciday.resources.services` like an upload from the workspace: the same
checks, storage, processing (run here at once, so the demo shows thumbnails and posters before the
worker starts), screening and moderation. The photos carry a made-up GPS position in their EXIF,
which processing removes, as it would from a phone's picture.

The demo unit editor (Zhejiang 科协) writes for Hangzhou's 科协, so the Zhejiang unit admin, an
ancestor's admin, decides; the result covers every state: published (two featured by the campaign
admin), submitted, held by a sensitive word, returned with a reason, and a draft. Idempotent: a
resource whose title already exists in the campaign is skipped.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from sciday.accounts.models import User
from sciday.activities.models import Activity
from sciday.activities.models import Status as ActivityStatus
from sciday.campaigns.models import Campaign
from sciday.orgs.models import Unit
from sciday.resources import processing, services
from sciday.resources.models import Kind, Licence, Processing, Resource
from sciday.screening.models import SensitiveWord
from sciday.screening.services import word_add

UNIT_CODE = "local-hangzhou"
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
# A sensitive word the demo's campaign lists, and one resource that trips it.
DEMO_WORDS = (("代写论文", "学术不端"), ("虚假宣传", "广告"))
# Hangzhou, to be stripped by processing.
GPS = {1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 10.0, 0.0)}
PALETTES = (
    ((13, 71, 161), (255, 179, 0)),
    ((0, 105, 92), (255, 241, 118)),
    ((183, 28, 28), (255, 224, 178)),
    ((74, 20, 140), (129, 212, 250)),
    ((27, 94, 32), (220, 237, 200)),
    ((38, 50, 56), (255, 138, 101)),
)


@dataclass
class DemoResource:
    kind: str
    title: str
    description: str
    make: Callable[[], tuple[bytes, str]] | None = None  # -> (content, file name)
    outcome: str = "published"  # published, featured, submitted, held, returned, draft
    licence: str = Licence.CC_BY
    tags: list[str] = field(default_factory=list)
    body: str = ""
    url: str = ""
    activity: int | None = None  # index into the unit's published activities


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def _poster(
    width: int, height: int, palette: int, heading: str, line: str, seed: int
) -> Image.Image:
    """A picture: a diagonal gradient, soft circles (a "torch" of light) and a caption."""
    dark, light = PALETTES[palette % len(PALETTES)]
    image = Image.new("RGB", (width, height), dark)
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 4):
        t = y / height
        colour = tuple(int(dark[i] * (1 - t * 0.6) + light[i] * t * 0.25) for i in range(3))
        draw.rectangle((0, y, width, y + 4), fill=colour)
    for k in range(7):
        angle = seed * 0.7 + k * 0.9
        cx = int(width * (0.65 + 0.25 * math.cos(angle)))
        cy = int(height * (0.35 + 0.2 * math.sin(angle)))
        r = int(min(width, height) * (0.08 + 0.03 * k))
        tint = tuple(min(255, c + 30 * (7 - k)) for c in light)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=tint, width=max(2, width // 300))
    margin = width // 16
    draw.text((margin, height - height // 3), heading, font=_font(width // 16), fill=light)
    draw.text((margin, height - height // 6), line, font=_font(width // 34), fill=(255, 255, 255))
    return image


def _photo(index: int, heading: str, line: str) -> Callable[[], tuple[bytes, str]]:
    def make() -> tuple[bytes, str]:
        image = _poster(1800, 1200, index, heading, line, index)
        exif = Image.Exif()
        exif[0x010F] = "DemoCam"  # Make
        exif[0x8825] = GPS  # GPSInfo
        out = io.BytesIO()
        image.save(out, "JPEG", quality=88, exif=exif)
        return out.getvalue(), f"IMG_2023053{index}_{index:04d}.jpg"

    return make


def _pdf() -> tuple[bytes, str]:
    pages = [
        _poster(1240, 1754, 0, "点亮精神火炬", "2023年全国科技工作者日 · 宣传海报", 1),
        _poster(1240, 1754, 2, "弘扬科学家精神", "杭州市科协 · 活动安排", 4),
    ]
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    return out.getvalue(), "2023科技工作者日宣传海报.pdf"


def _xlsx() -> tuple[bytes, str]:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "活动安排"
    sheet.append(["日期", "活动", "地点", "面向"])
    rows = [
        ("5月26日", "院士专家校园行", "浙江大学紫金港校区", "高校学生"),
        ("5月28日", "科技工作者座谈会", "杭州市科协", "一线科技工作者"),
        ("5月30日", "科技馆开放日", "杭州低碳科技馆", "公众"),
        ("5月31日", "青少年科学营", "杭州市青少年活动中心", "中小学生"),
    ]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), "杭州市科技工作者日活动安排.xlsx"


def _video() -> tuple[bytes, str]:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RuntimeError("ffmpeg is not installed")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "demo.mp4"
        subprocess.run(  # noqa: S603 - fixed arguments, no input from anyone
            [
                ffmpeg, "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=6",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=6",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast",
                "-c:a", "aac", "-shortest", "-movflags", "+faststart",
                str(target),
            ],
            check=True,
            timeout=120,
        )  # fmt: skip
        return target.read_bytes(), "科技工作者日短片.mp4"


ARTICLE = (
    "<h2>点亮精神火炬，致敬科技工作者</h2>"
    "<p>5月30日，杭州市科协在杭州低碳科技馆举办全国科技工作者日主场活动，"
    "一线科技工作者、院士专家和青少年代表三百余人参加。</p>"
    "<ul><li>院士专家与青少年面对面交流</li><li>优秀科技工作者事迹分享</li>"
    "<li>科技馆全天免费开放</li></ul>"
    "<p>活动通过新华网、杭州日报等媒体同步报道。</p>"
)


def _catalogue() -> list[DemoResource]:
    return [
        DemoResource(
            Kind.PHOTO,
            "主场活动现场：点亮精神火炬",
            "全国科技工作者日杭州主场活动现场，科技工作者代表共同点亮精神火炬。",
            _photo(0, "点亮精神火炬", "杭州主场活动 · 2023年5月30日"),
            outcome="featured",
            tags=["主场活动", "科学家精神"],
            activity=0,
        ),
        DemoResource(
            Kind.PHOTO,
            "院士专家校园行",
            "院士专家走进浙江大学，与青年学生交流科研道路。",
            _photo(1, "院士专家校园行", "浙江大学紫金港校区"),
            tags=["院士", "校园"],
            activity=1,
        ),
        DemoResource(
            Kind.PHOTO,
            "科技馆开放日",
            "杭州低碳科技馆全天免费开放，市民排队参观。",
            _photo(2, "科技馆开放日", "杭州低碳科技馆"),
            licence=Licence.CC_BY_SA,
            tags=["科技馆"],
            activity=0,
        ),
        DemoResource(
            Kind.PHOTO,
            "青少年科学营合影",
            "青少年科学营营员与科技工作者合影。",
            _photo(3, "青少年科学营", "杭州市青少年活动中心"),
            outcome="submitted",
            tags=["青少年"],
            activity=1,
        ),
        DemoResource(
            Kind.PHOTO,
            "座谈会掠影",
            "座谈会上有人提出代写论文问题，图片说明待修改。",
            _photo(4, "科技工作者座谈会", "杭州市科协"),
            outcome="held",
            tags=["座谈会"],
            activity=2,
        ),
        DemoResource(
            Kind.PHOTO,
            "慰问一线科技工作者",
            "走访慰问一线科技工作者。",
            _photo(5, "走访慰问", "一线科技工作者"),
            outcome="returned",
            tags=["慰问"],
        ),
        DemoResource(
            Kind.VIDEO,
            "科技工作者日宣传短片",
            "六秒的宣传短片（演示用测试画面）。",
            _video,
            outcome="featured",
            tags=["短片"],
            activity=0,
        ),
        DemoResource(
            Kind.DOCUMENT,
            "2023年科技工作者日宣传海报",
            "可直接印刷的A4宣传海报，两页。",
            _pdf,
            licence=Licence.CC_BY_NC,
            tags=["海报"],
        ),
        DemoResource(
            Kind.DOCUMENT,
            "杭州市科技工作者日活动安排表",
            "各项活动的日期、地点和面向人群。",
            _xlsx,
            licence=Licence.PLATFORM,
            outcome="draft",
        ),
        DemoResource(
            Kind.ARTICLE,
            "杭州举办全国科技工作者日主场活动",
            "主场活动通讯稿。",
            body=ARTICLE,
            tags=["通讯稿"],
            activity=0,
        ),
        DemoResource(
            Kind.LINK,
            "媒体报道：致敬新时代科技工作者",
            "新华网对杭州主场活动的报道。",
            url="https://www.news.cn/",
            licence=Licence.PLATFORM,
            tags=["媒体报道"],
        ),
    ]


def load_demo_resources(
    *, campaign_admin: User, unit_editor: User, unit_admin: User, log=print
) -> int:
    """Create the demo resources of the 2023 campaign that do not exist yet; return how many."""
    campaign = Campaign.objects.filter(year=2023).first()
    unit = Unit.objects.filter(code=UNIT_CODE).first()
    if campaign is None or unit is None:
        return 0
    for word, category in DEMO_WORDS:
        if not SensitiveWord.objects.filter(campaign=campaign, word=word).exists():
            word_add(actor=campaign_admin, campaign=campaign, word=word, category=category)
    activities = list(
        Activity.objects.filter(
            campaign=campaign, lead_unit=unit, status=ActivityStatus.PUBLISHED
        ).order_by("pk")[:3]
    )
    existing = set(Resource.objects.filter(campaign=campaign).values_list("title", flat=True))
    created = 0
    for spec in _catalogue():
        if spec.title in existing:
            continue
        try:
            resource = _create(spec, campaign, unit, unit_editor, activities)
        except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
            log(f"  skipped demo resource {spec.title}: {exc}")
            continue
        _moderate(spec, resource, campaign_admin, unit_editor, unit_admin)
        created += 1
    return created


def _create(
    spec: DemoResource, campaign: Campaign, unit: Unit, editor: User, activities: list[Activity]
) -> Resource:
    common: dict[str, Any] = {
        "actor": editor,
        "unit": unit,
        "campaign": campaign,
        "kind": spec.kind,
        "title": spec.title,
        "attribution": "杭州市科学技术协会",
        "description": spec.description,
        "licence": spec.licence,
        "tags": spec.tags,
        "activity": activities[spec.activity % len(activities)]
        if spec.activity is not None and activities
        else None,
    }
    if spec.make is None:
        return services.resource_create(**common, body=spec.body, url=spec.url)
    content, name = spec.make()
    with transaction.atomic():
        resource = services.resource_create_from_upload(
            **common,
            upload=io.BytesIO(content),
            file_name=name,
            people_consent=spec.kind in (Kind.PHOTO, Kind.VIDEO),
        )
    # Processed here, at once; the job the commit enqueued finds nothing pending and stops.
    processing.process(resource.pk)
    resource.refresh_from_db()
    if resource.processing != Processing.DONE:
        raise RuntimeError(resource.processing_error or "processing did not finish")
    return resource


def _moderate(
    spec: DemoResource, resource: Resource, admin: User, editor: User, unit_admin: User
) -> None:
    if spec.outcome == "draft":
        return
    resource = services.resource_submit(actor=editor, resource=resource)
    if spec.outcome in ("submitted", "held"):
        return
    if spec.outcome == "returned":
        services.resource_return(
            actor=unit_admin,
            resource=resource,
            reason="请补充照片中人物的姓名和单位，并确认已取得本人同意。",
        )
        return
    resource = services.resource_approve(actor=unit_admin, resource=resource)
    if spec.outcome == "featured":
        services.resource_feature(actor=admin, resource=resource)
