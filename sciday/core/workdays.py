"""The Chinese working calendar (工作日): which dates are working days, and date arithmetic on them.

    from sciday.core.workdays import add_working_days
    notice_ends = add_working_days(notice_starts, 5)   # a 5-working-day public notice (公示)

The rule: Saturday and Sunday are rest days and Monday to Friday working days, except that the
official public holidays are rest days and the official make-up working days (调休上班) are
working days. The official arrangements come from the `chinesecalendar` package (the State
Council's yearly notices, `builtin_years()` tells which years it knows); campaign admins keep
overrides as `CalendarDay` rows on the 工作日历 tab, and an override wins over the package. For a
year the package does not know, only the weekends and the overrides count.

Speed: each process keeps the overrides in memory tagged with a version token that lives in the
shared cache (derived from the rows when missing, like `sciday.screening.matcher`); every service
below drops the token, so the next call reloads. A computation costs one cache read, and at most
one query when the overrides changed.

This small sub-domain keeps its reads, policy and writes in this one module rather than in
core's selectors/services: nothing else in core shares them.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sciday.core.audit import audit_record
from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.models import CalendarDay

HOLIDAY = CalendarDay.Kind.HOLIDAY
WORKDAY = CalendarDay.Kind.WORKDAY

# Refuse absurd spans instead of looping for long: no notice lasts ten years.
MAX_DAYS = 3660
# Dates an admin may enter: the years anyone plans a campaign in.
FIRST_YEAR, LAST_YEAR = 2000, 2100
IMPORT_MAX_LINES = 500
# How long a version token read from the database is trusted before it is read again.
VERSION_SECONDS = 300
VERSION_KEY = "workdays:version"

# The package's data: date -> English holiday name, and the make-up working days.
_PKG_HOLIDAYS: dict[date, str] = dict(chinese_calendar.holidays)
_PKG_WORKDAYS: dict[date, str] = dict(chinese_calendar.workdays)
_PKG_FIRST = min(_PKG_HOLIDAYS).year
_PKG_LAST = max(_PKG_HOLIDAYS).year
_CHINESE_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


def builtin_years() -> tuple[int, int]:
    """Return the first and last year (inclusive) the built-in official data covers."""
    return _PKG_FIRST, _PKG_LAST


def _weekday_rule(day: date) -> bool:
    return day.weekday() < 5


def _builtin(day: date) -> bool:
    """Is `day` a working day by the package (or the weekend rule outside its years)?"""
    if day in _PKG_WORKDAYS:
        return True
    if day in _PKG_HOLIDAYS:
        return False
    return _weekday_rule(day)


# Dates where the package departs from the weekend rule (a weekday holiday, a make-up Saturday).
_PKG_EXCEPTIONS: dict[date, bool] = {
    day: working
    for day, working in ((d, _builtin(d)) for d in {*_PKG_HOLIDAYS, *_PKG_WORKDAYS})
    if working != _weekday_rule(day)
}


# ---- the per-process overrides, tagged with the shared version --------------------------------

_lock = threading.Lock()
_loaded: tuple[str, dict[date, bool]] | None = None  # (version, {date: is working day})


def calendar_changed() -> None:
    """Mark the overrides changed: now, and again when the transaction commits."""
    cache.delete(VERSION_KEY)
    transaction.on_commit(lambda: cache.delete(VERSION_KEY))


def forget() -> None:
    """Drop this process's copy of the overrides (tests)."""
    global _loaded
    with _lock:
        _loaded = None


def _overrides() -> dict[date, bool]:
    """Return {date: is working day} of the overrides: no query unless they changed."""
    global _loaded
    version = cache.get(VERSION_KEY)
    loaded = _loaded
    if version is not None and loaded is not None and loaded[0] == version:
        return loaded[1]
    rows = list(CalendarDay.objects.values_list("date", "kind", "updated_at"))
    days = {day: kind == WORKDAY for day, kind, _at in rows}
    if version is None:
        last = max((at for _d, _k, at in rows), default=None)
        version = f"{len(rows)}:{last.isoformat() if last else '-'}"
        cache.set(VERSION_KEY, version, VERSION_SECONDS)
    with _lock:
        _loaded = (version, days)
    return days


# ---- the interface -----------------------------------------------------------------------------


