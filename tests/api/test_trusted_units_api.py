"""The trusted units of a campaign through the API: campaign admins only, same refusals."""

from __future__ import annotations

import pytest

from sciday.accounts.models import Role
from sciday.campaigns.models import Campaign
from sciday.core.models import AuditEntry
from sciday.orgs.models import Unit
from tests.factories import make_member

pytestmark = pytest.mark.django_db

API = "/api/v1"
URL = f"{API}/campaigns/2023/trusted-units"
JSON = "application/json"
REFUSED = ["public", "unit_editor", "unit_admin", "expert", "department_reviewer"]


def _trusted() -> set[str]:
    return set(Campaign.objects.get(year=2023).trusted_units.values_list("name", flat=True))


def test_campaign_admin_lists_adds_replaces_and_removes(world, api_as):
    client, headers = api_as(world, "campaign_admin")
    own, sub, other = (world.units[k].pk for k in ("own", "sub", "other"))
    assert client.get(URL, headers=headers).json() == []
    response = client.post(URL, {"unit_id": own}, content_type=JSON, headers=headers)
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "甲省科协"
    listed = client.get(URL, headers=headers).json()
    assert [u["name"] for u in listed] == ["甲省科协"] and listed[0]["kind_label"]
    response = client.put(URL, {"unit_ids": [sub, other, sub]}, content_type=JSON, headers=headers)
    assert response.status_code == 200, response.content
    assert {u["name"] for u in response.json()} == {"甲省南京市科协", "乙省科协"}
    response = client.delete(f"{URL}/{other}", headers=headers)
    assert response.status_code == 204
    assert _trusted() == {"甲省南京市科协"}
    assert AuditEntry.objects.filter(action__startswith="campaigns.trusted_unit").count() == 3


def test_refusals_write_nothing(world, api_as):
    client, headers = api_as(world, "campaign_admin")
    own = world.units["own"].pk
    Unit.objects.filter(pk=world.units["other"].pk).update(is_active=False)
    for body in ({"unit_id": 999999}, {"unit_id": world.units["other"].pk}):
        response = client.post(URL, body, content_type=JSON, headers=headers)
        assert response.status_code == 400, response.content
        assert response.json()["field"] == "unit" and response.json()["detail"]
    response = client.put(URL, {"unit_ids": [own, 999999]}, content_type=JSON, headers=headers)
    assert response.status_code == 400
    assert client.post(URL, {"unit_id": "x"}, content_type=JSON, headers=headers).status_code == 422
    assert client.delete(f"{URL}/{own}", headers=headers).status_code == 400  # not trusted
    assert client.delete(f"{URL}/999999", headers=headers).status_code == 404
    assert client.get(f"{API}/campaigns/1999/trusted-units", headers=headers).status_code == 404
    assert _trusted() == set()
    client.post(URL, {"unit_id": own}, content_type=JSON, headers=headers)
    response = client.post(URL, {"unit_id": own}, content_type=JSON, headers=headers)
    assert response.status_code == 409
    assert _trusted() == {"甲省科协"}


@pytest.mark.parametrize("role", REFUSED)
def test_everyone_else_is_refused(world, api_as, role):
    client, headers = api_as(world, role)
    own = world.units["own"].pk
    assert client.get(URL, headers=headers).status_code == 403
    assert client.post(URL, {"unit_id": own}, content_type=JSON, headers=headers).status_code == 403
    assert (
        client.put(URL, {"unit_ids": [own]}, content_type=JSON, headers=headers).status_code == 403
    )
    assert client.delete(f"{URL}/{own}", headers=headers).status_code == 403
    assert _trusted() == set()


def test_unit_admin_of_the_national_department_is_refused(world, client):
    from sciday.accounts.services import api_token_create

    person = make_member(world.unit("cast"), Role.UNIT_ADMIN, name="部门管理员")
    _token, secret = api_token_create(actor=person, name="同步")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(URL, headers=headers).status_code == 403


def test_anonymous_must_authenticate(world, client):
    assert client.get(URL).status_code == 401
    response = client.post(URL, {"unit_id": world.units["own"].pk}, content_type=JSON)
    assert response.status_code in (401, 403)
    assert _trusted() == set()
