# ruff: noqa: F811  (pytest fixtures imported from test_activities_api are used as arguments)
"""The cover picture through the API: multipart upload, refusals (400, nothing changed), removal,
and the same permissions as the other writes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sciday.activities.models import Activity
from tests.activities.test_cover import SVG, photo, stored_files
from tests.api.test_activities_api import API, aworld, call, payload  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft(call, aworld):
    body = payload(aworld, co_organizers=[aworld.units["coorg"].pk])
    response = call("lead_editor", "post", "/activities", body)
    assert response.status_code == 201
    return response.json()["id"]


@pytest.fixture
def post_file(client, aworld):
    from sciday.accounts.services import api_token_create

    tokens: dict[str, str] = {}

    def _post(role: str, pk: int, data: bytes, name: str):
        headers = {}
        if role != "anonymous":
            if role not in tokens:
                tokens[role] = api_token_create(actor=aworld.people[role], name="同步")[1]
            headers["Authorization"] = f"Bearer {tokens[role]}"
        file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
        return client.post(f"{API}/activities/{pk}/cover", {"file": file}, headers=headers)

    return _post


def test_upload_read_and_remove(call, post_file, draft, media):
    response = post_file("lead_editor", draft, photo(), "IMG_1.jpg")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cover_url"].startswith(f"/activities/{draft}/cover/full?v=")
    assert body["cover_thumb_url"].startswith(f"/activities/{draft}/cover/thumb?v=")
    assert "cover" in body["editable_fields"]
    stored = (media / Activity.objects.get(pk=draft).cover.name).read_bytes()
    assert b"Exif" not in stored and b"GPS" not in stored
    removed = call("lead_editor", "delete", f"/activities/{draft}/cover")
    assert removed.status_code == 200 and removed.json()["cover_url"] is None


@pytest.mark.parametrize(
    ("data", "name"), [(SVG, "x.svg"), (b"", "a.jpg"), (b"<?php ?>", "a.php.jpg")]
)
def test_refused_upload_answers_400_and_changes_nothing(post_file, draft, media, data, name):
    response = post_file("lead_editor", draft, data, name)
    assert response.status_code == 400
    assert response.json()["field"] == "cover" or "cover" in str(response.json())
    assert not Activity.objects.get(pk=draft).cover
    assert stored_files(media) == []


def test_upload_needs_the_edit_right(post_file, draft, media):
    assert post_file("anonymous", draft, photo(), "a.jpg").status_code == 401
    assert post_file("other_admin", draft, photo(), "a.jpg").status_code == 404
    assert post_file("public", draft, photo(), "a.jpg").status_code == 404
    assert post_file("coorg_member", draft, photo(), "a.jpg").status_code == 403
    assert stored_files(media) == []
