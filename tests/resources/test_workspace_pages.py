"""The resources workspace: list, upload form, detail, transitions, files streamed after a check."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sciday.resources import services
from sciday.resources.models import Kind, Processing, Resource, Status
from tests.resources import hostile
from tests.resources.test_moderation import article, submitted


def detail(resource):
    return reverse("resource_admin:detail", args=[resource.pk])


def step(resource, name):
    return reverse("resource_admin:transition", args=[resource.pk, name])


def test_editor_writes_an_article_and_submits_it(world, login):
    client = login(world.people["lead_editor"])
    response = client.get(reverse("resource_admin:create"))
    assert response.status_code == 200
    response = client.post(
        reverse("resource_admin:create"),
        {
            "unit": world.unit("lead").pk,
            "kind": Kind.ARTICLE,
            "body": "<p>科普日的一天</p><script>alert(1)</script>",
            "title": "科普日回顾",
            "attribution": "南京市科协",
            "licence": "platform",
            "tags": "科普 航天",
        },
    )
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(resource)
    assert "<script>" not in resource.body
    page = client.get(detail(resource)).content.decode()
    assert "科普日的一天" in page and "提交审核" in page
    response = client.post(step(resource, "submit"))
    assert response.status_code == 302
    assert Resource.objects.get().status == Status.SUBMITTED


def test_upload_a_photo_through_the_form(world, login, media):
    client = login(world.people["lead_editor"])
    response = client.post(
        reverse("resource_admin:create"),
        {
            "unit": world.unit("lead").pk,
            "kind": Kind.PHOTO,
            "file": SimpleUploadedFile("现场.jpg", hostile.jpeg()),
            "title": "现场照片",
            "attribution": "摄影：张三",
            "licence": "cc-by-4.0",
            "people_consent": "on",
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.processing == Processing.PENDING and resource.original_name == "现场.jpg"
    page = client.get(detail(resource)).content.decode()
    assert "正在处理" in page or "处理" in page


def test_a_refused_upload_shows_the_reason_and_stores_nothing(world, login, media):
    client = login(world.people["lead_editor"])
    response = client.post(
        reverse("resource_admin:create"),
        {
            "unit": world.unit("lead").pk,
            "kind": Kind.PHOTO,
            "file": SimpleUploadedFile("evil.jpg", b"MZ\x90\x00" + b"\x00" * 200),
            "title": "现场照片",
            "attribution": "摄影：张三",
            "licence": "platform",
            "people_consent": "on",
        },
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Resource.objects.exists() and media.files() == []


def test_missing_consent_is_shown_on_the_form(world, login, media):
    client = login(world.people["lead_editor"])
    response = client.post(
        reverse("resource_admin:create"),
        {
            "unit": world.unit("lead").pk,
            "kind": Kind.PHOTO,
            "file": SimpleUploadedFile("a.jpg", hostile.jpeg()),
            "title": "现场照片",
            "attribution": "摄影：张三",
            "licence": "platform",
        },
    )
    assert response.status_code == 400
    assert "同意" in response.content.decode()
    assert not Resource.objects.exists() and media.files() == []


def test_parent_admin_returns_with_a_reason_then_approves(world, login):
    resource = submitted(world)
    client = login(world.people["parent_admin"])
    assert "退回" in client.get(detail(resource)).content.decode()
    response = client.post(step(resource, "return"), {"reason": ""})
    assert response.status_code == 400
    assert Resource.objects.get().status == Status.SUBMITTED
    client.post(step(resource, "return"), {"reason": "请补充署名"})
    assert Resource.objects.get().status == Status.RETURNED
    services.resource_submit(actor=world.people["lead_editor"], resource=resource)
    client.post(step(resource, "approve"))
    assert Resource.objects.get().status == Status.PUBLISHED
    page = client.get(detail(resource)).content.decode()
    assert "请补充署名" in page  # the history keeps the reason


def test_held_shows_the_words_to_moderators_only(world, login, monkeypatch):
    monkeypatch.setattr(services, "_screen", lambda r: [{"word": "违禁词甲", "field": "title"}])
    resource = submitted(world)
    assert resource.status == Status.HELD
    assert "违禁词甲" in login(world.people["parent_admin"]).get(detail(resource)).content.decode()
    assert (
        "违禁词甲" not in login(world.people["lead_editor"]).get(detail(resource)).content.decode()
    )


# role → (view detail, submit, approve) on a resource of the lead unit; 200/302 ok, 403, 404.
MATRIX = {
    "public": (404, 404, 404),
    "lead_editor": (200, 302, 403),
    "lead_admin": (200, 302, 403),
    "parent_admin": (200, 302, 302),
    "other_admin": (404, 404, 404),
    "coorg_member": (404, 404, 404),
}
# Department reviewers and campaign admins must set up a second factor before any workspace page;
# their rights are covered by the services' matrix in test_moderation.py.


@pytest.mark.parametrize("role", list(MATRIX))
def test_page_permission_matrix(world, login, role):
    view, submit, approve = MATRIX[role]
    client = login(world.people[role])
    draft, waiting = article(world), submitted(world)
    assert client.get(detail(draft)).status_code == view
    assert client.post(step(draft, "submit")).status_code == submit
    assert client.post(step(waiting, "approve")).status_code == approve
    expected_draft = Status.SUBMITTED if submit == 302 else Status.DRAFT
    assert Resource.objects.get(pk=draft.pk).status == expected_draft
    expected = Status.PUBLISHED if approve == 302 else Status.SUBMITTED
    assert Resource.objects.get(pk=waiting.pk).status == expected


@pytest.mark.parametrize("role", ["other_admin", "public"])
def test_other_units_resources_are_not_listed(world, login, role):
    article(world)
    page = login(world.people[role]).get(reverse("resource_admin:list")).content.decode()
    assert "科普日回顾" not in page


def test_list_filters_by_status_and_kind(world, login):
    article(world)
    submitted(world)
    client = login(world.people["lead_editor"])
    url = reverse("resource_admin:list")
    assert client.get(url).content.decode().count("科普日回顾") == 2
    assert client.get(url, {"status": "submitted"}).content.decode().count("科普日回顾") == 1
    assert client.get(url, {"kind": "photo"}).content.decode().count("科普日回顾") == 0


def test_list_query_count_does_not_grow_with_rows(world, login):
    client = login(world.people["parent_admin"])
    url = reverse("resource_admin:list")
    article(world)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for key in ("lead", "coorg", "lead", "prov"):
        services.resource_update(
            actor=world.people["campaign_admin"], resource=article(world, key), tags="科普 航天"
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)


def test_files_are_streamed_after_the_check_with_safe_headers(world, login, media):
    from tests.resources.test_services import create_photo

    resource = create_photo(world, world.people["lead_editor"])
    resource.thumbnails = {"240": resource.file.name}
    resource.save()
    url = reverse("resource_admin:file", args=[resource.pk, "thumb-240"])
    original = reverse("resource_admin:file", args=[resource.pk, "original"])
    if media.kind == "s3":  # a signed link: S3 sends the bytes and headers (test_serving.py)
        import requests

        for link, disposition in ((url, "inline"), (original, "attachment")):
            response = login(world.people["lead_editor"]).get(link)
            assert response.status_code == 302
            fetched = requests.get(response["Location"], timeout=10)
            assert fetched.headers["Content-Disposition"].startswith(disposition)
            assert fetched.content[:2] == b"\xff\xd8"
    else:
        response = login(world.people["lead_editor"]).get(url)
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
        response = login(world.people["lead_editor"]).get(original)
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert login(world.people["other_admin"]).get(url).status_code == 404
    missing = reverse("resource_admin:file", args=[resource.pk, "thumb-9999"])
    assert login(world.people["lead_editor"]).get(missing).status_code == 404
