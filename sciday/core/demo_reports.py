"""Demo summary reports for `manage.py load_demo`: 2023's reports in every state.

Everything goes through `sciday.reports.services` (recompute who reports, start, save, attach the
stamped scan, submit, return, resubmit, accept), so the audit log and the versions are real:

- the expected units are recomputed from the demo activities and the 2023 routes;
- 浙江省科协 (the demo unit admin's unit) writes its own report, with photos of its sub-units
  from the demo resources; CAST's department returned it with a reason, so the unit admin has a
  revision waiting;
- the other units' reports are written by the campaign admin on their behalf (the demo has no
  account in those units): drafts, on-time submissions, late ones (submitted in July 2023: the
  campaign's late policy is set to accept them with a flag), returned ones, accepted ones, one of
  them accepted after a return and a revision (two versions to compare). About a quarter of the
  expected units have no report, so the board shows missing units;
- 科技部人才与科普司 (the demo reviewer's department) receives the provincial S&T departments'
  reports; the reviewer decided some of them and has one waiting.

The submissions pass `now=` (June and July 2023); the decisions are dated when the demo loads.
Each scan is a generated A4 PDF (Pillow) with a red stamp. Idempotent: nothing is done when
浙江省科协's report exists. Units and figures are made up for the demo.
"""

from __future__ import annotations

import io
import random
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from PIL import Image, ImageDraw

from sciday.accounts.models import User
from sciday.campaigns.models import Campaign
from sciday.core.demo_resources import _font
from sciday.orgs.models import Unit, UnitKind
from sciday.reports import services
from sciday.reports.models import ExpectedReporter, LatePolicy, Report

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNIT_CODE = "cast-33"
CAST_DEPARTMENT = "cast-publicity"
MOST_DEPARTMENT = "most-talent"
# The states given in turn to the expected units of each department (None: no report).
CAST_CYCLE = (
    "accepted",
    "submitted",
    "late",
    "revised",  # accepted after a return and a revision
    "returned",
    "draft",
    "submitted",
    None,
    "accepted",
    "late",
    None,
    "submitted",
    "draft",
    None,
)
MOST_CYCLE = ("submitted", "accepted", "late", "returned", None, "accepted")
RETURN_REASON = (
    "典型经验部分较为笼统，请补充一两个具体案例及数据，并在问题与建议部分提出可操作的意见。"
)
SECTION_NOTES = {
    "highlights": "请补充具体活动的名称、参与人数和社会反响。",
    "problems": "建议分条列出，并注明需要上级协调解决的事项。",
}
MAX_PHOTOS = 4


def _when(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2023, month, day, hour, 0, tzinfo=SHANGHAI)


def _label(unit: Unit) -> str:
    return unit.short_name or unit.name


def _sections(unit: Unit, figures: dict, rng: random.Random) -> dict[str, str]:
    """The narrative: realistic, short enough for the default 3,000 characters in all."""
    name = _label(unit)
    activities = sum((figures.get("activities") or {}).values())
    participants = figures.get("participants", 0)
    reach = figures.get("online_reach", 0)
    volunteers = figures.get("volunteers", 0)
    visits = figures.get("scientist_visits", 0)
    what: str = {
        str(UnitKind.PROVINCIAL_STD): "将科技工作者日活动纳入全国科技活动周统一部署",
        str(UnitKind.NATIONAL_SOCIETY): "围绕本学科领域组织会员开展系列活动",
        str(UnitKind.UNIVERSITY_CAST): "联合学校各院系和科研平台开展校园系列活动",
        str(UnitKind.ENTERPRISE_CAST): "结合企业科技创新实践组织职工开展系列活动",
    }.get(unit.kind, "会同各市、县（区）科协和有关部门开展系列活动")
    overview = (
        f"根据《中国科协 科技部关于开展2023年“全国科技工作者日”活动的通知》要求，{name}"
        f"以“点亮精神火炬”为主题，{what}。活动期间共组织各类活动{activities}场，"
        f"线下参与{participants}人次，线上覆盖{reach}人次，动员科技志愿者{volunteers}名，"
        f"走访慰问老科学家和基层一线科技工作者{visits}人次。\n"
        "我们坚持把弘扬科学家精神作为活动主线，把服务科技工作者作为落脚点，通过座谈交流、"
        "宣讲报告、志愿服务、成果展示等多种形式，营造了尊重知识、尊重人才、尊重创造的浓厚氛围。"
    )
    cases = rng.sample(
        [
            "组织科学家精神报告团走进中小学和科研院所，开展宣讲20余场，青年科技工作者反响热烈。",
            "依托新时代文明实践中心开展科技志愿服务，把农技专家送到田间地头，解决种植难题30余个。",
            "举办“最美科技工作者”发布仪式，通过短视频和直播讲述先进事迹，相关话题阅读量超过百万。",
            "开放重点实验室和科普教育基地，组织“科学之夜”体验活动，吸引大批家庭参与。",
            "为科技工作者提供知识产权法律咨询和心理健康辅导，帮助解决实际困难。",
        ],
        3,
    )
    highlights = "\n".join(f"{i}. {case}" for i, case in enumerate(cases, start=1))
    problems = (
        "一是基层组织动员能力还不平衡，部分县（区）活动形式较为单一；"
        "二是线上传播的精品内容不够多，互动性有待加强；"
        "三是活动经费和专业人员保障不足。\n"
        "建议：进一步加强上下联动，统一发布宣传素材包；"
        "在平台上开设经验交流专栏，推广各地特色做法；对优秀组织单位给予通报表扬。"
    )
    return {"overview": overview, "highlights": highlights, "problems": problems}


