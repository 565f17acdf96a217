"""The campaign's report settings through the API: read and set (late reports, length limit,
reminder days), add and remove the campaign's own figures; campaign admins only (token or
session), refusals change nothing."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.services import api_token_create
from sciday.reports.models import ReportFigure, ReportSettings
from tests.reports.conftest import ReportWorld
from tests.reports.conftest import rw as rw
from tests.reports.test_pages import client_for

API = "/api/v1"
JSON = "application/json"
NATIONAL = ("campaign_admin", "cast_reviewer", "most_reviewer")
REFUSED = ("prov_admin", "prov_editor", "cast_reviewer", "most_reviewer", "std_editor")
GOOD = {"late_reports": "refuse", "text_limit": 2000, "remind_days_before": [1, 14, 7]}


@pytest.fixture
def world(rw) -> ReportWorld:
    for role in NATIONAL:
        TOTPDevice.objects.create(user=rw.people[role], name="phone", confirmed=True)
    return rw


@pytest.fixture
def call(client, world):
    tokens: dict[str, str] = {}

    def _call(role: str, method: str, path: str, body=None):
        headers = {}
        if role != "anonymous":
            if role not in tokens:
                tokens[role] = api_token_create(actor=world.people[role], name="省级系统")[1]
            headers["Authorization"] = f"Bearer {tokens[role]}"
        kwargs: dict = {"headers": headers}
        if body is not None:
            kwargs.update(data=body, content_type=JSON)
        return getattr(client, method)(f"{API}{path}", **kwargs)

    return _call


def test_the_campaign_admin_reads_and_sets_the_settings(call, world):
    year = world.campaign.year
    read = call("campaign_admin", "get", f"/reports/settings?campaign={year}")
    assert read.status_code == 200, read.content
    body = read.json()
    assert body["campaign"] == year
    assert (body["late_reports"], body["text_limit"], body["remind_days_before"]) == (
        "accept",
        3000,
        [7, 1],
    )
    assert any(f["code"] == "volunteer_hours" and f["builtin"] for f in body["figures"])

    put = call("campaign_admin", "put", f"/reports/settings?campaign={year}", GOOD)
    assert put.status_code == 200, put.content
    assert put.json()["remind_days_before"] == [14, 7, 1]
    row = ReportSettings.objects.get(campaign=world.campaign)
    assert (row.late_reports, row.text_limit, row.remind_days_before) == (
        "refuse",
        2000,
        [14, 7, 1],
    )
    # Default campaign: the current one.
    world.campaign.is_current = True
    world.campaign.save(update_fields=["is_current"])
    assert call("campaign_admin", "get", "/reports/settings").json()["text_limit"] == 2000
    assert call("campaign_admin", "get", "/reports/settings?campaign=1999").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"remind_days_before": [0]}, "remind_days_before"),
        ({"remind_days_before": [61]}, "remind_days_before"),
        ({"remind_days_before": [7, 7]}, "remind_days_before"),
        ({"remind_days_before": [1, 2, 3, 4, 5, 6]}, "remind_days_before"),
        ({"text_limit": 10}, "text_limit"),
        ({"late_reports": "maybe"}, "late_reports"),
    ],
)
def test_bad_settings_are_refused_with_a_chinese_message(call, world, change, field):
    year = world.campaign.year
    answer = call("campaign_admin", "put", f"/reports/settings?campaign={year}", {**GOOD, **change})
    assert answer.status_code == 400
    assert answer.json()["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json()["detail"])
    assert not ReportSettings.objects.filter(campaign=world.campaign).exists()


def test_the_campaign_admin_adds_and_removes_a_figure(call, world):
    year = world.campaign.year
    added = call(
        "campaign_admin",
        "post",
        f"/reports/settings/figures?campaign={year}",
        {"code": "fairs", "label": "科普展会"},
    )
    assert added.status_code == 201, added.content
    assert {"code": "fairs", "label": "科普展会", "builtin": False} in added.json()["figures"]
    again = call(
        "campaign_admin",
        "post",
        f"/reports/settings/figures?campaign={year}",
        {"code": "fairs", "label": "又一"},
    )
    assert again.status_code == 409
    assert again.json()["field"] == "code"
    bad = call(
        "campaign_admin",
        "post",
        f"/reports/settings/figures?campaign={year}",
        {"code": "展会", "label": "x"},
    )
    assert bad.status_code == 400
    assert ReportFigure.objects.filter(campaign=world.campaign).count() == 1

    builtin = call(
        "campaign_admin", "delete", f"/reports/settings/figures/participants?campaign={year}"
    )
    assert builtin.status_code == 404
    gone = call("campaign_admin", "delete", f"/reports/settings/figures/fairs?campaign={year}")
    assert gone.status_code == 204
    assert not ReportFigure.objects.exists()


@pytest.mark.parametrize("role", [*REFUSED, "anonymous"])
def test_only_campaign_admins_may(call, world, role):
    year = world.campaign.year
    ReportFigure.objects.create(campaign=world.campaign, code="fairs", label="展会")
    expected = 401 if role == "anonymous" else 403
    answers = [
        call(role, "get", f"/reports/settings?campaign={year}"),
        call(role, "put", f"/reports/settings?campaign={year}", GOOD),
        call(
            role, "post", f"/reports/settings/figures?campaign={year}", {"code": "x", "label": "x"}
        ),
        call(role, "delete", f"/reports/settings/figures/fairs?campaign={year}"),
    ]
    assert [a.status_code for a in answers] == [expected] * 4
    assert not ReportSettings.objects.exists()
    assert list(ReportFigure.objects.values_list("code", flat=True)) == ["fairs"]


@pytest.mark.parametrize(("role", "status"), [("campaign_admin", 200), ("prov_admin", 403)])
def test_the_session_is_held_to_the_same_rule(world, role, status):
    client = client_for(world, role)
    year = world.campaign.year
    assert client.get(f"{API}/reports/settings?campaign={year}").status_code == status


def test_the_endpoints_are_in_the_schema(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert {"get", "put"} <= set(paths[f"{API}/reports/settings"])
    assert "post" in paths[f"{API}/reports/settings/figures"]
    assert "delete" in paths[f"{API}/reports/settings/figures/{{code}}"]
