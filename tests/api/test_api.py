"""The REST API: schema and docs, authentication, error shape and language, each endpoint."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.models import Invitation, Role
from sciday.accounts.services import api_token_create
from sciday.campaigns.models import Campaign
from sciday.orgs.models import Unit, UnitKind
from tests.factories import make_member, make_unit

API = "/api/v1"
JSON = "application/json"


# --- Schema and docs -------------------------------------------------------------------------


def test_openapi_schema_is_valid_and_lists_the_endpoints(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["version"] == "1"
    expected = {
        ("get", "/api/v1/me"),
        ("get", "/api/v1/units"),
        ("post", "/api/v1/units"),
        ("get", "/api/v1/units/tree"),
        ("get", "/api/v1/units/{unit_id}"),
        ("patch", "/api/v1/units/{unit_id}"),
        ("post", "/api/v1/units/{unit_id}/move"),
        ("get", "/api/v1/units/{unit_id}/members"),
        ("delete", "/api/v1/units/{unit_id}/members/{membership_id}"),
        ("post", "/api/v1/units/{unit_id}/invitations"),
        ("get", "/api/v1/regions"),
        ("get", "/api/v1/campaigns"),
        ("get", "/api/v1/campaigns/current"),
        ("get", "/api/v1/campaigns/{year}"),
        ("patch", "/api/v1/campaigns/{year}"),
        ("get", "/api/v1/campaigns/{year}/trusted-units"),
        ("put", "/api/v1/campaigns/{year}/trusted-units"),
        ("post", "/api/v1/campaigns/{year}/trusted-units"),
        ("delete", "/api/v1/campaigns/{year}/trusted-units/{unit_id}"),
    }
    listed = {(m, p) for p, ops in schema["paths"].items() for m in ops}
    assert expected <= listed
    # Every $ref resolves, and every operation documents its answers including errors.
    text = response.content.decode()
    for ref in set(re.findall(r'"\$ref": ?"#/components/schemas/([^"]+)"', text)):
        assert ref in schema["components"]["schemas"], ref
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert (
                "200" in op["responses"] or "201" in op["responses"] or "204" in op["responses"]
            ), (method, path)
            assert "422" in op["responses"], (method, path)
    assert "ErrorOut" in schema["components"]["schemas"]
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_page_uses_local_assets_only(client, db):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not src.startswith(("http:", "https:", "//")), src
    assert "cdn" not in html.lower()


# --- Authentication --------------------------------------------------------------------------


def test_anonymous_gets_401_with_the_error_shape(client, db):
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated" and body["field"] is None
    assert "API 令牌" in body["detail"]


def test_me_with_a_token(world, api_as):
    client, headers = api_as(world, "unit_admin")
    body = client.get(f"{API}/me", headers=headers).json()
    assert body["email"] == world.people["unit_admin"].email
    assert body["memberships"][0]["role"] == Role.UNIT_ADMIN
    assert body["memberships"][0]["unit"]["name"] == "甲省科协"
    assert body["system_role"] == ""


def test_a_wrong_or_revoked_token_is_refused(world, client):
    user = world.people["unit_admin"]
    token, secret = api_token_create(actor=user, name="x")
    assert client.get(f"{API}/me", headers={"Authorization": "Bearer sd_wrong"}).status_code == 401
    from sciday.accounts.services import api_token_revoke

    api_token_revoke(actor=user, token=token)
    response = client.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_national_token_needs_a_confirmed_second_factor(world, client):
    user = world.people["campaign_admin"]
    _token, secret = api_token_create(actor=user, name="x")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    TOTPDevice.objects.filter(user=user).delete()
    assert client.get(f"{API}/me", headers=headers).status_code == 401


def test_session_works_and_needs_csrf_for_writes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people["unit_admin"])
    assert client.get(f"{API}/me").status_code == 200
    pk = world.units["own"].pk
    response = client.patch(f"{API}/units/{pk}", {"name": "无CSRF"}, content_type=JSON)
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert Unit.objects.get(pk=pk).name == "甲省科协"
    token = "a" * 32  # a CSRF secret, as the cookie and the header both carry it
    client.cookies["csrftoken"] = token
    response = client.patch(
        f"{API}/units/{pk}", {"name": "有CSRF"}, content_type=JSON, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert Unit.objects.get(pk=pk).name == "有CSRF"


def test_session_of_a_national_role_needs_the_second_factor(world, client):
    client.force_login(world.people["campaign_admin"])
    assert client.get(f"{API}/me").status_code == 401


# --- Errors: shape and language --------------------------------------------------------------


def test_domain_error_in_the_requests_language(world, api_as):
    client, headers = api_as(world, "unit_admin")
    pk = world.units["own"].pk
    response = client.patch(
        f"{API}/units/{pk}", {"region_code": "999999"}, content_type=JSON, headers=headers
    )
    assert response.status_code == 400
    body = response.json()
    assert body == {
        "detail": "GB/T 2260 中没有代码为 999999 的行政区划。",
        "code": "unknown_region",
        "field": "region",
    }
    response = client.patch(
        f"{API}/units/{pk}",
        {"region_code": "999999"},
        content_type=JSON,
        headers={**headers, "Accept-Language": "en"},
    )
    assert response.json()["detail"] == "There is no region with code 999999 in GB/T 2260."
    assert Unit.objects.get(pk=pk).region_id == "320000"


def test_validation_error_is_422_with_the_same_shape(world, api_as):
    client, headers = api_as(world, "unit_admin")
    response = client.post(
        f"{API}/units", {"parent_id": world.units["own"].pk}, content_type=JSON, headers=headers
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["detail"].startswith("请求无效")
    assert {tuple(e["loc"])[-1] for e in body["errors"]} >= {"name", "kind"}
    response = client.post(
        f"{API}/units",
        {"parent_id": world.units["own"].pk, "name": "x", "kind": "castle"},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 422


def test_unknown_unit_is_404_with_the_error_shape(world, api_as):
    client, headers = api_as(world, "unit_admin")
    response = client.get(f"{API}/units/999999", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。", "code": "not_found", "field": None}


# --- Units -----------------------------------------------------------------------------------


def test_unit_list_filters_and_pages(world, api_as):
    client, headers = api_as(world, "unit_admin")
    body = client.get(f"{API}/units", headers=headers).json()
    assert {u["name"] for u in body["items"]} == {"甲省科协", "甲省南京市科协", "甲省苏州市科协"}
    assert body["count"] == 3
    own = next(u for u in body["items"] if u["name"] == "甲省科协")
    assert own["parent_id"] == world.units["cast"].pk and own["region"]["code"] == "320000"
    body = client.get(f"{API}/units?kind=local_cast&search=苏州", headers=headers).json()
    assert [u["name"] for u in body["items"]] == ["甲省苏州市科协"]
    body = client.get(
        f"{API}/units?parent={world.units['own'].pk}&page_size=1&page=2", headers=headers
    ).json()
    assert body["count"] == 2 and len(body["items"]) == 1
    other = client.get(f"{API}/units?parent={world.units['other'].pk}", headers=headers)
    assert other.status_code == 404


def test_unit_tree(world, api_as):
    client, headers = api_as(world, "unit_admin")
    tree = client.get(f"{API}/units/tree", headers=headers).json()
    assert [n["name"] for n in tree] == ["甲省科协"]
    assert {c["name"] for c in tree[0]["children"]} == {"甲省南京市科协", "甲省苏州市科协"}
    client, headers = api_as(world, "campaign_admin")
    tree = client.get(f"{API}/units/tree?root={world.units['cast'].pk}", headers=headers).json()
    assert len(tree) == 1 and tree[0]["id"] == world.units["cast"].pk
    names = {c["name"] for c in tree[0]["children"]}
    assert {"甲省科协", "乙省科协"} <= names


def test_unit_detail_has_ancestors(world, api_as):
    client, headers = api_as(world, "unit_admin")
    body = client.get(f"{API}/units/{world.units['sub'].pk}", headers=headers).json()
    assert [a["name"] for a in body["ancestors"]] == ["中国科协宣传文化部", "甲省科协"]
    assert body["parent_id"] == world.units["own"].pk
    assert body["kind_label"] == "地方科协"


def test_create_sub_unit_and_refusals(world, api_as):
    client, headers = api_as(world, "unit_admin")
    own = world.units["own"].pk
    response = client.post(
        f"{API}/units",
        {
            "parent_id": own,
            "name": "苏州大学科协",
            "kind": "university_cast",
            "region_code": "320500",
        },
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json()["parent_id"] == own and response.json()["region"]["code"] == "320500"
    # A kind that cannot sit under its parent.
    response = client.post(
        f"{API}/units",
        {"parent_id": own, "name": "错位的省科协", "kind": "provincial_cast"},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "kind_not_allowed"
    assert response.json()["detail"] == "省级科协不能隶属于省级科协。"
    # An unknown region code.
    response = client.post(
        f"{API}/units",
        {"parent_id": own, "name": "无效地区", "kind": "local_cast", "region_code": "123456"},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 400 and response.json()["code"] == "unknown_region"
    # A root: campaign admins only.
    response = client.post(
        f"{API}/units",
        {"parent_id": None, "name": "新部门", "kind": "national_department"},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 403
    assert not Unit.objects.filter(name__in=["错位的省科协", "无效地区", "新部门"]).exists()


def test_move_refuses_a_cycle(world, api_as):
    client, headers = api_as(world, "campaign_admin")
    response = client.post(
        f"{API}/units/{world.units['own'].pk}/move",
        {"parent_id": world.units["sub"].pk},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "cycle" and body["detail"] == "单位不能移动到自身或其下级单位之下。"
    own = Unit.objects.get(pk=world.units["own"].pk)
    assert Unit.objects.get_parent(own).pk == world.units["cast"].pk


def test_move_refuses_a_wrong_kind(world, api_as):
    client, headers = api_as(world, "campaign_admin")
    response = client.post(
        f"{API}/units/{world.units['other'].pk}/move",
        {"parent_id": world.units["sub"].pk},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 400 and response.json()["code"] == "kind_not_allowed"


def test_editing_another_provinces_unit_is_404(world, api_as):
    client, headers = api_as(world, "unit_admin")
    pk = world.units["other"].pk
    response = client.patch(
        f"{API}/units/{pk}", {"name": "抢改"}, content_type=JSON, headers=headers
    )
    assert response.status_code == 404
    assert Unit.objects.get(pk=pk).name == "乙省科协"


# --- Members and invitations -----------------------------------------------------------------


def test_members_of_a_unit(world, api_as):
    client, headers = api_as(world, "unit_admin")
    body = client.get(f"{API}/units/{world.units['own'].pk}/members", headers=headers).json()
    roles = {m["user"]["name"]: m["role"] for m in body}
    assert roles["甲省管理员"] == "unit_admin" and roles["甲省编辑"] == "unit_editor"


def test_invitation_is_returned_without_its_secret(world, api_as):
    client, headers = api_as(world, "unit_admin")
    response = client.post(
        f"{API}/units/{world.units['own'].pk}/invitations",
        {"email": "Sun.Ba@Example.cn", "name": "孙八", "role": "unit_editor"},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "sun.ba@example.cn" and body["status"] == "pending"
    invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.token_hash not in response.content.decode()
    assert not {"secret", "token", "token_hash", "link"} & set(body)
    listed = client.get(f"{API}/units/{world.units['own'].pk}/invitations", headers=headers).json()
    assert [i["id"] for i in listed] == [body["id"]]
    response = client.delete(
        f"{API}/units/{world.units['own'].pk}/invitations/{body['id']}", headers=headers
    )
    assert response.status_code == 200 and response.json()["status"] == "revoked"


def test_duplicate_membership_is_refused(world, api_as):
    client, headers = api_as(world, "unit_admin")
    editor = world.people["unit_editor"]
    response = client.post(
        f"{API}/units/{world.units['own'].pk}/invitations",
        {"email": editor.email, "name": editor.name, "role": "expert"},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "此人已是该单位成员。",
        "code": "invalid",
        "field": "email",
    }
    assert not Invitation.objects.exists()


def test_inviting_with_a_role_not_assignable_is_refused(world, api_as):
    client, headers = api_as(world, "unit_admin")
    for role in ("campaign_admin", "department_reviewer", "nobody"):
        response = client.post(
            f"{API}/units/{world.units['own'].pk}/invitations",
            {"email": "x@example.cn", "name": "某人", "role": role},
            content_type=JSON,
            headers=headers,
        )
        assert response.status_code in (400, 403), role
        assert response.json()["detail"]
    assert not Invitation.objects.exists()


def test_change_role(world, api_as):
    client, headers = api_as(world, "unit_admin")
    victim = world.victims["own"]
    response = client.patch(
        f"{API}/units/{world.units['own'].pk}/members/{victim.pk}",
        {"role": "expert"},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 200 and response.json()["role"] == "expert"


def test_cannot_remove_oneself(world, api_as):
    client, headers = api_as(world, "unit_admin")
    me = world.people["unit_admin"].memberships.get()
    response = client.delete(
        f"{API}/units/{world.units['own'].pk}/members/{me.pk}", headers=headers
    )
    assert response.status_code == 400
    assert response.json()["detail"]


# --- Regions and campaigns -------------------------------------------------------------------


def test_regions(client, db):
    provinces = client.get(f"{API}/regions?level=1").json()
    assert len(provinces) >= 31
    assert {"code": "320000", "name": "江苏省", "level": 1, "parent_code": None} in provinces
    cities = client.get(f"{API}/regions?parent=320000").json()
    assert any(c["code"] == "320100" and c["parent_code"] == "320000" for c in cities)
    assert client.get(f"{API}/regions?level=7").status_code == 422


def test_campaigns_for_everyone(client, db):
    campaigns = client.get(f"{API}/campaigns").json()
    if not campaigns:
        pytest.skip("no published campaign loaded")
    current = client.get(f"{API}/campaigns/current").json()
    assert current["year"] == 2023
    assert current["theme"] == "点亮精神火炬"
    assert current["doc_number"] == "科协发宣字〔2023〕13号"
    assert len(current["categories"]) == 6
    assert all(c["subtypes"] for c in current["categories"])
    assert current["routes"] and current["contacts"]
    assert client.get(f"{API}/campaigns/2023").json()["day"] == "2023-05-30"


def test_unpublished_campaign_is_seen_by_campaign_admins_only(world, api_as, client):
    campaign = Campaign.objects.filter(year=2023).first()
    if campaign is None:
        pytest.skip("no campaign loaded")
    Campaign.objects.filter(pk=campaign.pk).update(is_published=False, is_current=False)
    assert client.get(f"{API}/campaigns/2023").status_code == 404
    admin, headers = api_as(world, "campaign_admin")
    assert admin.get(f"{API}/campaigns/2023", headers=headers).status_code == 200


def test_patch_campaign_by_campaign_admin_only(world, api_as):
    if not Campaign.objects.filter(year=2023).exists():
        pytest.skip("no campaign loaded")
    client, headers = api_as(world, "unit_admin")
    response = client.patch(
        f"{API}/campaigns/2023", {"theme": "改主题"}, content_type=JSON, headers=headers
    )
    assert response.status_code == 403
    client, headers = api_as(world, "campaign_admin")
    response = client.patch(
        f"{API}/campaigns/2023",
        {"window_label": "2023年5月上旬至6月上旬"},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["window_label"] == "2023年5月上旬至6月上旬"
    response = client.patch(
        f"{API}/campaigns/2023",
        {"window_start": "2023-07-01", "window_end": "2023-06-01"},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    assert Campaign.objects.get(year=2023).window_end.isoformat() != "2023-06-01"


# --- Fixed number of queries -----------------------------------------------------------------


def _count(client, url, headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("endpoint", ["units", "tree", "members"])
def test_endpoints_issue_a_fixed_number_of_queries(world, api_as, endpoint):
    client, headers = api_as(world, "campaign_admin")
    own = world.units["own"].pk
    url = {
        "units": f"{API}/units?page_size=200",
        "tree": f"{API}/units/tree?root={own}",
        "members": f"{API}/units/{own}/members",
    }[endpoint]
    client.get(url, headers=headers)
    small = _count(client, url, headers)
    for i in range(15):
        child = make_unit(name=f"扩充{i}", kind=UnitKind.LOCAL_CAST, parent=world.unit("sub"))
        make_member(child, Role.UNIT_EDITOR)
        make_member(world.unit("own"), Role.UNIT_EDITOR)
    assert _count(client, url, headers) == small
    assert small <= 8
