"""Bulk import and export of activities as Excel workbooks (one row per activity).

The workbook's first sheet has one row per activity under fixed Chinese headers (`COLUMNS`); the
second sheet lists the valid categories, sub-types, formats and region codes, with an example row.

An import goes in three steps:

1. `read_workbook` opens the upload (it must open as xlsx; size and row count are limited) and
   returns the rows as plain, JSON-able values, stored for the preview (`stash`/`unstash`, in the
   cache under the person's id and a random token, never as a file in the web root).
2. `run_import(commit=False)` checks every row: cells that cannot be read (a date, a category, a
   co-organizer that does not exist...) are reported by column, then the row goes through the very
   services that will write it (`activity_create` / `activity_update`) inside a transaction that
   is rolled back, so the preview applies exactly the services' rules.
3. `run_import(commit=True)` writes the rows, each in its own savepoint: the good rows are saved,
   the bad ones are reported and change nothing.

A row whose `reference` (单位内部编号) matches an activity of the same lead unit updates that
activity instead of creating another one; only the fields that differ are sent, so an unchanged
published activity is left alone, and one that may no longer change is reported as skipped.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any
from zipfile import BadZipFile
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from sciday.activities import policy, services
from sciday.activities.models import Activity, Format
from sciday.campaigns.models import Campaign, Category
from sciday.core.errors import Conflict, DomainError
from sciday.orgs.models import Region, Unit

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
STASH_SECONDS = 3600
SHEET = "活动"
HELP_SHEET = "填写说明"

# (key, header): the key is the service argument (or a pseudo-field), the header the column title.
COLUMNS: list[tuple[str, str]] = [
    ("reference", "单位内部编号"),
    ("title", "活动名称"),
    ("summary", "活动简介"),
    ("category", "活动类别"),
    ("subtype", "活动子类"),
    ("format", "活动形式"),
    ("starts_at", "开始时间"),
    ("ends_at", "结束时间"),
    ("region", "行政区划代码或名称"),
    ("address", "详细地址"),
    ("online_url", "线上链接"),
    ("audience", "面向对象"),
    ("capacity", "人数上限"),
    ("signup_required", "是否需要报名"),
    ("expected_participants", "预计参与人数"),
    ("co_organizers", "联合主办单位"),
    ("lead_unit", "主办单位"),
]
STATUS_HEADER = "状态"
HEADERS = dict(COLUMNS)
# Other spellings of a header accepted on upload.
_ALIASES = {"行政区划代码": "region", "行政区划": "region", "行政区划名称": "region"}
_KEYS = {header: key for key, header in COLUMNS} | _ALIASES
FORMAT_LABELS: dict[str, str] = {
    Format.OFFLINE: "线下",
    Format.ONLINE: "线上",
    Format.HYBRID: "线上线下",
}
_FORMATS = {label: value for value, label in FORMAT_LABELS.items()} | {
    "线下+线上": Format.HYBRID,
    "线上+线下": Format.HYBRID,
    **{value: value for value in Format.values},
}
_YES = {"是", "需要", "y", "yes", "true", "1"}
_NO = {"否", "不需要", "n", "no", "false", "0", ""}
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")
_SPLIT = re.compile(r"[、,，;；\n]+")


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class ImportRefused(DomainError):
    """The upload as a whole cannot be read (not xlsx, too large, too many rows, no headers)."""


# --- The template and the export ---------------------------------------------------------------


def _help_sheet(workbook: Workbook, campaign: Campaign | None) -> None:
    sheet = workbook.create_sheet(HELP_SHEET)
    bold = Font(bold=True)
    rows: list[list[Any]] = [
        ["每行一项活动；第一行为表头，请勿修改。时间按北京时间填写，如 2023-05-20 09:00。"],
        ["单位内部编号用于再次导入时更新同一活动，而不是新建一项。"],
        [],
        ["示例"],
        [header for _key, header in COLUMNS],
        [
            "NJ-2023-001",
            "科学家精神报告会",
            "院士走进校园，讲述科学家故事。",
            "4",
            "",
            "线下",
            "2023-05-20 09:00",
            "2023-05-20 11:30",
            "320100",
            "市科技馆报告厅",
            "",
            "中学生",
            200,
            "是",
            180,
            "某某市科协、某某大学科协",
            "",
        ],
        [],
        ["活动形式", *FORMAT_LABELS.values()],
        ["是否需要报名", "是", "否"],
        [],
        ["活动类别（填编号或名称）", "名称", "活动子类（可选）"],
    ]
    if campaign is not None:
        for category in campaign.categories.prefetch_related("subtypes").order_by("number"):
            subtypes = "、".join(s.name for s in category.subtypes.all())
            rows.append([str(category.number), category.name, subtypes])
    rows += [[], ["行政区划代码", "名称", "所属省份"]]
    for region in Region.objects.select_related("parent").order_by("code"):
        rows.append([region.code, region.name, region.parent.name if region.parent else ""])
    for row in rows:
        sheet.append(row)
    for number in (4, 5, 8, 11):
        for cell in sheet[number]:
            cell.font = bold


def _new_workbook(with_status: bool = False) -> tuple[Workbook, Any]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    headers = [header for _key, header in COLUMNS]
    if with_status:
        headers.append(STATUS_HEADER)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return workbook, sheet


def _bytes(workbook: Workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_workbook(*, campaign: Campaign | None) -> bytes:
    """Return the empty import template (.xlsx) with the help sheet for `campaign`."""
    workbook, _sheet = _new_workbook()
    _help_sheet(workbook, campaign)
    return _bytes(workbook)


def _local(value: datetime) -> datetime:
    return timezone.localtime(value, _tz()).replace(tzinfo=None)


def export_workbook(*, activities: Iterable[Activity]) -> bytes:
    """Return `activities` as an .xlsx in the import columns (plus status), ready to re-import."""
    workbook, sheet = _new_workbook(with_status=True)
    for a in activities:
        sheet.append(
            [
                a.reference,
                a.title,
                a.summary,
                str(a.category.number),
                a.subtype.name if a.subtype else "",
                FORMAT_LABELS.get(a.format, a.format),
                _local(a.starts_at),
                _local(a.ends_at),
                a.region_id or "",
                a.address,
                a.online_url,
                a.audience,
                a.capacity,
                "是" if a.signup_required else "否",
                a.expected_participants,
                "、".join(u.name for u in a.co_organizers.all()),
                a.lead_unit.name,
                str(a.get_status_display()),
            ]
        )
    for column in ("G", "H"):
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
    _help_sheet(workbook, None)
    return _bytes(workbook)


# --- Reading an upload ---------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A cell as a JSON-able value: text, a whole number, or a date-time as ISO text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return {"dt": value.replace(tzinfo=None).isoformat(timespec="minutes")}
    if isinstance(value, date):
        return {"dt": datetime.combine(value, datetime.min.time()).isoformat(timespec="minutes")}
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float):
        return value
    return str(value).strip()


def check_size(size: int) -> None:
    """Refuse an upload larger than `MAX_BYTES` (before reading it)."""
    if size > MAX_BYTES:
        raise ImportRefused(
            _("The file is larger than %(mb)s MB; split it into several files.")
            % {"mb": MAX_BYTES // (1024 * 1024)},
            field="file",
            code="too_large",
        )


def read_workbook(data: bytes) -> list[dict[str, Any]]:
    """Return the upload's rows as {"row": Excel row number, key: cell value}; refuse bad files."""
    check_size(len(data))
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise ImportRefused(
            _("This is not an Excel workbook (.xlsx); download the template and fill it in."),
            field="file",
            code="not_xlsx",
        ) from None
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header_row = next(lines, None) or ()
        keys = [_KEYS.get(str(h).strip()) if h is not None else None for h in header_row]
        if "title" not in keys:
            raise ImportRefused(
                _("The first row must hold the template's headers (活动名称 is missing)."),
                field="file",
                code="no_headers",
            )
        rows: list[dict[str, Any]] = []
        for number, line in enumerate(lines, start=2):
            values = {k: _plain(v) for k, v in zip(keys, line, strict=False) if k is not None}
            if not any(v != "" for v in values.values()):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportRefused(
                    _("The file has more than %(n)s activities; split it into several files.")
                    % {"n": MAX_ROWS},
                    field="file",
                    code="too_many_rows",
                )
            rows.append({"row": number, **values})
        return rows
    finally:
        workbook.close()


