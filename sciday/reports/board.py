"""Reads for the completeness board: how far a receiving department's expected units are.

Kept apart from `selectors.py` (which several pages share) because the board is its own
sub-domain: the counts (`board`), the units behind one count (`board_units`) and who may look
(`board_departments`). Each expected unit is in one or more of these sets:

- expected: every unit the campaign expects (not removed) whose report goes to the department;
- submitted: its report was submitted at least once (whatever happened to it since);
- on time / late: submitted, split by the report's late flag;
- returned / accepted: the report's current state;
- missing: never submitted (no report, or a draft only).

`board` answers in two queries whatever the number of units: one aggregate grouped by unit kind
and province, one for the provinces' names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Substr
from django.http import Http404

from sciday.campaigns.models import Campaign, ReportRoute
from sciday.core.errors import NotAllowed
from sciday.orgs.models import Region, Unit, UnitKind
from sciday.reports import policy
from sciday.reports.models import ExpectedReporter, Report, Status

# The board's columns, in order. `missing` and `on_time` are derived from the others.
STATES: tuple[str, ...] = (
    "expected",
    "submitted",
    "on_time",
    "late",
    "returned",
    "accepted",
    "missing",
)
NO_PROVINCE = "none"  # units without a region (national societies, ...)


@dataclass
class Counts:
    expected: int = 0
    submitted: int = 0
    late: int = 0
    returned: int = 0
    accepted: int = 0

    @property
    def on_time(self) -> int:
        return self.submitted - self.late

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    def add(self, other: Counts) -> None:
        self.expected += other.expected
        self.submitted += other.submitted
        self.late += other.late
        self.returned += other.returned
        self.accepted += other.accepted

    def as_list(self) -> list[tuple[str, int]]:
        return [(state, getattr(self, state)) for state in STATES]


@dataclass
class BoardRow:
    key: str  # a unit kind, or a province code ("32") / NO_PROVINCE
    label: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Board:
    campaign: Campaign
    department: Unit
    by_kind: list[BoardRow]
    by_province: list[BoardRow]
    total: Counts


def _annotated(campaign: Campaign, department: Unit) -> QuerySet[ExpectedReporter]:
    """The department's expected units, each with its report's facts and its province."""
    reports = Report.objects.filter(campaign=campaign, unit=OuterRef("unit_id"))
    return ExpectedReporter.objects.filter(
        campaign=campaign, department=department, removed=False
    ).annotate(
        r_status=Subquery(reports.values("status")[:1], output_field=CharField()),
        r_submitted=Exists(reports.filter(submitted_at__isnull=False)),
        r_late=Exists(reports.filter(submitted_at__isnull=False, is_late=True)),
        province=Coalesce(
            Substr("unit__region_id", 1, 2), Value(NO_PROVINCE), output_field=CharField()
        ),
    )


def _state_filter(state: str) -> Q:
    submitted = Q(r_submitted=True)
    return {
        "expected": Q(),
        "submitted": submitted,
        "on_time": submitted & Q(r_late=False),
        "late": submitted & Q(r_late=True),
        "returned": Q(r_status=Status.RETURNED),
        "accepted": Q(r_status=Status.ACCEPTED),
        "missing": Q(r_submitted=False),
    }[state]


def board_departments(*, viewer, campaign: Campaign) -> list[Unit]:
    """Return the departments whose board `viewer` may see: every receiving department of the
    campaign for campaign admins, the departments they review for reviewers, else none."""
    routed = ReportRoute.objects.filter(campaign=campaign).values("department_id")
    expected = ExpectedReporter.objects.filter(campaign=campaign).values("department_id")
    qs = Unit.objects.filter(Q(pk__in=routed) | Q(pk__in=expected))
    if not policy.can_manage(viewer):
        qs = qs.filter(pk__in=policy.reviewed_departments(viewer))
    return list(qs.order_by("path"))


def board_department_get(*, viewer, campaign: Campaign, pk: int | None) -> tuple[Unit, list[Unit]]:
    """Return the department `pk` (or the first one `viewer` may see) and all they may see.

    NotAllowed when the viewer sees no board at all; 404 for a department out of their sight.
    """
    departments = board_departments(viewer=viewer, campaign=campaign)
    if not departments:
        raise NotAllowed()
    if pk is None:
        return departments[0], departments
    for department in departments:
        if department.pk == pk:
            return department, departments
    raise Http404


def board(*, viewer, campaign: Campaign, department: Unit) -> Board:
    """Return the department's counts by unit kind, by province and in all (two queries)."""
    if department not in board_departments(viewer=viewer, campaign=campaign):
        raise Http404
    return board_counts(campaign=campaign, department=department)


