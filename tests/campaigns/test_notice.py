"""The public notice at /notice/, laid out as an official document (GB/T 9704)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sciday.campaigns import services
from sciday.campaigns.models import Campaign

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def page(client, campaign_2023):
    response = client.get("/notice/")
    assert response.status_code == 200
    return response.content.decode()


def test_notice_route_names():
    assert reverse("portal:notice") == "/notice/"
    assert reverse("portal:notice_year", args=[2023]) == "/notice/2023/"


def test_the_facts_everyone_looks_for(page):
    assert "科协发宣字〔2023〕13号" in page
    assert "点亮精神火炬" in page
    description = '<meta name="description" content="科协发宣字〔2023〕13号 中国科协 科技部'
    assert description in page


def test_the_head_of_the_document(page):
    head = page[page.index('class="gw-head"') : page.index('class="gw-title"')]
    assert head.index("中国科协") < head.index("科技部") < head.index("文件")
    assert '<span class="gw-issuer">中国科协</span><span class="gw-issuer">科技部</span>' in head
    assert '<p class="gw-number">科协发宣字〔2023〕13号</p>' in head
    assert '<hr class="gw-red-rule">' in head


def test_title_and_recipients(page):
    assert (
        '<h1 class="gw-title" id="gw-title">'
        '<span class="gw-title-line">中国科协 科技部关于开展2023年</span>'
        '<span class="gw-title-line">“全国科技工作者日”活动的通知</span></h1>'
    ) in page
    recipients = re.search(r'<p class="gw-recipients">(.*?)</p>', page).group(1)
    assert recipients.startswith("各省、自治区、直辖市科协")
    assert recipients.endswith("企业科协：")


def test_body_headings_and_paragraphs(page):
    headings = ["一、活动主题", "二、活动时间", "三、目标成效", "四、主要活动", "五、工作要求"]
    for heading in [*headings, "六、联系方式"]:
        assert f'<h2 class="gw-h1">{heading}</h2>' in page
    assert '<span class="gw-h2">（一）“点亮精神火炬”主题活动。</span>将科学家精神' in page
    assert '<span class="gw-h2">（三）做好总结评估。</span>' in page
    assert "<p>2023年5月上旬-6月上旬</p>" in page
    assert page.count('class="gw-h1"') == 6
    assert page.count('class="gw-h2"') == 9


def test_contacts_are_drawn_from_the_data(page):
    contacts = page[page.index("六、联系方式") : page.index('class="gw-signature"')]
    text = _text(contacts)
    assert text.index("中国科协宣传文化部") < text.index("科技部人才与科普司")
    for line in [
        "联系人：兰雪滢 孟令耘",
        "联系电话：(010) 68574158",
        "传　　真：(010) 68572088",
        "电子邮箱：xuanchuanchu@cast.org.cn",
        "地　　址：北京市海淀区复兴路3号（100863）",
        "联系人：杨启明 王菲菲",
        "联系电话：010-58884242",
        "传　　真：010-58884208",
        "电子邮箱：kjhdz@most.cn",
        "地　　址：北京市西城区文兴东街1号国谊宾馆北楼1323房间（100044）",
    ]:
        assert line in text


def test_signature_annotation_and_imprint(page):
    assert '<p class="gw-date">2023年4月26日</p>' in page
    assert '<p class="gw-annotation">（此件主动公开）</p>' in page
    imprint = page[page.index('class="gw-imprint"') :]
    assert '<span class="gw-printed-by">中国科协办公厅</span>' in imprint
    assert '<span class="gw-printed-on">2023年4月26日印发</span>' in imprint
    # Order down the page: body, signature, annotation, imprint.
    assert page.index("六、联系方式") < page.index("gw-signature") < page.index("gw-annotation")
    assert page.index("gw-annotation") < page.index("gw-imprint")


def test_fonts_are_local_and_configurable(client, campaign_2023, settings):
    settings.NOTICE_FONTS = {"fangsong": '"仿宋_GB2312", serif'}
    page = client.get("/notice/").content.decode()
    assert '--gw-fangsong:"仿宋_GB2312", serif;' in page
    assert re.search(r'<style nonce="[^"]+">\.gw\{', page)
    assert "@font-face" not in page and "fonts.googleapis" not in page
    assert 'href="/static/css/notice.css"' in page


def test_the_year_page_and_unknown_years(client, campaign_2023):
    assert client.get("/notice/2023/").status_code == 200
    assert client.get("/notice/2019/").status_code == 404
    assert client.get("/notice/abc/").status_code == 404


def test_drafts_are_not_public(client, campaign_admin, campaign_2023):
    services.campaign_copy(actor=campaign_admin, source=campaign_2023, year=2024)
    assert client.get("/notice/2024/").status_code == 404
    assert "/notice/2024/" not in client.get("/notice/").content.decode()


def test_no_campaign_no_notice(client, db):
    Campaign.objects.all().delete()
    assert client.get("/notice/").status_code == 404


def test_english_chrome_keeps_the_chinese_document(client, campaign_2023):
    client.cookies["django_language"] = "en"
    page = client.get("/notice/", headers={"accept-language": "en"}).content.decode()
    assert "Notice of the 2023 campaign" in page
    assert "科协发宣字〔2023〕13号" in page and 'lang="zh-Hans"' in page
