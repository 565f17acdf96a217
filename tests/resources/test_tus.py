"""Resumable uploads (tus 1.0.0) at /uploads/tus/, and resources made from them."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.services import api_token_create
from sciday.core.errors import DomainError
from sciday.resources import services, tus
from sciday.resources.models import Kind, Resource, ResumableUpload
from tests.resources import hostile

URL = "/uploads/tus/"
TUS = {"Tus-Resumable": "1.0.0"}
OFFSET = "application/offset+octet-stream"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path) -> Path:
    folder = tmp_path / "uploads"
    settings.RESOURCE_UPLOAD_DIR = folder
    return folder


def partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def meta(**pairs: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def create(client, world, *, length: int, name="现场.jpg", kind="photo", unit=None, headers=None):
    unit = unit or world.unit("lead")
    return client.post(
        URL,
        headers={
            **TUS,
            "Upload-Length": str(length),
            "Upload-Metadata": meta(filename=name, kind=kind, unit=str(unit.pk)),
            **(headers or {}),
        },
    )


def patch(client, location: str, data: bytes, offset: int, headers=None, **extra):
    return client.generic(
        "PATCH",
        location,
        data=data,
        content_type=OFFSET,
        headers={**TUS, "Upload-Offset": str(offset), **(headers or {})},
        **extra,
    )


def upload_all(client, world, data: bytes, *, chunk: int = 1000, **kwargs) -> str:
    response = create(client, world, length=len(data), **kwargs)
    assert response.status_code == 201, response.content.decode()
    location = response["Location"]
    for start in range(0, len(data), chunk):
        assert patch(client, location, data[start : start + chunk], start).status_code == 204
    return location


def upload_id(location: str) -> str:
    return location.rstrip("/").rsplit("/", 1)[-1]


FIELDS = {"title": "现场照片", "attribution": "摄影：张三", "people_consent": True}


# --- The protocol ----------------------------------------------------------------------------


def test_options_advertise_version_extensions_and_size(client, settings):
    response = client.options(URL)
    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0" and response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) == {"creation", "termination", "expiration"}
    assert int(response["Tus-Max-Size"]) == max(settings.RESOURCE_MAX_BYTES.values())


def test_create_head_patch_in_chunks(world, login, upload_dir):
    client = login(world.people["lead_editor"])
    data = hostile.jpeg(400, 300)
    response = create(client, world, length=len(data))
    assert response.status_code == 201 and response["Tus-Resumable"] == "1.0.0"
    assert response["Upload-Expires"]
    location = response["Location"]
    assert location.startswith("http://testserver/uploads/tus/")
    head = client.head(location, headers=TUS)
    assert head.status_code == 200 and head["Upload-Offset"] == "0"
    assert head["Upload-Length"] == str(len(data)) and head["Cache-Control"] == "no-store"
    offset = 0
    for start in range(0, len(data), 1500):
        response = patch(client, location, data[start : start + 1500], offset)
        assert response.status_code == 204 and response["Tus-Resumable"] == "1.0.0"
        offset = int(response["Upload-Offset"])
    assert offset == len(data)
    upload = ResumableUpload.objects.get()
    assert upload.is_complete and upload.display_name == "现场.jpg"
    assert (upload_dir / upload.file_name).read_bytes() == data
    assert upload.file_name.endswith(".part") and "现场" not in upload.file_name


def test_resume_after_a_lost_chunk(world, login):
    client = login(world.people["lead_editor"])
    data = bytes(range(256)) * 20
    location = create(client, world, length=len(data))["Location"]
    assert patch(client, location, data[:2000], 0).status_code == 204
    # The connection breaks in the middle of the second chunk: 1000 of 2000 bytes arrive.
    broken = patch(
        client,
        location,
        b"",
        2000,
        CONTENT_LENGTH="2000",
        CONTENT_TYPE=OFFSET,
        **{"wsgi.input": io.BytesIO(data[2000:3000])},
    )
    assert broken.status_code == 400
    head = client.head(location, headers=TUS)
    assert head["Upload-Offset"] == "3000"
    # A chunk sent again from an old offset is refused; from the server's offset it goes on.
    stale = patch(client, location, data[2000:4000], 2000)
    assert stale.status_code == 409 and "3000" in stale.json()["detail"]
    assert patch(client, location, data[3000:], 3000)["Upload-Offset"] == str(len(data))
    assert ResumableUpload.objects.get().is_complete


def test_bytes_beyond_the_length_are_refused(world, login, upload_dir):
    client = login(world.people["lead_editor"])
    location = create(client, world, length=100)["Location"]
    response = patch(client, location, b"x" * 101, 0)
    assert response.status_code == 413 and "100" in response.json()["detail"]
    assert ResumableUpload.objects.get().offset == 0
    assert (upload_dir / ResumableUpload.objects.get().file_name).read_bytes() == b""


def test_patch_needs_the_offset_content_type_and_version(world, login):
    client = login(world.people["lead_editor"])
    location = create(client, world, length=10)["Location"]
    wrong_type = client.generic(
        "PATCH",
        location,
        data=b"x",
        content_type="application/json",
        headers={**TUS, "Upload-Offset": "0"},
    )
    assert wrong_type.status_code == 415
    no_version = client.generic(
        "PATCH", location, data=b"x", content_type=OFFSET, headers={"Upload-Offset": "0"}
    )
    assert no_version.status_code == 412 and no_version["Tus-Version"] == "1.0.0"


def test_termination_removes_row_and_bytes(world, login, upload_dir):
    client = login(world.people["lead_editor"])
    location = create(client, world, length=10)["Location"]
    assert patch(client, location, b"12345", 0).status_code == 204
    response = client.delete(location, headers=TUS)
    assert response.status_code == 204 and response["Tus-Resumable"] == "1.0.0"
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []
    assert client.head(location, headers=TUS).status_code == 404


def test_someone_elses_upload_is_not_found(world, login):
    owner = login(world.people["lead_editor"])
    location = create(owner, world, length=10)["Location"]
    other = login(world.people["lead_admin"], client=Client())
    assert other.head(location, headers=TUS).status_code == 404
    assert patch(other, location, b"12345", 0).status_code == 404
    assert other.delete(location, headers=TUS).status_code == 404
    assert ResumableUpload.objects.get().offset == 0


def test_expired_uploads_are_removed_by_resources_recover(world, login, upload_dir):
    client = login(world.people["lead_editor"])
    old = create(client, world, length=10)["Location"]
    fresh = create(client, world, length=10)["Location"]
    ResumableUpload.objects.filter(pk=upload_id(old)).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    stray = upload_dir / ("f" * 32 + ".part")
    stray.write_bytes(b"left by a crash")
    import os

    past = (timezone.now() - timedelta(days=3)).timestamp()
    os.utime(stray, (past, past))
    assert client.head(old, headers=TUS).status_code == 410
    ResumableUpload.objects.filter(pk=upload_id(fresh)).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    call_command("resources_recover", stdout=io.StringIO())
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []


def test_api_token_creates_and_patches_without_csrf(world, upload_dir):
    user = world.people["lead_editor"]
    _token, secret = api_token_create(actor=user, name="同步")
    client = Client(enforce_csrf_checks=True)
    auth = {"Authorization": f"Bearer {secret}"}
    response = create(client, world, length=5, headers=auth)
    assert response.status_code == 201
    assert patch(client, response["Location"], b"12345", 0, headers=auth).status_code == 204
    assert ResumableUpload.objects.get().owner == user
    wrong = create(client, world, length=5, headers={"Authorization": "Bearer sd_wrong"})
    assert wrong.status_code == 401 and ResumableUpload.objects.count() == 1


def test_anonymous_is_refused(world, client, upload_dir):
    response = create(client, world, length=5)
    assert response.status_code == 401 and "登录" in response.json()["detail"]
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []


def test_the_session_needs_the_csrf_token(world, upload_dir):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people["lead_editor"])
    refused = create(client, world, length=5)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []
    client.get(reverse("resource_admin:create"))
    token = client.cookies["csrftoken"].value
    response = create(client, world, length=5, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    location = response["Location"]
    assert patch(client, location, b"12345", 0).status_code == 403
    ok = patch(client, location, b"12345", 0, headers={"X-CSRFToken": token})
    assert ok.status_code == 204


# --- Refusals before any byte ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "length", "status", "fragment"),
    [
        ("大.jpg", "photo", 31 * 1024 * 1024, 413, "超过"),
        ("图.svg", "photo", 100, 415, "SVG"),
        ("文档.doc", "document", 100, 415, "Office"),
        ("脚本.php.jpg", "photo", 100, 415, ".php.jpg"),
        ("视频.mp4", "photo", 100, 415, ".jpg"),
        ("文章.html", "article", 100, 400, "照片"),
        ("空.jpg", "photo", 0, 400, "空"),
    ],
)
def test_early_refusals_write_nothing(
    world, login, upload_dir, name, kind, length, status, fragment
):
    client = login(world.people["lead_editor"])
    response = create(client, world, length=length, name=name, kind=kind)
    assert response.status_code == status
    assert response["Tus-Resumable"] == "1.0.0"
    assert fragment in response.json()["detail"]
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []


def test_a_unit_the_person_may_not_add_to_is_refused(world, login, upload_dir):
    # A unit the person sees but may not add to: 403; a unit out of sight: 404 (policy).
    reviewer = world.people["department_reviewer"]
    TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    _token, secret = api_token_create(actor=reviewer, name="同步")
    auth = {"Authorization": f"Bearer {secret}"}
    seen = create(Client(), world, length=10, headers=auth)
    assert seen.status_code == 403 and "无权" in seen.json()["detail"]
    editor = login(world.people["lead_editor"], client=Client())
    for key in ("prov", "coorg", "other_lead"):
        response = create(editor, world, length=10, unit=world.unit(key))
        assert response.status_code == 404 and "单位" in response.json()["detail"]
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []


def test_the_unit_quota_is_checked_before_any_byte(world, login, upload_dir, settings):
    settings.RESOURCE_UNIT_QUOTA_BYTES = 1000
    client = login(world.people["lead_editor"])
    response = create(client, world, length=2000)
    assert response.status_code == 413 and "配额" in response.json()["detail"]
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []


def test_open_uploads_per_person_are_limited(world, login, upload_dir):
    client = login(world.people["lead_editor"])
    for _ in range(tus.MAX_OPEN):
        assert create(client, world, length=10).status_code == 201
    response = create(client, world, length=10)
    assert response.status_code == 429 and "未完成" in response.json()["detail"]
    assert ResumableUpload.objects.count() == tus.MAX_OPEN
    assert len(partials(upload_dir)) == tus.MAX_OPEN


# --- From a complete upload to a resource ----------------------------------------------------


def test_a_complete_upload_becomes_a_resource(world, login, upload_dir, media):
    editor = world.people["lead_editor"]
    client = login(editor)
    data = hostile.jpeg(300, 200)
    location = upload_all(client, world, data)
    resource = services.resource_create_from_resumable(
        actor=editor,
        upload_id=upload_id(location),
        unit=world.unit("lead"),
        campaign=world.campaign,
        kind=Kind.PHOTO,
        **FIELDS,
    )
    assert resource.original_name == "现场.jpg" and resource.size == len(data)
    assert media.files() == [resource.file.name]
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []


def test_an_svg_renamed_jpg_is_refused_and_leaves_nothing(world, login, upload_dir, media):
    editor = world.people["lead_editor"]
    client = login(editor)
    location = upload_all(client, world, hostile.svg_with_script(), name="假照片.jpg")
    with pytest.raises(DomainError) as caught:
        services.resource_create_from_resumable(
            actor=editor,
            upload_id=upload_id(location),
            unit=world.unit("lead"),
            campaign=world.campaign,
            kind=Kind.PHOTO,
            **FIELDS,
        )
    assert caught.value.field == "file" and "SVG" in str(caught.value)
    assert not Resource.objects.exists() and media.files() == []
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []


def test_an_incomplete_upload_is_refused_and_kept(world, login, upload_dir):
    editor = world.people["lead_editor"]
    client = login(editor)
    data = hostile.jpeg()
    location = create(client, world, length=len(data))["Location"]
    patch(client, location, data[:100], 0)
    with pytest.raises(DomainError, match="上传完成"):
        services.resource_create_from_resumable(
            actor=editor,
            upload_id=upload_id(location),
            unit=world.unit("lead"),
            campaign=world.campaign,
            kind=Kind.PHOTO,
            **FIELDS,
        )
    assert ResumableUpload.objects.get().offset == 100 and len(partials(upload_dir)) == 1
    other = world.people["lead_admin"]
    with pytest.raises(DomainError):
        services.resource_create_from_resumable(
            actor=other,
            upload_id=upload_id(location),
            unit=world.unit("lead"),
            campaign=world.campaign,
            kind=Kind.PHOTO,
            **FIELDS,
        )


def test_the_form_creates_the_resource_from_an_upload_id(world, login, upload_dir, media):
    client = login(world.people["lead_editor"])
    data = hostile.jpeg(300, 200)
    location = upload_all(client, world, data)
    form = {
        "unit": world.unit("lead").pk,
        "kind": Kind.PHOTO,
        "upload_id": upload_id(location),
        "title": "现场照片",
        "attribution": "摄影：张三",
        "licence": "platform",
    }
    # Missing consent: the form says so and keeps the upload for the next try.
    response = client.post(reverse("resource_admin:create"), form)
    assert response.status_code == 400 and upload_id(location) in response.content.decode()
    assert ResumableUpload.objects.exists()
    response = client.post(reverse("resource_admin:create"), {**form, "people_consent": "on"})
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.size == len(data) and media.files() == [resource.file.name]
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []


def test_the_form_drops_a_refused_upload(world, login, upload_dir, media):
    client = login(world.people["lead_editor"])
    location = upload_all(client, world, hostile.svg_with_script(), name="假照片.jpg")
    response = client.post(
        reverse("resource_admin:create"),
        {
            "unit": world.unit("lead").pk,
            "kind": Kind.PHOTO,
            "upload_id": upload_id(location),
            "title": "现场照片",
            "attribution": "摄影：张三",
            "licence": "platform",
            "people_consent": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "SVG" in page and upload_id(location) not in page
    assert not Resource.objects.exists() and media.files() == []
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []


def test_the_api_creates_the_resource_from_an_upload_id(world, upload_dir, media):
    editor = world.people["lead_editor"]
    _token, secret = api_token_create(actor=editor, name="同步")
    auth = {"Authorization": f"Bearer {secret}"}
    client = Client(enforce_csrf_checks=True)
    data = hostile.jpeg(300, 200)
    response = create(client, world, length=len(data), headers=auth)
    location = response["Location"]
    assert patch(client, location, data, 0, headers=auth).status_code == 204
    fields = {
        "unit": world.unit("lead").pk,
        "kind": "photo",
        "title": "现场照片",
        "attribution": "摄影：张三",
        "people_consent": "true",
    }
    unknown = client.post("/api/v1/resources", {**fields, "upload_id": "nope"}, headers=auth)
    assert unknown.status_code == 400 and unknown.json()["field"] == "file"
    response = client.post(
        "/api/v1/resources", {**fields, "upload_id": upload_id(location)}, headers=auth
    )
    assert response.status_code == 201, response.content.decode()
    resource = Resource.objects.get()
    assert resource.size == len(data) and media.files() == [resource.file.name]
    assert not ResumableUpload.objects.exists() and partials(upload_dir) == []
