"""The Chinese working calendar: the official 2023 facts, overrides winning, the 工作日历 tab."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sciday.accounts.models import Role
from sciday.campaigns.models import Campaign
from sciday.core import workdays
from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.models import AuditEntry, CalendarDay
from sciday.core.workdays import (
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)
from tests.factories import make_member
from tests.orgs import world as orgs_world

world = orgs_world.world
web_as = orgs_world.web_as

pytestmark = pytest.mark.django_db

HOLIDAY, WORKDAY = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY
NON_ADMINS = ["public", "unit_editor", "unit_admin", "expert", "department_reviewer"]


@pytest.fixture(autouse=True)
def _fresh_overrides():
    workdays.forget()
    yield
    workdays.forget()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def campaign(db) -> Campaign:
    return Campaign.objects.get(year=2023)


@pytest.fixture
def admin(world):
    return world.people["campaign_admin"]


def _url(campaign, year: int | None = None) -> str:
    url = reverse("campaigns:working_calendar", args=[campaign.pk])
    return f"{url}?year={year}" if year else url


def _listed() -> dict[str, str]:
    return {d.isoformat(): k for d, k in CalendarDay.objects.values_list("date", "kind")}


# ---- the interface, with the built-in data (runs on SQLite and PostgreSQL) ---------------------


def test_the_official_2023_arrangements():
    assert is_working_day(date(2023, 4, 23))  # a Sunday: make-up working day for Labour Day
    assert is_working_day(date(2023, 6, 25))  # a Sunday: make-up working day for Dragon Boat
    assert not is_working_day(date(2023, 6, 22))  # Dragon Boat Festival, a Thursday
    assert not is_working_day(date(2023, 6, 23))  # a Friday, part of the holiday
    assert not is_working_day(date(2023, 10, 2))  # National Day week, a Monday
    assert not is_working_day(date(2023, 6, 24))  # an ordinary Saturday
    assert is_working_day(date(2023, 6, 19))  # an ordinary Monday
    # 5 working days after Monday 2023-06-19: 20, 21, (22-24 off), 25 (make-up Sunday), 26, 27.
    assert add_working_days(date(2023, 6, 19), 5) == date(2023, 6, 27)
    assert add_working_days(date(2023, 6, 19), 0) == date(2023, 6, 19)
    assert add_working_days(date(2023, 9, 28), 1) == date(2023, 10, 7)  # a make-up Saturday
    assert working_days_between(date(2023, 6, 19), date(2023, 6, 25)) == 4
    assert working_days_between(date(2023, 1, 1), date(2023, 12, 31)) == 249
    assert working_days_between(date(2023, 6, 25), date(2023, 6, 19)) == 0
    assert next_working_day(date(2023, 6, 21)) == date(2023, 6, 25)
    assert next_working_day(date(2023, 6, 21), inclusive=True) == date(2023, 6, 21)
    assert next_working_day(date(2023, 6, 22), inclusive=True) == date(2023, 6, 25)


def test_between_agrees_with_counting_day_by_day():
    first, last = date(2022, 12, 20), date(2024, 1, 10)
    counted, day = 0, first
    while day <= last:
        counted += is_working_day(day)
        day = date.fromordinal(day.toordinal() + 1)
    assert working_days_between(first, last) == counted
    assert is_working_day(first)  # counted by between, not by add
    assert add_working_days(first, counted - 1) <= last < add_working_days(first, counted)
    assert working_days_between(first, add_working_days(first, 30)) == 30 + is_working_day(first)


def test_years_outside_the_built_in_data_follow_weekends_only():
    first, last = workdays.builtin_years()
    assert first <= 2023 <= last
    later = date(last + 1, 1, 1)
    expected = later.weekday() < 5
    assert is_working_day(later) is expected
    assert working_days_between(date(2100, 1, 4), date(2100, 1, 10)) == 5  # Mon-Sun


def test_bad_input_is_refused():
    with pytest.raises(TypeError):
        is_working_day("2023-06-19")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        is_working_day(datetime(2023, 6, 19, 9, tzinfo=UTC))  # a datetime is not a date
    with pytest.raises(TypeError):
        add_working_days(date(2023, 6, 19), 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        add_working_days(date(2023, 6, 19), -1)
    with pytest.raises(ValueError):
        add_working_days(date(2023, 6, 19), workdays.MAX_DAYS + 1)
    with pytest.raises(ValueError):
        add_working_days(date(9999, 12, 30), 5)


# ---- overrides ---------------------------------------------------------------------------------


def test_an_override_wins_over_the_package_and_counts_after_a_change(admin):
    assert add_working_days(date(2023, 6, 19), 5) == date(2023, 6, 27)
    workdays.calendar_day_add(actor=admin, day=date(2023, 6, 21), kind=HOLIDAY, name="停电")
    assert not is_working_day(date(2023, 6, 21))
    assert add_working_days(date(2023, 6, 19), 5) == date(2023, 6, 28)
    item = workdays.calendar_day_add(actor=admin, day=date(2023, 6, 22), kind=WORKDAY)
    assert is_working_day(date(2023, 6, 22))
    assert working_days_between(date(2023, 6, 19), date(2023, 6, 25)) == 4
    workdays.calendar_day_update(actor=admin, item=item, day=date(2023, 6, 22), kind=HOLIDAY)
    assert not is_working_day(date(2023, 6, 22))
    workdays.calendar_day_delete(actor=admin, item=item)
    assert not is_working_day(date(2023, 6, 22))  # the package's holiday again
    assert add_working_days(date(2023, 6, 19), 5) == date(2023, 6, 28)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"core.calendar_day.added", "core.calendar_day.updated"} <= actions
    assert "core.calendar_day.deleted" in actions


def test_overrides_make_a_year_the_package_does_not_know(admin):
    result = workdays.calendar_days_import(
        actor=admin,
        text="2099-01-01 元旦 休\n\n# 调休\n2099-01-03，元旦调休，班\n2099/1/2 休",
    )
    assert (result.added, result.skipped) == (3, 0)
    assert not is_working_day(date(2099, 1, 1))  # a Thursday
    assert not is_working_day(date(2099, 1, 2))
    assert is_working_day(date(2099, 1, 3))  # a Saturday
    assert add_working_days(date(2098, 12, 31), 1) == date(2099, 1, 3)
    assert CalendarDay.objects.get(date=date(2099, 1, 3)).name == "元旦调休"
    again = workdays.calendar_days_import(actor=admin, text="2099-01-01 休\n2099-01-05 休")
    assert (again.added, again.skipped) == (1, 1)


def test_a_computation_costs_at_most_one_query(admin):
    workdays.calendar_day_add(actor=admin, day=date(2023, 6, 21), kind=HOLIDAY)
    with CaptureQueriesContext(connection) as first:
        assert add_working_days(date(2023, 6, 19), 5) == date(2023, 6, 28)
    with CaptureQueriesContext(connection) as warm:
        add_working_days(date(2023, 6, 19), 5)
        working_days_between(date(2023, 1, 1), date(2023, 12, 31))
        is_working_day(date(2023, 6, 21))
    assert len(first) <= 1 and len(warm) == 0
    workdays.calendar_day_add(actor=admin, day=date(2023, 6, 26), kind=HOLIDAY)
    with CaptureQueriesContext(connection) as changed:
        assert add_working_days(date(2023, 6, 19), 5) == date(2023, 6, 29)
    assert len(changed) == 1


def test_service_refusals_write_nothing(world, admin):
    workdays.calendar_day_add(actor=admin, day=date(2027, 1, 1), kind=HOLIDAY, name="元旦")
    with pytest.raises(Conflict, match="2027-01-01 已在工作日历中"):
        workdays.calendar_day_add(actor=admin, day=date(2027, 1, 1), kind=WORKDAY)
    with pytest.raises(DomainError, match="请选择休息日或工作日"):
        workdays.calendar_day_add(actor=admin, day=date(2027, 1, 2), kind="maybe")
    with pytest.raises(DomainError, match="2000 年到 2100 年"):
        workdays.calendar_day_add(actor=admin, day=date(1999, 1, 2), kind=HOLIDAY)
    with pytest.raises(DomainError, match="100 个字"):
        workdays.calendar_day_add(actor=admin, day=date(2027, 1, 2), kind=HOLIDAY, name="长" * 101)
    bad_imports = {
        "2027-01-02 元旦\n": "第 1 行",
        "2027-01-02 休\n2027-02-30 休": "第 2 行：2027-02-30 不是有效日期",
        "2027-01-02 休\n2027-01-02 班": "第 2 行：2027-01-02 已在第 1 行",
        "2027-01-01 班": "第 1 行：2027-01-01 已作为休息日在工作日历中",
        "\n \n": "请至少写一行",
    }
    for text, message in bad_imports.items():
        with pytest.raises(DomainError, match=message):
            workdays.calendar_days_import(actor=admin, text=text)
    other = workdays.calendar_day_add(actor=admin, day=date(2027, 1, 3), kind=HOLIDAY)
    with pytest.raises(Conflict):
        workdays.calendar_day_update(actor=admin, item=other, day=date(2027, 1, 1), kind=HOLIDAY)
    assert _listed() == {"2027-01-01": HOLIDAY, "2027-01-03": HOLIDAY}
    for role in NON_ADMINS:
        person = world.people[role]
        with pytest.raises(NotAllowed):
            workdays.calendar_day_add(actor=person, day=date(2027, 1, 4), kind=HOLIDAY)
        with pytest.raises(NotAllowed):
            workdays.calendar_days_import(actor=person, text="2027-01-04 休")
        with pytest.raises(NotAllowed):
            workdays.calendar_day_delete(actor=person, item=other)
    assert _listed() == {"2027-01-01": HOLIDAY, "2027-01-03": HOLIDAY}


# ---- the 工作日历 tab ------------------------------------------------------------------------


def test_admin_sees_the_year_adds_imports_edits_and_deletes(world, web_as, campaign):
    client = web_as(world, "campaign_admin")
    page = client.get(_url(campaign, 2023)).content.decode()
    assert 'aria-current="page">工作日历' in page
    assert "2023-06-22" in page and "端午" in page and "内置" in page
    first, last = workdays.builtin_years()
    assert f"已内置 {first} 年至 {last} 年" in page

    response = client.post(
        _url(campaign, 2099),
        {"action": "add", "date": "2099-01-01", "kind": HOLIDAY, "name": "元旦"},
    )
    assert response.status_code == 302
    response = client.post(
        _url(campaign, 2099), {"action": "import", "text": "2099-01-02 休\n2099-01-03 元旦调休 班"}
    )
    assert response.status_code == 302
    page = client.get(_url(campaign, 2099)).content.decode()
    assert "已添加 2 天；0 天已在日历中" in page
    assert "2099 年不在内置数据中" in page
    assert "元旦调休" in page and "在此添加" in page
    assert is_working_day(date(2099, 1, 3))

    item = CalendarDay.objects.get(date=date(2099, 1, 3))
    edit = reverse("campaigns:working_calendar_day", args=[campaign.pk, item.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"date": "2099-01-04", "kind": WORKDAY, "name": "调休"})
    assert response.status_code == 302
    response = client.post(edit, {"date": "2099-01-01", "kind": WORKDAY, "name": ""})
    assert response.status_code == 400 and "2099-01-01 已在工作日历中" in response.content.decode()
    client.post(_url(campaign, 2099), {"action": "delete", "day": item.pk})
    assert _listed() == {"2099-01-01": HOLIDAY, "2099-01-02": HOLIDAY}
    assert not is_working_day(date(2099, 1, 4))  # a Sunday again


def test_page_refusals_show_on_the_form_and_write_nothing(world, web_as, campaign, admin):
    workdays.calendar_day_add(actor=admin, day=date(2027, 1, 1), kind=HOLIDAY)
    client = web_as(world, "campaign_admin")
    response = client.post(_url(campaign), {"action": "add", "date": "2027-01-01", "kind": WORKDAY})
    assert response.status_code == 400 and "2027-01-01 已在工作日历中" in response.content.decode()
    response = client.post(_url(campaign), {"action": "add", "date": "明天", "kind": HOLIDAY})
    assert response.status_code == 400 and "有效的日期" in response.content.decode()
    response = client.post(_url(campaign), {"action": "add", "date": "2027-01-02", "kind": "x"})
    assert response.status_code == 400
    response = client.post(_url(campaign), {"action": "import", "text": "2027-01-02 休\n乱写"})
    assert response.status_code == 400 and "第 2 行" in response.content.decode()
    assert client.post(_url(campaign), {"action": "delete", "day": "999999"}).status_code == 302
    assert client.post(_url(campaign), {"action": "explode"}).status_code == 302
    assert client.get(_url(campaign) + "?year=abc").status_code == 200
    missing = reverse("campaigns:working_calendar_day", args=[campaign.pk, 999999])
    assert client.get(missing).status_code == 404
    assert _listed() == {"2027-01-01": HOLIDAY}


@pytest.mark.parametrize("role", NON_ADMINS)
def test_page_is_refused_to_everyone_but_campaign_admins(world, web_as, campaign, admin, role):
    item = workdays.calendar_day_add(actor=admin, day=date(2027, 1, 1), kind=HOLIDAY)
    client = web_as(world, role)
    edit = reverse("campaigns:working_calendar_day", args=[campaign.pk, item.pk])
    assert client.get(_url(campaign)).status_code == 403
    assert client.get(edit).status_code == 403
    add = {"action": "add", "date": "2027-01-02", "kind": HOLIDAY}
    assert client.post(_url(campaign), add).status_code == 403
    assert (
        client.post(_url(campaign), {"action": "import", "text": "2027-01-03 休"}).status_code
        == 403
    )
    assert client.post(_url(campaign), {"action": "delete", "day": item.pk}).status_code == 403
    assert client.post(edit, {"date": "2027-01-01", "kind": WORKDAY}).status_code == 403
    assert _listed() == {"2027-01-01": HOLIDAY}


def test_unit_admin_of_the_national_department_is_refused(world, login, client, campaign):
    login(make_member(world.unit("cast"), Role.UNIT_ADMIN, name="部门管理员"))
    assert client.get(_url(campaign)).status_code == 403
    add = {"action": "add", "date": "2027-01-02", "kind": HOLIDAY}
    assert client.post(_url(campaign), add).status_code == 403
    assert _listed() == {}


def test_anonymous_is_sent_to_sign_in(world, client, campaign):
    response = client.get(_url(campaign))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    add = {"action": "add", "date": "2027-01-02", "kind": HOLIDAY}
    assert client.post(_url(campaign), add).status_code == 302
    assert _listed() == {}


def test_page_queries_do_not_grow_with_overrides(world, web_as, campaign, admin):
    client = web_as(world, "campaign_admin")
    workdays.calendar_days_import(actor=admin, text="2099-01-01 休")
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(campaign, 2099)).status_code == 200
    workdays.calendar_days_import(
        actor=admin, text="\n".join(f"2099-03-{d:02d} 休" for d in range(1, 29))
    )
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url(campaign, 2099)).status_code == 200
    assert len(many) == len(few)