def _check_date(value: object, name: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")
    return value


def _working(day: date, overrides: dict[date, bool]) -> bool:
    found = overrides.get(day)
    return _builtin(day) if found is None else found


def is_working_day(day: date) -> bool:
    """Return True when `day` is a working day on the Chinese working calendar."""
    return _working(_check_date(day, "day"), _overrides())


def add_working_days(start: date, days: int) -> date:
    """Return the date of the `days`-th working day after `start` (`start` itself not counted).

    `add_working_days(start, 0)` is `start`. Raises ValueError for a negative or absurd count.
    """
    _check_date(start, "start")
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError("days must be an int")
    if not 0 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 0 and {MAX_DAYS}")
    overrides = _overrides()
    day, left = start, days
    try:
        while left:
            day += timedelta(days=1)
            if _working(day, overrides):
                left -= 1
    except OverflowError:
        raise ValueError("the result is beyond the last date Python knows") from None
    return day


def next_working_day(day: date, *, inclusive: bool = False) -> date:
    """Return the first working day after `day` (or `day` itself if `inclusive` and working)."""
    _check_date(day, "day")
    if inclusive and is_working_day(day):
        return day
    return add_working_days(day, 1)


def _weekdays_between(first: date, last: date) -> int:
    """Count Monday-to-Friday dates in [first, last] (first <= last)."""
    span = (last - first).days + 1
    weeks, rest = divmod(span, 7)
    start = first.weekday()
    return weeks * 5 + sum(1 for i in range(rest) if (start + i) % 7 < 5)


def working_days_between(first: date, last: date) -> int:
    """Return how many working days lie in [first, last], both ends included (0 if last < first).

    Counts by arithmetic plus the few exceptions in the range, so any span is cheap.
    """
    _check_date(first, "first")
    _check_date(last, "last")
    if last < first:
        return 0
    overrides = _overrides()
    count = _weekdays_between(first, last)
    for day, working in _PKG_EXCEPTIONS.items():
        if first <= day <= last and day not in overrides:
            count += int(working) - int(_weekday_rule(day))
    for day, working in overrides.items():
        if first <= day <= last:
            count += int(working) - int(_weekday_rule(day))
    return count


# ---- reads for the page ------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecialDay:
    """One date of a year that is not what its weekday says, or that an admin listed."""

    date: date
    is_working: bool
    name: str
    override: CalendarDay | None  # None: the built-in official data


def can_manage_calendar(user) -> bool:
    """May `user` keep the working calendar? Campaign admins may."""
    from sciday.campaigns.policy import can_manage

    return can_manage(user)


def _require(actor) -> None:
    if not can_manage_calendar(actor):
        raise NotAllowed()


def builtin_name(day: date) -> str:
    """Return the Chinese name of the official holiday on or made up for `day`, or ""."""
    english = _PKG_HOLIDAYS.get(day) or _PKG_WORKDAYS.get(day) or ""
    return _CHINESE_NAMES.get(english, english)


def calendar_year(*, actor, year: int) -> list[SpecialDay]:
    """Return `year`'s special dates in order: the package's holidays and make-up days, the
    overrides (which win), and nothing else. Raises NotAllowed for non-admins."""
    _require(actor)
    rows = {
        row.date: row
        for row in CalendarDay.objects.filter(date__year=year).select_related("created_by")
    }
    found: dict[date, SpecialDay] = {}
    for day in {*_PKG_HOLIDAYS, *_PKG_WORKDAYS}:
        if day.year == year and day not in rows:
            found[day] = SpecialDay(day, _builtin(day), builtin_name(day), None)
    for day, row in rows.items():
        found[day] = SpecialDay(day, row.kind == WORKDAY, row.name, row)
    return [found[day] for day in sorted(found)]


def calendar_override_years(*, actor) -> list[int]:
    """Return the years that have overrides, newest first."""
    _require(actor)
    return sorted(
        {d.year for d in CalendarDay.objects.values_list("date", flat=True)}, reverse=True
    )


def calendar_day_get(*, actor, pk) -> CalendarDay | None:
    """Return the override `pk` for an admin (None if gone). Raises NotAllowed for others."""
    _require(actor)
    try:
        return CalendarDay.objects.get(pk=int(pk))
    except (TypeError, ValueError, CalendarDay.DoesNotExist):
        return None


# ---- writes ------------------------------------------------------------------------------------


def _clean(*, day: object, kind: object, name: object) -> tuple[date, str, str]:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise DomainError(_("Enter a date such as 2027-01-01."), field="date")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(
            _("Enter a date between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            field="date",
        )
    if kind not in CalendarDay.Kind.values:
        raise DomainError(_("Choose rest day or working day."), field="kind")
    text = " ".join(str(name or "").split())
    if len(text) > 100:
        raise DomainError(_("Keep the name to 100 characters."), field="name")
    return day, str(kind), text


def _duplicate(day: date) -> Conflict:
    return Conflict(
        _("%(date)s is already in the calendar: edit that entry instead.")
        % {"date": day.isoformat()},
        field="date",
    )


def calendar_day_add(*, actor, day: date, kind: str, name: str = "") -> CalendarDay:
    """Add an override for `day`; Conflict if the date is already listed."""
    _require(actor)
    day, kind, name = _clean(day=day, kind=kind, name=name)
    if CalendarDay.objects.filter(date=day).exists():
        raise _duplicate(day)
    try:
        with transaction.atomic():
            item = CalendarDay.objects.create(date=day, kind=kind, name=name, created_by=actor)
            audit_record(
                actor=actor,
                action="core.calendar_day.added",
                obj=item,
                changes={"date": day.isoformat(), "kind": kind, "name": name},
            )
            calendar_changed()
    except IntegrityError:  # added by someone else meanwhile
        raise _duplicate(day) from None
    return item


def calendar_day_update(
    *, actor, item: CalendarDay, day: date, kind: str, name: str = ""
) -> CalendarDay:
    """Change an override's date, kind or name; Conflict if the new date is already listed."""
    _require(actor)
    day, kind, name = _clean(day=day, kind=kind, name=name)
    if CalendarDay.objects.filter(date=day).exclude(pk=item.pk).exists():
        raise _duplicate(day)
    before = {"date": item.date.isoformat(), "kind": item.kind, "name": item.name}
    item.date, item.kind, item.name = day, kind, name
    after = {"date": day.isoformat(), "kind": kind, "name": name}
    try:
        with transaction.atomic():
            item.save()
            audit_record(
                actor=actor,
                action="core.calendar_day.updated",
                obj=item,
                changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
            )
            calendar_changed()
    except IntegrityError:
        raise _duplicate(day) from None
    return item


def calendar_day_delete(*, actor, item: CalendarDay) -> None:
    """Remove an override: the date follows the built-in data again."""
    _require(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="core.calendar_day.deleted",
            obj=item,
            changes={"date": item.date.isoformat(), "kind": item.kind, "name": item.name},
        )
        item.delete()
        calendar_changed()


_KIND_WORDS = {
    "休": HOLIDAY,
    "假": HOLIDAY,
    "休息": HOLIDAY,
    "放假": HOLIDAY,
    "holiday": HOLIDAY,
    "rest": HOLIDAY,
    "班": WORKDAY,
    "上班": WORKDAY,
    "补班": WORKDAY,
    "workday": WORKDAY,
    "work": WORKDAY,
}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int  # dates already in the calendar with the same kind


def _parse_line(number: int, line: str) -> tuple[date, str, str]:
    parts = line.replace("，", " ").replace(",", " ").replace("\t", " ").split()
    bad = DomainError(
        _(
            "Line %(n)d: write a date, an optional name and 休 or 班, "
            "for example “2027-01-01 元旦 休”."
        )
        % {"n": number},
        field="text",
    )
    if len(parts) < 2:
        raise bad
    match = _DATE.match(parts[0])
    kind = _KIND_WORDS.get(parts[-1].lower())
    if match is None or kind is None:
        raise bad
    try:
        day = date(*(int(g) for g in match.groups()))
    except ValueError:
        raise DomainError(
            _("Line %(n)d: %(date)s is not a date.") % {"n": number, "date": parts[0]},
            field="text",
        ) from None
    try:
        return _clean(day=day, kind=kind, name=" ".join(parts[1:-1]))
    except DomainError as error:
        raise DomainError(
            _("Line %(n)d: %(problem)s") % {"n": number, "problem": error.message}, field="text"
        ) from None


def calendar_days_import(*, actor, text: str) -> ImportResult:
    """Add the overrides of `text`, one "2027-01-01 元旦 休" per line (blank lines ignored).

    All or nothing: a malformed line, a date given twice, or a date already listed with the other
    kind refuses the whole text with the line number; a date already listed with the same kind
    is skipped.
    """
    _require(actor)
    lines = [(n, line.strip()) for n, line in enumerate(str(text or "").splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line and not line.startswith("#")]
    if not lines:
        raise DomainError(_("Write at least one line."), field="text")
    if len(lines) > IMPORT_MAX_LINES:
        raise DomainError(
            _("Import at most %(n)d lines at a time.") % {"n": IMPORT_MAX_LINES}, field="text"
        )
    parsed: dict[date, tuple[int, str, str]] = {}
    for number, line in lines:
        day, kind, name = _parse_line(number, line)
        if day in parsed:
            raise DomainError(
                _("Line %(n)d: %(date)s is already on line %(m)d.")
                % {"n": number, "date": day.isoformat(), "m": parsed[day][0]},
                field="text",
            )
        parsed[day] = (number, kind, name)
    existing = dict(CalendarDay.objects.filter(date__in=parsed).values_list("date", "kind"))
    for day, (number, kind, _name) in parsed.items():
        if day in existing and existing[day] != kind:
            raise DomainError(
                _("Line %(n)d: %(date)s is already in the calendar as a %(kind)s.")
                % {
                    "n": number,
                    "date": day.isoformat(),
                    "kind": CalendarDay.Kind(existing[day]).label,
                },
                field="text",
            )
    new = [
        CalendarDay(date=day, kind=kind, name=name, created_by=actor)
        for day, (_n, kind, name) in sorted(parsed.items())
        if day not in existing
    ]
    try:
        with transaction.atomic():
            CalendarDay.objects.bulk_create(new)
            audit_record(
                actor=actor,
                action="core.calendar_day.imported",
                changes={"added": [f"{c.date.isoformat()} {c.kind} {c.name}" for c in new]},
                object_repr=_("working calendar"),
            )
            calendar_changed()
    except IntegrityError:
        raise Conflict(
            _("Someone changed the calendar meanwhile: try again."), field="text"
        ) from None
    return ImportResult(added=len(new), skipped=len(parsed) - len(new))
