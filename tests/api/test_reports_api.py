"""Summary reports through the API: the permission matrix with tokens (and the session), the
whole loop (start, draft, stale save refused with both texts, scan, submit, return with notes,
resubmit, accept, versions and their diff), the deadline's refusal, filters and the board.

The world is the reports one (tests/reports/conftest.py): 甲省科协's report goes to CAST's
department (cast_reviewer), 甲省科技厅's to MOST's (most_reviewer).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.services import api_token_create
from sciday.reports import services
from sciday.reports.models import DraftConflict, Report, ReportSettings, Status
from tests.activities.world import at
from tests.reports.conftest import ReportWorld
from tests.reports.conftest import rw as rw
from tests.resources import hostile

API = "/api/v1"
JSON = "application/json"
CJK = re.compile(r"[\u4e00-\u9fff]")
NATIONAL = ("campaign_admin", "cast_reviewer", "most_reviewer")
ON_TIME = at(2023, 6, 30, 23, 59, 59)
LATE = at(2023, 7, 1, 0, 0, 0)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return root


def stored(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def world(rw) -> ReportWorld:
    for role in NATIONAL:
        TOTPDevice.objects.create(user=rw.people[role], name="phone", confirmed=True)
    services.expected_recompute(actor=rw.people["campaign_admin"], campaign=rw.campaign)
    return rw


@pytest.fixture
def call(client, world):
    """call(role, method, path, body=None, form=False) -> response, with the role's token."""
    tokens: dict[str, str] = {}

    def _call(role: str, method: str, path: str, body=None, *, form: bool = False, **headers):
        if role != "anonymous":
            if role not in tokens:
                tokens[role] = api_token_create(actor=world.people[role], name="省级系统")[1]
            headers["Authorization"] = f"Bearer {tokens[role]}"
        kwargs: dict = {"headers": headers}
        if body is not None:
            kwargs.update(data=body) if form else kwargs.update(data=body, content_type=JSON)
        return getattr(client, method)(f"{API}{path}", **kwargs)

    return _call


