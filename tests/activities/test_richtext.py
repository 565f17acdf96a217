"""Activity descriptions are rich text: sanitized on write, rendered as stored, indexed as text.

Hostile input goes through every way in: the sanitizer itself, the services, the workspace form
and the API, then out through the public page, the workspace page, the API and the search index.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from sciday.activities import services
from sciday.activities.indexing import activity_index_body
from sciday.activities.models import Activity, Status
from sciday.core.richtext import (
    richtext_clean,
    richtext_from_plain,
    richtext_sanitize,
    richtext_to_text,
)
from sciday.search.models import SearchEntry

pytestmark = pytest.mark.django_db

REL = 'rel="noopener noreferrer nofollow"'

# (hostile input, what must not survive)
HOSTILE = [
    ("<p>讲座<script>alert(1)</script></p>", ["<script", "alert(1)"]),
    ('<img src="x" onerror="alert(1)">图片', ["<img", "onerror"]),
    ('<a href="javascript:alert(1)">点我</a>', ["javascript:", "alert"]),
    ('<a href="JaVaScRiPt:alert(1)">点我</a>', ["javascript:", "alert"]),
    ('<a href="jav&#x09;ascript:alert(1)">点我</a>', ["ascript:", "alert"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">数据</a>', ["data:"]),
    ('<a href="vbscript:msgbox(1)">x</a>', ["vbscript"]),
    ('<p style="position:fixed;top:0">样式</p>', ["style", "position"]),
    ('<p onclick="alert(1)" class="x" id="y">属性</p>', ["onclick", "class=", "id="]),
    ("<svg><script>alert(1)</script></svg>", ["<svg", "<script", "alert"]),
    ("<style>body{display:none}</style>正文", ["<style", "display:none"]),
    ("<iframe src=https://evil.example></iframe>", ["<iframe", "evil"]),
    ("<scr<script>ipt>alert(1)</script>", ["<script", "<scr"]),
    ("<p><b>未闭合<i>嵌套</p></b>", ["<b>", "<i>"]),
    ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', ["<math", "javascript"]),
    ("<!-- <script>alert(1)</script> -->注释", ["<!--", "<script"]),
    ('<form action="https://evil.example"><input name=x></form>', ["<form", "<input"]),
    ('<div onmouseover="alert(1)">悬停</div>', ["onmouseover", "<div"]),
    ('<a href="https://ok.example" target="_blank" onclick="x">链接</a>', ["onclick", "target"]),
    ("<object data=x></object><embed src=x>", ["<object", "<embed"]),
    ("<base href=https://evil.example><meta http-equiv=refresh content=0>", ["<base", "<meta"]),
]


@pytest.mark.parametrize(("dirty", "gone"), HOSTILE)
def test_hostile_markup_is_stripped(dirty, gone):
    clean = richtext_clean(dirty)
    for fragment in gone:
        assert fragment.lower() not in clean.lower()
    assert richtext_clean(clean) == clean  # idempotent: re-saving changes nothing


def test_allowed_markup_is_kept():
    html = (
        "<h2>议程</h2><h3>上午</h3><h4>九点</h4><p><strong>粗</strong><em>斜</em><u>下划线</u>"
        "<s>删除</s><br>换行</p><ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引用</blockquote>"
        '<table><caption>表</caption><thead><tr><th colspan="2">头</th></tr></thead>'
        '<tbody><tr><td rowspan="2">格</td></tr></tbody></table>'
    )
    assert richtext_clean(html) == html


def test_links_keep_safe_addresses_and_get_rel():
    clean = richtext_clean(
        '<p><a href="https://www.cast.org.cn/">科协</a> <a href="mailto:kepu@example.cn">信箱</a>'
        ' <a href="http://example.cn" rel="opener">旧</a></p>'
    )
    assert f'<a href="https://www.cast.org.cn/" {REL}>科协</a>' in clean
    assert f'<a href="mailto:kepu@example.cn" {REL}>信箱</a>' in clean
    assert f'<a href="http://example.cn" {REL}>旧</a>' in clean


def test_editor_output_becomes_the_stored_form():
    """Trix writes div paragraphs, h1, del; stored as p, h2, s."""
    trix = "<div>第一段<br>续行</div><div><br></div><h1>标题</h1><div><del>删</del><b>粗</b></div>"
    assert (
        richtext_clean(trix)
        == "<p>第一段<br>续行</p><h2>标题</h2><p><s>删</s><strong>粗</strong></p>"
    )


def test_blank_lines_typed_in_the_editor_make_paragraphs():
    """In Trix, Enter adds a line break; two of them (a blank line) start a new paragraph."""
    assert richtext_clean("<div><br>第一段<br><br><br>第二段<br>续行<br></div>") == (
        "<p>第一段</p><p>第二段<br>续行</p>"
    )
    # Line breaks inside an inline element stay where they are.
    assert (
        richtext_clean("<p><strong>a<br><br>b</strong></p>") == "<p><strong>a<br><br>b</strong></p>"
    )


def test_plain_text_becomes_paragraphs_and_is_escaped():
    text = "第一段第一行\n第一行之后\n\n  \n第二段 a < b & c > d"
    assert richtext_clean(text) == (
        "<p>第一段第一行<br>第一行之后</p><p>第二段 a &lt; b &amp; c &gt; d</p>"
    )
    assert richtext_from_plain("\r\n单行\r\n") == "<p>单行</p>"
    assert richtext_clean("") == "" and richtext_clean("  \n ") == "" and richtext_clean(None) == ""


def test_loose_text_beside_markup_is_put_in_paragraphs():
    assert richtext_clean("开头一行\n第二行\n\n<p>段落</p>结尾") == (
        "<p>开头一行<br>第二行</p><p>段落</p><p>结尾</p>"
    )
    assert richtext_sanitize("<img src=x>") == ""


def test_text_for_the_index_has_no_tags_and_decoded_entities():
    html = richtext_clean(
        "<h2>议程</h2><p>科普 &amp; 院士<br>讲座</p><ul><li>一</li><li>二</li></ul>"
    )
    assert richtext_to_text(html) == "议程\n科普 & 院士\n讲座\n一\n二"


# --- Through the services, the pages, the API and the index -----------------------------------


def test_services_store_sanitized_bodies(world):
    admin = world.people["campaign_admin"]
    activity = services.activity_create(
        actor=admin,
        **world.data(body='<p onclick="x">介绍<script>alert(1)</script></p><img src=x onerror=y>'),
    )
    assert activity.body == "<p>介绍</p>"
    services.activity_update(actor=admin, activity=activity, body="纯文本\n\n第二段")
    activity.refresh_from_db()
    assert activity.body == "<p>纯文本</p><p>第二段</p>"


def test_too_long_a_description_is_refused(world):
    admin = world.people["campaign_admin"]
    activity = world.activity()
    with pytest.raises(services.DomainError) as error:
        services.activity_update(actor=admin, activity=activity, body="字" * 100_001)
    assert error.value.field == "body"
    activity.refresh_from_db()
    assert activity.body == ""


def test_public_page_renders_the_stored_html_and_nothing_hostile(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        activity = world.activity(
            status=Status.PUBLISHED,
            body=(
                '<h2>活动议程</h2><p><strong>院士</strong>报告<a href="javascript:alert(1)">x</a>'
                '<a href="https://example.cn">报名说明</a></p><script>alert("xss")</script>'
                '<p style="color:red" onmouseover="alert(2)">尾</p>'
            ),
        )
    html = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "<h2>活动议程</h2>" in html
    assert "<strong>院士</strong>" in html
    assert f'<a href="https://example.cn" {REL}>报名说明</a>' in html
    for bad in ("javascript:", 'alert("xss")', "onmouseover", 'style="color'):
        assert bad not in html
    # The index holds the words, not the tags.
    entry = SearchEntry.objects.get(object_id=activity.pk)
    assert "活动议程" in entry.body and "<" not in entry.body


def test_workspace_page_renders_the_stored_html(world, login):
    activity = world.activity(body="<p>第一段</p><ul><li>要点</li></ul>")
    html = (
        login(world.people["lead_editor"])
        .get(reverse("activity_admin:detail", args=[activity.pk]))
        .content.decode()
    )
    assert "<p>第一段</p><ul><li>要点</li></ul>" in html


def test_old_plain_text_rows_render_as_paragraphs_after_the_migration(world):
    """The data migration's function, applied to a plain-text body written before it."""
    from importlib import import_module

    from django.apps import apps

    activity = world.activity()
    Activity.objects.filter(pk=activity.pk).update(body="旧的描述\n第二行\n\n第二段 <不是标签")
    migration = import_module("sciday.activities.migrations.0004_activity_cover_richtext_body")
    migration.clean_bodies(apps, None)
    activity.refresh_from_db()
    assert activity.body == "<p>旧的描述<br>第二行</p><p>第二段 &lt;不是标签</p>"


def test_workspace_form_sanitizes_the_editor_field(world, login):
    from tests.activities.test_workspace_pages import _form

    client = login(world.people["lead_editor"])
    page = client.get(reverse("activity_admin:create")).content.decode()
    # The editor's assets are local; without JavaScript the textarea stays.
    assert 'class="richtext-source"' in page and "vendor/trix/trix.umd.min.js" in page
    assert 'name="trix-csp-nonce"' in page
    response = client.post(
        reverse("activity_admin:create"),
        _form(world, body='<div>编辑器<b>内容</b></div><div><img src=x onerror="alert(1)"></div>'),
    )
    assert response.status_code == 302
    assert Activity.objects.get().body == "<p>编辑器<strong>内容</strong></p>"


def test_editor_index_body_uses_text(world):
    activity = world.activity(body="<p>科普&amp;讲座</p>")
    activity = Activity.objects.select_related(
        "lead_unit", "category", "subtype", "region", "venue"
    ).get(pk=activity.pk)
    assert "科普&讲座" in activity_index_body(activity).splitlines()
