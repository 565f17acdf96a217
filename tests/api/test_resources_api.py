"""Resources through the API: the permission matrix with tokens (and the session), uploads and
their refusals (nothing stored), the workflow, files and the download counter, filters and search,
the list's query count, and the OpenAPI schema.

The world is the activities one (tests/activities/world.py): "own" resources belong to
甲省南京市科协 (edited by its editor and admin, moderated by 甲省科协's admin), "other" ones to
乙省杭州市科协 (edited and moderated by 乙省科协's admin). Campaign admins do everything.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.services import api_token_create
from sciday.core.models import AuditEntry
from sciday.resources import services
from sciday.resources.models import Kind, Resource, ResourceEvent, Status
from sciday.search.services import search_index_upsert
from tests.activities.world import ROLES, build_world
from tests.resources import hostile

API = "/api/v1"
JSON = "application/json"
NATIONAL = {"department_reviewer", "campaign_admin"}
CJK = re.compile(r"[\u4e00-\u9fff]")
UNIT_KEY = {"own": "lead", "other": "other_lead"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Local storage in a fresh folder for each test."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return root


def stored(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def rworld(db, national):
    world = build_world(national)
    for role in NATIONAL:
        TOTPDevice.objects.create(user=world.people[role], name="phone", confirmed=True)
    return world


@pytest.fixture
def call(client, rworld):
    """call(role, method, path, body=None, form=False) -> response, with the role's token."""
    tokens: dict[str, str] = {}

    def _call(role: str, method: str, path: str, body=None, *, form: bool = False, **headers):
        if role != "anonymous":
            if role not in tokens:
                tokens[role] = api_token_create(actor=rworld.people[role], name="同步系统")[1]
            headers["Authorization"] = f"Bearer {tokens[role]}"
        kwargs: dict = {"headers": headers}
        if body is not None:
            kwargs.update(data=body) if form else kwargs.update(data=body, content_type=JSON)
        return getattr(client, method)(f"{API}{path}", **kwargs)

    return _call


def article(world, target: str = "own", status: str = Status.DRAFT, **extra) -> Resource:
    """An article of `target`'s unit brought to `status` through the services."""
    admin = world.people["campaign_admin"]
    data = {"title": "科普日回顾", "attribution": "南京市科协", "body": "<p>一篇文章</p>", **extra}
    resource = services.resource_create(
        actor=admin,
        unit=world.unit(UNIT_KEY[target]),
        campaign=world.campaign,
        kind=Kind.ARTICLE,
        **data,
    )
    if status == Status.DRAFT:
        return resource
    resource = services.resource_submit(actor=admin, resource=resource)
    if status == Status.SUBMITTED:
        return resource
    if status == Status.RETURNED:
        return services.resource_return(actor=admin, resource=resource, reason="请修改标题")
    resource = services.resource_approve(actor=admin, resource=resource)
    if status == "featured":
        resource = services.resource_feature(actor=admin, resource=resource)
    return resource


def article_form(world, target: str = "own", **overrides) -> dict:
    body = {
        "unit": world.units[UNIT_KEY[target]].pk,
        "kind": "article",
        "title": "科普进社区",
        "attribution": "南京市科协",
        "body": "<p>社区里的科普活动</p><script>x()</script>",
        "tags": "科普，社区",
    }
    body.update(overrides)
    return body


def photo_form(world, data: bytes, name: str = "现场.jpg", **overrides) -> dict:
    body = {
        "unit": world.units["lead"].pk,
        "kind": "photo",
        "title": "科技工作者日现场",
        "attribution": "摄影：张三",
        "people_consent": "true",
        "file": SimpleUploadedFile(name, data, content_type="application/octet-stream"),
    }
    body.update(overrides)
    return body


# --- Permission matrix -----------------------------------------------------------------------

OK, CREATED, GONE, UNAUTH, FORBIDDEN, NOT_FOUND = 200, 201, 204, 401, 403, 404

