"""Every write to units: create, update, move, deactivate. Each checks, validates and audits."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sciday.core.audit import audit_record, changed_fields, snapshot
from sciday.core.errors import DomainError, NotAllowed
from sciday.orgs import policy
from sciday.orgs.models import ALLOWED_PARENT_KINDS, Region, Unit, UnitKind
from sciday.orgs.policy import Cap

EDITABLE_FIELDS = ["name", "short_name", "code", "region", "address", "is_active"]


def _region(code: str | None) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(pk=str(code).strip()).first()
    if region is None:
        raise DomainError(
            _("There is no region with code %(code)s in GB/T 2260.") % {"code": code},
            field="region",
            code="unknown_region",
        )
    return region


def _check_placement(kind: str, parent: Unit | None) -> None:
    if kind not in UnitKind.values:
        raise DomainError(_("Unknown unit kind: %(kind)s.") % {"kind": kind}, field="kind")
    allowed = ALLOWED_PARENT_KINDS[kind]
    if parent is None:
        if allowed:
            raise DomainError(
                _("A unit of this kind must sit under a parent unit."), field="parent"
            )
        return
    if parent.kind not in allowed:
        raise DomainError(
            _("A %(kind)s cannot sit under a %(parent_kind)s.")
            % {
                "kind": UnitKind(kind).label,
                "parent_kind": UnitKind(parent.kind).label,
            },
            field="kind",
            code="kind_not_allowed",
        )


def _full_clean(unit: Unit) -> None:
    """Validate the model's own rules; turn the first failure into a DomainError on its field."""
    try:
        unit.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(
            messages[0], field=None if field == "__all__" else field, code="invalid"
        ) from exc


def _check_code_free(code: str | None, exclude_pk: int | None = None) -> None:
    if code and Unit.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        raise DomainError(
            _("Another unit already uses the code %(code)s.") % {"code": code}, field="code"
        )


@transaction.atomic
def unit_create(
    *,
    actor,
    parent: Unit | None,
    name: str,
    kind: str,
    region_code: str | None = None,
    short_name: str = "",
    code: str | None = None,
    address: str = "",
) -> Unit:
    """Create a unit under `parent` (a root only for national departments); return it."""
    if parent is None:
        if not policy.has_global(actor, Cap.UNIT_CREATE_CHILD):
            raise NotAllowed()
    else:
        policy.require(actor, Cap.UNIT_CREATE_CHILD, parent)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter the unit's name."), field="name")
    _check_placement(kind, parent)
    _check_code_free(code or None)
    fields = {
        "name": name,
        "short_name": short_name.strip(),
        "code": code or None,
        "kind": kind,
        "region": _region(region_code),
        "address": address.strip(),
    }
    unit = Unit(**fields)
    _full_clean(unit)
    unit = (
        Unit.objects.add_child(parent, instance=unit)
        if parent
        else Unit.objects.add_root(instance=unit)
    )
    audit_record(
        actor=actor,
        action="orgs.unit.created",
        obj=unit,
        changes={"parent": str(parent) if parent else None, "kind": kind},
    )
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **data) -> Unit:
    """Change the unit's editable fields (`region_code` for the region); return the unit."""
    policy.require(actor, Cap.UNIT_EDIT, unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit, EDITABLE_FIELDS)
    if "region_code" in data:
        unit.region = _region(data.pop("region_code"))
    for key in ("name", "short_name", "address"):
        if key in data:
            setattr(unit, key, (data.pop(key) or "").strip())
    if "code" in data:
        unit.code = data.pop("code") or None
        _check_code_free(unit.code, exclude_pk=unit.pk)
    if "is_active" in data:
        unit.is_active = bool(data.pop("is_active"))
    if data:
        raise DomainError(_("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(data)})
    if not unit.name:
        raise DomainError(_("Enter the unit's name."), field="name")
    _full_clean(unit)
    unit.save()
    diff = changed_fields(unit, before, EDITABLE_FIELDS)
    if diff:
        audit_record(actor=actor, action="orgs.unit.updated", obj=unit, changes=diff)
    return unit


@transaction.atomic
def unit_move(*, actor, unit: Unit, new_parent: Unit) -> Unit:
    """Move `unit` (with its subtree) under `new_parent`; refuse cycles and wrong kinds."""
    policy.require(actor, Cap.UNIT_MOVE, unit)
    policy.require(actor, Cap.UNIT_CREATE_CHILD, new_parent)
    unit = Unit.objects.get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
        raise DomainError(
            _("A unit cannot be moved under itself or one of its own sub-units."),
            field="parent",
            code="cycle",
        )
    _check_placement(unit.kind, new_parent)
    old_parent = Unit.objects.get_parent(unit)
    Unit.objects.move(unit, new_parent, pos="last-child")
    unit.refresh_from_db()
    audit_record(
        actor=actor,
        action="orgs.unit.moved",
        obj=unit,
        changes={"parent": [str(old_parent) if old_parent else None, str(new_parent)]},
    )
    return unit
