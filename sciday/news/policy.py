"""Who may do what to news items. Scope comes from the unit tree, as for activities.

- editing (write in a unit, edit, submit, change the cover): unit admins and unit editors of the
  item's unit or of one of its ancestors, and campaign admins;
- deciding (approve, return): unit admins of the unit's parent or of a further ancestor — never of
  the unit itself — and campaign admins. A national department has no unit above it: its items
  are decided by campaign admins only;
- pinning, unpinning and withdrawing a published item: campaign admins only;
- viewing: everyone above and department reviewers; published items are seen by everyone.

The policy answers scope only; which transitions the status allows is `services.news_transitions`.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet
from django.http import Http404

from sciday.accounts.models import Role
from sciday.core.errors import NotAllowed
from sciday.news.models import PUBLIC_STATUSES, NewsItem
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
    VIEW = "news.view"
    EDIT = "news.edit"  # create, edit, submit, cover
    APPROVE = "news.approve"  # approve, return
    CURATE = "news.curate"  # pin, unpin, withdraw: national admins only


EDITOR_ROLES = frozenset({Role.UNIT_ADMIN, Role.UNIT_EDITOR})
DECIDER_ROLES = frozenset({Role.UNIT_ADMIN})
GLOBAL_CAPS: dict[str, frozenset[Cap]] = {
    Role.CAMPAIGN_ADMIN: frozenset(Cap),
    Role.DEPARTMENT_REVIEWER: frozenset({Cap.VIEW}),
}


def has_global(user, cap: Cap) -> bool:
    """Does `user` hold `cap` over every item (a national role)?"""
    return holds_national(user, cap, GLOBAL_CAPS)


def can_edit_in(user, unit: Unit) -> bool:
    """May `user` write and edit the news of `unit`?"""
    return reaches_unit(user, unit, cap=Cap.EDIT, grants=GLOBAL_CAPS, roles=EDITOR_ROLES)


def can_decide_for(user, unit: Unit) -> bool:
    """May `user` approve or return the news of `unit`? (Never a unit's own admins.)"""
    return reaches_unit(
        user, unit, cap=Cap.APPROVE, grants=GLOBAL_CAPS, roles=DECIDER_ROLES, strictly_below=True
    )


def can(user, cap: Cap, item: NewsItem) -> bool:
    """May `user` take `cap` on `item`?"""
    if cap == Cap.VIEW and item.status in PUBLIC_STATUSES:
        return True
    if not is_active_person(user):
        return False
    if has_global(user, cap):
        return True
    if cap == Cap.CURATE:
        return False
    if cap == Cap.EDIT:
        return can_edit_in(user, item.unit)
    if cap == Cap.APPROVE:
        return can_decide_for(user, item.unit)
    return can_edit_in(user, item.unit) or can_decide_for(user, item.unit)


def items_for(user, cap: Cap) -> QuerySet[NewsItem]:
    """Return the items `user` may take `cap` on, as one query."""
    qs = NewsItem.objects.all()
    public = Q(status__in=PUBLIC_STATUSES) if cap == Cap.VIEW else Q(pk__in=[])
    if not is_active_person(user):
        return qs.filter(public)
    if has_global(user, cap):
        return qs
    condition = Q(pk__in=[])
    if cap in (Cap.EDIT, Cap.VIEW):
        condition |= in_subtrees("unit__path", role_paths(user, EDITOR_ROLES))
    if cap in (Cap.APPROVE, Cap.VIEW):
        paths = role_paths(user, DECIDER_ROLES)
        condition |= in_subtrees("unit__path", paths, strictly_below=True)
    return qs.filter(public | condition)


def require(user, cap: Cap, item: NewsItem) -> None:
    """Raise 404 when `user` may not see the item, NotAllowed when it is only seen."""
    if can(user, cap, item):
        return
    if cap != Cap.VIEW and can(user, Cap.VIEW, item):
        raise NotAllowed()
    raise Http404


def require_edit_in(user, unit: Unit) -> None:
    """Raise unless `user` may write news for `unit` (404 for a unit out of sight)."""
    require_unit_work(can_edit_in(user, unit), user, unit)
