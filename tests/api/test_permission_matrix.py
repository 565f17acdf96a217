"""Role × action × unit through the API with personal tokens (table in tests/orgs/matrix.py)."""

from __future__ import annotations

import pytest

from sciday.accounts.models import Invitation, Membership
from sciday.orgs.models import Unit
from tests.orgs.matrix import CASES, LOGIN, MOVE_TO, OK
from tests.orgs.world import World

API = "/api/v1"


def _call(client, headers, world: World, action: str, target: str):
    unit = world.unit(target)
    pk = unit.pk
    before_name = unit.name
    if action == "view":
        return client.get(f"{API}/units/{pk}", headers=headers), 200, None
    if action == "edit":
        response = client.patch(
            f"{API}/units/{pk}",
            {"name": "改过的名称"},
            content_type="application/json",
            headers=headers,
        )
        return (
            response,
            200,
            lambda ok: Unit.objects.get(pk=pk).name == ("改过的名称" if ok else before_name),
        )
    if action == "create_child":
        response = client.post(
            f"{API}/units",
            {"parent_id": pk, "name": "新的下级科协", "kind": "local_cast"},
            content_type="application/json",
            headers=headers,
        )
        return response, 201, lambda ok: Unit.objects.filter(name="新的下级科协").exists() == ok
    if action == "move":
        destination = world.unit(MOVE_TO[target])
        response = client.post(
            f"{API}/units/{pk}/move",
            {"parent_id": destination.pk},
            content_type="application/json",
            headers=headers,
        )

        def moved(ok):
            parent = Unit.objects.get_parent(Unit.objects.get(pk=pk))
            return (parent.pk == destination.pk) == ok

        return response, 200, moved
    if action == "view_members":
        return client.get(f"{API}/units/{pk}/members", headers=headers), 200, None
    if action == "invite":
        response = client.post(
            f"{API}/units/{pk}/invitations",
            {"name": "新成员", "email": "new.member@example.cn", "role": "unit_editor"},
            content_type="application/json",
            headers=headers,
        )
        return response, 201, lambda ok: Invitation.objects.filter(unit_id=pk).exists() == ok
    if action == "remove_member":
        victim = world.victims[target]
        response = client.delete(f"{API}/units/{pk}/members/{victim.pk}", headers=headers)
        return response, 204, lambda ok: Membership.objects.filter(pk=victim.pk).exists() != ok
    raise AssertionError(action)


@pytest.mark.parametrize(("role", "action", "target", "expected"), CASES)
def test_api_permission_matrix(world, api_as, role, action, target, expected):
    client, headers = api_as(world, role)
    response, success_status, check = _call(client, headers, world, action, target)
    if expected == LOGIN:
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    elif expected == OK:
        assert response.status_code == success_status, response.content[:300]
    else:
        assert response.status_code == expected, response.content[:300]
        body = response.json()
        assert body["code"] == ("not_found" if expected == 404 else "forbidden")
        assert body["detail"]
    if check is not None:
        assert check(expected == OK), "the write did not match the permission"
