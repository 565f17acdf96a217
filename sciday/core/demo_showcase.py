"""Demo showcase for `manage.py load_demo`: 2023's 最美科技工作者, published and in progress.

Everything goes through `sciday.showcase.services` (nominate, materials, submit, check, score,
shortlist, the 公示, an objection and its answer, publication), so the audit log is real. Two
things of the past cannot happen today and are arranged around the rules, in the open:
- 2023's nomination deadline (31 March 2023) is moved to today through `honour_update` while
  the demo nominates, then put back;
- the published notice is opened today (a notice cannot start in the past), then its dates are
  moved back to May 2023 (a plain update, as `demo_news` backdates its publications) so that it
  has ended and can be published.
The nominating unit's kind gets a quota of 10 (`quota_set`) so that one unit shows every state.

Idempotent: nothing is created when the demo's published people already exist. The names are
invented: the demo shows no real person.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.db import transaction

from sciday.accounts.models import Role, User
from sciday.campaigns.models import Campaign
from sciday.core.demo_resources import _poster
from sciday.showcase import services
from sciday.showcase.models import FileKind, HonourKind, Nomination, PublicNotice

HONOUR = "最美科技工作者"
PUBLISHED = [
    {
        "name": "陈静",
        "gender": "female",
        "birth_year": 1972,
        "affiliation": "示范海洋研究所",
        "title": "研究员",
        "field": "海洋地质",
        "name_en": "Chen Jing",
        "affiliation_en": "Demonstration Institute of Oceanography",
        "field_en": "Marine geology",
        "summary": "二十余年往返深海一线，带领团队绘制近海海底地质图。",
        "story_zh": "陈静研究员二十余年往返于科考船与实验室之间，累计出海一千余天。\n"
        "她带领团队完成近海海底地质调查，为海上风电和海底管线选址提供了关键数据。\n"
        "她还坚持走进中小学课堂，讲述深海里的科学故事。",
        "story_en": "For more than twenty years Chen Jing has divided her time between research "
        "vessels and the laboratory, spending over a thousand days at sea.\n"
        "Her team surveyed the geology of the coastal seabed, providing key data for siting "
        "offshore wind farms and subsea pipelines.\n"
        "She also visits primary and secondary schools to tell the science stories of the deep.",
    },
    {
        "name": "刘洋",
        "gender": "male",
        "birth_year": 1968,
        "affiliation": "示范农业科学院",
        "title": "研究员",
        "field": "作物育种",
        "name_en": "Liu Yang",
        "affiliation_en": "Demonstration Academy of Agricultural Sciences",
        "field_en": "Crop breeding",
        "summary": "扎根田间三十年，选育耐盐碱水稻品种，推广面积逾百万亩。",
        "story_zh": "刘洋研究员三十年扎根田间，选育出多个耐盐碱水稻品种。\n"
        "他把试验田建在盐碱地上，与农户一起总结种植经验，让昔日荒滩长出稻谷。",
        "story_en": "Liu Yang has worked in the fields for thirty years and bred several "
        "salt-tolerant rice varieties.\n"
        "He set up his trial plots on saline land and worked out the growing practice with "
        "farmers, turning barren flats into rice fields.",
    },
    {
        "name": "赵磊",
        "gender": "male",
        "birth_year": 1985,
        "affiliation": "示范电网公司",
        "title": "高级工程师",
        "field": "电力工程",
        "name_en": "Zhao Lei",
        "affiliation_en": "",
        "field_en": "Power engineering",
        "summary": "带领青年突击队攻克特高压带电作业难题。",
        "story_zh": "赵磊带领青年突击队，研制特高压带电作业机器人，保障了迎峰度夏期间的电网安全。",
        "story_en": "",  # shown in Chinese on the English page, with a note
    },
]
STATES = [
    ("draft", "孙悦", "示范大学", "人工智能"),
    ("submitted", "周航", "示范航天研究院", "航天器设计"),
    ("not_qualified", "吴敏", "示范医院", "临床医学"),
    ("qualified", "郑涛", "示范化工研究院", "催化化学"),
    ("shortlisted", "王瑶", "示范气象台", "大气科学"),
    ("in_notice", "冯峰", "示范林业科学研究院", "森林生态"),
]


def _jpeg(index: int, name: str) -> bytes:
    image = _poster(800, 1000, index, name, "2023 最美科技工作者", index)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _pdf(title: str, line: str, index: int) -> bytes:
    page = _poster(1240, 1754, index, title, line, index)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150)
    return out.getvalue()


def _materials(actor: User, nomination: Nomination, index: int) -> None:
    files = [
        (FileKind.RESUME, f"{nomination.name}简历.pdf", _pdf("个人简历", nomination.name, index)),
        (FileKind.ACHIEVEMENTS, "主要事迹.pdf", _pdf("主要事迹", nomination.summary[:20], index)),
        (FileKind.PHOTO, f"{nomination.name}.jpg", _jpeg(index, nomination.name)),
        (FileKind.RECOMMENDATION, "推荐意见（盖章）.pdf", _pdf("推荐意见", "（盖章）", index)),
    ]
    for kind, name, data in files:
        services.nomination_file_add(
            actor=actor,
            nomination=nomination,
            kind=kind,
            upload=io.BytesIO(data),
            name=name,
            size=len(data),
        )


def _nominate(actor: User, honour: HonourKind, unit, data: dict, index: int) -> Nomination:
    facts = {
        "gender": "female" if index % 2 else "male",
        "birth_year": 1975 + index,
        "title": "研究员",
        "summary": f"{data['name']}长期扎根科研一线，在{data['field']}领域取得突出成绩。",
        "phone": f"1380000{index:04d}",
        "consent": True,
        "consent_date": services.now_in_shanghai().date(),
        **data,
    }
    nomination = services.nomination_create(actor=actor, honour=honour, unit=unit, **facts)
    _materials(actor, nomination, index)
    return services.nomination_submit(actor=actor, nomination=nomination)


def _relate(admin: User, nomination: Nomination) -> None:
    """Show a few published activities and resources of the campaign on a profile."""
    from sciday.activities.models import PUBLIC_STATUSES as ACTIVITY_PUBLIC
    from sciday.activities.models import Activity
    from sciday.resources.models import PUBLIC_STATUSES as RESOURCE_PUBLIC
    from sciday.resources.models import Resource

    campaign = nomination.honour.campaign
    activities = Activity.objects.filter(campaign=campaign, status__in=ACTIVITY_PUBLIC)
    resources = Resource.objects.filter(campaign=campaign, status__in=RESOURCE_PUBLIC)
    services.profile_update(
        actor=admin,
        nomination=nomination,
        activity_ids=list(activities.order_by("pk").values_list("pk", flat=True)[:2]),
        resource_ids=list(resources.order_by("pk").values_list("pk", flat=True)[:2]),
    )


def _unit_of(user: User):
    membership = user.memberships.filter(role=Role.UNIT_ADMIN).select_related("unit").first()
    return membership.unit if membership else None


def load_demo_showcase(*, campaign_admin: User, unit_admin: User, expert: User, log=print) -> int:
    """Create the demo showcase of 2023 unless it exists; return how many nominations it made."""
    campaign = Campaign.objects.filter(year=2023).first()
    honour = HonourKind.objects.filter(campaign__year=2023, name=HONOUR).first()
    unit = _unit_of(unit_admin)
    if campaign is None or honour is None or unit is None:
        return 0
    if Nomination.objects.filter(honour=honour, name=PUBLISHED[0]["name"]).exists():
        return 0
    deadline = honour.nomination_deadline
    today = services.now_in_shanghai().date()
    admin = campaign_admin
    made = 0
    with transaction.atomic():
        services.honour_update(actor=admin, honour=honour, nomination_deadline=today)
        services.quota_set(actor=admin, honour=honour, unit_kind=unit.kind, max_nominations=10)
        published = []
        for index, data in enumerate(PUBLISHED, start=1):
            nomination = _nominate(unit_admin, honour, unit, data, index)
            nomination = services.nomination_check(
                actor=admin, nomination=nomination, qualified=True
            )
            services.score_set(
                actor=expert, nomination=nomination, score=95 - index, comment="事迹感人"
            )
            published.append(services.nomination_shortlist(actor=admin, nomination=nomination))
            made += 1
        notice = services.notice_open(
            actor=admin,
            campaign=campaign,
            title="2023年“最美科技工作者”人选公示",
            starts_on=today,
            nominations=published,
        )
        objection = services.objection_file(
            actor=None,
            notice=notice,
            text="建议核实赵磊同志的工作年限。",
            contact="reader@example.com",
            nomination=Nomination.objects.get(pk=published[-1].pk),
            ip="demo",
        )
        services.objection_answer(
            actor=admin, objection=objection, answer="经核实，材料属实。感谢您的监督。"
        )
        # The 2023 notice ran in May 2023: move its dates back so that it has ended.
        PublicNotice.objects.filter(pk=notice.pk).update(
            starts_on=date(2023, 5, 8), ends_on=date(2023, 5, 12)
        )
        notice.refresh_from_db()
        services.notice_publish(actor=admin, notice=notice)
        _relate(admin, Nomination.objects.get(pk=published[0].pk))

        # One nomination in each earlier state.
        in_progress: dict[str, Nomination] = {}
        for offset, (state, name, affiliation, field) in enumerate(STATES, start=10):
            data = {"name": name, "affiliation": affiliation, "field": field}
            if state == "draft":
                facts: dict[str, Any] = {
                    "gender": "female",
                    "birth_year": 1990,
                    "summary": f"{name}在{field}领域潜心研究。",
                    "phone": "13800009999",
                    "consent": True,
                    "consent_date": today,
                    **data,
                }
                services.nomination_create(actor=unit_admin, honour=honour, unit=unit, **facts)
                made += 1
                continue
            nomination = _nominate(unit_admin, honour, unit, data, offset)
            made += 1
            if state == "submitted":
                continue
            if state == "not_qualified":
                services.nomination_check(
                    actor=admin, nomination=nomination, qualified=False, reason="推荐材料未盖章。"
                )
                continue
            nomination = services.nomination_check(
                actor=admin, nomination=nomination, qualified=True
            )
            services.score_set(actor=expert, nomination=nomination, score=80, comment="较为突出")
            if state == "qualified":
                continue
            in_progress[state] = services.nomination_shortlist(actor=admin, nomination=nomination)
        services.notice_open(
            actor=admin,
            campaign=campaign,
            title="“最美科技工作者”补充人选公示",
            starts_on=today,
            nominations=[in_progress["in_notice"]],
        )
        services.honour_update(actor=admin, honour=honour, nomination_deadline=deadline)
    log(f"  showcase: {made} nominations, {len(PUBLISHED)} published profiles of 2023")
    return made
