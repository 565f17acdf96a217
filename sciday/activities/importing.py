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

import logging
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from python_calamine import CalamineError, CalamineWorkbook

from sciday.activities import indexing, policy, services
from sciday.activities.models import (
    PUBLIC_STATUSES,
    Activity,
    ActivityEvent,
    Format,
    ImportJob,
    ImportStatus,
    Status,
)
from sciday.campaigns import policy as campaigns_policy
from sciday.campaigns.models import Campaign, Category
from sciday.core.audit import changed_fields, snapshot
from sciday.core.context import current_request_facts
from sciday.core.errors import Conflict, DomainError
from sciday.core.models import AuditEntry
from sciday.orgs.models import Region, Unit
from sciday.search.services import search_index_delete_many, search_index_upsert_many

logger = logging.getLogger(__name__)

MAX_BYTES = 40 * 1024 * 1024
MAX_ROWS = 100_000
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
    if isinstance(value, time):
        return value.strftime("%H:%M")
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


@contextmanager
def _sheet(data: bytes) -> Iterator[tuple[list[str | None], Iterator[list[Any]], int, int]]:
    """Open the upload; yield (column keys, the lines after the headers, first line's number,
    the number of lines after the headers).

    Uploads are read with calamine (Rust): openpyxl, even in read-only mode, spends about a
    millisecond a row parsing XML, most of a minute for 100,000 rows; calamine reads them in a
    few seconds. The lines reach Python one at a time. (Templates and exports are still written
    with openpyxl.)
    """
    check_size(len(data))
    try:
        workbook = CalamineWorkbook.from_filelike(BytesIO(data))
        names = workbook.sheet_names
        sheet = workbook.get_sheet_by_name(SHEET if SHEET in names else names[0])
    except (CalamineError, IndexError, ValueError, OSError):
        raise ImportRefused(
            _("This is not an Excel workbook (.xlsx); download the template and fill it in."),
            field="file",
            code="not_xlsx",
        ) from None
    lines = iter(sheet.iter_rows())
    header_row = next(lines, None) or []
    keys = [_KEYS.get(str(h).strip()) if h not in (None, "") else None for h in header_row]
    if "title" not in keys:
        raise ImportRefused(
            _("The first row must hold the template's headers (活动名称 is missing)."),
            field="file",
            code="no_headers",
        )
    first = (sheet.start[0] if sheet.start else 0) + 2  # Excel numbers rows from 1
    yield keys, lines, first, max(sheet.height - 1, 0)


def check_file(data: bytes) -> int:
    """Refuse a file that is not an .xlsx in the template's columns; return its row estimate.

    Only the headers are converted: the rows are read by the background check (`job_run`).
    """
    with _sheet(data) as (_keys, _lines, _first, estimate):
        return estimate


def iter_rows(data: bytes) -> Iterator[dict[str, Any]]:
    """Yield the upload's rows one at a time as {"row": Excel row number, key: cell value}.

    The rows are converted one at a time: a 100,000-row file is never held as Python objects.
    Blank lines are skipped; more than `MAX_ROWS` rows refuse the file.
    """
    with _sheet(data) as (keys, lines, first, _estimate):
        count = 0
        pairs = [(i, k) for i, k in enumerate(keys) if k is not None]
        for number, line in enumerate(lines, start=first):
            values = {k: _plain(line[i]) if i < len(line) else "" for i, k in pairs}
            if not any(v != "" for v in values.values()):
                continue
            count += 1
            if count > MAX_ROWS:
                raise ImportRefused(
                    _("The file has more than %(n)s activities; split it into several files.")
                    % {"n": MAX_ROWS},
                    field="file",
                    code="too_many_rows",
                )
            yield {"row": number, **values}


