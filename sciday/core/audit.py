"""Write audit entries. Every service calls `audit_record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from sciday.core.context import current_request_facts
from sciday.core.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def changed_fields(instance: models.Model, before: dict[str, Any], fields: list[str]) -> dict:
    """Return {field: [old, new]} for the fields whose value differs from `before`."""
    diff = {}
    for name in fields:
        old, new = before.get(name), getattr(instance, name)
        if _plain(old) != _plain(new):
            diff[name] = [_plain(old), _plain(new)]
    return diff


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict | None = None,
    success: bool = True,
    object_repr: str | None = None,
) -> AuditEntry:
    """Append one entry; `action` is a dotted code such as `orgs.unit.updated`."""
    facts = current_request_facts()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_user else None,
        actor_repr=str(actor)[:200] if is_user else "",
        action=action,
        success=success,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr if object_repr is not None else str(obj or ""))[:300],
        changes={k: v for k, v in (changes or {}).items()},
        ip=facts.ip,
        user_agent=facts.user_agent,
    )
