"""Reads of the audit log, for the auditor's page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from sciday.core.errors import NotAllowed
from sciday.core.models import AuditEntry


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_search(
    *,
    viewer,
    actor: str = "",
    action: str = "",
    obj: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    success: bool | None = None,
) -> QuerySet[AuditEntry]:
    """Return the audit entries matching every given filter, newest first. Auditors only.

    `actor` matches the actor's e-mail, name or recorded name (contains); `action` is a prefix of
    the dotted code (`accounts.login` finds `accounts.login.failed`); `obj` matches the object's
    description, its type (`accounts.user`) or `type:id`; dates are whole days in the site's time
    zone, both ends included.
    """
    from sciday.accounts.models import SystemRole

    if not (
        getattr(viewer, "is_authenticated", False)
        and viewer.is_active
        and viewer.system_role == SystemRole.AUDITOR
    ):
        raise NotAllowed()
    qs = AuditEntry.objects.all()
    if actor := actor.strip():
        from sciday.accounts.models import User

        ids = User.objects.filter(Q(email__icontains=actor) | Q(name__icontains=actor)).values("pk")
        qs = qs.filter(Q(actor_id__in=ids) | Q(actor_repr__icontains=actor))
    if action := action.strip():
        qs = qs.filter(action__startswith=action)
    if obj := obj.strip():
        condition = Q(object_repr__icontains=obj) | Q(object_type=obj.lower())
        if ":" in obj:
            object_type, _sep, object_id = obj.partition(":")
            condition |= Q(object_type=object_type.strip().lower(), object_id=object_id.strip())
        qs = qs.filter(condition)
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    if success is not None:
        qs = qs.filter(success=success)
    return qs.order_by("-at", "-id")
