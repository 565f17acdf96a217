"""iCalendar (RFC 5545) text for one activity or a list of them, written by hand.

Only what calendar apps need: one VEVENT per activity with UID, DTSTAMP, DTSTART/DTEND in UTC
(`...Z`, so no VTIMEZONE block is needed), SUMMARY, DESCRIPTION, LOCATION, URL and STATUS
(CANCELLED for a cancelled activity). Text values are escaped (backslash, semicolon, comma,
newline, §3.3.11), lines end with CRLF and are folded at 75 octets without splitting a UTF-8
character (§3.1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.utils.html import strip_tags

from sciday.activities.models import Activity, Status

PRODID = "-//sciday//National S&T Workers Day activities//ZH"
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets; continuation lines start with a space (§3.1)."""
    chunks: list[str] = []
    current = ""
    size = 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append(current)
            current, size = " ", 1  # the leading space counts towards the next line's 75
        current += char
        size += width
    chunks.append(current)
    return "\r\n".join(chunks)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _location(activity: Activity) -> str:
    parts = []
    if activity.venue_id:
        parts.append(activity.venue.name)  # type: ignore[union-attr]
    if activity.region_id:
        parts.append(activity.region.name)  # type: ignore[union-attr]
    if activity.address:
        parts.append(activity.address)
    if not parts and activity.online_url:
        parts.append(activity.online_url)
    return " ".join(parts)


def _event_lines(activity: Activity, *, url: str, host: str, stamp: datetime) -> list[str]:
    description = "\n\n".join(
        p
        for p in (
            activity.summary,
            strip_tags(activity.body).strip(),
            activity.lead_unit.name,
            url,
        )
        if p
    )
    lines = [
        "BEGIN:VEVENT",
        f"UID:activity-{activity.pk}@{host}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(activity.starts_at)}",
        f"DTEND:{_utc(activity.ends_at)}",
        f"SUMMARY:{escape_text(activity.title)}",
        f"DESCRIPTION:{escape_text(description)}",
    ]
    location = _location(activity)
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append(f"URL:{url}")
    lines.append(f"STATUS:{'CANCELLED' if activity.status == Status.CANCELLED else 'CONFIRMED'}")
    lines.append(f"LAST-MODIFIED:{_utc(activity.updated_at)}")
    lines.append("END:VEVENT")
    return lines


def calendar(
    activities: Iterable[Activity],
    *,
    url_for: Callable[[Activity], str],
    host: str,
    name: str = "",
) -> str:
    """Return a VCALENDAR with one VEVENT per activity; `url_for` gives each one's page."""
    stamp = datetime.now(UTC)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append("METHOD:PUBLISH")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    lines.append("X-WR-TIMEZONE:Asia/Shanghai")
    for activity in activities:
        lines.extend(_event_lines(activity, url=url_for(activity), host=host, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