def _figures(report: Report, rng: random.Random) -> dict:
    """The pre-filled figures, with the ones the unit types itself filled in."""
    figures = dict(report.figures)
    activities = sum((figures.get("activities") or {}).values())
    if not figures.get("participants"):
        figures["participants"] = activities * rng.randint(80, 300)
    figures["online_reach"] = figures["participants"] * rng.randint(5, 40)
    figures["volunteers"] = activities * rng.randint(3, 12)
    figures["volunteer_hours"] = round(figures["volunteers"] * rng.uniform(2, 8), 1)
    figures["media_reports"] = rng.randint(2, 30)
    figures["scientist_visits"] = rng.randint(1, 20)
    return figures


def scan_pdf(unit: Unit, when: datetime) -> bytes:
    """A one-page A4 scan (150 dpi) of the signed report, with the unit's red stamp."""
    page = Image.new("RGB", (1240, 1754), (252, 252, 248))
    draw = ImageDraw.Draw(page)
    black, red = (30, 30, 30), (210, 30, 40)
    draw.text((620, 200), "2023年全国科技工作者日活动总结", font=_font(56), fill=black, anchor="mm")
    lines = [
        f"报送单位：{unit.name}",
        "一、活动总体情况",
        "二、特色亮点和典型经验",
        "三、存在问题和意见建议",
        "（正文见平台填报内容）",
    ]
    for i, line in enumerate(lines):
        draw.text((150, 360 + i * 80), line, font=_font(36), fill=black)
    draw.text((640, 1300), f"{unit.name[:14]}", font=_font(32), fill=black)
    draw.text((640, 1360), f"{when:%Y年%m月%d日}", font=_font(32), fill=black)
    cx, cy, r = 900, 1300, 150
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=10)
    star = [(cx, cy - 70), (cx + 20, cy - 20), (cx + 70, cy - 20), (cx + 30, cy + 10)]
    star += [(cx + 45, cy + 60), (cx, cy + 30), (cx - 45, cy + 60), (cx - 30, cy + 10)]
    star += [(cx - 70, cy - 20), (cx - 20, cy - 20)]
    draw.polygon(star, fill=red)
    draw.text((cx, cy + 100), _label(unit)[:8], font=_font(26), fill=red, anchor="mm")
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150)
    return out.getvalue()


def _photos(campaign: Campaign, unit: Unit) -> list[int]:
    """Up to four published, processed photos and videos of the unit's subtree, if it has any."""
    from sciday.resources.models import Processing, Resource
    from sciday.resources.models import Status as ResourceStatus

    return list(
        Resource.objects.filter(
            campaign=campaign,
            unit__path__startswith=unit.path,
            kind__in=sorted(services.RESOURCE_KINDS),
            processing=Processing.DONE,
            status=ResourceStatus.PUBLISHED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:MAX_PHOTOS]
    )


