"""The campaign's report settings: the reminder days (service), and the page for campaign admins
(late policy, length limit, reminder days, the campaign's own figures). Refusals show a Chinese
message and change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sciday.core.errors import DomainError, NotAllowed
from sciday.reports import services
from sciday.reports.models import ReportFigure, ReportSettings
from tests.reports.test_pages import client_for

URL = "/workspace/reports/settings/"
ROLES = {
    "campaign_admin": 200,
    "prov_admin": 403,
    "prov_editor": 403,
    "cast_reviewer": 403,
    "most_reviewer": 403,
}


def _set(rw, days, **overrides):
    data = {"late_reports": "accept", "text_limit": 3000, "remind_days_before": days, **overrides}
    return services.report_settings_set(
        actor=rw.people["campaign_admin"], campaign=rw.campaign, **data
    )


def test_reminder_days_are_stored_sorted_descending(rw):
    row = _set(rw, [1, 14, 7])
    assert ReportSettings.objects.get(pk=row.pk).remind_days_before == [14, 7, 1]
    assert _set(rw, []).remind_days_before == []
    # Left out: unchanged.
    _set(rw, [3])
    assert _set(rw, None, text_limit=5000).remind_days_before == [3]


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([0], "1 到 60"),
        ([61], "1 到 60"),
        ([7, "x"], "1 到 60"),
        ([7, True], "1 到 60"),
        ([2.5], "1 到 60"),
        ("7, 1", "1 到 60"),
        ([7, 7, 1], "7"),
        ([1, 2, 3, 4, 5, 6], "5"),
    ],
)
def test_bad_reminder_days_are_refused_and_nothing_is_written(rw, days, message):
    _set(rw, [7, 1])
    with pytest.raises(DomainError) as refused:
        _set(rw, days, text_limit=4000, late_reports="refuse")
    assert refused.value.field == "remind_days_before"
    assert message in str(refused.value.message)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.value.message))
    row = ReportSettings.objects.get(campaign=rw.campaign)
    assert (row.late_reports, row.text_limit, row.remind_days_before) == ("accept", 3000, [7, 1])


def test_only_campaign_admins_set_the_reminder_days(rw):
    with pytest.raises(NotAllowed):
        services.report_settings_set(
            actor=rw.people["prov_admin"],
            campaign=rw.campaign,
            late_reports="accept",
            text_limit=3000,
            remind_days_before=[3],
        )
    assert not ReportSettings.objects.filter(campaign=rw.campaign).exists()


# --- The page ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), ROLES.items())
def test_who_opens_the_settings_page(rw, role, status):
    client = client_for(rw, role)
    assert client.get(URL).status_code == status
    posted = client.post(URL, {"late_reports": "refuse", "text_limit": 2000, "remind_days": "3"})
    assert posted.status_code == (302 if status == 200 else 403)
    added = client.post(reverse("report_settings:figure_add"), {"code": "fairs", "label": "展会"})
    assert added.status_code == (302 if status == 200 else 403)
    if status != 200:
        assert not ReportSettings.objects.exists()
        assert not ReportFigure.objects.exists()


def test_anonymous_people_go_to_the_login_page(rw):
    client = client_for(rw, "anonymous")
    for response in (
        client.get(URL),
        client.post(URL, {"late_reports": "refuse", "text_limit": 2000}),
        client.post(reverse("report_settings:figure_add"), {"code": "x", "label": "x"}),
    ):
        assert response.status_code == 302 and "login" in response["Location"]
    assert not ReportSettings.objects.exists()


def test_the_admin_sets_late_policy_length_and_reminders(rw):
    client = client_for(rw, "campaign_admin")
    page = client.get(URL)
    html = page.content.decode()
    assert "总结报告设置" in html or "报告设置" in html
    assert 'value="7, 1"' in html  # the defaults
    saved = client.post(
        f"{URL}?campaign={rw.campaign.pk}",
        {"late_reports": "refuse", "text_limit": "2000", "remind_days": "1，14、 7"},
        follow=True,
    )
    assert saved.status_code == 200
    row = ReportSettings.objects.get(campaign=rw.campaign)
    assert (row.late_reports, row.text_limit, row.remind_days_before) == (
        "refuse",
        2000,
        [14, 7, 1],
    )
    assert 'value="14, 7, 1"' in saved.content.decode()
    # Empty: no reminder.
    client.post(URL, {"late_reports": "refuse", "text_limit": "2000", "remind_days": ""})
    assert ReportSettings.objects.get(campaign=rw.campaign).remind_days_before == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"late_reports": "accept", "text_limit": "3000", "remind_days": "7, abc"}, "逗号"),
        ({"late_reports": "accept", "text_limit": "3000", "remind_days": "90"}, "1 到 60"),
        ({"late_reports": "accept", "text_limit": "3000", "remind_days": "7, 7"}, "7"),
        ({"late_reports": "accept", "text_limit": "3000", "remind_days": "1,2,3,4,5,6"}, "5"),
        ({"late_reports": "accept", "text_limit": "50", "remind_days": "3"}, "100"),
        ({"late_reports": "maybe", "text_limit": "3000", "remind_days": "3"}, "maybe"),
        ({"late_reports": "accept", "text_limit": "lots", "remind_days": "3"}, "整数"),
    ],
)
def test_bad_input_shows_a_message_and_changes_nothing(rw, data, message):
    _set(rw, [7, 1])
    response = client_for(rw, "campaign_admin").post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "没有保存" in html
    assert message in html
    row = ReportSettings.objects.get(campaign=rw.campaign)
    assert (row.late_reports, row.text_limit, row.remind_days_before) == ("accept", 3000, [7, 1])


def test_the_admin_adds_and_removes_a_figure(rw):
    client = client_for(rw, "campaign_admin")
    added = client.post(
        reverse("report_settings:figure_add") + f"?campaign={rw.campaign.pk}",
        {"code": "fairs", "label": "科普展会"},
        follow=True,
    )
    figure = ReportFigure.objects.get(campaign=rw.campaign, code="fairs")
    html = added.content.decode()
    assert "科普展会" in html
    remove_url = reverse("report_settings:figure_remove", args=[figure.pk])
    assert remove_url in html
    # Built-in figures are listed without a remove button.
    assert "志愿服务时长" in html or "volunteer_hours" in html
    assert html.count("/remove/") == 1

    refused = client.post(reverse("report_settings:figure_add"), {"code": "fairs", "label": "又一"})
    assert refused.status_code == 400
    assert "已有" in refused.content.decode()
    bad = client.post(reverse("report_settings:figure_add"), {"code": "展会", "label": "展会"})
    assert bad.status_code == 400
    assert "小写字母" in bad.content.decode()
    assert ReportFigure.objects.filter(campaign=rw.campaign).count() == 1

    client.post(remove_url + f"?campaign={rw.campaign.pk}")
    assert not ReportFigure.objects.filter(campaign=rw.campaign).exists()
    # Removing it again: not found.
    assert client.post(remove_url).status_code == 404


def test_links_from_the_board_and_the_workspace_nav(rw):
    html = client_for(rw, "campaign_admin").get(reverse("report_board:board")).content.decode()
    assert html.count(URL) >= 2  # the nav and the board's header
    other = client_for(rw, "cast_reviewer").get(reverse("report_board:board")).content.decode()
    assert URL not in other


def test_a_campaign_is_chosen_with_the_campaign_parameter(rw):
    client = client_for(rw, "campaign_admin")
    assert client.get(f"{URL}?campaign=999999").status_code == 404
    assert client.get(f"{URL}?campaign=abc").status_code == 404
    assert client.get(f"{URL}?campaign={rw.campaign.pk}").status_code == 200