# action: (status the resource starts from, method, path suffix, body)
ACTIONS = {
    "detail": (Status.DRAFT, "get", "", None),
    "update": (Status.DRAFT, "patch", "", {"title": "改过的标题"}),
    "delete": (Status.DRAFT, "delete", "", None),
    "submit": (Status.DRAFT, "post", "/submit", None),
    "approve": (Status.SUBMITTED, "post", "/approve", None),
    "return": (Status.SUBMITTED, "post", "/return", {"reason": "请补充作者"}),
    "feature": (Status.PUBLISHED, "post", "/feature", None),
    "unfeature": ("featured", "post", "/unfeature", None),
}
SUCCESS = {**dict.fromkeys(ACTIONS, OK), "delete": GONE}
ANONYMOUS = {**dict.fromkeys(ACTIONS, UNAUTH), "detail": NOT_FOUND}
# Outsiders: unpublished resources are out of sight (404); published ones are seen (403).
OUTSIDER = {**dict.fromkeys(ACTIONS, NOT_FOUND), "feature": FORBIDDEN, "unfeature": FORBIDDEN}
EDITOR = {**SUCCESS, "approve": FORBIDDEN, "return": FORBIDDEN}
EDITOR.update(feature=FORBIDDEN, unfeature=FORBIDDEN)
MODERATOR = {**SUCCESS, "feature": FORBIDDEN, "unfeature": FORBIDDEN}
VIEWER = {**dict.fromkeys(ACTIONS, FORBIDDEN), "detail": OK}

EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("anonymous", "own"): ANONYMOUS,
    ("anonymous", "other"): ANONYMOUS,
    ("public", "own"): OUTSIDER,
    ("public", "other"): OUTSIDER,
    ("lead_editor", "own"): EDITOR,
    ("lead_editor", "other"): OUTSIDER,
    ("lead_admin", "own"): EDITOR,  # never moderates its own unit's resources
    ("lead_admin", "other"): OUTSIDER,
    ("parent_admin", "own"): MODERATOR,  # the parent unit's admin edits and moderates
    ("parent_admin", "other"): OUTSIDER,
    ("other_admin", "own"): OUTSIDER,
    ("other_admin", "other"): MODERATOR,
    ("coorg_member", "own"): OUTSIDER,  # a sibling unit sees nothing unpublished
    ("coorg_member", "other"): OUTSIDER,
    ("department_reviewer", "own"): VIEWER,
    ("department_reviewer", "other"): VIEWER,
    ("campaign_admin", "own"): SUCCESS,
    ("campaign_admin", "other"): SUCCESS,
}
AFTER = {
    "update": Status.DRAFT,
    "submit": Status.SUBMITTED,
    "approve": Status.PUBLISHED,
    "return": Status.RETURNED,
}


def test_matrix_covers_every_role_and_target():
    assert {r for r, _t in EXPECTED} == set(ROLES)


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_matrix(rworld, call, role, action, target):
    status, method, suffix, body = ACTIONS[action]
    resource = article(rworld, target, status)
    events = ResourceEvent.objects.filter(resource=resource).count()
    audits = AuditEntry.objects.filter(action__startswith="resources.").count()
    response = call(role, method, f"/resources/{resource.pk}{suffix}", body)
    expected = EXPECTED[(role, target)][action]
    assert response.status_code == expected, response.content
    if expected == GONE:
        assert not Resource.objects.filter(pk=resource.pk).exists()
        return
    resource.refresh_from_db()
    if expected == OK:
        data = response.json()
        assert data["id"] == resource.pk and data["status"] == resource.status
        assert resource.status == AFTER.get(action, resource.status)
        if action == "update":
            assert resource.title == "改过的标题"
        if action in ("feature", "unfeature"):
            assert resource.featured == (action == "feature")
        return
    body_out = response.json()
    assert set(body_out) >= {"detail", "code", "field"}
    if expected != UNAUTH:
        assert CJK.search(body_out["detail"]), body_out
    assert resource.title == "科普日回顾"
    assert resource.status == (Status.PUBLISHED if status == "featured" else status)
    assert resource.featured == (status == "featured")
    assert ResourceEvent.objects.filter(resource=resource).count() == events
    assert AuditEntry.objects.filter(action__startswith="resources.").count() == audits