def stash(*, user, unit: Unit, rows: list[dict[str, Any]], filename: str) -> str:
    """Keep the parsed rows for the preview; return the token that finds them again."""
    token = secrets.token_urlsafe(16)
    cache.set(
        _stash_key(user, token),
        {"unit": unit.pk, "rows": rows, "filename": filename},
        STASH_SECONDS,
    )
    return token


def unstash(*, user, token: str) -> dict[str, Any] | None:
    """Return what `stash` kept for this person under `token` (None when gone or not theirs)."""
    return cache.get(_stash_key(user, token))


def forget(*, user, token: str) -> None:
    cache.delete(_stash_key(user, token))


def _stash_key(user, token: str) -> str:
    return f"activities-import:{user.pk}:{token}"


# --- Turning cells into service arguments ----------------------------------------------------


@dataclass
class RowResult:
    """What happened (or would happen) to one row."""

    row: int
    title: str = ""
    reference: str = ""
    action: str = "error"  # create, update, unchanged, skip, error
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)
    activity_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.action in ("create", "update", "unchanged")

    def add(self, key: str | None, message: Any) -> None:
        self.errors.append((HEADERS.get(key or "", ""), str(message)))


class _Lookups:
    """What the rows refer to, loaded once per import."""

    def __init__(self, *, campaign: Campaign, lead_units: list[Unit]):
        self.categories: dict[str, Category] = {}
        self.subtypes: dict[tuple[int, str], Any] = {}
        for category in campaign.categories.prefetch_related("subtypes"):
            for name in (str(category.number), category.name, category.short_name):
                if name:
                    self.categories[name.strip()] = category
            for subtype in category.subtypes.all():
                self.subtypes[(category.pk, subtype.name.strip())] = subtype
        regions = list(Region.objects.all())
        self.region_codes = {r.code for r in regions}
        by_name: dict[str, list[str]] = {}
        for r in regions:
            by_name.setdefault(r.name, []).append(r.code)
        self.region_names = by_name
        self.lead_units = {u.name: u for u in lead_units}
        self._units: dict[str, list[Unit]] | None = None

    def units_named(self, name: str) -> list[Unit]:
        if self._units is None:
            self._units = {}
            for unit in Unit.objects.filter(is_active=True).only("pk", "name", "path"):
                self._units.setdefault(unit.name, []).append(unit)
        return self._units.get(name, [])


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("dt", "").replace("T", " ")
    return str(value).strip() if value is not None else ""


