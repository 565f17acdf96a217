"""News through the API: listing (pinned first, category, search), the detail, writes and their
refusals (Chinese message, nothing written), the workflow. The role matrix is in
tests/news/test_permissions.py (services, pages and API)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.services import api_token_create
from sciday.news import services
from sciday.news.models import NewsItem, Status
from tests.activities.world import build_world
from tests.news.conftest import make_article, make_item

API = "/api/v1/news"
JSON = "application/json"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def nworld(db, national):
    world = build_world(national)
    for role in ("department_reviewer", "campaign_admin"):
        TOTPDevice.objects.create(user=world.people[role], name="phone", confirmed=True)
    return world


def _auth(world, role: str) -> dict:
    _token, secret = api_token_create(actor=world.people[role], name="同步系统")
    return {"Authorization": f"Bearer {secret}"}


def test_public_list_pinned_first_filter_and_search(
    nworld, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_item(nworld, status=Status.PUBLISHED, title="院士报告会")
        second = make_item(
            nworld,
            status=Status.PUBLISHED,
            title="媒体聚焦",
            category="media",
            source_name="新华社",
        )
        make_item(nworld, title="院士草稿")
    services.news_pin(actor=nworld.people["campaign_admin"], item=first)
    body = client.get(API).json()
    assert body["count"] == 2
    assert [i["id"] for i in body["items"]] == [first.pk, second.pk]
    assert body["items"][0]["pinned"] is True
    assert body["items"][0]["url"] == f"/news/{first.pk}/"
    assert [i["id"] for i in client.get(API, {"category": "media"}).json()["items"]] == [second.pk]
    assert [i["id"] for i in client.get(API, {"q": "院士"}).json()["items"]] == [first.pk]
    detail = client.get(f"{API}/{first.pk}").json()
    assert detail["title"] == "院士报告会" and detail["events"] is None
    assert detail["published_at"].endswith("+08:00")


def test_workspace_scope_needs_a_sign_in(nworld, client):
    make_item(nworld, title="草稿")
    assert client.get(API, {"scope": "workspace"}).status_code in (400, 401)
    body = client.get(API, {"scope": "workspace"}, headers=_auth(nworld, "lead_editor")).json()
    assert [i["title"] for i in body["items"]] == ["草稿"]
    body = client.get(API, {"scope": "workspace"}, headers=_auth(nworld, "other_admin")).json()
    assert body["items"] == []


def test_create_submit_return_approve_pin_withdraw(nworld, client):
    editor, parent = _auth(nworld, "lead_editor"), _auth(nworld, "parent_admin")
    admin = _auth(nworld, "campaign_admin")
    resource = make_article(nworld, "own")
    response = client.post(
        API,
        {
            "unit": nworld.units["lead"].pk,
            "category": "local",
            "title": "南京科技工作者日",
            "body": "正文第一段",
            "attachments": [resource.pk],
            "campaign": 2023,
        },
        content_type=JSON,
        headers=editor,
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["status"] == "draft" and item["body"] == "<p>正文第一段</p>"
    assert [a["id"] for a in item["attachments"]] == [resource.pk]
    assert item["transitions"] == ["submit"] and item["editable"] is True
    pk = item["id"]
    patched = client.patch(f"{API}/{pk}", {"summary": "摘要"}, content_type=JSON, headers=editor)
    assert patched.json()["summary"] == "摘要"
    assert client.post(f"{API}/{pk}/submit", headers=editor).json()["status"] == "submitted"
    returned = client.post(
        f"{API}/{pk}/return", {"reason": "请补充"}, content_type=JSON, headers=parent
    )
    assert returned.json()["return_reason"] == "请补充"
    client.post(f"{API}/{pk}/submit", headers=editor)
    assert client.post(f"{API}/{pk}/approve", headers=parent).json()["status"] == "published"
    assert client.post(f"{API}/{pk}/pin", headers=admin).json()["pinned"] is True
    assert client.post(f"{API}/{pk}/unpin", headers=admin).json()["pinned"] is False
    withdrawn = client.post(
        f"{API}/{pk}/withdraw", {"reason": "有误"}, content_type=JSON, headers=admin
    )
    assert withdrawn.json()["status"] == "withdrawn"
    assert [e["to_status"] for e in withdrawn.json()["events"]] == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "published",
        "withdrawn",
    ]


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"title": ""}, 400, "title"),
        ({"body": "长" * 100_001}, 400, "body"),
        ({"category": "rumour"}, 400, "category"),
        ({"category": "media"}, 400, "source_name"),
        ({"source_url": "javascript:alert(1)"}, 400, "source_url"),
        ({"attachments": "foreign"}, 400, "attachments"),
        ({"unit": "other"}, 404, None),
    ],
)
def test_refusals_answer_in_chinese_and_write_nothing(nworld, client, overrides, status, field):
    data = {"unit": nworld.units["lead"].pk, "category": "local", "title": "标题", "body": "正文"}
    if overrides.get("attachments") == "foreign":
        overrides = {"attachments": [make_article(nworld, "other").pk]}
    if overrides.get("unit") == "other":
        overrides = {"unit": nworld.units["other_lead"].pk}
    data.update(overrides)
    response = client.post(API, data, content_type=JSON, headers=_auth(nworld, "lead_editor"))
    assert response.status_code == status, response.content
    body = response.json()
    if field:
        assert body["field"] == field
    assert CJK.search(body["detail"]), body
    assert not NewsItem.objects.exists()


def test_pin_by_a_non_admin_and_approval_by_the_units_own_admin_are_refused(nworld, client):
    published = make_item(nworld, status=Status.PUBLISHED)
    response = client.post(f"{API}/{published.pk}/pin", headers=_auth(nworld, "parent_admin"))
    assert response.status_code == 403 and CJK.search(response.json()["detail"])
    assert not NewsItem.objects.get(pk=published.pk).pinned
    submitted = make_item(nworld, status=Status.SUBMITTED)
    response = client.post(f"{API}/{submitted.pk}/approve", headers=_auth(nworld, "lead_admin"))
    assert response.status_code == 403
    assert NewsItem.objects.get(pk=submitted.pk).status == Status.SUBMITTED
    response = client.post(
        f"{API}/{submitted.pk}/return",
        {"reason": " "},
        content_type=JSON,
        headers=_auth(nworld, "parent_admin"),
    )
    assert response.status_code == 400 and response.json()["field"] == "reason"
    draft = make_item(nworld)
    response = client.patch(
        f"{API}/{draft.pk}",
        {"status": "published"},
        content_type=JSON,
        headers=_auth(nworld, "lead_editor"),
    )
    assert response.status_code == 400 and response.json()["code"] == "not_editable"
    response = client.post(f"{API}/{draft.pk}/approve", headers=_auth(nworld, "parent_admin"))
    assert response.status_code == 409