def _write(
    *, actor: User, campaign: Campaign, unit: Unit, rng: random.Random, written: datetime
) -> Report:
    """Start the report, fill it in (figures, narrative, photos) and attach the scan."""
    report = services.report_start(actor=actor, campaign=campaign, unit=unit)
    figures = _figures(report, rng)
    data: dict = {"figures": figures, **_sections(unit, figures, rng)}
    photos = _photos(campaign, unit)
    if photos:
        data["resources"] = photos
    report = services.report_save_draft(
        actor=actor, report=report, base_version=report.version, data=data
    )
    content = scan_pdf(unit, written)
    return services.report_attach_scan(
        actor=actor,
        report=report,
        upload=io.BytesIO(content),
        name=f"{_label(unit)}总结报告（盖章）.pdf",
        size=len(content),
    )


def _bring(
    state: str,
    *,
    writer: User,
    decider: User,
    campaign: Campaign,
    unit: Unit,
    rng: random.Random,
) -> Report:
    """Write the unit's report and take it to `state` through the services."""
    day = rng.randint(12, 29)
    written = _when(6, day) if state != "late" else _when(7, rng.randint(2, 6))
    report = _write(actor=writer, campaign=campaign, unit=unit, rng=rng, written=written)
    if state == "draft":
        return report
    report = services.report_submit(actor=writer, report=report, now=written)
    if state in ("submitted", "late"):
        return report
    if state in ("returned", "revised"):
        report = services.report_return(
            actor=decider, report=report, reason=RETURN_REASON, section_notes=SECTION_NOTES
        )
        if state == "returned":
            return report
        report = services.report_save_draft(
            actor=writer,
            report=report,
            base_version=report.version,
            data={
                "highlights": report.highlights
                + "\n4. 在全省推广“科技志愿服务进乡村”做法，组织农技专家服务队42支，"
                "开展现场指导126次，服务农户3,800余户。",
                "problems": report.problems + "\n需要协调解决：希望统一安排科学家精神宣讲资源。",
            },
        )
        report = services.report_submit(actor=writer, report=report, now=_when(7, 10))
    return services.report_accept(actor=decider, report=report)


def load_demo_reports(*, campaign_admin: User, unit_admin: User, reviewer: User, log=print) -> int:
    """Create the demo reports of 2023 unless they exist; return how many reports it made."""
    campaign = Campaign.objects.filter(year=2023).first()
    own_unit = Unit.objects.filter(code=UNIT_CODE).first()
    if campaign is None or own_unit is None:
        return 0
    if Report.objects.filter(campaign=campaign, unit=own_unit).exists():
        return 0
    made = 0
    with transaction.atomic():
        recomputed = services.expected_recompute(actor=campaign_admin, campaign=campaign)
        log(f"  expected reporters: {recomputed.added} added")
        current = services.settings_for(campaign)
        if current.late_reports != LatePolicy.ACCEPT:
            services.report_settings_set(
                actor=campaign_admin,
                campaign=campaign,
                late_reports=LatePolicy.ACCEPT,
                text_limit=current.text_limit,
            )
        expected = list(
            ExpectedReporter.objects.filter(campaign=campaign, removed=False)
            .select_related("unit", "department")
            .order_by("unit__path")
        )
        rng = random.Random(20230630)  # noqa: S311 - a repeatable demo, not a secret
        if any(row.unit_id == own_unit.pk for row in expected):
            _bring(
                "returned",
                writer=unit_admin,
                decider=campaign_admin,
                campaign=campaign,
                unit=own_unit,
                rng=rng,
            )
            made += 1
        turns = {CAST_DEPARTMENT: 0, MOST_DEPARTMENT: 0}
        for row in expected:
            code = row.department.code or ""
            if row.unit_id == own_unit.pk or code not in turns:
                continue
            cycle = CAST_CYCLE if code == CAST_DEPARTMENT else MOST_CYCLE
            state = cycle[turns[code] % len(cycle)]
            turns[code] += 1
            if state is None:
                continue
            decider = reviewer if code == MOST_DEPARTMENT else campaign_admin
            _bring(
                state,
                writer=campaign_admin,
                decider=decider,
                campaign=campaign,
                unit=row.unit,
                rng=rng,
            )
            made += 1
    log(f"  demo reports: {made} of {len(expected)} expected units")
    return made
