"""Bulk import and export of activities through Excel workbooks, on the pages."""

from __future__ import annotations

import time
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sciday.activities import importing
from sciday.activities.models import Activity, Status
from sciday.core.models import AuditEntry

pytestmark = pytest.mark.django_db

UPLOAD = reverse("activity_admin:import")
TEMPLATE = reverse("activity_admin:import_template")
EXPORT = reverse("activity_admin:export")
HEADERS = [header for _key, header in importing.COLUMNS]


def row(**overrides) -> dict:
    """A good row for the Nanjing unit: an offline talk in the campaign window."""
    data = {
        "单位内部编号": "NJ-001",
        "活动名称": "科学家精神报告会",
        "活动简介": "院士走进校园",
        "活动类别": "4",
        "活动子类": "",
        "活动形式": "线下",
        "开始时间": "2023-05-20 09:00",
        "结束时间": "2023-05-20 11:30",
        "行政区划代码或名称": "320100",
        "详细地址": "市科技馆报告厅",
        "线上链接": "",
        "面向对象": "中学生",
        "人数上限": 200,
        "是否需要报名": "是",
        "预计参与人数": 180,
        "联合主办单位": "甲省苏州市科协",
        "主办单位": "",
    }
    data.update(overrides)
    return data


def workbook(*rows: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = importing.SHEET
    sheet.append(HEADERS)
    for r in rows:
        sheet.append([r.get(h, "") for h in HEADERS])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, world, data: bytes, *, unit="lead", name="活动.xlsx"):
    return client.post(
        UPLOAD,
        {"unit": world.units[unit].pk, "file": SimpleUploadedFile(name, data)},
    )


def preview(client, world, *rows: dict):
    response = upload(client, world, workbook(*rows))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"], client.get(response["Location"])


def test_template_downloads_and_parses_back_with_its_help_sheet(world, login):
    client = login(world.people["lead_editor"])
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert [c.value for c in book[importing.SHEET][1]] == HEADERS
    helper = [str(c.value) for line in book[importing.HELP_SHEET].iter_rows() for c in line]
    assert "线上线下" in helper and "320100" in helper and "南京市" in helper
    assert importing.read_workbook(response.content) == []


def test_good_rows_preview_writes_nothing_then_commit_creates_drafts(world, login):
    client = login(world.people["lead_editor"])
    second = row(
        **{
            "单位内部编号": "NJ-002",
            "活动名称": "线上科普直播",
            "活动形式": "线上",
            "行政区划代码或名称": "",
            "线上链接": "https://live.example.cn/1",
        }
    )
    url, page = preview(client, world, row(), second)
    assert page.status_code == 200
    assert page.context["counts"]["create"] == 2
    assert not Activity.objects.exists()
    assert "保存 2 项活动" in page.content.decode()

    done = client.post(url, follow=True)
    assert done.status_code == 200
    assert done.context["committed"]
    assert done.context["counts"]["create"] == 2
    first = Activity.objects.get(reference="NJ-001")
    assert first.status == Status.DRAFT
    assert first.lead_unit == world.unit("lead")
    assert first.created_by == world.people["lead_editor"]
    assert [u.name for u in first.co_organizers.all()] == ["甲省苏州市科协"]
    assert first.signup_required and first.capacity == 200
    assert first.starts_at.isoformat() == "2023-05-20T01:00:00+00:00"
    assert AuditEntry.objects.filter(action="activities.activity.created").count() == 2
    # Saving again (a second click) writes nothing more.
    assert client.post(url).status_code == 302
    assert Activity.objects.count() == 2


def test_excel_datetimes_and_region_names_are_read(world, login):
    from datetime import datetime

    client = login(world.people["lead_editor"])
    _url, page = preview(
        client,
        world,
        row(
            **{
                "开始时间": datetime(2023, 5, 21, 14, 0),  # noqa: DTZ001  (Excel cells are naive)
                "结束时间": datetime(2023, 5, 21, 16, 0),  # noqa: DTZ001
                "行政区划代码或名称": "南京市",
            }
        ),
    )
    assert page.context["counts"]["create"] == 1, page.context["results"][0].errors


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"开始时间": "5月20日上午"}, "开始时间", "不是"),
        ({"结束时间": "2023-05-20 08:00"}, "结束时间", "早于"),
        ({"活动类别": "99"}, "活动类别", "99"),
        ({"活动形式": "线下", "行政区划代码或名称": ""}, "行政区划代码或名称", ""),
        ({"联合主办单位": "不存在的协会"}, "联合主办单位", "不存在的协会"),
        ({"人数上限": -5}, "人数上限", ""),
        ({"活动形式": "现场"}, "活动形式", "现场"),
        ({"是否需要报名": "也许"}, "是否需要报名", ""),
    ],
)
def test_bad_cells_are_named_with_their_column(world, login, overrides, column, message):
    client = login(world.people["lead_editor"])
    _url, page = preview(client, world, row(**overrides), row(**{"单位内部编号": "NJ-002"}))
    [bad] = page.context["results"]  # only the rows with problems are listed
    assert bad.action == "error" and bad.row == 2
    assert page.context["counts"]["create"] == 1
    columns = [c for c, _m in bad.errors]
    assert column in columns, bad.errors
    assert message in " ".join(m for _c, m in bad.errors)
    assert column in page.content.decode()
    assert not Activity.objects.exists()


