"""Who may do what to resources. Scope comes from the unit tree, as for activities.

- editing (upload or write in a unit, edit, delete, submit): unit admins and unit editors of the
  resource's unit or of one of its ancestors, and campaign admins (every unit);
- moderating (publish, return): unit admins of the unit's parent or a further ancestor, never of
  the unit itself, and campaign admins;
- featuring a published resource on the theme site: campaign (national) admins only;
- viewing: everyone above and department reviewers; published resources are seen by everyone.

Experts, consultants and volunteers get nothing here.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet
from django.http import Http404

from sciday.accounts.models import Role
from sciday.core.errors import NotAllowed
from sciday.orgs.models import Unit
from sciday.orgs.policy import (
    holds_national,
    in_subtrees,
    is_active_person,
    reaches_unit,
    require_unit_work,
    role_paths,
)
from sciday.resources.models import PUBLIC_STATUSES, Resource


class Cap(StrEnum):
    VIEW = "resource.view"
    EDIT = "resource.edit"  # create, edit, delete, submit
    MODERATE = "resource.moderate"  # publish, return
    FEATURE = "resource.feature"  # feature on the theme site: national admins only


EDITOR_ROLES = frozenset({Role.UNIT_ADMIN, Role.UNIT_EDITOR})
MODERATOR_ROLES = frozenset({Role.UNIT_ADMIN})
GLOBAL_CAPS: dict[str, frozenset[Cap]] = {
    Role.CAMPAIGN_ADMIN: frozenset(Cap),
    Role.DEPARTMENT_REVIEWER: frozenset({Cap.VIEW}),
}


_active = is_active_person
_paths = role_paths


def has_global(user, cap: Cap) -> bool:
    """Does `user` hold `cap` over every object of this domain (a national role)?"""
    return holds_national(user, cap, GLOBAL_CAPS)


def can_edit_in(user, unit: Unit) -> bool:
    """May `user` create and edit resources of `unit`?"""
    return reaches_unit(user, unit, cap=Cap.EDIT, grants=GLOBAL_CAPS, roles=EDITOR_ROLES)


def can_moderate_for(user, unit: Unit) -> bool:
    """May `user` publish or return resources of `unit`? (Never a unit's own admins.)"""
    return reaches_unit(
        user, unit, cap=Cap.MODERATE, grants=GLOBAL_CAPS, roles=MODERATOR_ROLES, strictly_below=True
    )


def can(user, cap: Cap, resource: Resource) -> bool:
    """May `user` take `cap` on `resource`?"""
    if cap == Cap.VIEW and resource.status in PUBLIC_STATUSES:
        return True
    if not _active(user):
        return False
    if has_global(user, cap):
        return True
    if cap == Cap.FEATURE:
        return False
    if cap == Cap.EDIT:
        return can_edit_in(user, resource.unit)
    if cap == Cap.MODERATE:
        return can_moderate_for(user, resource.unit)
    return can_edit_in(user, resource.unit) or can_moderate_for(user, resource.unit)


def resources_for(user, cap: Cap) -> QuerySet[Resource]:
    """Return the resources `user` may take `cap` on, as one query."""
    qs = Resource.objects.all()
    public = Q(status__in=PUBLIC_STATUSES) if cap == Cap.VIEW else Q(pk__in=[])
    if not _active(user):
        return qs.filter(public)
    if has_global(user, cap):
        return qs
    condition = Q(pk__in=[])
    if cap in (Cap.EDIT, Cap.VIEW):
        condition |= in_subtrees("unit__path", _paths(user, EDITOR_ROLES))
    if cap in (Cap.MODERATE, Cap.VIEW):
        paths = _paths(user, MODERATOR_ROLES)
        condition |= in_subtrees("unit__path", paths, strictly_below=True)
    return qs.filter(public | condition)


def require(user, cap: Cap, resource: Resource) -> None:
    """Raise 404 when `user` may not see the resource, NotAllowed when it is only seen."""
    if can(user, cap, resource):
        return
    if cap != Cap.VIEW and can(user, Cap.VIEW, resource):
        raise NotAllowed()
    raise Http404


def require_edit_in(user, unit: Unit) -> None:
    """Raise unless `user` may create resources of `unit` (404 for a unit out of sight)."""
    require_unit_work(can_edit_in(user, unit), user, unit)
