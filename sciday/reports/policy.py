"""Who may do what to summary reports.

A report is the unit's own: unlike activities and resources, a role in an ancestor unit does not
reach it (a provincial 科协's report is not written by CAST, nor a university's by its province).

- editing (start, save a draft, attach the scan, submit): unit admins and unit editors of the
  report's unit itself, and campaign admins;
- reviewing (accept, return): department reviewers of the report's receiving department, and
  campaign admins;
- viewing: everyone above;
- managing who reports (recompute, add, remove, the campaign's report settings): campaign admins.

Anyone else gets a 404 for a report, as if it did not exist.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet
from django.http import Http404

from sciday.accounts.models import Role
from sciday.core.errors import NotAllowed
from sciday.orgs.models import Unit
from sciday.orgs.policy import holds_national, is_active_person
from sciday.reports.models import Report


class Cap(StrEnum):
    VIEW = "report.view"
    EDIT = "report.edit"  # start, save, attach the scan, submit
    REVIEW = "report.review"  # accept, return
    MANAGE = "report.manage"  # who reports, the campaign's settings


EDITOR_ROLES = frozenset({Role.UNIT_ADMIN, Role.UNIT_EDITOR})
GLOBAL_CAPS: dict[str, frozenset[Cap]] = {Role.CAMPAIGN_ADMIN: frozenset(Cap)}


def _unit_ids(user, roles: frozenset[str]) -> set[int]:
    from sciday.accounts.selectors import user_memberships

    return {m.unit_id for m in user_memberships(user=user) if m.role in roles}


def reviewed_departments(user) -> set[int]:
    """Return the ids of the departments whose reports `user` reviews (as department reviewer)."""
    if not is_active_person(user):
        return set()
    return _unit_ids(user, frozenset({Role.DEPARTMENT_REVIEWER}))


def has_global(user, cap: Cap) -> bool:
    """Does `user` hold `cap` over every report (a campaign admin)?"""
    return holds_national(user, cap, GLOBAL_CAPS)


def can_edit_for(user, unit: Unit) -> bool:
    """May `user` write the report of `unit`?"""
    if not is_active_person(user):
        return False
    return has_global(user, Cap.EDIT) or unit.pk in _unit_ids(user, EDITOR_ROLES)


def can(user, cap: Cap, report: Report) -> bool:
    """May `user` take `cap` on `report`?"""
    if not is_active_person(user):
        return False
    if has_global(user, cap):
        return True
    if cap == Cap.MANAGE:
        return False
    editor = report.unit_id in _unit_ids(user, EDITOR_ROLES)
    reviewer = report.department_id in _unit_ids(user, frozenset({Role.DEPARTMENT_REVIEWER}))
    if cap == Cap.EDIT:
        return editor
    if cap == Cap.REVIEW:
        return reviewer
    return editor or reviewer


def can_manage(user) -> bool:
    return is_active_person(user) and has_global(user, Cap.MANAGE)


def reports_for(user, cap: Cap = Cap.VIEW) -> QuerySet[Report]:
    """Return the reports `user` may take `cap` on, as one query."""
    qs = Report.objects.all()
    if not is_active_person(user):
        return qs.none()
    if has_global(user, cap):
        return qs
    condition = Q(pk__in=[])
    if cap in (Cap.VIEW, Cap.EDIT):
        condition |= Q(unit_id__in=_unit_ids(user, EDITOR_ROLES))
    if cap in (Cap.VIEW, Cap.REVIEW):
        condition |= Q(department_id__in=_unit_ids(user, frozenset({Role.DEPARTMENT_REVIEWER})))
    return qs.filter(condition)


def require(user, cap: Cap, report: Report) -> None:
    """Raise 404 when `user` may not see the report, NotAllowed when it is only seen."""
    if can(user, cap, report):
        return
    if cap != Cap.VIEW and can(user, Cap.VIEW, report):
        raise NotAllowed()
    raise Http404


def require_manage(user) -> None:
    if not can_manage(user):
        raise NotAllowed()


def can_compile(user, department_id: int) -> bool:
    """May `user` produce and download the compilation of `department_id`'s accepted reports?
    Its department reviewers and campaign admins."""
    if not is_active_person(user):
        return False
    return has_global(user, Cap.REVIEW) or department_id in reviewed_departments(user)