SEES_UNPUBLISHED = {
    "own": {"lead_editor", "lead_admin", "parent_admin", "department_reviewer", "campaign_admin"},
    "other": {"other_admin", "department_reviewer", "campaign_admin"},
}


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_matrix_list(rworld, call, role, target):
    draft = article(rworld, target, Status.DRAFT, title="草稿")
    published = article(rworld, target, Status.PUBLISHED, title="公开的")
    public = {r["id"] for r in call(role, "get", "/resources").json()["items"]}
    assert public == {published.pk}
    response = call(role, "get", "/resources?scope=workspace")
    if role == "anonymous":
        assert response.status_code == UNAUTH
        return
    assert response.status_code == OK
    ids = {r["id"] for r in response.json()["items"]}
    sees = role in SEES_UNPUBLISHED[target]
    assert (draft.pk in ids) == sees
    assert (published.pk in ids) == sees  # the workspace is about one's own units


CREATORS = {
    "own": {"lead_editor", "lead_admin", "parent_admin", "campaign_admin"},
    "other": {"other_admin", "campaign_admin"},
}


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_matrix_create(rworld, call, role, target):
    expected = CREATED if role in CREATORS[target] else NOT_FOUND
    expected = {"anonymous": UNAUTH, "department_reviewer": FORBIDDEN}.get(role, expected)
    response = call(role, "post", "/resources", article_form(rworld, target), form=True)
    assert response.status_code == expected, response.content
    if expected == CREATED:
        data = response.json()
        assert data["status"] == "draft" and data["kind"] == "article"
        assert sorted(data["tags"]) == ["社区", "科普"]
        assert "<script" not in data["body"] and "社区里的科普活动" in data["body"]
        assert data["transitions"] == ["submit"] and data["editable"] is True
        assert Resource.objects.get(pk=data["id"]).created_by == rworld.people[role]
        assert AuditEntry.objects.filter(action="resources.resource.created").count() == 1
    else:
        assert not Resource.objects.exists()


# --- Uploads ---------------------------------------------------------------------------------