def test_several_bad_cells_of_one_row_are_all_reported(world, login):
    client = login(world.people["lead_editor"])
    _url, page = preview(
        client, world, row(**{"开始时间": "明天", "活动类别": "无", "人数上限": "许多"})
    )
    columns = {c for c, _m in page.context["results"][0].errors}
    assert {"开始时间", "活动类别", "人数上限"} <= columns


def test_a_file_that_is_not_xlsx_is_refused(world, login):
    client = login(world.people["lead_editor"])
    response = upload(client, world, b"title,starts\nfoo,bar\n", name="活动.xlsx")
    assert response.status_code == 400
    assert "Excel" in response.content.decode()


def test_an_oversized_file_is_refused(world, login, monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 1000)
    client = login(world.people["lead_editor"])
    response = upload(client, world, workbook(row()))
    assert response.status_code == 400
    assert "MB" in response.content.decode()


def test_too_many_rows_are_refused(world, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    with pytest.raises(importing.ImportRefused):
        importing.read_workbook(workbook(row(), row(), row()))


def test_reimport_updates_by_reference_without_duplicates(world, login):
    client = login(world.people["lead_editor"])
    url, _page = preview(client, world, row())
    client.post(url)
    url, page = preview(
        client,
        world,
        row(**{"活动名称": "科学家精神报告会（更新）"}),
        row(**{"单位内部编号": "NJ-002"}),
    )
    assert page.context["counts"]["update"] == 1 and page.context["counts"]["create"] == 1
    assert page.context["results"] == []
    client.post(url)
    assert Activity.objects.count() == 2
    assert Activity.objects.get(reference="NJ-001").title == "科学家精神报告会（更新）"
    assert AuditEntry.objects.filter(action="activities.activity.updated").count() == 1


def test_duplicate_reference_within_the_file_is_an_error(world, login):
    client = login(world.people["lead_editor"])
    _url, page = preview(client, world, row(), row())
    assert page.context["counts"]["create"] == 1 and page.context["counts"]["error"] == 1
    [duplicate] = page.context["results"]
    assert duplicate.row == 3 and duplicate.errors[0][0] == "单位内部编号"


def test_reimport_of_an_activity_that_may_not_change_is_skipped_with_the_reason(world, login):
    world.activity(status=Status.SUBMITTED, reference="NJ-001")
    client = login(world.people["lead_editor"])
    _url, page = preview(client, world, row(**{"活动名称": "新名称"}))
    result = page.context["results"][0]
    assert result.action == "skip"
    assert result.errors


def test_another_provinces_unit_is_404(world, login):
    client = login(world.people["lead_editor"])
    assert upload(client, world, workbook(row()), unit="other_lead").status_code == 404
    # Someone else's preview token is not found either.
    url, _page = preview(client, world, row())
    other = login(world.people["other_admin"])
    assert other.get(url).status_code == 404


def test_a_row_may_not_name_a_lead_unit_out_of_reach(world, login):
    client = login(world.people["lead_editor"])
    _url, page = preview(client, world, row(**{"主办单位": "乙省杭州市科协"}))
    assert page.context["results"][0].errors[0][0] == "主办单位"


def test_export_round_trips_through_import(world, login):
    world.activity(reference="NJ-001")
    world.activity(status=Status.PUBLISHED, reference="NJ-002", title="已发布的活动")
    world.activity(target="other", reference="HZ-001")
    client = login(world.people["lead_editor"])
    response = client.get(EXPORT)
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    sheet = book[importing.SHEET]
    assert [c.value for c in sheet[1]][-1] == importing.STATUS_HEADER
    refs = [line[0] for line in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(refs) == ["NJ-001", "NJ-002"]  # not the other province's
    reupload = client.post(
        UPLOAD,
        {"unit": world.units["lead"].pk, "file": SimpleUploadedFile("e.xlsx", response.content)},
    )
    page = client.get(reupload["Location"])
    assert page.context["counts"]["unchanged"] == 2 and page.context["results"] == []


def test_export_follows_the_list_filters(world, login):
    world.activity(reference="NJ-001")
    world.activity(status=Status.PUBLISHED, reference="NJ-002")
    client = login(world.people["lead_editor"])
    response = client.get(EXPORT, {"status": "published"})
    sheet = load_workbook(BytesIO(response.content))[importing.SHEET]
    assert [line[0] for line in sheet.iter_rows(min_row=2, values_only=True)] == ["NJ-002"]


def test_list_links_to_import_and_export(world, login):
    client = login(world.people["lead_editor"])
    body = client.get(reverse("activity_admin:list")).content.decode()
    assert UPLOAD in body and EXPORT in body


def test_import_rate_for_2000_rows(world):
    rows = [
        {
            "row": n + 2,
            **{
                key: row(**{"单位内部编号": f"NJ-{n:04d}"})[header]
                for key, header in importing.COLUMNS
            },
        }
        for n in range(2000)
    ]
    actor = world.people["lead_editor"]
    started = time.perf_counter()
    results = importing.run_import(
        actor=actor, campaign=world.campaign, unit=world.unit("lead"), rows=rows, commit=True
    )
    elapsed = time.perf_counter() - started
    assert all(r.action == "create" for r in results)
    print(f"\nimport rate: {len(rows) / elapsed:.0f} rows/s ({elapsed:.1f} s for {len(rows)})")
