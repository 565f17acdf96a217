"""The bulk path of the Excel import: background jobs, progress, failures, big files, and the
same outcome as the services (history, audit, co-organizers, search index, sign-ups)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from sciday.activities import importing, indexing
from sciday.activities.models import (
    Activity,
    ActivityEvent,
    ImportJob,
    ImportStatus,
    Signup,
    SignupStatus,
    Status,
)
from sciday.core.models import AuditEntry
from sciday.search.models import SearchEntry
from sciday.search.services import search_index_upsert, search_index_upsert_many
from tests.activities.test_import import preview, row, upload, workbook
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def rows(n: int, **overrides) -> list[dict]:
    return [row(**{"单位内部编号": f"NJ-{i:05d}", **overrides}) for i in range(n)]


def test_a_file_of_several_chunks_is_checked_and_saved_with_per_row_history_and_audit(
    world, login, monkeypatch
):
    monkeypatch.setattr(importing, "CHUNK", 50)
    client = login(world.people["lead_editor"])
    data = [*rows(180), row(**{"单位内部编号": "BAD", "开始时间": "明天"})]
    url, page = preview(client, world, *data)
    assert page.context["counts"]["create"] == 180 and page.context["counts"]["error"] == 1
    assert page.context["job"].processed == page.context["job"].total == 181
    done = client.post(url, follow=True)
    assert done.context["committed"] and done.context["counts"]["create"] == 180
    assert Activity.objects.filter(status=Status.DRAFT).count() == 180
    first = Activity.objects.get(reference="NJ-00000")
    assert [u.name for u in first.co_organizers.all()] == ["甲省苏州市科协"]
    assert ActivityEvent.objects.filter(to_status=Status.DRAFT, from_status="").count() == 180
    created = AuditEntry.objects.filter(action="activities.activity.created")
    assert created.count() == 180
    entry = created.get(object_id=str(first.pk))
    assert entry.actor == world.people["lead_editor"]
    assert entry.changes["co_organizers"] == ["甲省苏州市科协"]
    # The job no longer keeps the file once saved.
    assert ImportJob.objects.get().data in (b"", memoryview(b""))


def test_checking_costs_a_fixed_number_of_queries_whatever_the_rows(
    world, django_assert_max_num_queries
):
    actor, unit = world.people["lead_editor"], world.unit("lead")
    lines = [
        {"row": n + 2, **{key: r[header] for key, header in importing.COLUMNS}}
        for n, r in enumerate(rows(300))
    ]
    with django_assert_max_num_queries(20):
        results = importing.run_import(
            actor=actor, campaign=world.campaign, unit=unit, rows=lines, commit=False
        )
    assert [r.action for r in results] == ["create"] * 300


def test_reimport_updates_in_bulk_and_records_what_changed(world, login):
    client = login(world.people["lead_editor"])
    url, _page = preview(client, world, *rows(3))
    client.post(url)
    changed = rows(3, **{"活动简介": "新的简介", "联合主办单位": ""})
    url, page = preview(client, world, *changed)
    assert page.context["counts"]["update"] == 3
    client.post(url)
    assert Activity.objects.count() == 3
    assert set(Activity.objects.values_list("summary", flat=True)) == {"新的简介"}
    assert not Activity.co_organizers.through.objects.exists()
    updated = AuditEntry.objects.filter(action="activities.activity.updated")
    assert updated.count() == 3
    changes = updated.first().changes
    assert changes["summary"] == ["院士走进校园", "新的简介"]
    assert changes["co_organizers"] == [["甲省苏州市科协"], []]


def test_a_published_activity_updated_by_import_gets_the_same_index_entry(
    world, login, django_capture_on_commit_callbacks
):
    activity = world.activity(status=Status.PUBLISHED, reference="NJ-001")
    indexing.activity_index_refresh(activity.pk)
    client = login(world.people["lead_editor"])
    new = row(
        **{
            "活动名称": activity.title,
            "活动简介": "更新后的简介",
            "活动类别": "4",
            "联合主办单位": "甲省苏州市科协",
        }
    )
    url, page = preview(client, world, new)
    assert page.context["counts"]["update"] == 1, page.context["results"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    entry = SearchEntry.objects.get(kind=indexing.KIND, object_id=activity.pk)
    assert "更新后的简介" in entry.body
    expected = Activity.objects.get(pk=activity.pk)
    assert entry.body == indexing.activity_index_body(expected)
    assert entry.published and entry.region_code == "320000"


def test_bulk_upsert_writes_what_the_single_upsert_writes(db):
    search_index_upsert(kind="k", object_id=1, title="旧标题", body="旧", published=False)
    search_index_upsert_many(
        kind="k",
        entries=[
            {"object_id": 1, "title": "科学家精神", "body": "报告会", "region_code": "320000"},
            {"object_id": 2, "title": "科普直播", "campaign_id": 7, "published": True},
        ],
    )
    bulk = {
        e.object_id: (e.title, e.body, e.title_terms, e.body_terms, e.campaign_id, e.published)
        for e in SearchEntry.objects.filter(kind="k")
    }
    search_index_upsert(kind="k", object_id=1, title="科学家精神", body="报告会")
    search_index_upsert(kind="k", object_id=2, title="科普直播", campaign_id=7, published=True)
    single = {
        e.object_id: (e.title, e.body, e.title_terms, e.body_terms, e.campaign_id, e.published)
        for e in SearchEntry.objects.filter(kind="k")
    }
    assert bulk == single and SearchEntry.objects.filter(kind="k").count() == 2


def test_a_capacity_change_of_a_published_activity_goes_through_the_service(world, login):
    activity = world.activity(status=Status.PUBLISHED, reference="NJ-001", signup_required=True)
    Activity.objects.filter(pk=activity.pk).update(capacity=1)
    for status in (SignupStatus.CONFIRMED, SignupStatus.WAITING):
        Signup.objects.create(activity=activity, user=UserFactory(), status=status)
    client = login(world.people["lead_editor"])
    new = row(**{"活动名称": activity.title, "人数上限": 2, "联合主办单位": "甲省苏州市科协"})
    url, page = preview(client, world, new)
    assert page.context["counts"]["update"] == 1, page.context["results"]
    client.post(url)
    assert Activity.objects.get(pk=activity.pk).capacity == 2
    # The waiting person was promoted, as an edit on the page would do.
    assert not Signup.objects.filter(activity=activity, status=SignupStatus.WAITING).exists()


def test_problems_are_paginated_and_capped_with_the_total(world, login, monkeypatch):
    monkeypatch.setattr(importing, "PROBLEMS_KEPT", 60)
    client = login(world.people["lead_editor"])
    bad = rows(75, **{"活动形式": "现场"})
    url, page = preview(client, world, *bad)
    assert page.context["counts"]["error"] == 75
    assert len(page.context["results"]) == 50
    body = page.content.decode()
    assert "75" in body and "60" in body  # the first 60 of 75 are listed
    assert "现场" in body and "活动形式" in body
    second = client.get(url, {"page": 2})
    assert len(second.context["results"]) == 10
    assert second.context["good"] == 0
    assert "<form" not in second.content.decode().split("import-counts")[1].split("</main>")[0]


def test_a_running_import_shows_its_progress_and_refreshes(world, login, monkeypatch):
    monkeypatch.setattr(importing, "_enqueue", lambda job: None)  # no worker picks it up
    client = login(world.people["lead_editor"])
    response = upload(client, world, workbook(*rows(3)))
    url = response["Location"]
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(processed=1)
    page = client.get(url)
    assert page.context["running"]
    body = page.content.decode()
    assert 'http-equiv="refresh"' in body and "<progress" in body
    assert "1" in body and "3" in body
    # Saving is not offered while it is being checked.
    client.post(url)
    assert ImportJob.objects.get().status == ImportStatus.CHECKING


def test_an_import_that_stops_making_progress_is_shown_failed(world, login, monkeypatch):
    monkeypatch.setattr(importing, "_enqueue", lambda job: None)
    client = login(world.people["lead_editor"])
    url = upload(client, world, workbook(row()))["Location"]
    old = timezone.now() - importing.STALE_AFTER - timedelta(minutes=1)
    ImportJob.objects.update(updated_at=old)
    page = client.get(url)
    assert not page.context["running"]
    assert page.context["job"].status == ImportStatus.FAILED
    assert "重新上传" in page.content.decode() or page.context["job"].reason
    assert not Activity.objects.exists()


def test_a_task_failure_is_shown_with_its_reason(world, login, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing.BulkImport, "run", explode)
    client = login(world.people["lead_editor"])
    url = upload(client, world, workbook(row()))["Location"]
    page = client.get(url)
    job = page.context["job"]
    assert job.status == ImportStatus.FAILED and job.reason
    assert "disk full" not in job.reason  # the details go to the log, not to the page
    assert job.reason in page.content.decode()


def test_a_queue_that_refuses_the_job_fails_it_at_once(world, login, monkeypatch):
    from sciday.activities import tasks

    def refuse(**kwargs):
        raise ConnectionError("no queue")

    monkeypatch.setattr(tasks, "import_check", SimpleNamespace(enqueue=refuse))
    client = login(world.people["lead_editor"])
    page = client.get(upload(client, world, workbook(row()))["Location"])
    assert page.context["job"].status == ImportStatus.FAILED


def test_too_many_rows_fail_the_check_with_the_reason(world, login, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    client = login(world.people["lead_editor"])
    page = client.get(upload(client, world, workbook(*rows(3)))["Location"])
    assert page.context["job"].status == ImportStatus.FAILED
    assert "2" in page.context["job"].reason
    assert page.context["job"].reason in page.content.decode()


def test_an_empty_file_fails_the_check(world, login):
    client = login(world.people["lead_editor"])
    page = client.get(upload(client, world, workbook())["Location"])
    assert page.context["job"].status == ImportStatus.FAILED
    assert page.context["job"].reason


def test_the_preview_page_of_a_unit_no_longer_led_is_404(world, login):
    client = login(world.people["lead_editor"])
    url, _page = preview(client, world, row())
    from sciday.accounts.models import Membership

    Membership.objects.filter(user=world.people["lead_editor"]).delete()
    client = login(world.people["lead_editor"])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url).status_code in (403, 404)
    assert not Activity.objects.exists()


def test_the_upload_page_states_the_new_limits(world, login):
    client = login(world.people["lead_editor"])
    body = client.get(reverse("activity_admin:import")).content.decode()
    assert "100,000" in body or "100000" in body or "10万" in body


def test_a_check_left_unsaved_for_a_day_loses_its_file(world, login):
    client = login(world.people["lead_editor"])
    url, _page = preview(client, world, row())
    old = timezone.now() - importing.KEEP_CHECKED - timedelta(minutes=1)
    ImportJob.objects.update(updated_at=old)
    preview(client, world, row())  # the next upload tidies up
    stale = ImportJob.objects.order_by("pk").first()
    assert stale.status == ImportStatus.FAILED and bytes(stale.data) == b""
    client.post(url)
    assert not Activity.objects.exists()


def test_saved_rows_keep_every_character_and_a_later_activity_gets_a_new_id(world, login):
    # PostgreSQL loads the rows with COPY, whose text format escapes tabs, line breaks and
    # backslashes: what was imported must read back exactly, created and updated alike.
    tricky = "反斜杠\\N 与 \\\\ 制表\t符\n换行"
    client = login(world.people["lead_editor"])
    url, page = preview(client, world, row(**{"单位内部编号": "NJ-X", "活动简介": tricky}))
    assert page.context["counts"]["create"] == 1, page.context["results"]
    client.post(url)
    saved = Activity.objects.get(reference="NJ-X")
    assert saved.summary == tricky
    assert saved.status == Status.DRAFT and saved.created_at and saved.updated_at
    entry = AuditEntry.objects.get(action="activities.activity.created", object_id=str(saved.pk))
    assert entry.changes["co_organizers"] == ["甲省苏州市科协"] and entry.at
    url, page = preview(client, world, row(**{"单位内部编号": "NJ-X", "活动简介": tricky + "\t二"}))
    assert page.context["counts"]["update"] == 1, page.context["results"]
    client.post(url)
    saved.refresh_from_db()
    assert saved.summary == tricky + "\t二"
    updated = AuditEntry.objects.get(action="activities.activity.updated")
    assert updated.changes["summary"] == [tricky, tricky + "\t二"]
    later = world.activity(reference="NJ-Y")
    assert later.pk > saved.pk