def test_photo_upload_workflow_files_and_download(
    rworld, call, client, media, django_capture_on_commit_callbacks
):
    data = hostile.jpeg(900, 600, exif=hostile.exif_with_gps())
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            "lead_editor", "post", "/resources", photo_form(rworld, data, tags="现场"), form=True
        )
    assert response.status_code == CREATED, response.content
    body = response.json()
    pk = body["id"]
    assert body["kind"] == "photo" and body["processing"] == "pending"
    resource = Resource.objects.get(pk=pk)
    assert re.fullmatch(r"resources/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", resource.file.name)
    assert resource.original_name == "现场.jpg"

    # Processing ran after the commit: thumbnails, no GPS; private files on the workspace view.
    detail = call("lead_editor", "get", f"/resources/{pk}").json()
    assert detail["processing"] == "done", detail["processing_error"]
    assert (detail["width"], detail["height"]) == (600, 900)  # turned upright (EXIF: 6)
    assert detail["file_url"] == f"{API}/resources/{pk}/files/original"
    assert detail["thumbnails"] and all(
        u.startswith(f"{API}/resources/{pk}/files/thumb-") for u in detail["thumbnails"].values()
    )
    assert detail["download_url"] is None
    assert b"GPS" not in (media / resource.file.name).read_bytes()
    # The draft's files: for the unit's token (with byte ranges), nobody else's.
    original = call("lead_editor", "get", f"/resources/{pk}/files/original")
    assert original.status_code == OK and original["X-Content-Type-Options"] == "nosniff"
    assert b"".join(original.streaming_content) == (media / resource.file.name).read_bytes()
    ranged = call("lead_editor", "get", f"/resources/{pk}/files/original", Range="bytes=0-9")
    assert ranged.status_code == 206 and len(b"".join(ranged.streaming_content)) == 10
    thumb = call("lead_editor", "get", detail["thumbnails"]["240"].removeprefix(API))
    assert thumb.status_code == OK and thumb["Content-Type"] == "image/webp"
    assert b"".join(thumb.streaming_content).startswith(b"RIFF")
    for outsider in ("anonymous", "other_admin", "public"):
        refused = call(outsider, "get", f"/resources/{pk}/files/original")
        assert refused.status_code == NOT_FOUND, outsider
    assert call("lead_editor", "get", f"/resources/{pk}/files/nonsense").status_code == NOT_FOUND
    assert Resource.objects.get(pk=pk).download_count == 0
    assert call("anonymous", "get", f"/resources/{pk}/download").status_code == NOT_FOUND
    assert call("lead_editor", "get", f"/resources/{pk}/download").status_code == NOT_FOUND

    assert call("lead_editor", "post", f"/resources/{pk}/submit").json()["status"] == "submitted"
    approved = call("parent_admin", "post", f"/resources/{pk}/approve").json()
    assert approved["status"] == "published"

    public = call("anonymous", "get", f"/resources/{pk}").json()
    assert public["file_url"] == f"/resources/{pk}/file/original/"
    assert public["download_url"] == f"{API}/resources/{pk}/download"
    assert public["thumbnail_url"].startswith(f"/resources/{pk}/file/thumb-")
    assert public["events"] is None and public["screening_hits"] is None
    assert public["transitions"] == [] and public["editable"] is False
    assert [e["to_status"] for e in approved["events"]] == ["submitted", "published"]

    download = client.get(public["download_url"])
    assert download.status_code == OK
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == (media / resource.file.name).read_bytes()
    assert Resource.objects.get(pk=pk).download_count == 1
    listed = call("anonymous", "get", "/resources").json()["items"]
    assert [(r["id"], r["download_count"]) for r in listed] == [(pk, 1)]
    assert listed[0]["thumbnail_url"] == public["thumbnail_url"]


HOSTILE = [
    ("svg-with-script", "logo.svg", hostile.svg_with_script, "SVG"),
    ("php-jpg", "shell.php.jpg", hostile.jpeg, ".php.jpg"),
    ("elf-renamed-jpg", "photo.jpg", hostile.elf, "不是"),
    ("polyglot-jpeg-html", "photo.jpg", hostile.polyglot_jpeg_html, "网页"),
    ("zero-byte", "empty.jpg", lambda: b"", "空"),
]


