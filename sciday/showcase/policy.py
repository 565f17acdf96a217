"""Who may do what in the showcase.

- nominating (create, edit, upload materials, submit, delete a draft): unit admins and unit
  editors of the nominating unit or of one of its ancestors, as for activities;
- viewing a nomination and its materials: the same people, campaign admins (every nomination),
  and the honour's experts (its assigned experts, or every expert when none is assigned) once
  the nomination is qualified or later;
- reviewing (qualification, shortlisting, the public notice, answering objections, publishing,
  the honours' configuration and the profiles' related items): campaign admins only;
- scoring: the honour's experts, qualified nominations only, one score each.

Everyone sees published profiles and the public notice. A nomination out of sight answers 404.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet
from django.http import Http404

from sciday.accounts.models import Role
from sciday.accounts.selectors import user_is_campaign_admin, user_roles
from sciday.core.errors import NotAllowed
from sciday.orgs.models import Unit
from sciday.orgs.policy import is_active_person, reaches_unit, role_paths
from sciday.showcase.models import HonourKind, Nomination, Status


class Cap(StrEnum):
    VIEW = "nomination.view"
    EDIT = "nomination.edit"  # create, edit, upload, submit, delete a draft
    REVIEW = "nomination.review"  # qualification, shortlist, notice, objections, publication
    SCORE = "nomination.score"


EDITOR_ROLES = frozenset({Role.UNIT_ADMIN, Role.UNIT_EDITOR})
EXPERT_VISIBLE = frozenset({Status.QUALIFIED, Status.SHORTLISTED, Status.IN_NOTICE})
# A global "edit" would let the judges nominate: campaign admins review, they do not nominate.
_NO_GLOBAL: dict[str, frozenset[str]] = {}


def is_admin(user) -> bool:
    """Is `user` a campaign admin (who reviews every nomination)?"""
    return is_active_person(user) and user_is_campaign_admin(user=user)


def is_expert(user) -> bool:
    return is_active_person(user) and Role.EXPERT in user_roles(user=user)


def is_honour_expert(user, honour: HonourKind) -> bool:
    """Does `user` score `honour`: one of its assigned experts, or any expert when none is?"""
    if not is_expert(user):
        return False
    assigned = getattr(honour, "_expert_ids", None)
    if assigned is None:
        assigned = set(honour.experts.values_list("pk", flat=True))
        honour._expert_ids = assigned  # type: ignore[attr-defined]
    return not assigned or user.pk in assigned


def can_nominate_in(user, unit: Unit) -> bool:
    """May `user` nominate on behalf of `unit`?"""
    return reaches_unit(user, unit, cap=Cap.EDIT, grants=_NO_GLOBAL, roles=EDITOR_ROLES)


def can(user, cap: Cap, nomination: Nomination) -> bool:
    """May `user` take `cap` on `nomination`?"""
    if not is_active_person(user):
        return False
    if cap == Cap.REVIEW:
        return is_admin(user)
    if cap == Cap.EDIT:
        return can_nominate_in(user, nomination.unit)
    if cap == Cap.SCORE:
        return nomination.status == Status.QUALIFIED and is_honour_expert(user, nomination.honour)
    return (
        is_admin(user)
        or can_nominate_in(user, nomination.unit)
        or (nomination.status in EXPERT_VISIBLE and is_honour_expert(user, nomination.honour))
    )


def nominations_for(user, cap: Cap = Cap.VIEW) -> QuerySet[Nomination]:
    """Return the nominations `user` may take `cap` on, as one query."""
    qs = Nomination.objects.all()
    if not is_active_person(user):
        return qs.none()
    if cap == Cap.REVIEW:
        return qs if is_admin(user) else qs.none()
    if cap == Cap.VIEW and is_admin(user):
        return qs
    condition = Q(pk__in=[])
    if cap in (Cap.VIEW, Cap.EDIT):
        for path in role_paths(user, EDITOR_ROLES):
            condition |= Q(unit__path__startswith=path)
    if cap in (Cap.VIEW, Cap.SCORE) and is_expert(user):
        statuses = EXPERT_VISIBLE if cap == Cap.VIEW else {Status.QUALIFIED}
        condition |= Q(status__in=statuses) & (
            Q(honour__experts=user) | Q(honour__experts__isnull=True)
        )
    return qs.filter(condition).distinct()


def require(user, cap: Cap, nomination: Nomination) -> None:
    """Raise 404 when `user` may not see the nomination, NotAllowed when it is only seen."""
    if can(user, cap, nomination):
        return
    if cap != Cap.VIEW and can(user, Cap.VIEW, nomination):
        raise NotAllowed()
    raise Http404


def require_admin(user) -> None:
    if not is_admin(user):
        raise NotAllowed()


def require_nominate_in(user, unit: Unit) -> None:
    """Raise unless `user` may nominate for `unit` (404 for a unit out of sight)."""
    from sciday.orgs import policy as orgs_policy

    if can_nominate_in(user, unit):
        return
    if orgs_policy.can(user, orgs_policy.Cap.UNIT_VIEW, unit):
        raise NotAllowed()
    raise Http404
