"""Who may do what to which unit, and to its members.

Capabilities have names. Roles held in a unit reach that unit and its sub-units; campaign admins
and department reviewers (national roles) reach every unit. One question, two forms: `can()` for
one unit, `units_for()` for the queryset of units.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.http import Http404

from sciday.accounts.models import Role, SystemRole
from sciday.accounts.selectors import user_memberships
from sciday.core.errors import NotAllowed
from sciday.orgs.models import Unit, UnitKind


class Cap(StrEnum):
    UNIT_VIEW = "unit.view"
    UNIT_EDIT = "unit.edit"
    UNIT_CREATE_CHILD = "unit.create_child"
    UNIT_MOVE = "unit.move"
    MEMBER_VIEW = "member.view"
    MEMBER_MANAGE = "member.manage"


_ALL = frozenset(Cap)
_READ = frozenset({Cap.UNIT_VIEW, Cap.MEMBER_VIEW})

# Capabilities a role grants over its own unit and that unit's sub-units.
SCOPED_CAPS: dict[str, frozenset[Cap]] = {
    Role.UNIT_ADMIN: _ALL,
    Role.UNIT_EDITOR: _READ,
    Role.EXPERT: frozenset({Cap.UNIT_VIEW}),
    Role.CONSULTANT: frozenset({Cap.UNIT_VIEW}),
}
# Capabilities that a unit-scoped role grants over the unit's sub-units only, not the unit itself.
STRICT_SUBTREE_CAPS = frozenset({Cap.UNIT_MOVE})
# Capabilities a national role grants over every unit.
GLOBAL_CAPS: dict[str, frozenset[Cap]] = {
    Role.CAMPAIGN_ADMIN: _ALL,
    Role.DEPARTMENT_REVIEWER: _READ,
}
# The security administrator manages people's roles (not the units themselves).
SYSTEM_CAPS: dict[str, frozenset[Cap]] = {
    SystemRole.SECURITY_ADMIN: frozenset({Cap.UNIT_VIEW, Cap.MEMBER_VIEW, Cap.MEMBER_MANAGE}),
}


def has_global(user, cap: Cap) -> bool:
    """Does `user` hold `cap` over every unit (a national or system role)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if cap in SYSTEM_CAPS.get(user.system_role, frozenset()):
        return True
    return any(cap in GLOBAL_CAPS.get(m.role, frozenset()) for m in user_memberships(user=user))


def _scope_paths(user, cap: Cap) -> list[str]:
    """Return the tree paths of the units whose subtree `cap` reaches."""
    return [m.unit.path for m in user_memberships(user=user) if cap in SCOPED_CAPS.get(m.role, ())]


def _reaches(cap: Cap, scope_path: str, unit_path: str) -> bool:
    """Does a role held at `scope_path` reach the unit at `unit_path` for `cap`?

    A unit's place in the tree is decided from above: a role held in a unit may move that
    unit's sub-units, never the unit itself (which would take it out of its parent's hands).
    """
    if cap in STRICT_SUBTREE_CAPS:
        return unit_path.startswith(scope_path) and unit_path != scope_path
    return unit_path.startswith(scope_path)


def can(user, cap: Cap, unit: Unit) -> bool:
    """May `user` take `cap` on `unit`?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if has_global(user, cap):
        return True
    return any(_reaches(cap, path, unit.path) for path in _scope_paths(user, cap))


def units_for(user, cap: Cap) -> QuerySet[Unit]:
    """Return the units `user` may take `cap` on, in one query."""
    qs = Unit.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if has_global(user, cap):
        return qs
    paths = _scope_paths(user, cap)
    if not paths:
        return qs.none()
    condition = Q()
    for path in paths:
        if cap in STRICT_SUBTREE_CAPS:
            condition |= Q(path__startswith=path) & ~Q(path=path)
        else:
            condition |= Q(path__startswith=path)
    return qs.filter(condition)


def require(user, cap: Cap, unit: Unit) -> None:
    """Raise 404 when the unit is outside what `user` may see, NotAllowed when it is only seen."""
    if can(user, cap, unit):
        return
    if cap != Cap.UNIT_VIEW and can(user, Cap.UNIT_VIEW, unit):
        raise NotAllowed()
    raise Http404


def assignable_roles(user, unit: Unit) -> list[str]:
    """Return the roles `user` may give people in `unit` (by invitation or role change)."""
    if not can(user, Cap.MEMBER_MANAGE, unit):
        return []
    unit_roles: list[str] = [Role.UNIT_ADMIN, Role.UNIT_EDITOR, Role.EXPERT, Role.CONSULTANT]
    national: list[str] = [Role.CAMPAIGN_ADMIN, Role.DEPARTMENT_REVIEWER]
    if unit.kind != UnitKind.NATIONAL_DEPARTMENT:
        return unit_roles
    if has_global(user, Cap.MEMBER_MANAGE):
        return national + unit_roles
    return unit_roles


# --- Tree scope for the domains whose objects belong to a unit (activities, resources…) ---------
# Each domain keeps its own capabilities and tables; these answer the questions they share.


def is_active_person(user) -> bool:
    """Signed in and not disabled."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def role_paths(user, roles: Collection[str]) -> list[str]:
    """Return the tree paths of the units where `user` holds one of `roles`."""
    return [m.unit.path for m in user_memberships(user=user) if m.role in roles]


def holds_national(user, cap: str, grants: Mapping[str, Collection[str]]) -> bool:
    """Does one of `user`'s national roles grant `cap` everywhere, per the domain's `grants`?"""
    if not is_active_person(user):
        return False
    return any(cap in grants.get(m.role, ()) for m in user_memberships(user=user))


def reaches_unit(
    user,
    unit: Unit,
    *,
    cap: str,
    grants: Mapping[str, Collection[str]],
    roles: Collection[str],
    strictly_below: bool = False,
) -> bool:
    """May `user` take `cap` on objects of `unit`?

    Yes for a national role that `grants` it, or for one of `roles` held at the unit or a unit
    above it; only above it when `strictly_below` (a unit's own admins never approve their own
    unit's work).
    """
    if not is_active_person(user):
        return False
    if holds_national(user, cap, grants):
        return True
    return any(
        unit.path.startswith(path) and not (strictly_below and unit.path == path)
        for path in role_paths(user, roles)
    )


def in_subtrees(field: str, paths: Collection[str], *, strictly_below: bool = False) -> Q:
    """Objects whose unit path `field` lies at or under one of `paths` (only under them when
    `strictly_below`); matches nothing for no paths. The query twin of `reaches_unit`."""
    condition = Q(pk__in=[])
    for path in paths:
        below = Q(**{f"{field}__startswith": path})
        condition |= below & ~Q(**{field: path}) if strictly_below else below
    return condition


def require_unit_work(allowed: bool, user, unit: Unit) -> None:
    """Raise unless `allowed` (a domain's answer for work in `unit`): NotAllowed when `user`
    sees the unit, 404 when it is out of sight."""
    if allowed:
        return
    if can(user, Cap.UNIT_VIEW, unit):
        raise NotAllowed()
    raise Http404
