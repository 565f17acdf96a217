"""Reads of regions and units, already filtered by what the reader may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from sciday.orgs import policy
from sciday.orgs.models import Region, Unit
from sciday.orgs.policy import Cap


def region_list(*, level: int | None = None, parent_code: str | None = None) -> QuerySet[Region]:
    qs = Region.objects.all()
    if level is not None:
        qs = qs.filter(level=level)
    if parent_code:
        qs = qs.filter(parent_id=parent_code)
    return qs


def unit_list(*, viewer, kind: str | None = None, search: str = "") -> QuerySet[Unit]:
    qs = policy.units_for(viewer, Cap.UNIT_VIEW).select_related("region").order_by("path")
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        qs = qs.filter(name__icontains=search)
    return qs


def unit_get(*, viewer, pk: int, cap: Cap = Cap.UNIT_VIEW) -> Unit:
    """Fetch a unit and check `cap`: 404 outside what the viewer sees, 403 when only seen."""
    unit = get_object_or_404(Unit.objects.select_related("region"), pk=pk)
    policy.require(viewer, cap, unit)
    return unit


def unit_subtree(*, unit: Unit, include_self: bool = False) -> QuerySet[Unit]:
    """Return the unit's descendants (and itself), in tree order, in one query."""
    qs = Unit.objects.filter(path__startswith=unit.path).select_related("region").order_by("path")
    return qs if include_self else qs.exclude(pk=unit.pk)


def unit_children(*, unit: Unit) -> QuerySet[Unit]:
    return unit_subtree(unit=unit).filter(depth=unit.depth + 1)


def unit_ancestors(*, unit: Unit) -> list[Unit]:
    """Return the unit's ancestors from the root down, in one query."""
    steplen = Unit.steplen
    paths = [unit.path[:i] for i in range(steplen, len(unit.path), steplen)]
    return list(Unit.objects.filter(path__in=paths).order_by("depth"))


def unit_viewer_home(*, viewer) -> list[Unit]:
    """Return the units the person belongs to, for the workspace's unit switcher."""
    from sciday.accounts.selectors import user_memberships

    seen: dict[int, Unit] = {}
    for membership in user_memberships(user=viewer):
        seen.setdefault(membership.unit.pk, membership.unit)
    return list(seen.values())


def unit_parent_ids(*, units) -> dict[int, int | None]:
    """Return {unit pk: parent pk} for `units`, in one query whatever their number."""
    steplen = Unit.steplen
    parent_paths = {u.path[:-steplen] for u in units if u.depth > 1}
    by_path = (
        dict(Unit.objects.filter(path__in=parent_paths).values_list("path", "pk"))
        if parent_paths
        else {}
    )
    return {u.pk: by_path.get(u.path[:-steplen]) if u.depth > 1 else None for u in units}


def unit_tree(*, viewer, root: Unit | None = None) -> list[dict]:
    """Return the visible units as nested dicts {"unit": Unit, "children": [...]}, in one query.

    Under `root` when given (the root included); otherwise every unit the viewer may see, with
    the top of each visible branch as a root of the forest.
    """
    qs = policy.units_for(viewer, Cap.UNIT_VIEW).select_related("region").order_by("path")
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    nodes: dict[str, dict] = {}
    forest: list[dict] = []
    steplen = Unit.steplen
    for unit in qs:
        node = {"unit": unit, "children": []}
        nodes[unit.path] = node
        parent = nodes.get(unit.path[:-steplen])
        (parent["children"] if parent is not None else forest).append(node)
    return forest


def unit_move_targets(*, actor, unit: Unit) -> QuerySet[Unit]:
    """Return the units `unit` may be moved under by `actor`: in reach, right kind, no cycle."""
    from sciday.orgs.models import ALLOWED_PARENT_KINDS

    return (
        policy.units_for(actor, Cap.UNIT_CREATE_CHILD)
        .filter(kind__in=ALLOWED_PARENT_KINDS[unit.kind], is_active=True)
        .exclude(path__startswith=unit.path)
        .select_related("region")
        .order_by("path")
    )