@pytest.mark.parametrize(
    ("name", "builder", "fragment"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_hostile_upload_is_refused_and_nothing_is_stored(
    rworld, call, media, name, builder, fragment
):
    response = call(
        "lead_editor", "post", "/resources", photo_form(rworld, builder(), name), form=True
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert CJK.search(body["detail"]) and fragment in body["detail"], body
    assert body["field"] == "file"
    assert not Resource.objects.exists()
    assert stored(media) == []
    assert not AuditEntry.objects.filter(action__startswith="resources.").exists()


def test_too_large_upload_answers_413(rworld, call, media, settings):
    settings.RESOURCE_MAX_BYTES = {**settings.RESOURCE_MAX_BYTES, "photo": 1024}
    response = call(
        "lead_editor", "post", "/resources", photo_form(rworld, hostile.jpeg(400, 400)), form=True
    )
    assert response.status_code == 413, response.content
    assert "照片" in response.json()["detail"] and response.json()["code"] == "too_large"
    assert not Resource.objects.exists() and stored(media) == []


def test_upload_over_the_units_quota_answers_409(rworld, call, media, settings):
    settings.RESOURCE_UNIT_QUOTA_BYTES = 100
    response = call(
        "lead_editor", "post", "/resources", photo_form(rworld, hostile.jpeg()), form=True
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "quota" and "配额" in response.json()["detail"]
    assert not Resource.objects.exists() and stored(media) == []


def test_refused_metadata_stores_nothing(rworld, call, media):
    form = photo_form(rworld, hostile.jpeg(), people_consent="false")
    response = call("lead_editor", "post", "/resources", form, form=True)
    assert response.status_code == 400 and response.json()["field"] == "people_consent"
    no_file = call(
        "lead_editor", "post", "/resources", article_form(rworld, kind="photo"), form=True
    )
    assert no_file.status_code == 400 and no_file.json()["field"] == "kind"
    bad_link = call(
        "lead_editor",
        "post",
        "/resources",
        article_form(rworld, kind="link", body="", url="javascript:alert(1)"),
        form=True,
    )
    assert bad_link.status_code == 400 and bad_link.json()["field"] == "url"
    unknown = call(
        "lead_editor", "post", "/resources", article_form(rworld, activity=999999), form=True
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "activity"
    assert not Resource.objects.exists() and stored(media) == []


def test_a_link_and_an_activitys_resource(rworld, call):
    activity = rworld.activity("own", "published")
    form = article_form(rworld, kind="link", body="", url="https://mp.weixin.qq.com/s/abc")
    form["activity"] = activity.pk
    response = call("lead_editor", "post", "/resources", form, form=True)
    assert response.status_code == CREATED, response.content
    body = response.json()
    assert body["url"] == "https://mp.weixin.qq.com/s/abc"
    assert body["activity"] == {"id": activity.pk, "name": activity.title}
    assert body["campaign"]["year"] == 2023 and body["province_code"] == "320000"


# --- Detail, edit, delete, moderation --------------------------------------------------------


def test_screening_hits_for_moderators_only(rworld, call):
    from sciday.screening.services import word_add

    word_add(actor=rworld.people["campaign_admin"], campaign=rworld.campaign, word="违禁甲")
    resource = article(rworld, title="违禁甲的故事")
    held = call("lead_editor", "post", f"/resources/{resource.pk}/submit").json()
    assert held["status"] == "held" and held["screening_hits"] is None
    moderator = call("parent_admin", "get", f"/resources/{resource.pk}").json()
    assert moderator["screening_hits"] == [{"word": "违禁甲", "field": "title"}]
    assert moderator["transitions"] == ["approve", "return"]
    reviewer = call("department_reviewer", "get", f"/resources/{resource.pk}").json()
    assert reviewer["screening_hits"] is None and reviewer["events"] is not None


def test_return_needs_a_reason_and_the_unit_edits_and_resubmits(rworld, call):
    resource = article(rworld, status=Status.SUBMITTED)
    path = f"/resources/{resource.pk}"
    assert call("parent_admin", "post", f"{path}/return", {}).status_code == 422
    blank = call("parent_admin", "post", f"{path}/return", {"reason": "  "})
    assert blank.status_code == 400 and blank.json()["field"] == "reason"
    assert CJK.search(blank.json()["detail"])
    assert Resource.objects.get(pk=resource.pk).status == Status.SUBMITTED
    returned = call("parent_admin", "post", f"{path}/return", {"reason": "标题写错了"}).json()
    assert returned["status"] == "returned" and returned["return_reason"] == "标题写错了"
    editor = call("lead_editor", "get", path).json()
    assert editor["return_reason"] == "标题写错了" and editor["editable"] is True
    assert editor["events"][-1]["note"] == "标题写错了"
    changed = call("lead_editor", "patch", path, {"title": "改正的标题", "tags": ["科普", "回顾"]})
    assert changed.status_code == OK, changed.content
    assert changed.json()["title"] == "改正的标题" and changed.json()["tags"] == ["回顾", "科普"]
    assert call("lead_editor", "post", f"{path}/submit").json()["status"] == "submitted"


def test_patch_refusals(rworld, call):
    resource = article(rworld)
    path = f"/resources/{resource.pk}"
    not_here = call("lead_editor", "patch", path, {"status": "published", "title": "x"})
    assert not_here.status_code == 400 and not_here.json()["field"] == "status"
    empty = call("lead_editor", "patch", path, {"title": " "})
    assert empty.status_code == 400 and empty.json()["field"] == "title"
    assert Resource.objects.get(pk=resource.pk).title == "科普日回顾"
    published = article(rworld, status=Status.PUBLISHED)
    frozen = call("lead_editor", "patch", f"/resources/{published.pk}", {"title": "新"})
    assert frozen.status_code == 409 and CJK.search(frozen.json()["detail"])


def test_wrong_status_is_409(rworld, call):
    resource = article(rworld)
    response = call("campaign_admin", "post", f"/resources/{resource.pk}/approve")
    assert response.status_code == 409 and CJK.search(response.json()["detail"])


def test_delete_removes_the_stored_files(rworld, call, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pk = call(
            "lead_editor",
            "post",
            "/resources",
            photo_form(rworld, hostile.jpeg(700, 400)),
            form=True,
        ).json()["id"]
    assert len(stored(media)) > 1  # the photo and its thumbnails
    with django_capture_on_commit_callbacks(execute=True):
        assert call("lead_editor", "delete", f"/resources/{pk}").status_code == GONE
    assert stored(media) == []
    assert AuditEntry.objects.filter(action="resources.resource.deleted").count() == 1


# --- Session auth ----------------------------------------------------------------------------


def test_session_works_and_needs_csrf_for_writes(rworld):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rworld.people["lead_editor"])
    draft = article(rworld)
    listed = client.get(f"{API}/resources?scope=workspace")
    assert listed.status_code == OK and [r["id"] for r in listed.json()["items"]] == [draft.pk]
    refused = client.post(f"{API}/resources", article_form(rworld))
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert Resource.objects.count() == 1
    token = "a" * 32
    client.cookies["csrftoken"] = token
    created = client.post(f"{API}/resources", article_form(rworld), headers={"X-CSRFToken": token})
    assert created.status_code == CREATED, created.content
    submitted = client.post(f"{API}/resources/{draft.pk}/submit", headers={"X-CSRFToken": token})
    assert submitted.status_code == OK and submitted.json()["status"] == "submitted"


# --- List: filters, search, pages, queries ---------------------------------------------------


def test_list_filters(rworld, call):
    activity = rworld.activity("own", "published")
    own = article(rworld, "own", Status.PUBLISHED, title="南京的文章", licence="cc-by-4.0")
    other = article(rworld, "other", "featured", title="杭州的文章")
    tied = article(rworld, "own", Status.PUBLISHED, title="活动的文章", activity=activity)

    def ids(query: str) -> set[int]:
        response = call("anonymous", "get", f"/resources?{query}")
        assert response.status_code == OK, response.content
        return {r["id"] for r in response.json()["items"]}

    assert ids("") == {own.pk, other.pk, tied.pk}
    assert ids("province=320000") == {own.pk, tied.pk}
    assert ids(f"unit={rworld.units['prov'].pk}") == {own.pk, tied.pk}  # and its sub-units
    assert ids(f"unit={rworld.units['other_lead'].pk}") == {other.pk}
    assert ids("licence=cc-by-4.0") == {own.pk}
    assert ids(f"activity={activity.pk}") == {tied.pk}
    assert ids(f"category={activity.category_id}") == {tied.pk}
    assert ids("featured=true") == {other.pk}
    assert ids("kind=photo") == set()
    assert ids("campaign=2023&kind=article") == {own.pk, other.pk, tied.pk}
    assert call("anonymous", "get", "/resources?campaign=1999").status_code == NOT_FOUND
    assert call("anonymous", "get", "/resources?kind=virus").status_code == 422
    assert call("anonymous", "get", "/resources?scope=everything").status_code == 422


def test_list_pages(rworld, call):
    made = [article(rworld, status=Status.PUBLISHED, title=f"文章{i}").pk for i in range(5)]
    body = call("anonymous", "get", "/resources?page=2&page_size=2").json()
    assert body["count"] == 5 and body["page"] == 2 and body["page_size"] == 2
    assert [r["id"] for r in body["items"]] == list(reversed(made))[2:4]
    assert call("anonymous", "get", "/resources?page_size=500").status_code == 422


def _index(resource: Resource) -> None:
    search_index_upsert(
        kind="resources.resource",
        object_id=resource.pk,
        title=resource.title,
        body=resource.description,
        campaign_id=resource.campaign_id,
        region_code=resource.unit.province_code or "",
        published=resource.status == Status.PUBLISHED,
    )


def test_text_search_with_filters_and_visibility(rworld, call):
    kepu = article(rworld, "own", Status.PUBLISHED, title="院士科普报告")
    far = article(rworld, "other", Status.PUBLISHED, title="科普大篷车")
    draft = article(rworld, "own", Status.DRAFT, title="科普草稿")
    plain = article(rworld, "own", Status.PUBLISHED, title="天文观测夜")
    for r in (kepu, far, draft, plain):
        _index(r)

    def ids(role: str, query: str) -> set[int]:
        response = call(role, "get", f"/resources?{query}")
        assert response.status_code == OK, response.content
        return {r["id"] for r in response.json()["items"]}

    assert ids("anonymous", "q=科普") == {kepu.pk, far.pk}
    assert ids("anonymous", "q=科普&province=320000") == {kepu.pk}
    assert ids("lead_editor", "q=科普") == {kepu.pk, far.pk}  # public scope: published only
    assert ids("lead_editor", "q=科普&scope=workspace") == {kepu.pk, draft.pk}
    assert ids("lead_editor", "q=科普&scope=workspace&status=draft") == {draft.pk}
    assert ids("other_admin", "q=科普&scope=workspace") == {far.pk}
    assert ids("anonymous", "q=量子") == set()


def test_list_issues_a_fixed_number_of_queries(rworld, call):
    article(rworld, status=Status.PUBLISHED, tags="科普")
    call("lead_editor", "get", "/resources")  # the token's first use writes its last-used time

    def count(query: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert call("lead_editor", "get", f"/resources?{query}").status_code == OK
        return len(ctx.captured_queries)

    few, workspace = count(""), count("scope=workspace")
    for i in range(6):
        article(rworld, "own" if i % 2 else "other", Status.PUBLISHED, title=f"文章{i}", tags="x y")
        article(rworld, "own", Status.DRAFT, title=f"草稿{i}")
    assert count("") == few and count("scope=workspace") == workspace
    assert few <= 6, few  # token, count, page, tags (+ the token's user and memberships)
    assert workspace <= 8, workspace


def test_openapi_lists_the_resource_operations(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    listed = {(m, p): ops for p, methods in schema["paths"].items() for m, ops in methods.items()}
    base = "/api/v1/resources"
    expected = {
        ("get", base),
        ("post", base),
        ("get", f"{base}/{{resource_id}}"),
        ("patch", f"{base}/{{resource_id}}"),
        ("delete", f"{base}/{{resource_id}}"),
        ("get", f"{base}/{{resource_id}}/download"),
        *{
            ("post", f"{base}/{{resource_id}}/{t}")
            for t in ("submit", "approve", "return", "feature", "unfeature")
        },
    }
    assert expected <= set(listed)
    assert all(listed[key].get("summary") for key in expected)
    body = listed[("post", base)]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert "file" in body["properties"] and "unit" in body["properties"]
    for name in ("ResourceDetailOut", "ResourcePage", "ResourcePatchIn"):
        assert name in schema["components"]["schemas"]
