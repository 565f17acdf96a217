"""Bulk import and export of activities as Excel workbooks (`sciday.activities.importing`).

`POST /activities/import` checks an .xlsx in the template's columns and answers a report, row by
row; with `commit=true` it also saves the good rows (each through the activities services).
`GET /activities/export.xlsx` returns the activities you edit or decide on, in the same columns,
so that the file can be edited and imported again.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Query, Router, Schema, UploadedFile

from sciday.activities import importing, policy, selectors
from sciday.activities.models import Format, Status
from sciday.activities.policy import Cap
from sciday.activities.selectors import ActivityFilters
from sciday.api.auth import REQUIRED
from sciday.api.schemas import errors
from sciday.campaigns.models import Campaign
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import DomainError
from sciday.orgs.models import Unit

router = Router(tags=["activities"], auth=REQUIRED)


class CellError(Schema):
    column: str = Field(description="The column's header in the template")
    message: str


class RowReport(Schema):
    row: int = Field(description="The row number in the sheet (the headers are row 1)")
    reference: str
    title: str
    result: str = Field(description="create, update, unchanged, skip or error")
    errors: list[CellError]
    activity_id: int | None = Field(description="Set for written (or unchanged) rows")


class ImportReport(Schema):
    committed: bool
    counts: dict[str, int]
    rows: list[RowReport]


class ExportFilters(Schema):
    campaign: int | None = Field(None, description="The campaign's year")
    status: Status | None = None
    category: int | None = Field(None, description="The category's id")
    format: Format | None = None
    province: str | None = Field(None, pattern=r"^\d{6}$")
    unit: int | None = Field(None, description="Activities led by this unit or its sub-units")
    date_from: date | None = None
    date_to: date | None = None


def _lead_unit(user, unit_id: int | None) -> Unit:
    if unit_id is not None:
        unit = get_object_or_404(Unit, pk=unit_id, is_active=True)
        policy.require_edit_in(user, unit)
        return unit
    from sciday.accounts.selectors import user_memberships

    units = {m.unit.pk: m.unit for m in user_memberships(user=user)}
    mine = [u for u in units.values() if u.is_active and policy.can_edit_in(user, u)]
    if len(mine) != 1:
        raise DomainError(
            _("Give the id of the lead unit in the unit parameter."),
            field="unit",
            code="unit_required",
        )
    return mine[0]


@router.post(
    "/activities/import",
    response={200: ImportReport, **errors(400, 403, 404)},
    summary="Check (and with commit=true, save) activities from an .xlsx in the template's columns",
)
def activity_import(
    request, file: File[UploadedFile], commit: bool = False, unit: int | None = None
):
    """Without `commit` nothing is written. `unit` is the default lead unit (required when you
    may register activities for several units); a row may name another one in 主办单位."""
    user = request.auth
    campaign = campaign_current()
    if campaign is None:
        raise Http404
    lead = _lead_unit(user, unit)
    importing.check_size(file.size or 0)
    rows = importing.read_workbook(file.read())
    results = importing.run_import(
        actor=user, campaign=campaign, unit=lead, rows=rows, commit=commit
    )
    return ImportReport(
        committed=commit,
        counts=importing.summary(results),
        rows=[
            RowReport(
                row=r.row,
                reference=r.reference,
                title=r.title,
                result=r.action,
                errors=[CellError(column=c, message=m) for c, m in r.errors],
                activity_id=r.activity_id,
            )
            for r in results
        ],
    )


@router.get(
    "/activities/export.xlsx",
    response={200: None, **errors(404)},
    summary="The activities you edit or decide on, as an .xlsx in the import columns",
)
def activity_export(request, filters: Query[ExportFilters]):
    user = request.auth
    campaign_id = None
    if filters.campaign is not None:
        found = Campaign.objects.filter(year=filters.campaign).only("pk").first()
        if found is None:
            raise Http404
        campaign_id = found.pk
    unit = get_object_or_404(Unit, pk=filters.unit) if filters.unit is not None else None
    scope = policy.activities_for(user, Cap.EDIT) | policy.activities_for(user, Cap.APPROVE)
    qs = selectors.activity_list(
        viewer=user,
        filters=ActivityFilters(
            campaign=campaign_id,
            unit=unit,
            status=filters.status or None,
            category=filters.category,
            format=filters.format or None,
            province=filters.province,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    ).filter(pk__in=scope.values("pk"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        importing.export_workbook(activities=qs),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="activities-{stamp}.xlsx"'
    return response