def scan_file(name: str = "总结报告（盖章）.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, hostile.pdf(["stamped"]), content_type="application/pdf")


# --- The permission matrix -------------------------------------------------------------------

# role → expected status of (view 甲省科协's report, save a draft, return it)
MATRIX = {
    "prov_editor": (200, 200, 403),
    "prov_admin": (200, 200, 403),
    "lead_admin": (404, 404, 404),  # a sub-unit does not see its parent's report
    "other_admin": (404, 404, 404),
    "std_editor": (404, 404, 404),
    "cast_reviewer": (200, 403, 400),  # the receiving department (400: no reason given)
    "most_reviewer": (404, 404, 404),  # another department
    "campaign_admin": (200, 200, 400),
    "public": (404, 404, 404),
    "anonymous": (401, 401, 401),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(world, call, who):
    view, edit, review = MATRIX[who]
    report = services.report_submit(
        actor=world.people["prov_editor"], report=world.ready(), now=ON_TIME
    )
    seen = call(who, "get", f"/reports/{report.pk}")
    assert seen.status_code == view, seen.content
    if view == 200:
        assert seen.json()["unit"]["name"] == "甲省科协"
    listed = call(who, "get", "/reports?campaign=2023")
    if who != "anonymous":
        ids = [r["id"] for r in listed.json()["items"]]
        assert (report.pk in ids) == (view == 200)
    # The submitted report is not editable: the editors' save answers 409, others are refused
    # before that.
    saved = call(who, "patch", f"/reports/{report.pk}", {"base_version": report.version})
    assert saved.status_code == (409 if edit == 200 else edit), saved.content
    returned = call(who, "post", f"/reports/{report.pk}/return", {"reason": " "})
    assert returned.status_code == review, returned.content
    if review in (400, 403, 404):
        assert CJK.search(returned.json()["detail"])
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_lists_show_a_unit_its_own_and_a_department_what_is_routed_to_it(world, call):
    prov = world.report("prov")
    std = world.report("std", "std_editor")

    def ids(role, query=""):
        answer = call(role, "get", f"/reports?campaign=2023{query}")
        assert answer.status_code == 200, answer.content
        return sorted(r["id"] for r in answer.json()["items"])

    assert ids("prov_editor") == [prov.pk]
    assert ids("std_editor") == [std.pk]
    assert ids("cast_reviewer") == [prov.pk]
    assert ids("most_reviewer") == [std.pk]
    assert ids("campaign_admin") == sorted([prov.pk, std.pk])
    assert ids("lead_admin") == [] and ids("public") == []
    assert ids("campaign_admin", "&unit_kind=provincial_std") == [std.pk]
    assert ids("campaign_admin", "&status=submitted") == []
    assert ids("campaign_admin", "&status=draft&late=false") == sorted([prov.pk, std.pk])
    assert ids("campaign_admin", "&province=320000") == sorted([prov.pk, std.pk])
    assert ids("campaign_admin", "&province=330000") == []
    unknown = call("campaign_admin", "get", "/reports?campaign=1999")
    assert unknown.status_code == 404


# --- The loop --------------------------------------------------------------------------------


def test_start_draft_scan_submit_return_resubmit_accept(world, call, media):
    prov = world.unit("prov")
    started = call("prov_editor", "post", "/reports", {"unit": prov.pk, "campaign": 2023})
    assert started.status_code == 201, started.content
    body = started.json()
    pk, version = body["id"], body["version"]
    assert body["status"] == "draft" and body["transitions"] == ["edit", "submit"]
    assert body["department"]["name"] == "中国科协宣传文化部"
    figures = {f["code"]: f["value"] for f in body["figures"]}
    # Pre-filled from 甲省's published activity.
    assert sum(v for c, v in figures.items() if c.startswith("activities.")) >= 1
    assert set(body["sections"]) == {"overview", "highlights", "problems"}
    again = call("prov_admin", "post", "/reports", {"unit": prov.pk, "campaign": 2023})
    assert again.status_code == 200 and again.json()["id"] == pk

    saved = call(
        "prov_editor",
        "patch",
        f"/reports/{pk}",
        {
            "base_version": version,
            "overview": "全省共举办活动120场。",
            "figures": {**figures, "volunteers": 300, "volunteer_hours": "1200.5"},
        },
    )
    assert saved.status_code == 200, saved.content
    after = saved.json()
    assert (
        after["version"] == version + 1 and after["sections"]["overview"] == "全省共举办活动120场。"
    )
    assert {f["code"]: f["value"] for f in after["figures"]}["volunteer_hours"] == 1200.5

    too_soon = call("prov_editor", "post", f"/reports/{pk}/submit")
    assert too_soon.status_code == 400 and too_soon.json()["field"] == "file"
    assert CJK.search(too_soon.json()["detail"])

    refused = call(
        "prov_editor",
        "post",
        f"/reports/{pk}/scan",
        {"file": SimpleUploadedFile("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64)},
        form=True,
    )
    assert refused.status_code == 400 and CJK.search(refused.json()["detail"])
    assert stored(media) == []
    attached = call("prov_editor", "post", f"/reports/{pk}/scan", {"file": scan_file()}, form=True)
    assert attached.status_code == 200, attached.content
    scan = attached.json()["scan"]
    assert scan["name"] == "总结报告（盖章）.pdf" and len(stored(media)) == 1

    pdf = call("cast_reviewer", "get", scan["url"].removeprefix(API))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")
    assert call("most_reviewer", "get", scan["url"].removeprefix(API)).status_code == 404

    with time_machine.travel(ON_TIME, tick=False):
        submitted = call("prov_editor", "post", f"/reports/{pk}/submit")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted" and submitted.json()["is_late"] is False
    assert call("cast_reviewer", "get", f"/reports/{pk}").json()["transitions"] == [
        "accept",
        "return",
    ]

    returned = call(
        "cast_reviewer",
        "post",
        f"/reports/{pk}/return",
        {"reason": "请补充典型经验。", "section_notes": {"highlights": "写一两个案例。"}},
    )
    assert returned.status_code == 200, returned.content
    detail = returned.json()
    assert detail["status"] == "returned" and detail["return_reason"] == "请补充典型经验。"
    assert detail["section_notes"] == {"highlights": "写一两个案例。"}
    assert detail["versions"][0]["decision"] == "returned"

    revised = call(
        "prov_editor",
        "patch",
        f"/reports/{pk}",
        {"base_version": detail["version"], "highlights": "院士进校园，覆盖学生两万人。"},
    )
    assert revised.status_code == 200, revised.content
    resubmitted = call("prov_editor", "post", f"/reports/{pk}/submit")
    assert resubmitted.status_code == 200 and resubmitted.json()["is_late"] is False
    accepted = call("cast_reviewer", "post", f"/reports/{pk}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert call("cast_reviewer", "post", f"/reports/{pk}/accept").status_code == 409
    late_edit = call("prov_editor", "patch", f"/reports/{pk}", {"base_version": 99})
    assert late_edit.status_code == 409

    versions = call("prov_editor", "get", f"/reports/{pk}/versions").json()
    assert [(v["number"], v["decision"]) for v in versions] == [(1, "returned"), (2, "accepted")]
    assert versions[0]["reason"] == "请补充典型经验。"
    assert versions[1]["sections"]["highlights"] == "院士进校园，覆盖学生两万人。"
    diff = call("cast_reviewer", "get", f"/reports/{pk}/diff?from=1&to=2")
    assert diff.status_code == 200, diff.content
    highlights = next(s for s in diff.json()["sections"] if s["name"] == "highlights")
    assert highlights["changed"] is True
    assert ["insert", "院士进校园，覆盖学生两万人。"] in highlights["segments"]
    unknown = call("cast_reviewer", "get", f"/reports/{pk}/diff?from=1&to=7")
    assert unknown.status_code == 400 and unknown.json()["field"] == "to"


def test_stale_save_answers_409_with_both_texts_and_keeps_the_refused_one(world, call):
    report = world.report()
    base = report.version
    first = call(
        "prov_editor",
        "patch",
        f"/reports/{report.pk}",
        {"base_version": base, "overview": "甲的文字"},
    )
    assert first.status_code == 200
    second = call(
        "prov_editor2",
        "patch",
        f"/reports/{report.pk}",
        {"base_version": base, "overview": "乙的文字"},
    )
    assert second.status_code == 409, second.content
    body = second.json()
    assert body["code"] == "stale" and CJK.search(body["detail"])
    assert body["stored"]["overview"] == "甲的文字" and body["sent"]["overview"] == "乙的文字"
    kept = DraftConflict.objects.get(pk=body["kept"])
    assert kept.sections["overview"] == "乙的文字"
    assert Report.objects.get(pk=report.pk).overview == "甲的文字"


def test_deadline_refusal_and_late_flag(world, call):
    report = world.ready()
    ReportSettings.objects.create(campaign=world.campaign, late_reports="refuse")
    with time_machine.travel(LATE, tick=False):
        refused = call("prov_editor", "post", f"/reports/{report.pk}/submit")
    assert refused.status_code == 400 and refused.json()["code"] == "late"
    assert "2023-06-30 23:59:59" in refused.json()["detail"]
    assert Report.objects.get(pk=report.pk).status == Status.DRAFT
    ReportSettings.objects.filter(campaign=world.campaign).update(late_reports="accept")
    with time_machine.travel(LATE, tick=False):
        flagged = call("prov_editor", "post", f"/reports/{report.pk}/submit")
    assert flagged.status_code == 200 and flagged.json()["is_late"] is True
    late = call("campaign_admin", "get", "/reports?campaign=2023&late=true").json()["items"]
    assert [r["id"] for r in late] == [report.pk]


def test_refusals_write_nothing(world, call):
    report = world.report()
    bad = call(
        "prov_editor",
        "patch",
        f"/reports/{report.pk}",
        {"base_version": report.version, "figures": {"volunteers": -3}},
    )
    assert bad.status_code == 400 and bad.json()["field"] == "figures"
    long = call(
        "prov_editor",
        "patch",
        f"/reports/{report.pk}",
        {"base_version": report.version, "overview": "字" * 3001},
    )
    assert long.status_code == 400 and long.json()["code"] == "too_long"
    assert Report.objects.get(pk=report.pk).version == report.version
    idle = call("campaign_admin", "post", "/reports", {"unit": world.unit("idle").pk})
    assert idle.status_code == 400 and CJK.search(idle.json()["detail"])
    other = call("prov_editor", "post", "/reports", {"unit": world.unit("std").pk})
    assert other.status_code == 404
    assert not Report.objects.filter(unit=world.unit("std")).exists()


# --- Session ---------------------------------------------------------------------------------


def test_session_works_and_needs_csrf_for_writes(world):
    report = world.report()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people["prov_editor"])
    assert client.get(f"{API}/reports/{report.pk}").status_code == 200
    body = {"base_version": report.version, "overview": "会话保存"}
    refused = client.patch(f"{API}/reports/{report.pk}", body, content_type=JSON)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    client.cookies["csrftoken"] = "a" * 32
    saved = client.patch(
        f"{API}/reports/{report.pk}", body, content_type=JSON, headers={"X-CSRFToken": "a" * 32}
    )
    assert saved.status_code == 200 and saved.json()["sections"]["overview"] == "会话保存"


# --- The board -------------------------------------------------------------------------------


def test_board_for_the_department_and_refused_to_units(world, call):
    services.report_submit(actor=world.people["prov_editor"], report=world.ready(), now=LATE)
    board = call("cast_reviewer", "get", "/reports/board?campaign=2023")
    assert board.status_code == 200, board.content
    body = board.json()
    assert body["department"]["name"] == "中国科协宣传文化部"
    assert [d["name"] for d in body["departments"]] == ["中国科协宣传文化部"]
    total = body["total"]
    assert total["submitted"] == 1 and total["late"] == 1 and total["on_time"] == 0
    assert total["missing"] == total["expected"] - 1
    kinds = {row["key"]: row["counts"] for row in body["by_kind"]}
    assert kinds["provincial_cast"]["late"] == 1
    units = call("cast_reviewer", "get", "/reports/board/units?campaign=2023&state=late").json()
    assert [u["unit"]["name"] for u in units] == ["甲省科协"] and units[0]["late"] is True
    cast = body["department"]["id"]
    assert call("most_reviewer", "get", f"/reports/board?department={cast}").status_code == 404
    admin = call("campaign_admin", "get", "/reports/board?campaign=2023").json()
    assert len(admin["departments"]) == 2
    assert call("prov_editor", "get", "/reports/board").status_code == 403


# --- Queries and schema ----------------------------------------------------------------------


def test_the_list_costs_a_fixed_number_of_queries(world, call, django_assert_max_num_queries):
    for key, actor in (
        ("prov", "prov_editor"),
        ("std", "std_editor"),
        ("society", "campaign_admin"),
    ):
        world.report(key, actor)
    call("campaign_admin", "get", "/reports?campaign=2023")  # token looked up once
    with django_assert_max_num_queries(12):
        answer = call("campaign_admin", "get", "/reports?campaign=2023")
    assert answer.json()["count"] == 3


def test_the_openapi_schema_lists_the_report_endpoints(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path in (
        "/api/v1/reports",
        "/api/v1/reports/{report_id}",
        "/api/v1/reports/{report_id}/scan",
        "/api/v1/reports/{report_id}/diff",
        "/api/v1/reports/board",
    ):
        assert path in paths
