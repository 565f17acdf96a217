"""Refusals: a clear Chinese message on the right field, and nothing written."""

from __future__ import annotations

import re

import pytest
from django.http import Http404

from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.models import AuditEntry
from sciday.news import services
from sciday.news.models import NewsEvent, NewsItem, Status
from tests.news.conftest import make_article, make_item

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


def _create(world, actor="lead_editor", **fields):
    data = {
        "campaign": world.campaign,
        "unit": world.unit("lead"),
        "category": "local",
        "title": "科技工作者日座谈会",
        "body": "<p>正文</p>",
    }
    data.update(fields)
    return services.news_create(actor=world.people[actor], **data)


def _nothing_written():
    assert not NewsItem.objects.exists()
    assert not NewsEvent.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="news.").exists()


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"title": "   "}, "title", "required"),
        ({"body": "<p>" + "长" * 100_001 + "</p>"}, "body", "too_long"),
        ({"category": "gossip"}, "category", "category"),
        ({"category": "media", "source_name": ""}, "source_name", "required"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "bad_link"),
        ({"title": "标" * 201}, "title", "invalid"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(world, fields, field, code):
    with pytest.raises(DomainError) as caught:
        _create(world, **fields)
    assert caught.value.field == field
    if code != "invalid":
        assert caught.value.code == code
    assert CJK.search(str(caught.value)), str(caught.value)
    _nothing_written()


def test_hostile_rich_text_is_cleaned_not_stored(world):
    item = _create(
        world,
        body='<p onclick="x()">你好<script>alert(1)</script><img src=x onerror=alert(2)>'
        '<a href="javascript:alert(3)">链接</a><iframe src="https://evil.example"></iframe></p>',
        title="<script>alert('标题')</script>",
    )
    item.refresh_from_db()
    assert "<script" not in item.body and "onerror" not in item.body
    assert "onclick" not in item.body and "javascript:" not in item.body
    assert "iframe" not in item.body and "<img" not in item.body
    assert "你好" in item.body
    # The title is plain text: kept as written, escaped wherever it is shown.
    assert item.title == "<script>alert('标题')</script>"


def test_attaching_another_units_unpublished_resource_is_refused(world):
    foreign = make_article(world, "other", published=False)
    with pytest.raises(DomainError) as caught:
        _create(world, attachments=[foreign.pk])
    assert caught.value.field == "attachments"
    assert caught.value.code == "attachment_not_allowed"
    assert CJK.search(str(caught.value))
    _nothing_written()
    # Nor on an update: the attachments stay as they were.
    own = make_article(world, "own")
    item = _create(world, attachments=[own.pk])
    with pytest.raises(DomainError):
        services.news_update(
            actor=world.people["lead_editor"], item=item, attachments=[own.pk, foreign.pk]
        )
    assert [r.pk for r in item.attachments.all()] == [own.pk]
    with pytest.raises(DomainError):
        services.news_update(actor=world.people["lead_editor"], item=item, attachments=[999999])


def test_pin_and_withdraw_by_anyone_but_a_campaign_admin_are_refused(world):
    item = make_item(world, status=Status.PUBLISHED)
    for role in ("lead_editor", "lead_admin", "parent_admin", "other_admin"):
        actor = world.people[role]
        with pytest.raises(NotAllowed) as caught:
            services.news_pin(actor=actor, item=item)
        assert CJK.search(str(caught.value))
        with pytest.raises(NotAllowed):
            services.news_withdraw(actor=actor, item=item, reason="不妥")
    item.refresh_from_db()
    assert not item.pinned and item.status == Status.PUBLISHED
    assert not AuditEntry.objects.filter(
        action__in=["news.item.pinned", "news.item.withdrawn"]
    ).exists()


def test_a_units_own_admin_cannot_approve_its_item(world):
    item = make_item(world, status=Status.SUBMITTED)
    with pytest.raises(NotAllowed):
        services.news_approve(actor=world.people["lead_admin"], item=item)
    with pytest.raises(NotAllowed):
        services.news_return(actor=world.people["lead_admin"], item=item, reason="x")
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED


def test_wrong_status_and_missing_reason_are_refused(world):
    parent, admin = world.people["parent_admin"], world.people["campaign_admin"]
    draft = make_item(world)
    with pytest.raises(Conflict) as caught:
        services.news_approve(actor=parent, item=draft)
    assert CJK.search(str(caught.value))
    with pytest.raises(Conflict):
        services.news_pin(actor=admin, item=draft)
    submitted = make_item(world, status=Status.SUBMITTED)
    with pytest.raises(DomainError) as caught:
        services.news_return(actor=parent, item=submitted, reason="  ")
    assert caught.value.field == "reason"
    with pytest.raises(Conflict):
        services.news_update(actor=world.people["lead_editor"], item=submitted, title="改")
    published = make_item(world, status=Status.PUBLISHED)
    with pytest.raises(Conflict):
        services.news_update(actor=world.people["lead_editor"], item=published, title="改")
    with pytest.raises(DomainError):
        services.news_withdraw(actor=admin, item=published, reason="")
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED


def test_submitting_without_text_is_refused(world):
    item = _create(world, body="")
    with pytest.raises(DomainError) as caught:
        services.news_submit(actor=world.people["lead_editor"], item=item)
    assert caught.value.field == "body"
    assert NewsItem.objects.get(pk=item.pk).status == Status.DRAFT
    # Media coverage may point to the original instead.
    media = _create(
        world,
        body="",
        category="media",
        source_name="人民日报",
        source_url="https://example.com/report",
    )
    assert services.news_submit(actor=world.people["lead_editor"], item=media).status == "submitted"


def test_outsiders_cannot_write_for_a_unit(world):
    with pytest.raises(Http404):
        _create(world, actor="other_admin")
    with pytest.raises((NotAllowed, Http404)):
        _create(world, actor="public")
    with pytest.raises(NotAllowed):
        _create(world, actor="department_reviewer")
    _nothing_written()


def test_unknown_fields_are_refused_on_update(world):
    item = make_item(world)
    with pytest.raises(DomainError) as caught:
        services.news_update(actor=world.people["lead_editor"], item=item, status="published")
    assert caught.value.code == "not_editable"
    assert NewsItem.objects.get(pk=item.pk).status == Status.DRAFT