def _datetime(value: Any, key: str, result: RowResult) -> datetime | None:
    if isinstance(value, dict) and "dt" in value:
        return datetime.fromisoformat(value["dt"]).replace(tzinfo=_tz())
    text = _text(value)
    if not text:
        result.add(key, _("Enter a date and time, e.g. 2023-05-20 09:00."))
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=_tz())
        except ValueError:
            continue
    result.add(
        key, _("“%(value)s” is not a date and time like 2023-05-20 09:00.") % {"value": text}
    )
    return None


def _number(value: Any, key: str, result: RowResult) -> Any:
    if value == "" or value is None:
        return None
    if isinstance(value, int):
        return value
    text = _text(value)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    result.add(key, _("“%(value)s” is not a whole number.") % {"value": text})
    return None


def _arguments(
    raw: dict[str, Any], result: RowResult, lookups: _Lookups, default_unit: Unit
) -> dict[str, Any] | None:
    """Return the service arguments for a row, or None after noting each unreadable cell."""
    args: dict[str, Any] = {}
    for key in ("title", "summary", "address", "online_url", "audience", "reference"):
        args[key] = _text(raw.get(key, ""))
    lead_name = _text(raw.get("lead_unit", ""))
    lead = default_unit
    if lead_name and lead_name != default_unit.name:
        found = lookups.lead_units.get(lead_name)
        if found is None:
            result.add(
                "lead_unit",
                _("You may not register activities for “%(name)s”.") % {"name": lead_name},
            )
        else:
            lead = found
    args["lead_unit"] = lead
    category_text = _text(raw.get("category", ""))
    category = lookups.categories.get(category_text)
    if category is None and category_text:
        # "4 科学家精神宣讲" or "4、..." : the number in front.
        head = re.match(r"^\s*(\d+)", category_text)
        category = lookups.categories.get(head.group(1)) if head else None
    if category is None:
        if category_text:
            result.add(
                "category",
                _("“%(value)s” is not a category of this campaign.") % {"value": category_text},
            )
        else:
            result.add("category", _("Choose the activity's category."))
    args["category"] = category
    subtype_text = _text(raw.get("subtype", ""))
    args["subtype"] = None
    if subtype_text and category is not None:
        subtype = lookups.subtypes.get((category.pk, subtype_text))
        if subtype is None:
            result.add(
                "subtype",
                _("“%(value)s” is not a sub-type of this category.") % {"value": subtype_text},
            )
        args["subtype"] = subtype
    format_text = _text(raw.get("format", ""))
    fmt = _FORMATS.get(format_text)
    if fmt is None:
        result.add(
            "format",
            _("Write 线下, 线上 or 线上线下 (you wrote “%(value)s”).") % {"value": format_text},
        )
    args["format"] = fmt
    args["starts_at"] = _datetime(raw.get("starts_at", ""), "starts_at", result)
    args["ends_at"] = _datetime(raw.get("ends_at", ""), "ends_at", result)
    region_text = _text(raw.get("region", ""))
    args["region"] = None
    if region_text:
        code = re.match(r"^(\d{6})", region_text)
        if code and code.group(1) in lookups.region_codes:
            args["region"] = code.group(1)
        elif not code and len(lookups.region_names.get(region_text, [])) == 1:
            args["region"] = lookups.region_names[region_text][0]
        else:
            result.add(
                "region",
                _("“%(value)s” is not a province or prefecture code or name of GB/T 2260.")
                % {"value": region_text},
            )
    args["capacity"] = _number(raw.get("capacity", ""), "capacity", result)
    args["expected_participants"] = _number(
        raw.get("expected_participants", ""), "expected_participants", result
    )
    signup = _text(raw.get("signup_required", "")).lower()
    if signup in _YES:
        args["signup_required"] = True
    elif signup in _NO:
        args["signup_required"] = False
    else:
        result.add("signup_required", _("Write 是 or 否."))
    co: list[Unit] = []
    for name in filter(None, (n.strip() for n in _SPLIT.split(_text(raw.get("co_organizers"))))):
        units = lookups.units_named(name)
        if len(units) != 1:
            message = (
                _("There is no unit named “%(name)s”.")
                if not units
                else _("Several units are named “%(name)s”; ask your administrator.")
            )
            result.add("co_organizers", message % {"name": name})
        else:
            co.append(units[0])
    args["co_organizers"] = co
    return None if result.errors else args


