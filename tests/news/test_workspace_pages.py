"""The news workspace through the pages: tabs, the form with the library chooser and the cover,
transitions with their buttons, refusals shown on the form (nothing written)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from sciday.news.models import NewsItem, Status
from tests.news.conftest import make_article, make_item

pytestmark = pytest.mark.django_db
LIST = reverse("news_admin:list")
CREATE = reverse("news_admin:create")


def _form(world, **overrides) -> dict:
    data = {
        "unit": world.units["lead"].pk,
        "category": "local",
        "title": "南京市科协举办科技工作者日座谈会",
        "summary": "一线科技工作者畅谈创新故事。",
        "body": "<div>5月30日，座谈会在市科技馆举行。</div>",
        "source_name": "",
        "source_url": "",
    }
    data.update(overrides)
    return data


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 450), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


def test_editor_writes_with_attachments_and_cover_then_submits(world, web, media):
    own = make_article(world, "own", title="本单位的文章")
    published = make_article(world, "other", published=True, title="乙省已发布的文章")
    foreign_draft = make_article(world, "other", title="乙省草稿")
    client = web(world, "lead_editor")
    page = client.get(CREATE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "trix.umd.min.js" in html and 'nonce="' in html
    offered = dict(page.context["form"].fields["attachments"].choices)
    assert str(own.pk) in offered and str(published.pk) in offered
    assert str(foreign_draft.pk) not in offered

    response = client.post(
        CREATE, {**_form(world, attachments=[own.pk, published.pk]), "cover": _png()}
    )
    assert response.status_code == 302
    item = NewsItem.objects.get()
    assert item.status == Status.DRAFT and item.created_by == world.people["lead_editor"]
    assert item.body == "<p>5月30日，座谈会在市科技馆举行。</p>"
    assert {r.pk for r in item.attachments.all()} == {own.pk, published.pk}
    assert item.cover.name.endswith(".jpg") and item.cover_width == 800

    detail = client.get(reverse("news_admin:detail", args=[item.pk]))
    assert "提交审核" in detail.content.decode()
    response = client.post(reverse("news_admin:transition", args=[item.pk, "submit"]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED
    # The parent admin finds it under "to review" and approves it.
    client = web(world, "parent_admin")
    review = client.get(LIST, {"tab": "review"})
    assert [i.pk for i in review.context["page"].object_list] == [item.pk]
    assert (
        "审核通过并发布"
        in client.get(reverse("news_admin:detail", args=[item.pk])).content.decode()
    )
    client.post(reverse("news_admin:transition", args=[item.pk, "approve"]))
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "请填写标题。"),
        ({"body": "长" * 100_001}, "正文过长"),
        ({"category": "media", "source_name": ""}, "请填写刊发这篇报道的报纸"),
        ({"source_url": "ftp://example.com/x"}, "http://"),
    ],
)
def test_refusals_are_shown_on_the_form_and_nothing_is_written(world, web, overrides, message):
    client = web(world, "lead_editor")
    response = client.post(CREATE, _form(world, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not NewsItem.objects.exists()


def test_attachment_of_another_units_draft_is_refused_on_the_form(world, web):
    foreign_draft = make_article(world, "other", title="乙省草稿")
    client = web(world, "lead_editor")
    # Not offered: a hand-made request is refused by the form's choices.
    response = client.post(CREATE, _form(world, attachments=[foreign_draft.pk]))
    assert response.status_code == 400
    assert not NewsItem.objects.exists()
    # Nor through an edit.
    item = make_item(world)
    response = client.post(
        reverse("news_admin:edit", args=[item.pk]),
        {**_form(world), "attachments": [foreign_draft.pk]},
    )
    assert response.status_code == 400
    assert list(item.attachments.all()) == []


def test_a_bad_cover_is_refused_and_nothing_is_written(world, web, media):
    client = web(world, "lead_editor")
    fake = SimpleUploadedFile("cover.jpg", b"<html><script>alert(1)</script></html>")
    response = client.post(CREATE, {**_form(world), "cover": fake})
    assert response.status_code == 400
    assert not NewsItem.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_hostile_rich_text_is_cleaned_before_it_is_stored(world, web):
    editor = web(world, "lead_editor")
    editor.post(
        CREATE,
        _form(world, body='<p>正文<script>alert(1)</script><img src=x onerror="alert(2)"></p>'),
    )
    item = NewsItem.objects.get()
    assert "<script" not in item.body and "onerror" not in item.body


def test_submitted_and_published_items_cannot_be_edited(world, web):
    client = web(world, "lead_editor")
    item = make_item(world, status=Status.SUBMITTED)
    response = client.get(reverse("news_admin:edit", args=[item.pk]))
    assert response.status_code == 409
    response = client.post(reverse("news_admin:edit", args=[item.pk]), _form(world, title="改"))
    assert response.status_code == 409
    assert NewsItem.objects.get(pk=item.pk).title != "改"


def test_return_and_withdraw_need_a_reason(world, web):
    client = web(world, "parent_admin")
    item = make_item(world, status=Status.SUBMITTED)
    response = client.post(
        reverse("news_admin:transition", args=[item.pk, "return"]), {"reason": ""}
    )
    assert response.status_code == 400
    assert NewsItem.objects.get(pk=item.pk).status == Status.SUBMITTED
    client = web(world, "campaign_admin")
    published = make_item(world, status=Status.PUBLISHED)
    page = client.get(reverse("news_admin:detail", args=[published.pk])).content.decode()
    assert "置顶" in page and "从网站撤下" in page
    response = client.post(
        reverse("news_admin:transition", args=[published.pk, "withdraw"]), {"reason": ""}
    )
    assert response.status_code == 400
    assert NewsItem.objects.get(pk=published.pk).status == Status.PUBLISHED
    client.post(reverse("news_admin:transition", args=[published.pk, "pin"]))
    assert NewsItem.objects.get(pk=published.pk).pinned


def test_workspace_nav_has_the_news_entry(world, web):
    page = web(world, "lead_editor").get(LIST)
    assert page.status_code == 200
    assert f'href="{LIST}" aria-current="page"' in page.content.decode()


def test_list_query_count_is_fixed(world, web, django_assert_max_num_queries):
    client = web(world, "campaign_admin")
    for n in range(12):
        make_item(world, title=f"第{n}条")
    with django_assert_max_num_queries(20):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 12
