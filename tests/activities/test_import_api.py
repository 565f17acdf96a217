"""Bulk import and export through the API: POST /api/v1/activities/import, GET export.xlsx."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from sciday.accounts.models import Membership, Role
from sciday.accounts.services import api_token_create
from sciday.activities import importing
from sciday.activities.models import Activity, Status
from tests.activities.test_import import row, workbook

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/activities/import"
EXPORT = "/api/v1/activities/export.xlsx"


def _auth(user) -> dict:
    _token, secret = api_token_create(actor=user, name="同步系统")
    return {"Authorization": f"Bearer {secret}"}


def _post(client, user, data: bytes, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(
        f"{IMPORT}?{qs}" if qs else IMPORT,
        {"file": SimpleUploadedFile("活动.xlsx", data)},
        headers=_auth(user),
    )


def test_report_without_commit_writes_nothing(world, client):
    bad = row(**{"单位内部编号": "NJ-002", "结束时间": "2023-05-20 08:00"})
    response = _post(client, world.people["lead_editor"], workbook(row(), bad))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["committed"] is False
    assert body["counts"]["create"] == 1 and body["counts"]["error"] == 1
    assert body["status"] == "checked" and body["problem_total"] == 1
    assert [r["row"] for r in body["rows"]] == [3]  # only the rows with problems
    assert body["rows"][0]["errors"][0]["column"] == "结束时间"
    assert not Activity.objects.exists()


def test_commit_saves_the_good_rows_and_reimport_updates(world, client):
    user = world.people["lead_editor"]
    response = _post(client, user, workbook(row()), commit="true")
    assert response.json()["counts"]["create"] == 1
    assert response.json()["status"] == "saved" and response.json()["committed"]
    changed = row(**{"活动名称": "新的名称"})
    response = _post(client, user, workbook(changed), commit="true")
    assert response.json()["counts"]["update"] == 1
    assert Activity.objects.get().title == "新的名称"


def test_another_provinces_unit_is_404_and_a_bad_file_400(world, client):
    user = world.people["lead_editor"]
    other = world.units["other_lead"].pk
    assert _post(client, user, workbook(row()), unit=other).status_code == 404
    response = _post(client, user, b"not a workbook")
    assert response.status_code == 400
    assert response.json()["code"] == "not_xlsx"


def test_several_lead_units_need_the_unit_parameter(world, client):
    user = world.people["lead_editor"]
    Membership.objects.create(user=user, unit=world.unit("coorg"), role=Role.UNIT_EDITOR)
    response = _post(client, user, workbook(row()))
    assert response.status_code == 400
    assert response.json()["field"] == "unit"
    ok = _post(client, user, workbook(row()), unit=world.units["lead"].pk)
    assert ok.status_code == 200 and ok.json()["counts"]["create"] == 1


def test_anonymous_callers_are_refused(world, client):
    response = client.post(IMPORT, {"file": SimpleUploadedFile("a.xlsx", workbook(row()))})
    assert response.status_code in (401, 403)
    assert client.get(EXPORT).status_code == 401


def test_export_returns_the_callers_activities_in_the_import_columns(world, client):
    world.activity(reference="NJ-001")
    world.activity(target="other", reference="HZ-001")
    world.activity(status=Status.PUBLISHED, reference="NJ-002")
    response = client.get(EXPORT, {"status": "draft"}, headers=_auth(world.people["lead_editor"]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content))[importing.SHEET]
    assert [line[0] for line in sheet.iter_rows(min_row=2, values_only=True)] == ["NJ-001"]


def test_a_checked_import_is_polled_then_saved_once(world, client):
    user = world.people["lead_editor"]
    checked = _post(client, user, workbook(row(), row(**{"单位内部编号": "NJ-002"}))).json()
    assert checked["status"] == "checked" and checked["processed"] == checked["total"] == 2
    state = client.get(f"{IMPORT}/{checked['id']}", headers=_auth(user))
    assert state.status_code == 200 and state.json()["counts"]["create"] == 2
    saved = client.post(f"{IMPORT}/{checked['id']}/save", headers=_auth(user))
    assert saved.status_code == 200 and saved.json()["status"] == "saved"
    again = client.post(f"{IMPORT}/{checked['id']}/save", headers=_auth(user))
    assert again.status_code == 200 and again.json()["status"] == "saved"
    assert Activity.objects.count() == 2


def test_another_persons_import_is_404(world, client):
    checked = _post(client, world.people["lead_editor"], workbook(row())).json()
    other = _auth(world.people["other_admin"])
    assert client.get(f"{IMPORT}/{checked['id']}", headers=other).status_code == 404
    assert client.post(f"{IMPORT}/{checked['id']}/save", headers=other).status_code == 404
    assert not Activity.objects.exists()


def test_a_file_refused_by_the_background_check_reports_why(world, client, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 1)
    user = world.people["lead_editor"]
    body = _post(client, user, workbook(row(), row(**{"单位内部编号": "NJ-002"}))).json()
    assert body["status"] == "failed" and "1" in body["reason"]
    response = client.post(f"{IMPORT}/{body['id']}/save", headers=_auth(user))
    assert response.status_code == 409
    assert not Activity.objects.exists()
