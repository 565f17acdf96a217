"""Bulk import and export of activities as Excel workbooks (`sciday.activities.importing`).

`POST /activities/import` stores an .xlsx in the template's columns and runs its check (with
`commit=true`, its check and save) as a background task, as the pages do; it answers the import's
state: `status` is `checking` or `saving` while the task runs (`processed` of `total` rows), then
`checked`, `saved` or `failed` (with `reason`). Poll `GET /activities/import/{id}` until then.
The report counts the rows by result and lists the rows with problems (each bad cell by column;
the first 1,000, `problem_total` counts them all). A checked import is saved by
`POST /activities/import/{id}/save`.
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
from sciday.activities.models import Format, ImportJob, ImportStatus, Status
from sciday.activities.policy import Cap
from sciday.activities.selectors import ActivityFilters
from sciday.api.auth import REQUIRED
from sciday.api.schemas import errors
from sciday.campaigns.models import Campaign
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import Conflict, DomainError
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
    id: str = Field(description="The import's id, for GET /activities/import/{id}")
    status: str = Field(description="checking, checked, saving, saved or failed")
    committed: bool = Field(description="True once the good rows are saved")
    processed: int = Field(description="Rows processed by the running (or last) step")
    total: int = Field(description="Rows in the file (an estimate until the check ends)")
    counts: dict[str, int] = Field(description="Rows by result: create, update, unchanged, ...")
    rows: list[RowReport] = Field(description="The rows with errors or skipped (the first 1,000)")
    problem_total: int = Field(description="How many rows have errors or were skipped")
    reason: str = Field(description="Why a failed import failed")


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


def _report(job: ImportJob) -> ImportReport:
    return ImportReport(
        id=job.token,
        status=job.status,
        committed=job.status == ImportStatus.SAVED,
        processed=job.processed,
        total=job.total,
        counts={"create": 0, "update": 0, "unchanged": 0, "skip": 0, "error": 0, **job.counts},
        rows=[
            RowReport(
                row=r.row,
                reference=r.reference,
                title=r.title,
                result=r.action,
                errors=[CellError(column=c, message=m) for c, m in r.errors],
                activity_id=None,
            )
            for r in importing.job_problems(job)
        ],
        problem_total=job.problem_total,
        reason=job.reason,
    )


def _job(user, job_id: str) -> ImportJob:
    job = importing.job_get(actor=user, token=job_id)
    if job is None or not policy.can_edit_in(user, job.unit):
        raise Http404
    return job


@router.post(
    "/activities/import",
    response={200: ImportReport, **errors(400, 403, 404)},
    summary="Check (and with commit=true, save) activities from an .xlsx, in the background",
)
def activity_import(
    request, file: File[UploadedFile], commit: bool = False, unit: int | None = None
):
    """Without `commit` nothing is written. `unit` is the default lead unit (required when you
    may register activities for several units); a row may name another one in 主办单位.
    The answer is the import's state, final if the task was quick enough."""
    user = request.auth
    campaign = campaign_current()
    if campaign is None:
        raise Http404
    lead = _lead_unit(user, unit)
    importing.check_size(file.size or 0)
    job = importing.job_create(
        actor=user,
        unit=lead,
        campaign=campaign,
        data=file.read(),
        filename=file.name or "import.xlsx",
        save=commit,
    )
    return _report(job)


@router.get(
    "/activities/import/{job_id}",
    response={200: ImportReport, **errors(404)},
    summary="The state of an import: progress, then counts and the rows with problems",
)
def activity_import_state(request, job_id: str):
    return _report(_job(request.auth, job_id))


@router.post(
    "/activities/import/{job_id}/save",
    response={200: ImportReport, **errors(404, 409)},
    summary="Save the good rows of a checked import, in the background",
)
def activity_import_save(request, job_id: str):
    """Only a checked import with rows to write can be saved; a second call changes nothing."""
    job = _job(request.auth, job_id)
    if job.status != ImportStatus.CHECKED:
        if job.status in (ImportStatus.SAVING, ImportStatus.SAVED):
            return _report(job)
        raise Conflict(_("Only a checked import can be saved."), code="not_checked")
    return _report(importing.job_save(actor=request.auth, job=job))


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
