"""Demo news for `manage.py load_demo`: a dozen items of the 2023 campaign in every category.

The campaign admin writes national news, announcements and media coverage for 中国科协宣传文化部
and publishes them (campaign admins decide national items); the unit editor writes local news for
their unit (Hangzhou's 科协 in the demo) and the unit admin above it decides. Two items are pinned,
two carry attachments from the resource library (published 2023 resources), and one item is left
in each state before or after publication: a draft, a submitted one, a returned one (with its
reason) and a withdrawn one.

Every item goes through `sciday.news.services`, like one written in the workspace. Only the
publication dates are then set back to the days around 30 May 2023 (a queryset update), so the
list reads like the campaign's. Idempotent: an item whose title already exists in the campaign is
skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sciday.accounts.models import User
from sciday.accounts.selectors import user_memberships
from sciday.campaigns.models import Campaign
from sciday.news import policy, services
from sciday.news.models import Category, NewsItem, Status
from sciday.orgs.models import Unit
from sciday.resources.models import Resource

NATIONAL_UNIT_CODE = "cast-publicity"
LOCAL_UNIT_CODE = "local-hangzhou"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class DemoNews:
    title: str
    category: str
    summary: str
    paragraphs: list[str]
    national: bool = True  # written by the campaign admin (else by the unit editor)
    status: str = Status.PUBLISHED
    published: tuple[int, int, int, int] = (5, 30, 10, 0)  # month, day, hour, minute in 2023
    pinned: bool = False
    attach: int = 0  # how many published resources to attach
    source_name: str = ""
    source_url: str = ""
    reason: str = ""


def _body(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


CATALOGUE = [
    DemoNews(
        "中国科协等部门联合印发2023年全国科技工作者日活动通知",
        Category.ANNOUNCEMENT,
        "以“点亮精神火炬”为主题，组织开展全国科技工作者日系列活动。",
        [
            "为深入学习宣传贯彻党的二十大精神，大力弘扬科学家精神，中国科协、科技部等部门联合印发"
            "通知，部署开展2023年全国科技工作者日活动。",
            "通知要求，各地各单位围绕“点亮精神火炬”主题，组织开展走访慰问、学术交流、科普宣传、"
            "风采展示等活动，营造尊重知识、尊重人才、尊重创造的良好氛围。",
            "活动时间为5月下旬至6月上旬，5月30日前后为集中活动期。",
        ],
        published=(5, 8, 9, 0),
        pinned=True,
    ),
    DemoNews(
        "2023年全国科技工作者日主场活动在京举行",
        Category.NATIONAL,
        "主场活动发布“最美科技工作者”学习宣传结果，致敬新时代科技工作者。",
        [
            "5月30日，2023年全国科技工作者日主场活动在北京举行。活动以“点亮精神火炬”为主题，"
            "向全国广大科技工作者致以节日问候。",
            "活动现场发布了2023年“最美科技工作者”学习宣传结果，十位科技工作者讲述了扎根一线、"
            "攻坚克难的奋斗故事。",
            "与会代表表示，要传承老一辈科学家精神，在高水平科技自立自强中建功立业。",
        ],
        published=(5, 30, 18, 0),
        pinned=True,
        attach=3,
    ),
    DemoNews(
        "关于开展2023年“最美科技工作者”学习宣传活动的通知",
        Category.ANNOUNCEMENT,
        "请各推荐单位于4月30日前报送推荐材料。",
        [
            "各省、自治区、直辖市科协，各全国学会，各有关单位：",
            "为选树宣传一批新时代科技工作者先进典型，现组织开展2023年“最美科技工作者”学习宣传活动，"
            "请按照推荐名额和条件，认真做好人选推荐工作。",
            "推荐材料包括推荐表、主要事迹材料和照片，请于4月30日前报送。",
        ],
        published=(3, 20, 10, 0),
    ),
    DemoNews(
        "各地开展形式多样的科技工作者日主题活动",
        Category.NATIONAL,
        "全国各地科协组织开展走访慰问、科普进社区、学术沙龙等活动近万场。",
        [
            "全国科技工作者日前后，各地科协组织结合本地实际，开展了形式多样的主题活动。",
            "北京、上海、江苏、浙江等地组织院士专家走进校园、社区，讲述科学家故事；"
            "多地举办青年科技工作者座谈会，倾听一线科技工作者心声。",
        ],
        published=(5, 31, 9, 30),
    ),
    DemoNews(
        "人民日报：致敬新时代科技工作者",
        Category.MEDIA,
        "人民日报刊发评论，点赞广大科技工作者的奉献与担当。",
        [
            "评论指出，科技工作者是推动科技进步和创新发展的重要力量，"
            "要让科学家精神在全社会蔚然成风。",
        ],
        published=(5, 30, 7, 0),
        source_name="人民日报",
        source_url="https://www.people.com.cn/",
    ),
    DemoNews(
        "新华社：“点亮精神火炬”全国科技工作者日活动侧记",
        Category.MEDIA,
        "新华社记者走进活动现场，记录科技工作者的节日。",
        ["从实验室到田间地头，从大国重器到科普讲台，科技工作者用行动诠释初心使命。"],
        published=(5, 30, 20, 0),
        source_name="新华社",
        source_url="https://www.news.cn/",
    ),
    DemoNews(
        "杭州市科协举办“点亮精神火炬”科学家精神报告会",
        Category.LOCAL,
        "院士专家走进校园，与千余名师生分享科研报国的故事。",
        [
            "5月26日，杭州市科协在市科技馆举办科学家精神报告会。",
            "报告会上，院士专家结合自身经历，讲述了老一辈科学家胸怀祖国、服务人民的感人故事，"
            "勉励青年学生勇攀科学高峰。",
        ],
        national=False,
        published=(5, 26, 16, 0),
        attach=2,
    ),
    DemoNews(
        "杭州：科技工作者走进社区开展科普志愿服务",
        Category.LOCAL,
        "百余名科技志愿者走进社区，开展健康、防灾、人工智能等科普活动。",
        [
            "全国科技工作者日期间，杭州市组织科技志愿者深入社区、乡村，"
            "开展健康讲座、应急演练和人工智能体验等活动，受到居民欢迎。",
        ],
        national=False,
        published=(5, 29, 11, 0),
    ),
    DemoNews(
        "浙江日报：杭州科技工作者过节日",
        Category.MEDIA,
        "浙江日报报道杭州科技工作者日系列活动。",
        ["报道介绍了杭州围绕科技工作者日开展的走访慰问、座谈交流和科普志愿服务活动。"],
        national=False,
        published=(5, 31, 8, 0),
        source_name="浙江日报",
        source_url="https://zjrb.zjol.com.cn/",
    ),
    DemoNews(
        "杭州市科协关于征集科技工作者风采故事的通知",
        Category.ANNOUNCEMENT,
        "面向全市征集科技工作者风采故事和照片。",
        ["欢迎各单位推荐身边科技工作者的感人故事，材料请于6月15日前报送。"],
        national=False,
        status=Status.DRAFT,
    ),
    DemoNews(
        "杭州市青年科技工作者座谈会召开",
        Category.LOCAL,
        "二十余名青年科技工作者交流创新创业体会。",
        ["座谈会上，青年科技工作者围绕科研环境、人才发展等话题踊跃发言。"],
        national=False,
        status=Status.SUBMITTED,
    ),
    DemoNews(
        "杭州科普讲解大赛决赛举行",
        Category.LOCAL,
        "30名选手同台竞技，展示科普讲解风采。",
        ["决赛现场，选手们围绕航天、生命科学、人工智能等主题进行讲解。"],
        national=False,
        status=Status.RETURNED,
        reason="请补充获奖名单，并核实比赛日期。",
    ),
    DemoNews(
        "全国科技工作者日活动时间调整的通知",
        Category.ANNOUNCEMENT,
        "（已撤下）活动时间以正式通知为准。",
        ["原定活动时间调整，具体安排以正式通知为准。"],
        status=Status.WITHDRAWN,
        published=(5, 10, 9, 0),
        reason="内容与正式通知重复，已撤下。",
    ),
]


def _unit_of(user: User, code: str, *, decider: User | None = None) -> Unit | None:
    """The demo unit `code` when `user` may write for it, else the first unit they write for
    (whose items `decider` may decide, when given)."""
    unit = Unit.objects.filter(code=code).first()
    if unit is not None and policy.can_edit_in(user, unit):
        return unit
    for membership in user_memberships(user=user):
        candidate = membership.unit
        if policy.can_edit_in(user, candidate) and (
            decider is None or policy.can_decide_for(decider, candidate)
        ):
            return candidate
    return None


def _attachments(campaign: Campaign, unit: Unit | None, count: int) -> list[Resource]:
    if not count:
        return []
    qs = Resource.objects.filter(campaign=campaign, status="published").order_by("pk")
    if unit is not None and qs.filter(unit=unit).exists():
        qs = qs.filter(unit=unit)
    return list(qs[:count])


def load_demo_news(*, campaign_admin: User, unit_editor: User, unit_admin: User) -> int:
    """Create the demo news of the 2023 campaign that do not exist yet; return how many."""
    campaign = Campaign.objects.filter(year=2023).first()
    if campaign is None:
        return 0
    national = _unit_of(campaign_admin, NATIONAL_UNIT_CODE)
    local = _unit_of(unit_editor, LOCAL_UNIT_CODE, decider=unit_admin)
    existing = set(NewsItem.objects.filter(campaign=campaign).values_list("title", flat=True))
    created = 0
    to_pin: list[NewsItem] = []
    for spec in CATALOGUE:
        if spec.title in existing:
            continue
        author, unit = (campaign_admin, national) if spec.national else (unit_editor, local)
        decider = campaign_admin if spec.national else unit_admin
        if unit is None:
            continue
        item = services.news_create(
            actor=author,
            campaign=campaign,
            unit=unit,
            category=spec.category,
            title=spec.title,
            summary=spec.summary,
            body=_body(spec.paragraphs),
            source_name=spec.source_name,
            source_url=spec.source_url,
            attachments=_attachments(campaign, None if spec.national else unit, spec.attach),
        )
        created += 1
        if spec.status == Status.DRAFT:
            continue
        item = services.news_submit(actor=author, item=item)
        if spec.status == Status.SUBMITTED:
            continue
        if spec.status == Status.RETURNED:
            services.news_return(actor=decider, item=item, reason=spec.reason)
            continue
        item = services.news_approve(actor=decider, item=item)
        month, day, hour, minute = spec.published
        when = datetime(2023, month, day, hour, minute, tzinfo=SHANGHAI)
        NewsItem.objects.filter(pk=item.pk).update(published_at=when)
        if spec.status == Status.WITHDRAWN:
            services.news_withdraw(actor=campaign_admin, item=item, reason=spec.reason)
        elif spec.pinned:
            to_pin.append(item)
    # The first of the catalogue ends up on top: pin it last.
    for item in reversed(to_pin):
        services.news_pin(actor=campaign_admin, item=item)
    return created
