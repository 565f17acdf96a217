"""Highlighting on the original text: marks map back through folding; the rest is escaped."""

from __future__ import annotations

import pytest

from sciday.search.highlight import highlight, snippet


@pytest.mark.parametrize(
    ("text", "terms", "expected"),
    [
        ("全国科普日", ["科普"], "全国<mark>科普</mark>日"),
        ("ＡＩ与AI", ["ai"], "<mark>ＡＩ</mark>与<mark>AI</mark>"),
        ("maintain AI", ["ai"], "maintain <mark>AI</mark>"),  # words match whole only
        ("5G网络", ["5g"], "<mark>5G</mark>网络"),
        ("科学家精神", ["科学", "学家", "家精", "精神"], "<mark>科学家精神</mark>"),
        ("Straße", ["strasse"], "<mark>Straße</mark>"),  # folding changes the length
        ("e\u0301te\u0301!", ["été"], "<mark>e\u0301te\u0301</mark>!"),
        ("a<b>科普</b>", ["科普"], "a&lt;b&gt;<mark>科普</mark>&lt;/b&gt;"),
        ("没有", ["科普"], "没有"),
        ("", ["科普"], ""),
    ],
)
def test_highlight(text, terms, expected):
    assert highlight(text, terms) == expected


def test_snippet_of_a_short_text_is_the_whole_text():
    assert snippet("科普讲座", ["讲座"]) == "科普<mark>讲座</mark>"


def test_snippet_without_a_match_is_the_start_of_the_text():
    assert snippet("甲" * 200, ["科普"], length=10) == "甲" * 10 + "…"


def test_snippet_near_the_end_keeps_a_full_window():
    text = "甲" * 200 + "科普"
    assert snippet(text, ["科普"], length=10) == "…" + "甲" * 8 + "<mark>科普</mark>"