def board_counts(*, campaign: Campaign, department: Unit) -> Board:
    """The counts without a permission check (for the API and the benchmark, after theirs)."""
    rows = (
        _annotated(campaign, department)
        .values("unit__kind", "province")  # type: ignore[misc]  # (an annotation)
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=_state_filter("submitted")),
            late=Count("pk", filter=_state_filter("late")),
            returned=Count("pk", filter=_state_filter("returned")),
            accepted=Count("pk", filter=_state_filter("accepted")),
        )
        .order_by()
    )
    by_kind: dict[str, Counts] = {}
    by_province: dict[str, Counts] = {}
    total = Counts()
    for row in rows:
        counts = Counts(
            expected=row["expected"],
            submitted=row["submitted"],
            late=row["late"],
            returned=row["returned"],
            accepted=row["accepted"],
        )
        by_kind.setdefault(row["unit__kind"], Counts()).add(counts)
        by_province.setdefault(row["province"], Counts()).add(counts)
        total.add(counts)
    names = dict(
        Region.objects.filter(code__in=[p + "0000" for p in by_province if p != NO_PROVINCE])
        .values_list("code", "name")
        .iterator()
    )
    kind_order = list(UnitKind.values)
    kinds = [
        BoardRow(kind, str(UnitKind(kind).label) if kind in kind_order else kind, counts)
        for kind, counts in sorted(
            by_kind.items(),
            key=lambda kv: kind_order.index(kv[0]) if kv[0] in kind_order else 99,
        )
    ]
    provinces = [
        BoardRow(code, names.get(code + "0000", code), counts)
        for code, counts in sorted(by_province.items())
        if code != NO_PROVINCE
    ]
    if NO_PROVINCE in by_province:
        provinces.append(BoardRow(NO_PROVINCE, "", by_province[NO_PROVINCE]))
    return Board(campaign, department, kinds, provinces, total)


def board_units(
    *,
    viewer,
    campaign: Campaign,
    department: Unit,
    state: str = "expected",
    kind: str | None = None,
    province: str | None = None,
) -> QuerySet[ExpectedReporter]:
    """Return the expected units behind one number of the board, by unit path, each annotated
    with `r_status`, `r_submitted`, `r_late` and `province`. 404 for a department out of sight;
    an unknown state, kind or province gives no rows."""
    if department not in board_departments(viewer=viewer, campaign=campaign):
        raise Http404
    if state not in STATES:
        return ExpectedReporter.objects.none()
    qs = _annotated(campaign, department).filter(_state_filter(state))
    if kind:
        qs = qs.filter(unit__kind=kind)
    if province:
        qs = qs.filter(Q(province=province))
    return qs.select_related("unit", "unit__region").order_by("unit__path")


def missing_units(
    *, campaign: Campaign, department: Unit | None = None, unit_ids=None
) -> QuerySet[ExpectedReporter]:
    """Return the expected units (of a department, or all) that have not submitted their report."""
    reports = Report.objects.filter(
        campaign=campaign, unit=OuterRef("unit_id"), submitted_at__isnull=False
    )
    qs = ExpectedReporter.objects.filter(campaign=campaign, removed=False).filter(~Exists(reports))
    if department is not None:
        qs = qs.filter(department=department)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    return qs.select_related("unit").order_by("unit__path")
