"""Demo activities for `manage.py load_demo`: a few hundred realistic 2023 activities.

Every activity goes through `sciday.activities.services` (create, then submit, approve, return,
cancel, finish), so the audit log, the workflow history and the search index are real. The
generator is seeded: the same count gives the same activities on every run, and each one has a
reference `demo-NNNN`, so a second run skips what exists and adds nothing.

Lead units are the seeded provincial 科协 (`cast-<code>`), a few provincial S&T departments
(`std-<code>`) and the demo's own units; provinces are drawn in proportion to their population.
Activities of Zhejiang's units are written by the demo unit editor and decided by the Zhejiang
unit admin where the tree allows it; everything else by the demo campaign admin, who may act on
every activity (`sciday.activities.policy.GLOBAL_CAPS`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from sciday.activities import services
from sciday.activities.models import Activity, Format, Status
from sciday.activities.policy import can_decide_for, can_edit_in
from sciday.campaigns.models import Campaign, Category, SubType
from sciday.orgs.models import Region, Unit

DEFAULT_COUNT = 300
SEED = 20230530
REFERENCE = "demo-{:04d}"

# Population in millions (2020 census, rounded): how often a province leads an activity.
POPULATION = {
    "11": 22, "12": 14, "13": 75, "14": 35, "15": 24, "21": 43, "22": 24, "23": 32,
    "31": 25, "32": 85, "33": 65, "34": 61, "35": 42, "36": 45, "37": 102, "41": 99,
    "42": 58, "43": 66, "44": 126, "45": 50, "46": 10, "50": 32, "51": 84, "52": 39,
    "53": 47, "54": 4, "61": 40, "62": 25, "63": 6, "64": 7, "65": 26,
}  # fmt: skip
# Provinces whose S&T department also leads some activities (科技活动周 joint events).
STD_PROVINCES = ("11", "31", "32", "33", "44", "51")
# The demo's own units (see load_demo.UNITS) and how often each leads, against the provinces.
DEMO_UNITS = {
    "local-hangzhou": 14,
    "local-ningbo": 8,
    "univ-zju": 6,
    "univ-tsinghua": 6,
    "ent-geely": 3,
    "society-ccs": 4,
    "society-ccf": 4,
    "society-caa": 4,
    "ent-cnpc": 3,
}
PLACEHOLDER_REGIONS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# Share of each final status (in this order of drawing).
STATUS_WEIGHTS = {
    Status.PUBLISHED: 50,
    Status.FINISHED: 22,
    Status.SUBMITTED: 8,
    Status.RETURNED: 6,
    Status.CANCELLED: 6,
    Status.DRAFT: 8,
}

TOPICS = [
    "人工智能与未来生活",
    "碳达峰碳中和",
    "深海探测",
    "航天强国之路",
    "生物育种",
    "量子科技",
    "新能源汽车",
    "数字经济",
    "防灾减灾",
    "健康中国",
]
PLACES = [
    "科技馆报告厅",
    "图书馆多功能厅",
    "会展中心",
    "市民中心",
    "青少年活动中心",
    "科普教育基地",
]
SCHOOLS = ["第一中学", "实验小学", "职业技术学院", "师范学院"]
AUDIENCES = [
    "科技工作者",
    "青少年学生",
    "社区居民",
    "高校师生",
    "企业科研人员",
    "农民群众",
    "中小学教师",
]
RETURN_REASONS = [
    "请补充活动的具体地点和主讲专家姓名。",
    "活动时间与主会场冲突，请调整到5月30日前后其他时段。",
    "活动简介过于简略，请说明活动内容、对象和预期规模。",
    "直播链接无法打开，请核对后重新提交。",
]
CANCEL_REASONS = [
    "受天气影响，为确保参与者安全，活动取消。",
    "主讲专家临时有重要任务，活动取消，另行安排。",
    "场地临时改作他用，活动取消。",
]


@dataclass(frozen=True)
class Template:
    """A kind of activity: its title, summary and how it is usually held."""

    category: int  # Category.number
    subtype: str  # SubType.name, "" for none
    title: str  # {city} {prov} {unit} {topic} {place} {school}
    summary: str
    formats: tuple[str, ...] = (Format.OFFLINE, Format.OFFLINE, Format.HYBRID)
    days: int = 1
    weight: int = 2


TEMPLATES = [
    Template(
        1,
        "国情考察",
        "{prov}科技工作者“点亮精神火炬”国情考察活动",
        "组织优秀科技工作者代表走进红色教育基地和重大工程现场，开展国情研修。"
        "在实地考察中感悟科学家精神，增强创新报国的使命感。",
        days=2,
    ),
    Template(
        1,
        "交流座谈",
        "{city}青年科技工作者交流座谈会",
        "邀请不同领域的青年科技工作者畅谈科研经历与成长体会。"
        "听取科技工作者对人才发展环境的意见建议。",
    ),
    Template(
        1,
        "建言献策",
        "“科技助力高质量发展”{city}科技工作者建言献策座谈会",
        "围绕{topic}等地方发展需求，组织专家学者建言献策，形成决策咨询建议。",
    ),
    Template(
        1,
        "社会服务",
        "{city}“点亮精神火炬”科技志愿服务进社区",
        "科技志愿者走进社区开展科普宣传、健康义诊和技术咨询，把科技服务送到群众身边。",
        weight=4,
    ),
    Template(
        2,
        "联动活动",
        "{city}全国科技活动周暨科技工作者日科普展",
        "科技活动周与科技工作者日同部署同开展，集中展示本地科技创新成果和科普展品。"
        "市民可现场体验互动科普项目。",
        days=3,
        weight=4,
    ),
    Template(
        2,
        "联动活动",
        "{city}科研院所科普开放日",
        "高校、科研院所和重点实验室向公众开放，科研人员现场讲解，公众近距离感受科学魅力。",
        weight=3,
    ),
    Template(
        2,
        "新媒体科普",
        "{unit}“云上科普”直播：{topic}",
        "邀请一线科研人员在线讲解{topic}的最新进展，观众可在直播间提问互动。",
        formats=(Format.ONLINE,),
        weight=3,
    ),
    Template(
        2,
        "新媒体科普",
        "{prov}科技工作者日科普短视频展播",
        "征集并展播一批科技工作者创作的科普短视频，讲述身边的科学故事。",
        formats=(Format.ONLINE,),
        days=5,
    ),
    Template(
        3,
        "最美科技工作者发布仪式",
        "{prov}“最美科技工作者”发布仪式",
        "发布本年度“最美科技工作者”先进事迹，展现新时代科技工作者的精神风貌。仪式同步网络直播。",
        formats=(Format.HYBRID,),
    ),
    Template(
        3,
        "全国创新争先奖颁奖",
        "{prov}创新争先奖获奖者事迹分享会",
        "全国创新争先奖获奖者讲述攻坚克难的科研故事，弘扬创新争先的时代风尚。",
    ),
    Template(
        4,
        "科学家精神教育基地活动",
        "{city}科学家精神教育基地主题开放日",
        "科学家精神教育基地面向公众免费开放，讲解员带领参观老一辈科学家的手稿和实物，"
        "开展沉浸式科普教育。",
        weight=3,
    ),
    Template(
        4,
        "报告团进学校进院所进企业",
        "{city}“点亮精神火炬”科学家精神报告会",
        "科学家精神报告团走进{school}，讲述科学家胸怀祖国、服务人民的感人故事。",
        weight=4,
    ),
    Template(
        4,
        "报告团进学校进院所进企业",
        "{city}“院士面对面”走进{school}",
        "院士与师生面对面交流，分享治学经历和人生感悟，激发青少年的科学梦想。",
        weight=3,
    ),
    Template(
        4,
        "百馆千场万人宣讲",
        "{city}弘扬科学家精神百馆千场万人宣讲",
        "在科技馆、图书馆和文化馆开展科学家精神宣讲，用生动的科普故事传播科学精神。",
        weight=3,
    ),
    Template(
        4,
        "与大咖同行公开课",
        "“与大咖同行”公开课：{topic}",
        "知名科学家以{topic}为题开讲公开课，面向青少年普及前沿科学知识。线上线下同步进行。",
        formats=(Format.HYBRID, Format.ONLINE),
        weight=3,
    ),
    Template(
        4,
        "一带一路对外讲好科学家故事",
        "“一带一路”讲好中国科学家故事国际交流会",
        "邀请共建“一带一路”国家的青年学者参加交流会，用多语种讲述中国科学家故事。",
        formats=(Format.HYBRID,),
        weight=1,
    ),
    Template(
        5,
        "科创中国试点城市服务",
        "{city}“科创中国”技术服务对接会",
        "组织学会专家与企业开展技术需求对接，推动科技成果转化落地。",
    ),
    Template(
        5,
        "新时代文明实践中心/党群服务中心/社区服务中心服务",
        "{city}科普进社区志愿服务",
        "科技志愿者在新时代文明实践中心开展科普讲座和应急安全演示，"
        "为社区居民普及防灾减灾和健康生活知识。",
        weight=5,
    ),
    Template(
        5,
        "乡村振兴",
        "{city}科技助力乡村振兴专家服务行",
        "农业专家深入田间地头，开展种植养殖技术培训和现场指导，助力乡村产业发展。",
        weight=4,
    ),
    Template(
        5,
        "知识产权法律咨询",
        "{city}知识产权法律咨询日",
        "知识产权律师和专利代理师为科技工作者和企业提供免费法律咨询，解读专利申请与保护要点。",
        weight=2,
    ),
    Template(
        5,
        "科研人员心理辅导",
        "{city}科研人员心理健康讲座",
        "心理学专家为科研人员讲解压力管理与情绪调节方法，并提供一对一心理咨询。",
        formats=(Format.OFFLINE, Format.HYBRID, Format.ONLINE),
        weight=2,
    ),
    Template(
        6,
        "活动信息上传",
        "{unit}科技工作者日活动信息汇编",
        "汇总本单位科技工作者日系列活动的图文信息，上传至全国平台共享。",
        formats=(Format.ONLINE,),
        weight=1,
    ),
    Template(
        6,
        "宣传产品上传",
        "{unit}科技工作者日宣传海报与科普短视频",
        "制作科技工作者日主题宣传海报和科普短视频，供各级单位免费下载使用。",
        formats=(Format.ONLINE,),
        weight=1,
    ),
]


@dataclass
class Spec:
    """One demo activity as drawn: what to create and where its workflow ends."""

    reference: str
    unit: str
    template: Template
    status: str
    fields: dict = field(default_factory=dict)
    reason: str = ""
    actual: int = 0
    views: int | None = None


def _all_leads() -> list[tuple[str, int]]:
    """Every lead unit code the generator may use, with its weight."""
    weights = [(f"cast-{code}", pop) for code, pop in POPULATION.items()]
    weights += [(f"std-{code}", POPULATION[code] // 4) for code in STD_PROVINCES]
    return weights + list(DEMO_UNITS.items())


def _lead_weights(units: dict[str, Unit]) -> list[tuple[str, int]]:
    return [(code, w) for code, w in _all_leads() if code in units and w > 0]


def _day(rng: random.Random, first: date, last: date, peak: date) -> date:
    """A day inside [first, last], clustered around `peak` (the Day, 30 May)."""
    while True:
        offset = round(rng.gauss(0, 6))
        day = peak + timedelta(days=offset)
        if first <= day <= last:
            return day


def _draw(
    count: int,
    campaign: Campaign,
    units: dict[str, Unit],
    cities: dict[str, list[Region]],
    provinces: dict[str, Region],
) -> list[Spec]:
    """Draw `count` activities; the same count and data always give the same list."""
    rng = random.Random(SEED)  # noqa: S311 - a repeatable demo, not a secret
    leads = _lead_weights(units)
    lead_codes, lead_w = [c for c, _ in leads], [w for _, w in leads]
    statuses, status_w = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    tz = ZoneInfo(settings.TIME_ZONE)
    first, last = campaign.window_start, campaign.window_end
    peak = campaign.day if first <= campaign.day <= last else first
    specs = []
    for number in range(1, count + 1):
        code = rng.choices(lead_codes, lead_w)[0]
        unit = units[code]
        template = rng.choices(TEMPLATES, [t.weight for t in TEMPLATES])[0]
        status = rng.choices(statuses, status_w)[0]
        province = unit.province_code or "110000"
        options = cities.get(province) or []
        region = unit.region if unit.region and unit.region.level == 2 else None
        if region is None and options:
            region = rng.choice(options)
        prov_name = provinces[province].name if province in provinces else ""
        city = region.name if region and region.name not in PLACEHOLDER_REGIONS else prov_name
        fmt = rng.choice(template.formats)
        day = _day(rng, first, last, peak)
        days = template.days
        end_day = min(day + timedelta(days=days - 1), last)
        start_time = rng.choice([time(9), time(9, 30), time(14), time(14, 30), time(19)])
        hours = rng.choice([1.5, 2, 2, 3])
        starts_at = datetime.combine(day, start_time, tzinfo=tz)
        ends_at = datetime.combine(end_day, start_time, tzinfo=tz) + timedelta(hours=hours)
        words = {
            "city": city,
            "prov": prov_name,
            "unit": unit.short_name or unit.name,
            "topic": rng.choice(TOPICS),
            "place": rng.choice(PLACES),
            "school": f"{city}{rng.choice(SCHOOLS)}",
        }
        expected = rng.choice([30, 50, 80, 100, 150, 200, 300, 500, 1000])
        fields = {
            "title": template.title.format(**words)[:200],
            "summary": template.summary.format(**words),
            "format": fmt,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "audience": rng.choice(AUDIENCES),
            "expected_participants": expected,
        }
        if fmt != Format.ONLINE:
            fields["region"] = region or provinces.get(province)
            fields["address"] = f"{city}{words['place']}"
        if fmt != Format.OFFLINE:
            fields["online_url"] = f"https://live.sciday.test/{REFERENCE.format(number)}"
        spec = Spec(REFERENCE.format(number), code, template, status, fields)
        if status == Status.RETURNED:
            spec.reason = rng.choice(RETURN_REASONS)
        elif status == Status.CANCELLED:
            spec.reason = rng.choice(CANCEL_REASONS)
        elif status == Status.FINISHED:
            spec.actual = max(1, round(expected * rng.uniform(0.7, 1.4)))
            if fmt != Format.OFFLINE:
                spec.views = rng.randrange(500, 50000, 10)
        specs.append(spec)
    return specs


def load_demo_activities(
    *, campaign_admin, unit_editor=None, unit_admin=None, count: int = DEFAULT_COUNT
) -> int:
    """Create the demo activities that do not exist yet; return how many were created.

    Each service call is its own transaction, so the search index is refreshed as each one
    commits: call this outside any atomic block.
    """
    campaign = Campaign.objects.filter(year=2023).first()
    if campaign is None or count <= 0:
        return 0
    existing = set(
        Activity.objects.filter(campaign=campaign, reference__startswith="demo-").values_list(
            "reference", flat=True
        )
    )
    if all(REFERENCE.format(n) in existing for n in range(1, count + 1)):
        return 0
    codes = {c for c, _ in _all_leads()}
    units = {
        u.code: u
        for u in Unit.objects.filter(code__in=codes, is_active=True).select_related("region")
    }
    regions = list(Region.objects.all())
    provinces = {r.code: r for r in regions if r.level == Region.Level.PROVINCE}
    cities: dict[str, list[Region]] = {}
    for r in regions:
        if r.level == Region.Level.PREFECTURE:
            cities.setdefault(r.province_code, []).append(r)
    for code, options in cities.items():  # real cities first; placeholders only when alone
        named = [r for r in options if r.name not in PLACEHOLDER_REGIONS]
        cities[code] = named or options
    categories = {c.number: c for c in Category.objects.filter(campaign=campaign)}
    subtypes = {
        (s.category_id, s.name): s for s in SubType.objects.filter(category__campaign=campaign)
    }
    created = 0
    for spec in _draw(count, campaign, units, cities, provinces):
        if spec.reference in existing:
            continue
        unit = units[spec.unit]
        editor = unit_editor if unit_editor and can_edit_in(unit_editor, unit) else campaign_admin
        decider = unit_admin if unit_admin and can_decide_for(unit_admin, unit) else campaign_admin
        category = categories[spec.template.category]
        activity = services.activity_create(
            actor=editor,
            campaign=campaign,
            lead_unit=unit,
            category=category,
            subtype=subtypes.get((category.pk, spec.template.subtype)),
            reference=spec.reference,
            **spec.fields,
        )
        created += 1
        if spec.status == Status.DRAFT:
            continue
        activity = services.activity_submit(actor=editor, activity=activity)
        if spec.status == Status.SUBMITTED or activity.status != Status.SUBMITTED:
            pass
        elif spec.status == Status.RETURNED:
            services.activity_return(actor=decider, activity=activity, reason=spec.reason)
            continue
        else:
            activity = services.activity_approve(actor=decider, activity=activity)
        if activity.status != Status.PUBLISHED:
            continue
        if spec.status == Status.CANCELLED:
            services.activity_cancel(actor=editor, activity=activity, reason=spec.reason)
        elif spec.status == Status.FINISHED:
            services.activity_finish(
                actor=editor,
                activity=activity,
                actual_participants=spec.actual,
                online_views=spec.views,
            )
    return created