def read_workbook(data: bytes) -> list[dict[str, Any]]:
    """Return the upload's rows as {"row": Excel row number, key: cell value}; refuse bad files."""
    return list(iter_rows(data))


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
    """What the rows refer to, loaded once per import (never a query per row)."""

    def __init__(self, *, actor, campaign: Campaign, default_unit: Unit):
        self.actor = actor
        self.categories: dict[str, Category] = {}
        self.subtypes: dict[tuple[int, str], Any] = {}
        for category in campaign.categories.prefetch_related("subtypes"):
            category.campaign = campaign
            for name in (str(category.number), category.name, category.short_name):
                if name:
                    self.categories[name.strip()] = category
            for subtype in category.subtypes.all():
                subtype.category = category
                self.subtypes[(category.pk, subtype.name.strip())] = subtype
        self.category_by_pk = {c.pk: c for c in self.categories.values()}
        self.subtype_by_pk = {st.pk: st for st in self.subtypes.values()}
        regions = list(Region.objects.all())
        self.regions = {r.code: r for r in regions}
        by_name: dict[str, list[str]] = {}
        for r in regions:
            by_name.setdefault(r.name, []).append(r.code)
        self.region_names = by_name
        self.default_unit = default_unit
        self._lead_units: dict[str, Unit] | None = None
        self._units: dict[str, list[Unit]] | None = None
        self.unit_by_pk: dict[int, Unit] = {}

    def lead_unit(self, name: str) -> Unit | None:
        """The unit named `name` that the actor may register activities for, if any."""
        if self._lead_units is None:
            self._lead_units = {
                u.name: u
                for u in Unit.objects.filter(is_active=True).select_related("region")
                if policy.can_edit_in(self.actor, u)
            }
        return self._lead_units.get(name)

    def _load_units(self) -> dict[str, list[Unit]]:
        if self._units is None:
            self._units = {}
            self.unit_by_pk = {}
            for unit in Unit.objects.only("pk", "name", "path", "is_active"):
                self.unit_by_pk[unit.pk] = unit
                if unit.is_active:
                    self._units.setdefault(unit.name, []).append(unit)
        return self._units

    def units_named(self, name: str) -> list[Unit]:
        """The active units named `name` (co-organizers are named in the file)."""
        return self._load_units().get(name, [])

    def units(self, pks: Iterable[int]) -> list[Unit]:
        """The units of these ids, active or not (an activity's current co-organizers)."""
        self._load_units()
        return [self.unit_by_pk[pk] for pk in pks]


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
        found = lookups.lead_unit(lead_name)
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
        if code and code.group(1) in lookups.regions:
            args["region"] = lookups.regions[code.group(1)]
        elif not code and len(lookups.region_names.get(region_text, [])) == 1:
            args["region"] = lookups.regions[lookups.region_names[region_text][0]]
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
        return value.pk if value else None
    return value


def _changes(activity: Activity, args: dict[str, Any], co_ids: set[int]) -> dict[str, Any]:
    """The row's fields that differ from the activity (co-organizers compared as a set)."""
    diff = {k: args[k] for k in _COMPARED if _current(activity, k) != _wanted(args, k)}
    if co_ids != {u.pk for u in args["co_organizers"]}:
        diff["co_organizers"] = args["co_organizers"]
    return diff


_SKIP_CODES = {"locked", "published", "closed"}
CHUNK = 1000
PROBLEMS_KEPT = 1000
_Through = Activity.co_organizers.through


def _refusal(result: RowResult, error: DomainError) -> None:
    result.errors = []
    result.add(error.field, error.message)
    result.action = "skip" if isinstance(error, Conflict) and error.code in _SKIP_CODES else "error"


@dataclass
class _Write:
    """A checked row waiting for its batch to be written."""

    result: RowResult
    activity: Activity
    co: list[Unit] | None = None  # the new co-organizers (None: unchanged)
    changes: dict[str, Any] = field(default_factory=dict)  # the audit entry's changes
    service_args: dict[str, Any] | None = None  # set: written through `activity_update`