# --- Applying a row through the services ------------------------------------------------------

_COMPARED = [
    "title",
    "summary",
    "category",
    "subtype",
    "format",
    "starts_at",
    "ends_at",
    "region",
    "address",
    "online_url",
    "audience",
    "capacity",
    "signup_required",
    "expected_participants",
]


def _current(activity: Activity, key: str) -> Any:
    if key == "region":
        return activity.region_id
    if key in ("category", "subtype"):
        return getattr(activity, f"{key}_id")
    return getattr(activity, key)


def _wanted(args: dict[str, Any], key: str) -> Any:
    value = args[key]
    if key in ("category", "subtype"):
        return value.pk if value is not None else None
    if key == "region":
        return value or None
    return value


def _changes(activity: Activity, args: dict[str, Any]) -> dict[str, Any]:
    """The row's fields that differ from the activity (co-organizers compared as a set)."""
    diff = {k: args[k] for k in _COMPARED if _current(activity, k) != _wanted(args, k)}
    if {u.pk for u in activity.co_organizers.all()} != {u.pk for u in args["co_organizers"]}:
        diff["co_organizers"] = args["co_organizers"]
    return diff


_SKIP_CODES = {"locked", "published", "closed"}


def _existing(rows: list[dict[str, Any]]) -> dict[tuple[int, str], Activity]:
    """The activities the file's references may point to, by (lead unit id, reference)."""
    references = {_text(r.get("reference", "")) for r in rows} - {""}
    if not references:
        return {}
    qs = (
        Activity.objects.filter(reference__in=references)
        .select_related("lead_unit")
        .prefetch_related("co_organizers")
    )
    return {(a.lead_unit_id, a.reference): a for a in qs}


