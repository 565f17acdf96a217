"""The permission matrix at the service level: role × action × own/other activity.

OK: allowed; 403: the activity is in sight but the action is not allowed; 404: out of sight (its
existence does not leak). Each action runs on an activity in the status it starts from, so a
published activity (cancel, finish) is in everyone's sight and outsiders get 403, not 404.
"""

from __future__ import annotations

import pytest
from django.http import Http404

from sciday.activities import selectors, services
from sciday.activities.models import Status
from sciday.core.errors import NotAllowed
from tests.activities.world import ROLES

OK, FORBIDDEN, NOT_FOUND = "ok", 403, 404

ACTIONS = {
    # action: (status it starts from, call)
    "view": (
        Status.DRAFT,
        lambda actor, a: selectors.activity_get(viewer=actor, pk=a.pk),
    ),
    "edit": (
        Status.DRAFT,
        lambda actor, a: services.activity_update(actor=actor, activity=a, summary="更新的摘要"),
    ),
    "submit": (Status.DRAFT, lambda actor, a: services.activity_submit(actor=actor, activity=a)),
    "approve": (
        Status.SUBMITTED,
        lambda actor, a: services.activity_approve(actor=actor, activity=a),
    ),
    "return": (
        Status.SUBMITTED,
        lambda actor, a: services.activity_return(actor=actor, activity=a, reason="请修改"),
    ),
    "cancel": (
        Status.PUBLISHED,
        lambda actor, a: services.activity_cancel(actor=actor, activity=a, reason="场地变更"),
    ),
    "finish": (
        Status.PUBLISHED,
        lambda actor, a: services.activity_finish(actor=actor, activity=a, actual_participants=90),
    ),
}

# Outsiders: drafts and submitted activities are out of sight; published ones are seen.
OUTSIDER = {
    "view": NOT_FOUND,
    "edit": NOT_FOUND,
    "submit": NOT_FOUND,
    "approve": NOT_FOUND,
    "return": NOT_FOUND,
    "cancel": FORBIDDEN,
    "finish": FORBIDDEN,
}
EDITOR = {**dict.fromkeys(ACTIONS, OK), "approve": FORBIDDEN, "return": FORBIDDEN}
VIEWER = {**dict.fromkeys(ACTIONS, FORBIDDEN), "view": OK}
ALL = dict.fromkeys(ACTIONS, OK)

EXPECTED: dict[tuple[str, str], dict[str, object]] = {
    ("anonymous", "own"): OUTSIDER,
    ("anonymous", "other"): OUTSIDER,
    ("public", "own"): OUTSIDER,
    ("public", "other"): OUTSIDER,
    ("lead_editor", "own"): EDITOR,
    ("lead_editor", "other"): OUTSIDER,
    ("lead_admin", "own"): EDITOR,  # not the approver of its own unit's activities
    ("lead_admin", "other"): OUTSIDER,
    ("parent_admin", "own"): ALL,
    ("parent_admin", "other"): OUTSIDER,
    ("other_admin", "own"): OUTSIDER,
    ("other_admin", "other"): ALL,
    ("coorg_member", "own"): VIEWER,  # 联动: sees it, does not edit it
    ("coorg_member", "other"): OUTSIDER,
    ("department_reviewer", "own"): VIEWER,
    ("department_reviewer", "other"): VIEWER,
    ("campaign_admin", "own"): ALL,
    ("campaign_admin", "other"): ALL,
}


def _outcome(call, actor, activity):
    try:
        call(actor, activity)
    except Http404:
        return NOT_FOUND
    except NotAllowed:
        return FORBIDDEN
    return OK


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_matrix(world, role, action, target):
    status, call = ACTIONS[action]
    activity = world.activity(target, status)
    expected = EXPECTED[(role, target)][action]
    assert _outcome(call, world.people[role], activity) == expected
    activity.refresh_from_db()
    if expected != OK:
        assert activity.status == status
        assert activity.summary != "更新的摘要"


def test_matrix_covers_every_role_and_target():
    assert {r for r, _t in EXPECTED} == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_published_activities_are_seen_by_everyone(world, role):
    activity = world.activity("other", Status.PUBLISHED)
    assert selectors.activity_get(viewer=world.people[role], pk=activity.pk) == activity


@pytest.mark.parametrize("role", ROLES)
def test_create_in_a_unit(world, role):
    """Creating in the lead unit: its editors and admins, those above it, campaign admins."""
    expected = {
        "lead_editor": OK,
        "lead_admin": OK,
        "parent_admin": OK,
        "campaign_admin": OK,
        # The reviewer sees the unit: 403. A sibling unit's editor does not see it: 404.
        "department_reviewer": FORBIDDEN,
    }.get(role, NOT_FOUND)
    try:
        services.activity_create(actor=world.people[role], **world.data("own"))
        outcome = OK
    except Http404:
        outcome = NOT_FOUND
    except NotAllowed:
        outcome = FORBIDDEN
    assert outcome == expected
