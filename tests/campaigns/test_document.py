"""The GB/T 9704 layout logic: dates, numbers, body parsing, title lines, contacts, fonts."""

from __future__ import annotations

from datetime import date

import pytest

from sciday.campaigns import document
from sciday.campaigns.document import (
    cn_date,
    cn_numeral,
    notice_fonts,
    parse_body,
    parse_doc_number,
    place_contacts,
    recipients_line,
    split_title,
)


def test_dates_in_arabic_numerals_without_leading_zeros():
    assert cn_date(date(2023, 4, 26)) == "2023年4月26日"
    assert cn_date(date(2024, 1, 5)) == "2024年1月5日"
    assert cn_date(None) == ""


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (6, "六"), (10, "十"), (12, "十二"), (20, "二十")]
)
def test_chinese_numerals(n, text):
    assert cn_numeral(n) == text


@pytest.mark.parametrize(
    "value",
    [
        "科协发宣字[2023]13号",
        "科协发宣字〔2023〕013号",
        "科协发宣字（2023）13号",
        "科协发宣字〔2023〕第13号",
        "科协发宣字〔23〕13号",
        "〔2023〕13号",
    ],
)
def test_malformed_document_numbers(value):
    assert parse_doc_number(value) is None


def test_document_number_parts():
    number = parse_doc_number("科协发宣字〔2023〕13号")
    assert (number.agency, number.year, number.serial) == ("科协发宣字", 2023, 13)


def test_body_levels():
    blocks = parse_body(
        "引言。\n一、活动主题\n（一）主题活动。正文在此。\n"
        "(二) 半角括号\n1.第三层\n（1）第四层。内容\n"
    )
    assert [b.kind for b in blocks] == ["p", "h1", "h2", "h2", "h3", "h4"]
    assert blocks[1].marker == "一、" and blocks[1].text == "活动主题"
    assert blocks[2].heading == "（一）主题活动。" and blocks[2].rest == "正文在此。"
    assert blocks[3].marker == "（二）" and blocks[3].text == "半角括号"
    assert blocks[5].rest == "内容"


def test_contacts_go_under_their_heading_or_a_new_one():
    body = parse_body("一、甲\n正文\n二、联系方式\n三、其他\n正文")
    blocks = place_contacts(body, has_contacts=True)
    assert [b.kind for b in blocks] == ["h1", "p", "h1", "contacts", "h1", "p"]
    blocks = place_contacts(parse_body("一、甲\n二、乙"), has_contacts=True)
    assert blocks[-2].heading == "三、联系方式" and blocks[-1].kind == "contacts"
    assert place_contacts(parse_body("一、甲"), has_contacts=False)[-1].kind == "h1"


def test_title_breaks_between_words_in_balanced_lines():
    lines = split_title("中国科协 科技部关于开展2023年“全国科技工作者日”活动的通知")
    assert lines == ["中国科协 科技部关于开展2023年", "“全国科技工作者日”活动的通知"]
    assert split_title("短标题") == ["短标题"]
    long = "中国科协 科技部关于表扬2023年全国科技工作者日活动优秀组织单位和特色活动的通报"
    lines = split_title(long)
    assert "".join(lines).replace(" ", "") == long.replace(" ", "")
    assert all(len(line) <= 22 for line in lines)
    assert all("2023" not in line or "2023年" in line for line in lines)  # never split inside 2023


def test_recipients_end_with_one_full_width_colon():
    assert recipients_line("各省科协") == "各省科协："
    assert recipients_line("各省科协：") == "各省科协："
    assert recipients_line("各省科协:") == "各省科协："


def test_fonts_come_from_settings_and_unsafe_text_is_dropped(settings):
    settings.NOTICE_FONTS = {"fangsong": '"仿宋_GB2312", serif', "heiti": "x;}</style><script>"}
    fonts = notice_fonts()
    assert fonts["fangsong"] == '"仿宋_GB2312", serif'
    assert fonts["kaiti"] == document.DEFAULT_FONTS["kaiti"]
    assert all(ch not in fonts["heiti"] for ch in ";{}<>/")
    css = document.fonts_css(".gw")
    assert css.startswith(".gw{") and "--gw-fangsong:" in css and "</" not in css
