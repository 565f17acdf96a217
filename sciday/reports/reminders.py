"""Reminder e-mails to units whose summary report is missing.

- `report_remind`: on demand (a department's reviewers for their department, campaign admins for
  any or all), from the board;
- `reminders_send_due`: the automatic ones, on the days before the deadline the campaign chose
  (`ReportSettings.remind_days_before`, default 7 and 1), run by `manage.py reports_remind_due`
  from the recover timer. A `ReminderSent` row per unit, kind and day (Asia/Shanghai) makes it
  safe to run as often as one likes: a unit gets one due reminder a day.
- `send_report_reminder`: the task that writes the e-mails (in Chinese, with the deadline in
  Asia/Shanghai and the link) to the unit's admins and editors, after the commit.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sciday.accounts.models import Membership
from sciday.campaigns.models import Campaign
from sciday.core.audit import audit_record
from sciday.core.errors import DomainError, NotAllowed
from sciday.orgs.models import Unit
from sciday.reports import policy
from sciday.reports.board import missing_units
from sciday.reports.models import DEFAULT_REMIND_DAYS, ReminderSent, ReportSettings
from sciday.reports.policy import EDITOR_ROLES

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Where the unit fills in its report (the report pages are mounted there).
REPORT_PATH = "/workspace/reports/"


def _schedule(campaign: Campaign, unit_ids: list[int]) -> None:
    def enqueue() -> None:
        for unit_id in unit_ids:
            send_report_reminder.enqueue(campaign_id=campaign.pk, unit_id=unit_id)

    transaction.on_commit(enqueue)


def _record(campaign: Campaign, unit: Unit, kind: str, day) -> bool:
    """Record a reminder of `kind` to `unit` on `day`; False when one was already recorded."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(campaign=campaign, unit=unit, kind=kind, day=day)
    except IntegrityError:
        return False
    return True


def report_remind(
    *,
    actor,
    campaign: Campaign,
    department: Unit | None = None,
    unit_ids: list[int] | None = None,
) -> int:
    """Remind the missing units (of `department`, or all; only `unit_ids` if given) now.

    Reviewers remind their own department's units, campaign admins any. Return how many units
    are reminded (their admins and editors get an e-mail each, sent by the task queue).
    """
    reviews = department is not None and department.pk in policy.reviewed_departments(actor)
    if not policy.can_manage(actor) and not reviews:
        raise NotAllowed(_("You may remind only the units that report to your department."))
    if unit_ids is not None and not unit_ids:
        raise DomainError(_("Choose the units to remind."), field="units")
    today = timezone.localdate(timezone.now(), SHANGHAI)
    with transaction.atomic():
        rows = list(missing_units(campaign=campaign, department=department, unit_ids=unit_ids))
        if not rows:
            raise DomainError(_("No unit is missing its report: nobody to remind."), code="none")
        for row in rows:
            _record(campaign, row.unit, ReminderSent.Kind.MANUAL, today)
        audit_record(
            actor=actor,
            action="reports.reminders.sent",
            obj=campaign,
            changes={
                "department": department.name if department else "",
                "units": [row.unit.name for row in rows],
            },
        )
        _schedule(campaign, [row.unit_id for row in rows])
    return len(rows)


def remind_days(campaign: Campaign) -> set[int]:
    """Return the numbers of days before the deadline on which the campaign reminds."""
    row = ReportSettings.objects.filter(campaign=campaign).first()
    days = row.remind_days_before if row is not None else DEFAULT_REMIND_DAYS
    return {int(d) for d in days if isinstance(d, int) and d >= 0}


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Send today's due reminders of every campaign whose deadline is ahead; return how many
    units are reminded. A system action (no actor): run by the timer, audited as such."""
    now = now or timezone.now()
    today = timezone.localdate(now, SHANGHAI)
    reminded = 0
    for campaign in Campaign.objects.filter(report_deadline__gt=now).order_by("year"):
        days_left = (timezone.localdate(campaign.report_deadline, SHANGHAI) - today).days
        if days_left not in remind_days(campaign):
            continue
        with transaction.atomic():
            units = [
                row.unit
                for row in missing_units(campaign=campaign)
                if _record(campaign, row.unit, ReminderSent.Kind.DUE, today)
            ]
            if not units:
                continue
            audit_record(
                actor=None,
                action="reports.reminders.due_sent",
                obj=campaign,
                changes={"days_left": days_left, "units": [u.name for u in units]},
            )
            _schedule(campaign, [u.pk for u in units])
        reminded += len(units)
    return reminded


def recipients(unit: Unit) -> list[str]:
    """Return the e-mail addresses of the unit's active admins and editors."""
    memberships = Membership.objects.filter(
        Q(unit=unit, role__in=EDITOR_ROLES, user__is_active=True) & ~Q(user__email="")
    ).select_related("user")
    return sorted({m.user.email for m in memberships})


def deadline_text(campaign: Campaign) -> str:
    """The deadline as the e-mail writes it, in Asia/Shanghai: 2023年6月30日 23:59."""
    local = timezone.localtime(campaign.report_deadline, SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@task()
def send_report_reminder(*, campaign_id: int, unit_id: int) -> int:
    """E-mail the unit's admins and editors that its report is missing; return how many.

    Nothing is sent when the report was submitted meanwhile.
    """
    campaign = Campaign.objects.get(pk=campaign_id)
    unit = Unit.objects.get(pk=unit_id)
    if not missing_units(campaign=campaign, unit_ids=[unit_id]).exists():
        return 0
    addresses = recipients(unit)
    link = settings.SITE_URL.rstrip("/") + REPORT_PATH
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "campaign": campaign,
            "unit": unit,
            "deadline": deadline_text(campaign),
            "link": link,
        }
        subject = render_to_string("reports/board/email_reminder_subject.txt", context).strip()
        body = render_to_string("reports/board/email_reminder_body.txt", context)
    for address in addresses:
        EmailMessage(subject, body, None, [address]).send()
    return len(addresses)
