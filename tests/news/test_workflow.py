"""The news workflow through the services: statuses, events, audit entries, the search index."""

from __future__ import annotations

import pytest

from sciday.core.models import AuditEntry
from sciday.news import services
from sciday.news.indexing import KIND
from sciday.news.models import NewsEvent, NewsItem, Status
from sciday.search.models import SearchEntry
from tests.news.conftest import make_article, make_item

pytestmark = pytest.mark.django_db(transaction=False)


def _actions(item) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(item.pk), action__startswith="news.item.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_editor_writes_parent_admin_publishes_campaign_admin_pins(
    world, django_capture_on_commit_callbacks
):
    editor, parent = world.people["lead_editor"], world.people["parent_admin"]
    admin = world.people["campaign_admin"]
    own = make_article(world, "own")
    published = make_article(world, "other", published=True)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.news_create(
            actor=editor,
            campaign=world.campaign,
            unit=world.unit("lead"),
            category="local",
            title="  南京科技工作者日活动启动  ",
            body="第一段\n\n第二段",
            attachments=[own, published.pk],
        )
    assert item.status == Status.DRAFT
    assert item.title == "南京科技工作者日活动启动"
    assert item.body == "<p>第一段</p><p>第二段</p>"
    assert {r.pk for r in item.attachments.all()} == {own.pk, published.pk}
    entry = SearchEntry.objects.get(kind=KIND, object_id=item.pk)
    assert entry.published is False

    item = services.news_submit(actor=editor, item=item)
    assert item.status == Status.SUBMITTED and item.submitted_at
    item = services.news_return(actor=parent, item=item, reason="  请补充照片 ")
    assert item.status == Status.RETURNED and item.return_reason == "请补充照片"
    item = services.news_update(actor=editor, item=item, summary="补充了现场照片。")
    item = services.news_submit(actor=editor, item=item)
    assert item.return_reason == ""
    with django_capture_on_commit_callbacks(execute=True):
        item = services.news_approve(actor=parent, item=item)
    assert item.status == Status.PUBLISHED and item.published_at and item.decided_by == parent
    assert SearchEntry.objects.get(kind=KIND, object_id=item.pk).published is True

    item = services.news_pin(actor=admin, item=item)
    assert item.pinned and item.pinned_at
    item = services.news_unpin(actor=admin, item=item)
    assert not item.pinned and item.pinned_at is None
    item = services.news_pin(actor=admin, item=item)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.news_withdraw(actor=admin, item=item, reason="标题有误")
    assert item.status == Status.WITHDRAWN and not item.pinned
    assert item.withdraw_reason == "标题有误"
    assert SearchEntry.objects.get(kind=KIND, object_id=item.pk).published is False
    # A withdrawn item goes back to its unit: edited and submitted again.
    item = services.news_update(actor=editor, item=item, title="南京科技工作者日活动启动（更正）")
    item = services.news_submit(actor=editor, item=item)
    assert item.status == Status.SUBMITTED

    steps = [
        (e.from_status, e.to_status, e.reason)
        for e in NewsEvent.objects.filter(item=item).order_by("id")
    ]
    assert steps == [
        ("", "draft", ""),
        ("draft", "submitted", ""),
        ("submitted", "returned", "请补充照片"),
        ("returned", "submitted", ""),
        ("submitted", "published", ""),
        ("published", "withdrawn", "标题有误"),
        ("withdrawn", "submitted", ""),
    ]
    assert _actions(item) == [
        "news.item.created",
        "news.item.submitted",
        "news.item.returned",
        "news.item.updated",
        "news.item.submitted",
        "news.item.published",
        "news.item.pinned",
        "news.item.unpinned",
        "news.item.pinned",
        "news.item.withdrawn",
        "news.item.updated",
        "news.item.submitted",
    ]


def test_transitions_offered_follow_status_and_role(world):
    editor, parent = world.people["lead_editor"], world.people["parent_admin"]
    admin, lead_admin = world.people["campaign_admin"], world.people["lead_admin"]
    draft = make_item(world)
    assert services.news_transitions(editor, draft) == ["submit"]
    assert services.news_transitions(parent, draft) == ["submit"]  # an ancestor's admin edits too
    submitted = make_item(world, status=Status.SUBMITTED)
    assert services.news_transitions(editor, submitted) == []
    assert services.news_transitions(lead_admin, submitted) == []
    assert services.news_transitions(parent, submitted) == ["approve", "return"]
    published = make_item(world, status=Status.PUBLISHED)
    assert services.news_transitions(parent, published) == []
    assert services.news_transitions(admin, published) == ["withdraw", "pin"]
    services.news_pin(actor=admin, item=published)
    published.refresh_from_db()
    assert services.news_transitions(admin, published) == ["withdraw", "unpin"]


def test_national_items_are_decided_by_campaign_admins(world):
    admin = world.people["campaign_admin"]
    item = services.news_create(
        actor=admin,
        campaign=world.campaign,
        unit=world.unit("cast"),
        category="national",
        title="中国科协发布2023年全国科技工作者日活动通知",
        body="<p>通知全文。</p>",
    )
    item = services.news_submit(actor=admin, item=item)
    for role in ("parent_admin", "other_admin", "lead_admin"):
        assert services.news_transitions(world.people[role], item) == []
    item = services.news_approve(actor=admin, item=item)
    assert NewsItem.objects.get(pk=item.pk).status == Status.PUBLISHED
