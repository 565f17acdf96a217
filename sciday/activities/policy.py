"""Who may do what to activities and venues.

Scope comes from the unit tree, as for units (`sciday.orgs.policy`):

- editing (create in a unit, edit, submit, cancel, finish): unit admins and unit editors of the
  lead unit or of one of its ancestors, and campaign admins;
- deciding (approve, return) and allowing exceptions (dates outside the campaign window, a region
  outside the unit's province): unit admins of the lead unit's parent or of a further ancestor —
  never of the lead unit itself — and campaign admins;
- viewing: everyone above, department reviewers (every activity), and unit admins and editors of a
  co-organizing unit or of one of its ancestors (they see it, they do not edit it). Published,
  cancelled and finished activities are seen by everyone, anonymous visitors included.

Experts and consultants get nothing here: reviewing activities comes with review assignments.
The policy answers scope only; which transitions the status allows is
`services.activity_transitions`.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet
from django.http import Http404

from sciday.accounts.models import Role
from sciday.activities.models import PUBLIC_STATUSES, Activity, Venue
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


class Cap(StrEnum):
    VIEW = "activity.view"
    EDIT = "activity.edit"  # create, edit, submit, cancel, finish
    APPROVE = "activity.approve"  # approve, return
    OVERRIDE = "activity.override"  # allow dates outside the window, a region outside the province


EDITOR_ROLES = frozenset({Role.UNIT_ADMIN, Role.UNIT_EDITOR})
DECIDER_ROLES = frozenset({Role.UNIT_ADMIN})
# Capabilities a national role grants over every activity.
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
    """May `user` create and edit activities led by `unit`?"""
    return reaches_unit(user, unit, cap=Cap.EDIT, grants=GLOBAL_CAPS, roles=EDITOR_ROLES)


def can_decide_for(user, unit: Unit) -> bool:
    """May `user` approve, return and allow exceptions for activities led by `unit`?"""
    return reaches_unit(
        user, unit, cap=Cap.APPROVE, grants=GLOBAL_CAPS, roles=DECIDER_ROLES, strictly_below=True
    )


def _co_organizer_paths(activity: Activity) -> list[str]:
    return [u.path for u in activity.co_organizers.all()]


def can(user, cap: Cap, activity: Activity) -> bool:
    """May `user` take `cap` on `activity`?"""
    if cap == Cap.VIEW and activity.status in PUBLIC_STATUSES:
        return True
    if not _active(user):
        return False
    if has_global(user, cap):
        return True
    lead = activity.lead_unit
    if cap == Cap.EDIT:
        return can_edit_in(user, lead)
    if cap in (Cap.APPROVE, Cap.OVERRIDE):
        return can_decide_for(user, lead)
    # VIEW of an activity not yet public.
    if can_edit_in(user, lead) or can_decide_for(user, lead):
        return True
    editor_paths = _paths(user, EDITOR_ROLES)
    return any(co.startswith(p) for co in _co_organizer_paths(activity) for p in editor_paths)


def activities_for(user, cap: Cap) -> QuerySet[Activity]:
    """Return the activities `user` may take `cap` on, as one query (no duplicate rows)."""
    qs = Activity.objects.all()
    public = Q(status__in=PUBLIC_STATUSES) if cap == Cap.VIEW else Q(pk__in=[])
    if not _active(user):
        return qs.filter(public)
    if has_global(user, cap):
        return qs
    editor_paths = _paths(user, EDITOR_ROLES)
    decider_paths = _paths(user, DECIDER_ROLES)
    condition = Q(pk__in=[])
    if cap in (Cap.EDIT, Cap.VIEW):
        condition |= in_subtrees("lead_unit__path", editor_paths)
    if cap in (Cap.APPROVE, Cap.OVERRIDE, Cap.VIEW):
        condition |= in_subtrees("lead_unit__path", decider_paths, strictly_below=True)
    if cap == Cap.VIEW and editor_paths:
        through = Activity.co_organizers.through.objects
        co = in_subtrees("unit__path", editor_paths)
        condition |= Q(pk__in=through.filter(co).values("activity_id"))
    return qs.filter(public | condition)


def require(user, cap: Cap, activity: Activity) -> None:
    """Raise 404 when `user` may not see the activity, NotAllowed when it is only seen."""
    if can(user, cap, activity):
        return
    if cap != Cap.VIEW and can(user, Cap.VIEW, activity):
        raise NotAllowed()
    raise Http404


def require_edit_in(user, unit: Unit) -> None:
    """Raise unless `user` may create activities led by `unit` (404 for a unit out of sight)."""
    require_unit_work(can_edit_in(user, unit), user, unit)


def can_edit_venue(user, venue: Venue | None = None, unit: Unit | None = None) -> bool:
    """May `user` register or change a venue owned by `unit` (or by `venue.unit`)?

    A venue with no owning unit is a national registry entry: campaign admins only.
    """
    owner = venue.unit if venue is not None else unit
    if owner is None:
        return has_global(user, Cap.EDIT)
    return can_edit_in(user, owner)
