"""The 2023 campaign, loaded by migration from sciday/campaigns/data/2023.json."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from sciday.campaigns.loader import load_campaign_file, read_campaign_data
from sciday.campaigns.models import Campaign, Category, Contact, ReportRoute, SubType

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_campaign_facts(campaign_2023):
    c = campaign_2023
    assert (c.year, c.edition) == (2023, 7)
    assert c.name == "2023年全国科技工作者日"
    assert c.theme == "点亮精神火炬"
    assert c.theme_en == "Light the Torch of the Spirit"
    assert (c.window_start, c.window_end) == (date(2023, 5, 1), date(2023, 6, 10))
    assert c.window_label == "2023年5月上旬-6月上旬"
    assert c.day == date(2023, 5, 30)
    assert (c.awards_from, c.awards_until) == (date(2023, 5, 21), date(2023, 5, 31))
    assert c.report_deadline == datetime(2023, 6, 30, 23, 59, 59, tzinfo=SHANGHAI)
    assert c.is_current and c.is_published


def test_document_facts(campaign_2023):
    c = campaign_2023
    assert c.doc_number == "科协发宣字\u30142023\u301513号"
    assert c.doc_title == "中国科协 科技部关于开展2023年“全国科技工作者日”活动的通知"
    assert c.issuers == ["中国科协", "科技部"]
    assert c.issue_date == date(2023, 4, 26)
    assert c.recipients.startswith("各省、自治区、直辖市科协、科技厅（委、局），新疆生产建设兵团")
    assert c.recipients.endswith("有关高校科协、企业科协")
    assert c.annotation == "（此件主动公开）"
    assert c.printed_by == "中国科协办公厅"
    assert c.printed_on == date(2023, 4, 26)


def test_body_is_the_whole_notice_one_paragraph_per_line(campaign_2023):
    lines = campaign_2023.body.splitlines()
    assert lines[0].startswith("2023年是全面贯彻落实党的二十大精神的开局之年。")
    # The seed's page-break splits are joined.
    assert "第七个“全国科技工作者日”前后，在全国范围内组织开展系列活动" in lines[0]
    assert lines[0].endswith("现将有关事项通知如下：")
    for heading in ["一、活动主题", "二、活动时间", "三、目标成效", "四、主要活动", "五、工作要求"]:
        assert heading in lines
    assert lines[-1] == "六、联系方式"
    assert lines[lines.index("一、活动主题") + 1] == "点亮精神火炬"
    assert lines[lines.index("二、活动时间") + 1] == "2023年5月上旬-6月上旬"
    first = "（一）“点亮精神火炬”主题活动。将科学家精神与本地区、本领域"
    assert any(line.startswith(first) for line in lines)
    assert any("线上线下讲好科学家故事。结合“一带一路”倡议十周年" in line for line in lines)
    assert any("扩大活动覆盖面和社会影响力" in line for line in lines)
    assert any("本地区2023年“最美科技工作者”发布仪式" in line for line in lines)
    assert any("安排在5月下旬颁发" in line for line in lines)
    assert "(" not in campaign_2023.body  # level-2 numbers in full-width brackets
    assert all(line == line.strip() and line for line in lines)


def test_six_categories_with_sub_types(campaign_2023):
    categories = list(campaign_2023.categories.order_by("number"))
    assert [c.number for c in categories] == [1, 2, 3, 4, 5, 6]
    assert [c.name for c in categories] == [
        "“点亮精神火炬”主题活动",
        "全国科技活动周与全国科技工作者日同部署同开展",
        "优秀典型学习宣传活动",
        "弘扬科学家精神系列活动",
        "科技为民志愿服务活动",
        "资源共建共享",
    ]
    assert categories[1].short_name == "全国科技活动周联动"
    assert all(c.name_en and c.description for c in categories)

    def names(number):
        return list(
            SubType.objects.filter(category__campaign=campaign_2023, category__number=number)
            .order_by("position")
            .values_list("name", flat=True)
        )

    assert names(1) == ["国情考察", "交流座谈", "建言献策", "社会服务"]
    assert names(2) == ["联动活动", "新媒体科普"]
    assert names(3) == ["最美科技工作者发布仪式", "全国创新争先奖颁奖"]
    assert "百馆千场万人宣讲" in names(4) and "与大咖同行公开课" in names(4)
    assert {"乡村振兴", "知识产权法律咨询", "科研人员心理辅导"} <= set(names(5))
    assert names(6) == ["活动信息上传", "宣传产品上传"]


def test_routes(campaign_2023):
    routes = {r.unit_kind: r for r in campaign_2023.routes.select_related("department")}
    for kind in [
        "provincial_cast",
        "national_society",
        "university_cast",
        "enterprise_cast",
        "local_cast",
    ]:
        assert routes[kind].department.code == "cast-publicity"
        assert routes[kind].as_chapter_of == ""
    assert routes["provincial_std"].department.code == "most-talent"
    assert routes["provincial_std"].as_chapter_of == "全国科技活动周总结"


def test_contacts_exactly_as_in_the_notice(campaign_2023):
    cast, most = campaign_2023.contacts.order_by("position")
    assert cast.department.code == "cast-publicity"
    assert (cast.people, cast.phone, cast.fax) == (
        "兰雪滢 孟令耘",
        "(010) 68574158",
        "(010) 68572088",
    )
    assert (cast.email, cast.address, cast.postcode) == (
        "xuanchuanchu@cast.org.cn",
        "北京市海淀区复兴路3号",
        "100863",
    )
    assert most.department.code == "most-talent"
    assert (most.people, most.phone, most.fax) == ("杨启明 王菲菲", "010-58884242", "010-58884208")
    assert (most.email, most.address, most.postcode) == (
        "kjhdz@most.cn",
        "北京市西城区文兴东街1号国谊宾馆北楼1323房间",
        "100044",
    )


def test_loading_again_changes_nothing():
    models = (Campaign, Category, SubType, ReportRoute, Contact)
    counts = [m.objects.count() for m in models]
    campaign = load_campaign_file(2023)
    assert campaign.year == 2023
    assert [m.objects.count() for m in models] == counts


def test_the_data_file_is_the_source(campaign_2023):
    data = read_campaign_data(2023)
    assert data["campaign"]["doc_number"] == campaign_2023.doc_number
    assert "\n".join(data["campaign"]["body"]) == campaign_2023.body
    assert len(data["categories"]) == 6
