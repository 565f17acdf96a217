"""The expected answer of every role × action × unit, shared by the page and API tests.

OK: allowed; 403: the unit is in sight but the action is not allowed; 404: the unit is outside
what the person may see (its existence does not leak); LOGIN: anonymous (page → sign-in, API → 401).
"""

from __future__ import annotations

OK, FORBIDDEN, NOT_FOUND, LOGIN = "ok", 403, 404, "login"

ACTIONS = ["view", "edit", "create_child", "move", "view_members", "invite", "remove_member"]


def _scoped(caps_in: dict[str, str], own_overrides: dict[str, str] | None = None) -> dict:
    """In the person's own unit and its sub-units: `caps_in`; other province: 404."""
    table = {}
    for action in ACTIONS:
        table[(action, "own")] = (own_overrides or {}).get(action, caps_in[action])
        table[(action, "sub")] = caps_in[action]
        table[(action, "other")] = NOT_FOUND
    return table


def _everywhere(caps: dict[str, str]) -> dict:
    return {(a, t): caps[a] for a in ACTIONS for t in ("own", "sub", "other")}


ALL_OK = dict.fromkeys(ACTIONS, OK)
READ_ONLY = {
    **dict.fromkeys(ACTIONS, FORBIDDEN),
    "view": OK,
    "view_members": OK,
}
VIEW_ONLY = {**dict.fromkeys(ACTIONS, FORBIDDEN), "view": OK}

EXPECTED: dict[str, dict] = {
    "anonymous": _everywhere(dict.fromkeys(ACTIONS, LOGIN)),
    "public": _everywhere(dict.fromkeys(ACTIONS, NOT_FOUND)),
    "unit_editor": _scoped(READ_ONLY),
    # A unit's place in the tree is decided from above: its admin moves sub-units, not the unit.
    "unit_admin": _scoped(ALL_OK, own_overrides={"move": FORBIDDEN}),
    "expert": _scoped(VIEW_ONLY),
    "department_reviewer": _everywhere(READ_ONLY),
    "campaign_admin": _everywhere(ALL_OK),
}

# Where each target moves to when its move is allowed (a parent of an acceptable kind).
MOVE_TO = {"own": "most", "sub": "sub2", "other": "most"}

CASES = [
    (role, action, target, EXPECTED[role][(action, target)])
    for role in EXPECTED
    for action in ACTIONS
    for target in ("own", "sub", "other")
]
