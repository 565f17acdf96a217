"""What activities put into the search index, and when (only after the commit)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction

from sciday.activities import services
from sciday.activities.indexing import KIND
from sciday.activities.models import Status
from sciday.search.models import SearchEntry
from sciday.search.selectors import search, search_ids


def _entry(activity):
    return SearchEntry.objects.filter(kind=KIND, object_id=activity.pk).first()


def _make(world, capture, status=Status.PUBLISHED, **overrides):
    with capture(execute=True):
        return world.activity(status=status, **overrides)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_published_activity_is_found_by_a_two_character_word(world, capture):
    a = _make(world, capture, title="青少年科普日活动", body="<p>走进实验室</p>")
    b = _make(world, capture, title="院士报告会", body="<p>一场面向公众的科普讲座</p>")
    ids = search_ids(q="科普", kind=KIND)
    assert set(ids) == {a.pk, b.pk}
    assert ids[0] == a.pk  # the title weighs more than the body
    entry = _entry(b)
    assert entry.published is True
    assert "<p>" not in entry.body
    assert entry.region_code == "320000"
    assert entry.campaign_id == world.campaign.pk


def test_body_holds_units_venue_address_and_category(world, capture):
    a = _make(world, capture)
    body = _entry(a).body
    assert "甲省南京市科协" in body  # lead unit
    assert "甲省苏州市科协" in body  # co-organizer
    assert "市科技馆报告厅" in body  # address
    assert world.category(4).name in body
    assert search_ids(q="苏州", kind=KIND) == [a.pk]


def test_drafts_submitted_and_returned_are_not_searchable(world, capture):
    for status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED):
        _make(world, capture, status=status, title=f"科普{status}")
    assert search_ids(q="科普", kind=KIND) == []
    assert search_ids(q="科普", kind=KIND, include_unpublished=True) == []
    assert not SearchEntry.objects.filter(kind=KIND).exists()


def test_online_activity_is_filed_under_its_lead_units_province(world, capture):
    a = _make(
        world,
        capture,
        format="online",
        region=None,
        address="",
        online_url="https://live.example.cn/1",
        target="other",
    )
    assert _entry(a).region_code == "330000"


def test_cancelling_keeps_it_findable_with_the_new_status(world, capture):
    a = _make(world, capture)
    with capture(execute=True):
        services.activity_cancel(
            actor=world.people["campaign_admin"], activity=a, reason="天气原因"
        )
    entry = _entry(a)
    assert entry.published is True
    assert search(q="科学家", kind=KIND).total == 1


def test_returning_removes_the_entry_and_republishing_restores_it(world, capture):
    admin = world.people["campaign_admin"]
    with capture(execute=True):
        a = world.activity(status=Status.SUBMITTED)
    assert _entry(a) is None
    with capture(execute=True):
        a = services.activity_return(actor=admin, activity=a, reason="请补充")
    assert _entry(a) is None
    with capture(execute=True):
        a = services.activity_submit(actor=admin, activity=a)
        a = services.activity_approve(actor=admin, activity=a)
    assert _entry(a) is not None


def test_a_published_edit_updates_the_entry(world, capture):
    a = _make(world, capture)
    with capture(execute=True):
        services.activity_update(
            actor=world.people["campaign_admin"], activity=a, summary="新增天文观测环节"
        )
    assert search_ids(q="天文", kind=KIND) == [a.pk]


def test_the_index_changes_only_after_the_commit(world, capture):
    admin = world.people["campaign_admin"]
    a = world.activity(status=Status.SUBMITTED)
    with capture(execute=False) as callbacks:
        services.activity_approve(actor=admin, activity=a)
        assert _entry(a) is None  # not yet: the transaction has not committed
    assert callbacks
    assert _entry(a) is None
    for callback in callbacks:
        callback()
    assert _entry(a) is not None


def test_a_rolled_back_change_never_reaches_the_index(world, capture):
    admin = world.people["campaign_admin"]
    a = world.activity(status=Status.SUBMITTED)
    with capture(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.activity_approve(actor=admin, activity=a)
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == []
    assert _entry(a) is None


def test_reindex_activities_rebuilds_the_index(world, capture, capsys):
    published = world.activity(status=Status.PUBLISHED)  # callbacks not run: no entry yet
    draft = world.activity(status=Status.DRAFT, title="草稿活动")
    SearchEntry.objects.create(
        kind=KIND, object_id=draft.pk, title="stale", title_terms="stale", published=True
    )
    call_command("reindex_activities")
    assert _entry(published) is not None
    assert _entry(draft) is None
    assert "2" in capsys.readouterr().out
