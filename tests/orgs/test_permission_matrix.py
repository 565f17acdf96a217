"""Role × action × unit through the workspace pages (see tests/orgs/matrix.py for the table)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sciday.accounts.models import Invitation, Membership
from sciday.orgs.models import Unit
from tests.orgs.matrix import CASES, LOGIN, MOVE_TO, OK
from tests.orgs.world import World


def _request(client, world: World, action: str, target: str):
    """Make the page request for `action` on the target unit; return (response, check)."""
    unit = world.unit(target)
    pk = unit.pk
    before_name = unit.name
    region = {"own": ("320000", ""), "sub": ("320000", "320100"), "other": ("330000", "")}
    province, prefecture = region[target]
    if action == "view":
        return client.get(reverse("orgs:unit_detail", args=[pk])), None
    if action == "edit":
        response = client.post(
            reverse("orgs:unit_edit", args=[pk]),
            {"name": "改过的名称", "province": province, "prefecture": prefecture},
        )
        return (
            response,
            lambda ok: Unit.objects.get(pk=pk).name == ("改过的名称" if ok else before_name),
        )
    if action == "create_child":
        response = client.post(
            reverse("orgs:unit_create", args=[pk]),
            {"name": "新的下级科协", "kind": "local_cast", "province": province},
        )
        return response, lambda ok: Unit.objects.filter(name="新的下级科协").exists() == ok
    if action == "move":
        destination = world.unit(MOVE_TO[target])
        response = client.post(reverse("orgs:unit_move", args=[pk]), {"parent": destination.pk})

        def moved(ok):
            unit_now = Unit.objects.get(pk=pk)
            return (Unit.objects.get_parent(unit_now).pk == destination.pk) == ok

        return response, moved
    if action == "view_members":
        return client.get(reverse("orgs:member_list", args=[pk])), None
    if action == "invite":
        response = client.post(
            reverse("orgs:member_invite", args=[pk]),
            {"name": "新成员", "email": "new.member@example.cn", "role": "unit_editor"},
        )
        return response, lambda ok: Invitation.objects.filter(unit_id=pk).exists() == ok
    if action == "remove_member":
        victim = world.victims[target]
        response = client.post(reverse("orgs:member_remove", args=[pk, victim.pk]))
        return response, lambda ok: Membership.objects.filter(pk=victim.pk).exists() != ok
    raise AssertionError(action)


@pytest.mark.parametrize(("role", "action", "target", "expected"), CASES)
def test_workspace_permission_matrix(world, web_as, role, action, target, expected):
    client = web_as(world, role)
    response, check = _request(client, world, action, target)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif expected == OK:
        assert response.status_code in (200, 302), response.content[:300]
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected
    if check is not None:
        assert check(expected == OK), "the write did not match the permission"