def _apply(
    actor,
    campaign: Campaign,
    args: dict[str, Any],
    result: RowResult,
    existing_by_ref: dict[tuple[int, str], Activity],
) -> None:
    """Create or update the row's activity through the services (raises DomainError).

    The service's own transaction is this row's savepoint: a refusal undoes the row alone.
    """
    lead = args.pop("lead_unit")
    existing = existing_by_ref.get((lead.pk, args["reference"])) if args["reference"] else None
    if existing is None:
        activity = services.activity_create(actor=actor, campaign=campaign, lead_unit=lead, **args)
        result.action = "create"
    else:
        if existing.campaign_id != campaign.pk:
            raise Conflict(
                _("The reference %(ref)s belongs to an activity of another campaign.")
                % {"ref": args["reference"]},
                field="reference",
                code="closed",
            )
        diff = _changes(existing, args)
        if not diff:
            result.action = "unchanged"
            result.activity_id = existing.pk
            return
        activity = services.activity_update(actor=actor, activity=existing, **diff)
        result.action = "update"
    result.activity_id = activity.pk


def run_import(
    *,
    actor,
    campaign: Campaign,
    unit: Unit,
    rows: list[dict[str, Any]],
    commit: bool,
) -> list[RowResult]:
    """Check (commit=False, nothing is written) or write (commit=True) the rows; return results.

    `unit` is the default lead unit (rows may name another one the actor may edit for).
    """
    policy.require_edit_in(actor, unit)
    lookups = _Lookups(
        campaign=campaign,
        lead_units=[u for u in Unit.objects.filter(is_active=True) if policy.can_edit_in(actor, u)]
        if any(_text(r.get("lead_unit")) not in ("", unit.name) for r in rows)
        else [],
    )
    results: list[RowResult] = []
    seen: dict[tuple[int, str], int] = {}
    existing_by_ref = _existing(rows)
    with transaction.atomic():
        for raw in rows:
            result = RowResult(
                row=int(raw["row"]),
                title=_text(raw.get("title", "")),
                reference=_text(raw.get("reference", "")),
            )
            results.append(result)
            args = _arguments(raw, result, lookups, unit)
            if args is None:
                continue
            if args["reference"]:
                key = (args["lead_unit"].pk, args["reference"])
                if key in seen:
                    result.add(
                        "reference",
                        _("Row %(row)s already has this reference.") % {"row": seen[key]},
                    )
                    continue
                seen[key] = result.row
            try:
                _apply(actor, campaign, args, result, existing_by_ref)
            except DomainError as error:
                result.errors = []
                result.add(error.field, error.message)
                result.action = (
                    "skip" if isinstance(error, Conflict) and error.code in _SKIP_CODES else "error"
                )
        if not commit:
            transaction.set_rollback(True)
    return results


def summary(results: list[RowResult]) -> dict[str, int]:
    """Count the results by action."""
    counts = {"create": 0, "update": 0, "unchanged": 0, "skip": 0, "error": 0}
    for r in results:
        counts[r.action] += 1
    return counts