class BulkImport:
    """Checks (commit=False) or writes (commit=True) an import's rows, `CHUNK` rows at a time.

    The rules are the services' own (`services._assign`, `_validate`, `_check_overrides`, the
    status rules of `activity_update`), applied to objects built from what was loaded once for the
    file (`_Lookups`) and, for each chunk, one query for the activities its references match: a
    row costs no query of its own. A chunk is written in one transaction with `bulk_create` /
    `bulk_update`, its history, audit and search-index entries in bulk too. A capacity change of a
    published activity (which may promote people from the waiting list) goes through
    `activity_update` itself.

    Results: `counts` by action, `problems` (the first `PROBLEMS_KEPT` rows with errors or
    skipped) and `problem_total`; with `keep_all`, `results` holds every row's result.
    """

    def __init__(self, *, actor, campaign: Campaign, unit: Unit, keep_all: bool = False):
        policy.require_edit_in(actor, unit)
        self.actor = actor
        self.campaign = campaign
        self.unit = Unit.objects.select_related("region").get(pk=unit.pk)
        self.lookups = _Lookups(actor=actor, campaign=campaign, default_unit=self.unit)
        self.keep_all = keep_all
        self.results: list[RowResult] = []
        self.counts = {"create": 0, "update": 0, "unchanged": 0, "skip": 0, "error": 0}
        self.problems: list[RowResult] = []
        self.problem_total = 0
        self.processed = 0
        self._seen: dict[tuple[int, str], int] = {}
        self._may_create: DomainError | bool | None = None

    # -- driving --

    def run(
        self,
        rows: Iterable[dict[str, Any]],
        *,
        commit: bool,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        chunk: list[dict[str, Any]] = []
        for raw in rows:
            chunk.append(raw)
            if len(chunk) >= CHUNK:
                self._chunk(chunk, commit)
                chunk = []
                if on_progress is not None:
                    on_progress(self.processed)
        if chunk:
            self._chunk(chunk, commit)
        if on_progress is not None:
            on_progress(self.processed)

    def _chunk(self, raws: list[dict[str, Any]], commit: bool) -> None:
        if commit:
            with transaction.atomic():
                results = self._check_and_write(raws, commit=True)
        else:
            results = self._check_and_write(raws, commit=False)
        for result in results:
            self.counts[result.action] += 1
            if not result.ok:
                self.problem_total += 1
                if len(self.problems) < PROBLEMS_KEPT:
                    self.problems.append(result)
        if self.keep_all:
            self.results += results
        self.processed += len(raws)

    def _check_and_write(self, raws: list[dict[str, Any]], *, commit: bool) -> list[RowResult]:
        results: list[RowResult] = []
        parsed: list[tuple[RowResult, dict[str, Any]]] = []
        for raw in raws:
            result = RowResult(
                row=int(raw["row"]),
                title=_text(raw.get("title", "")),
                reference=_text(raw.get("reference", "")),
            )
            results.append(result)
            args = _arguments(raw, result, self.lookups, self.unit)
            if args is None:
                continue
            if args["reference"]:
                key = (args["lead_unit"].pk, args["reference"])
                if key in self._seen:
                    result.add(
                        "reference",
                        _("Row %(row)s already has this reference.") % {"row": self._seen[key]},
                    )
                    continue
                self._seen[key] = result.row
            parsed.append((result, args))
        existing = self._existing([args for _r, args in parsed], lock=commit)
        writes: list[_Write] = []
        for result, args in parsed:
            try:
                write = self._check(result, args, existing)
            except DomainError as error:
                _refusal(result, error)
            else:
                if write is not None:
                    writes.append(write)
        if commit and writes:
            self._write(writes)
        return results

    def _existing(self, rows: list[dict[str, Any]], *, lock: bool) -> dict[tuple[int, str], Any]:
        """The activities this chunk's references point to, by (lead unit id, reference)."""
        wanted: dict[int, set[str]] = {}
        for args in rows:
            if args["reference"]:
                wanted.setdefault(args["lead_unit"].pk, set()).add(args["reference"])
        if not wanted:
            return {}
        found: dict[tuple[int, str], Any] = {}
        for unit_id, references in wanted.items():
            # One query per lead unit, and the partial unique index's own condition spelled out:
            # without it SQLite scans every activity of the unit, for every chunk.
            qs = Activity.objects.filter(lead_unit_id=unit_id, reference__in=references).exclude(
                reference=""
            )
            if lock:
                qs = qs.select_for_update(of=("self",))
            found |= {(a.lead_unit_id, a.reference): a for a in qs}
        co: dict[int, list[int]] = {a.pk: [] for a in found.values()}
        pairs = _Through.objects.filter(activity_id__in=list(co)).values_list(
            "activity_id", "unit_id"
        )
        for activity_id, unit_id in pairs.order_by("pk"):
            co[activity_id].append(unit_id)
        for a in found.values():
            a._import_co = co[a.pk]  # type: ignore[attr-defined]
        return found

    # -- checking one row (no query) --

    def _require_create(self) -> None:
        if self._may_create is None:
            self._may_create = True
            if not campaigns_policy.can(
                self.actor, campaigns_policy.Cap.CAMPAIGN_VIEW, self.campaign
            ):
                self._may_create = DomainError(
                    _("Activities can be added once the campaign is published."),
                    field="campaign",
                )
        if isinstance(self._may_create, DomainError):
            raise self._may_create

    def _check(
        self, result: RowResult, args: dict[str, Any], existing_by_ref: dict[tuple[int, str], Any]
    ) -> _Write | None:
        lead: Unit = args.pop("lead_unit")
        co = services._co_organizers(args.pop("co_organizers")) or []
        existing = existing_by_ref.get((lead.pk, args["reference"])) if args["reference"] else None
        if existing is None:
            self._require_create()
            activity = Activity(
                campaign=self.campaign,
                lead_unit=lead,
                created_by=self.actor,
                status=Status.DRAFT,
            )
            services._assign(activity, args)
            services._validate(activity, co, preloaded=True)
            result.action = "create"
            return _Write(
                result,
                activity,
                co,
                {
                    "lead_unit": str(lead),
                    "campaign": str(self.campaign),
                    "co_organizers": [str(u) for u in co],
                },
            )
        result.activity_id = existing.pk
        if existing.campaign_id != self.campaign.pk:
            raise Conflict(
                _("The reference %(ref)s belongs to an activity of another campaign.")
                % {"ref": args["reference"]},
                field="reference",
                code="closed",
            )
        existing.campaign = self.campaign
        existing.lead_unit = lead
        for key in ("category", "subtype", "region"):
            _attach(existing, key, self.lookups)
        current_co = self.lookups.units(existing._import_co)
        diff = _changes(existing, {**args, "co_organizers": co}, {u.pk for u in current_co})
        if not diff:
            result.action = "unchanged"
            return None
        _check_status(existing, diff)
        before = snapshot(existing, services.EDITABLE_FIELDS)
        before_co = sorted(str(u) for u in current_co)
        new_co = diff.pop("co_organizers", None)
        service_args = dict(diff, co_organizers=new_co) if new_co is not None else dict(diff)
        services._check_overrides(self.actor, existing, diff)
        services._assign(existing, diff)
        services._validate(
            existing,
            new_co if new_co is not None else current_co,
            preloaded=True,
        )
        result.action = "update"
        if existing.status == Status.PUBLISHED and existing.capacity != before["capacity"]:
            # People may be confirmed or waiting: the service checks and promotes them.
            return _Write(result, existing, service_args=service_args)
        changes = changed_fields(existing, before, services.EDITABLE_FIELDS)
        if new_co is not None:
            after_co = sorted(str(u) for u in new_co)
            if after_co != before_co:
                changes["co_organizers"] = [before_co, after_co]
        return _Write(result, existing, new_co, changes)

    # -- writing a chunk --

    def _write(self, writes: list[_Write]) -> None:
        creates = [w for w in writes if w.activity.pk is None]
        updates = [w for w in writes if w.activity.pk is not None and w.service_args is None]
        if creates:
            _insert_activities([w.activity for w in creates])
            _insert_rows(ActivityEvent, [_event(self.actor, w.activity) for w in creates])
        if updates:
            now = timezone.now()
            fields = {"window_override", "region_override", "province", "updated_at"}
            for w in updates:
                w.activity.updated_at = now
                fields |= {k for k in w.changes if k != "co_organizers"}
            _update_rows([w.activity for w in updates], sorted(fields))
            replaced = [w.activity.pk for w in updates if w.co is not None]
            if replaced:
                _Through.objects.filter(activity_id__in=replaced).delete()
        _insert_rows(
            _Through,
            [
                _Through(activity_id=w.activity.pk, unit_id=u.pk)
                for w in creates + updates
                for u in (w.co or ())
            ],
        )
        entries = [
            _audit(self.actor, "activities.activity.created", w.activity, w.changes)
            for w in creates
        ] + [
            _audit(self.actor, "activities.activity.updated", w.activity, w.changes)
            for w in updates
            if w.changes
        ]
        _insert_rows(AuditEntry, entries)
        for w in writes:
            if w.service_args is None:
                continue
            try:
                services.activity_update(
                    actor=self.actor,
                    activity=Activity.objects.get(pk=w.activity.pk),
                    **w.service_args,
                )
            except DomainError as error:
                _refusal(w.result, error)
        for w in creates:
            w.result.activity_id = w.activity.pk
        # New activities are drafts: like `activity_index`, they get no entry (and, their ids
        # being new, have none to remove). Updated ones are re-indexed after the commit.
        ids = [w.activity.pk for w in updates]
        if ids:
            transaction.on_commit(lambda: reindex_activities(ids))


def _allocate_ids(count: int) -> list[int]:
    """Reserve `count` new activity ids (inside the write transaction).

    PostgreSQL hands them out from the table's sequence; SQLite, whose writer holds the database
    lock from the transaction's start (`transaction_mode` IMMEDIATE), continues after the highest
    id ever used (`sqlite_sequence`, which AUTOINCREMENT then moves past the inserted ids).
    """
    table, column = Activity._meta.db_table, str(Activity._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608
        last = max(row[0] if row else 0, cursor.fetchone()[0])
        return list(range(last + 1, last + count + 1))


def _insert_activities(activities: list[Activity]) -> None:
    """Insert new activities, giving each its id (what `bulk_create` does, several times faster).

    On a database other than SQLite and PostgreSQL, `bulk_create` itself.
    """
    if connection.vendor not in ("sqlite", "postgresql"):
        Activity.objects.bulk_create(activities, batch_size=500)
        return
    for activity, pk in zip(activities, _allocate_ids(len(activities)), strict=True):
        activity.pk = pk
    _insert_rows(Activity, activities, with_pk=True)


# Fields whose attribute already is the value to store (ids, numbers, flags): on PostgreSQL the
# COPY below sends them as they are, without the field's per-value preparation. Text fields only
# go through str() (what their own preparation does), aware times are sent as they are; every
# other value (naive or automatic times, files, JSON, addresses) goes through `get_db_prep_save`.
_AS_IS = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)
_TEXT = (models.CharField, models.TextField)


def _preparers(fields: list[Any], *, adding: bool) -> list[Callable[[Any], Any]]:
    """For each field, a function giving an object's value as it is stored.

    With `adding`, the value of a new row (`pre_save`, so `auto_now_add` times are set). Each
    field's kind is looked at once, not for every value.
    """

    def as_is(attname: str) -> Callable[[Any], Any]:
        return lambda obj: getattr(obj, attname)

    def text(attname: str) -> Callable[[Any], Any]:
        def prepare(obj: Any) -> Any:
            value = getattr(obj, attname)
            return value if value is None or type(value) is str else str(value)

        return prepare

    def general(f: Any) -> Callable[[Any], Any]:
        if adding:
            return lambda obj: f.get_db_prep_save(f.pre_save(obj, True), connection)
        return lambda obj: f.get_db_prep_save(getattr(obj, f.attname), connection)

    def moment(f: Any) -> Callable[[Any], Any]:
        slow = general(f)

        def prepare(obj: Any) -> Any:
            value = getattr(obj, f.attname)
            if value is None or (type(value) is datetime and value.tzinfo is not None):
                return value
            return slow(obj)

        return prepare

    out: list[Callable[[Any], Any]] = []
    for f in fields:
        # A choice (a status) is text too; URL and e-mail fields are CharFields.
        if isinstance(f, _AS_IS):
            out.append(as_is(f.attname))
        elif isinstance(f, _TEXT):
            out.append(text(f.attname))
        elif (
            isinstance(f, models.DateTimeField)
            and settings.USE_TZ
            and not (adding and (f.auto_now or f.auto_now_add))
        ):
            out.append(moment(f))
        else:
            out.append(general(f))
    return out


def _copy(cursor: Any, table: str, columns: list[str], rows: Iterable[list[Any]]) -> None:
    """PostgreSQL: load `rows` into `table` (quoted) with one COPY (no statement to parse)."""
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(table, ", ".join(quote(c) for c in columns))
    with cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_rows(model: Any, objects: list[Any], *, with_pk: bool = False) -> None:
    """INSERT these unsaved objects: one COPY on PostgreSQL, one statement per row on SQLite.

    The values are those `save()` would write (each field's `pre_save` and database preparation,
    so `auto_now_add` times are set); ids are left to the database unless `with_pk`.
    """
    if not objects:
        return
    opts = model._meta
    fields = [f for f in opts.concrete_fields if with_pk or not f.primary_key]
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        prepare = _preparers(fields, adding=True)
        with connection.cursor() as cursor:
            _copy(
                cursor,
                quote(opts.db_table),
                [f.column for f in fields],
                ([p(obj) for p in prepare] for obj in objects),
            )
    else:
        # Only quoted model names go into the text; the values are parameters.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(opts.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        params = [
            [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
            for obj in objects
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
    for obj in objects:
        obj._state.adding = False


def _update_rows(activities: list[Activity], fields: list[str]) -> None:
    """UPDATE these activities' `fields` (what `bulk_update` writes, without its CASE expressions).

    PostgreSQL: the new values are COPied into a temporary table and applied by one UPDATE
    joined on the id; SQLite: one prepared statement run for each row (`executemany`).
    """
    opts = Activity._meta
    columns: list[Any] = [opts.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table, pk = quote(opts.db_table), quote(str(opts.pk.column))
    if connection.vendor == "postgresql":
        prepare = _preparers(columns, adding=False)
        temp = "pg_temp.sciday_import_update"  # in this session's own schema
        names = ", ".join(quote(c.column) for c in columns)
        with connection.cursor() as cursor:
            # Only quoted model names go into the texts; the values travel in the COPY.
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} AS SELECT {pk}, {names} FROM {table} WITH NO DATA"  # noqa: S608
            )
            _copy(
                cursor,
                temp,
                [str(opts.pk.column), *(c.column for c in columns)],
                ([a.pk, *(p(a) for p in prepare)] for a in activities),
            )
            assignments = ", ".join(f"{quote(c.column)} = t.{quote(c.column)}" for c in columns)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {temp} t WHERE {table}.{pk} = t.{pk}"  # noqa: S608
            )
            cursor.execute(f"DROP TABLE {temp}")
        return
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        table,
        ", ".join(f"{quote(c.column)} = %s" for c in columns),
        pk,
    )
    params = [
        [c.get_db_prep_save(getattr(a, c.attname), connection) for c in columns] + [a.pk]
        for a in activities
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _attach(activity: Activity, key: str, lookups: _Lookups) -> None:
    """Give `activity` the preloaded object of a foreign key, so that reading it costs no query."""
    pk = getattr(activity, f"{key}_id")
    if pk is None:
        return
    if key == "region":
        found: Any = lookups.regions.get(pk)
    elif key == "category":
        found = lookups.category_by_pk.get(pk)
    else:
        found = lookups.subtype_by_pk.get(pk)
    if found is not None:
        setattr(activity, key, found)


def _check_status(activity: Activity, diff: dict[str, Any]) -> None:
    """`activity_update`'s refusals by status, in its words."""
    if activity.status == Status.SUBMITTED:
        raise Conflict(
            _("A submitted activity cannot be edited until it is approved or returned."),
            code="locked",
        )
    if activity.status == Status.PUBLISHED:
        frozen = set(diff) - services.PUBLISHED_EDITABLE
        if frozen:
            labels = ", ".join(
                str(Activity._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
                for name in sorted(frozen)
            )
            raise Conflict(
                _("A published activity keeps its approved %(fields)s.") % {"fields": labels},
                field=sorted(frozen)[0],
                code="published",
            )
    elif activity.status not in (Status.DRAFT, Status.RETURNED):
        raise Conflict(_("A cancelled or finished activity cannot be edited."), code="closed")


def _event(actor, activity: Activity) -> ActivityEvent:
    is_user = getattr(actor, "is_authenticated", False)
    return ActivityEvent(
        activity=activity,
        actor=actor if is_user else None,
        actor_repr=str(actor)[:200] if is_user else "",
        from_status="",
        to_status=activity.status,
    )


def _audit(actor, action: str, obj: Activity, changes: dict[str, Any]) -> AuditEntry:
    """The entry `audit_record` would append, for a `bulk_create` (the log allows INSERT)."""
    facts = current_request_facts()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry(
        actor=actor if is_user else None,
        actor_repr=str(actor)[:200] if is_user else "",
        action=action,
        success=True,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes,
        ip=facts.ip,
        user_agent=facts.user_agent,
    )


def reindex_activities(ids: list[int]) -> None:
    """Bring the search entries of these activities up to date, in bulk (after the commit).

    The same entries as `indexing.activity_index` writes one by one: public activities are
    upserted, the others (drafts, returned) lose any entry they had.
    """
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        public = list(
            Activity.objects.filter(pk__in=part, status__in=PUBLIC_STATUSES)
            .select_related(*indexing._RELATED)
            .prefetch_related("co_organizers")
        )
        public_ids = {a.pk for a in public}
        search_index_delete_many(
            kind=indexing.KIND, object_ids=[pk for pk in part if pk not in public_ids]
        )
        search_index_upsert_many(
            kind=indexing.KIND,
            entries=[
                {
                    "object_id": a.pk,
                    "title": a.title,
                    "body": indexing.activity_index_body(a),
                    "campaign_id": a.campaign_id,
                    "region_code": indexing.activity_region_code(a),
                    "published": True,
                }
                for a in public
            ],
        )


def run_import(
    *,
    actor,
    campaign: Campaign,
    unit: Unit,
    rows: Iterable[dict[str, Any]],
    commit: bool,
) -> list[RowResult]:
    """Check (commit=False, nothing is written) or write (commit=True) the rows; return results.

    `unit` is the default lead unit (rows may name another one the actor may edit for).
    """
    importer = BulkImport(actor=actor, campaign=campaign, unit=unit, keep_all=True)
    importer.run(rows, commit=commit)
    return importer.results


def summary(results: list[RowResult]) -> dict[str, int]:
    """Count the results by action."""
    counts = {"create": 0, "update": 0, "unchanged": 0, "skip": 0, "error": 0}
    for r in results:
        counts[r.action] += 1
    return counts


# --- Import jobs: the upload checked and saved in the background ---------------------------

STALE_AFTER = timedelta(minutes=15)
KEEP_CHECKED = timedelta(days=1)
RUNNING = (ImportStatus.CHECKING, ImportStatus.SAVING)


def job_create(*, actor, unit: Unit, campaign: Campaign, data: bytes, filename: str, save: bool):
    """Keep the upload and queue its check (or, with `save`, its check-and-save); return the job.

    The file must open as an .xlsx with the template's headers (checked here, at once); its rows
    are read by the task. An upload the queue refuses fails at once with the reason.
    """
    policy.require_edit_in(actor, unit)
    check_size(len(data))
    estimate = check_file(data)
    _expire_old()
    job = ImportJob.objects.create(
        token=secrets.token_urlsafe(16),
        created_by=actor,
        unit=unit,
        campaign=campaign,
        filename=filename[:255],
        data=data,
        total=estimate,
        status=ImportStatus.SAVING if save else ImportStatus.CHECKING,
    )
    _enqueue(job)
    job.refresh_from_db()
    return job


def _expire_old() -> None:
    """Drop the files of checks nobody saved within `KEEP_CHECKED` (the database keeps no
    forgotten uploads); such an import shows that it must be uploaded again."""
    ImportJob.objects.filter(
        status=ImportStatus.CHECKED, updated_at__lt=timezone.now() - KEEP_CHECKED
    ).update(
        status=ImportStatus.FAILED,
        data=b"",
        reason=str(_("This check is more than a day old; upload the file again.")),
    )


def _enqueue(job: ImportJob) -> None:
    from sciday.activities import tasks

    step = tasks.import_save if job.status == ImportStatus.SAVING else tasks.import_check
    try:
        step.enqueue(job_id=job.pk)
    except Exception:
        logger.exception("activity import %s: the task queue refused the job", job.pk)
        _fail(job.pk, _("The background queue is not available; try again in a few minutes."))


def job_save(*, actor, job: ImportJob) -> ImportJob:
    """Queue the save of a checked import (once: a second call changes nothing); return it."""
    policy.require_edit_in(actor, job.unit)
    started = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.SAVING, processed=0, updated_at=timezone.now()
    )
    if started:
        job.status = ImportStatus.SAVING
        _enqueue(job)
    job.refresh_from_db()
    return job


def job_get(*, actor, token: str) -> ImportJob | None:
    """The person's own import `token` (None when unknown or another person's).

    A step that has shown no progress for `STALE_AFTER` (its worker died, or none is running)
    is marked failed here, so that no import stays "running" forever.
    """
    job = (
        ImportJob.objects.select_related("unit", "campaign")
        .defer("data")
        .filter(token=token, created_by=actor)
        .first()
    )
    if job is not None and job.status in RUNNING and job.updated_at < timezone.now() - STALE_AFTER:
        _fail(
            job.pk,
            _("The import stopped without finishing; upload the file again."),
            only_running=True,
        )
        job.refresh_from_db()
    return job


def _fail(job_id: int, reason: Any, *, only_running: bool = False) -> None:
    qs = ImportJob.objects.filter(pk=job_id)
    if only_running:
        qs = qs.filter(status__in=RUNNING)
    qs.update(status=ImportStatus.FAILED, reason=str(reason), data=b"", updated_at=timezone.now())


def _problem(result: RowResult) -> dict[str, Any]:
    return {
        "row": result.row,
        "reference": result.reference,
        "title": result.title[:200],
        "action": result.action,
        "errors": result.errors,
    }


def job_problems(job: ImportJob) -> list[RowResult]:
    """The kept rows with problems of `job` as results (for the preview and the API)."""
    return [
        RowResult(
            row=p["row"],
            reference=p["reference"],
            title=p["title"],
            action=p["action"],
            errors=[(c, m) for c, m in p["errors"]],
        )
        for p in job.problems
    ]


def job_run(*, job_id: int) -> None:
    """Run the queued step of import `job_id` (the task): check, or check and save, its rows.

    Progress is written after every chunk; the outcome (counts, rows with problems) at the end.
    A refusal of the whole file, or any failure, marks the job failed with a reason to show; a
    save that fails part-way says how many rows it had saved (re-importing updates them).
    """
    job = ImportJob.objects.select_related("created_by", "unit", "campaign").get(pk=job_id)
    if job.status not in RUNNING:
        return
    commit = job.status == ImportStatus.SAVING
    importer: BulkImport | None = None

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(
            processed=done, total=Greatest(F("total"), done), updated_at=timezone.now()
        )

    try:
        with translation.override(settings.LANGUAGE_CODE):
            importer = BulkImport(actor=job.created_by, campaign=job.campaign, unit=job.unit)
            importer.run(iter_rows(bytes(job.data)), commit=commit, on_progress=progress)
            if importer.processed == 0:
                raise ImportRefused(_("The file has no activity rows."), field="file")
    except DomainError as error:
        _fail(job_id, error.message)
        return
    except Http404:
        _fail(job_id, _("You may no longer register activities for this unit."))
        return
    except Exception:
        logger.exception("activity import %s failed", job_id)
        with translation.override(settings.LANGUAGE_CODE):
            reason: Any = _("The import failed unexpectedly.")
            if commit and importer is not None and importer.processed:
                reason = _(
                    "The import failed unexpectedly after %(n)s rows were saved; importing the "
                    "file again updates them rather than adding them twice."
                ) % {"n": importer.processed}
            _fail(job_id, reason)
        return
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.SAVED if commit else ImportStatus.CHECKED,
        processed=importer.processed,
        total=importer.processed,
        counts=importer.counts,
        problems=[_problem(r) for r in importer.problems],
        problem_total=importer.problem_total,
        data=b"" if commit else job.data,
        updated_at=timezone.now(),
    )
