"""The sign-up box on the public page, its forms, and the organizers' list and CSV export."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.urls import reverse

from sciday.activities.models import Rating, Signup, SignupStatus, Status
from sciday.activities.signups import signup_create
from sciday.core.models import AuditEntry
from tests.activities.world import at
from tests.factories import UserFactory

BEFORE = at(2023, 5, 1, 10, 0)
AFTER = at(2023, 5, 21, 10, 0)


@pytest.fixture
def before():
    with time_machine.travel(BEFORE, tick=False):
        yield


@pytest.fixture
def activity(world, before):
    return world.activity(status=Status.PUBLISHED, signup_required=True, capacity=1)


def _detail(activity) -> str:
    return reverse("activities:detail", args=[activity.pk])


def test_anonymous_visitor_sees_the_box_and_is_sent_to_sign_in(client, activity):
    page = client.get(_detail(activity)).content.decode()
    assert 'id="signup"' in page and "报名前需先登录" in page
    response = client.post(reverse("activities:signup", args=[activity.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"] and "next=" + _detail(activity) in response["Location"]
    assert not Signup.objects.exists()


def test_sign_up_then_waiting_list_then_cancel(client, login, activity):
    first, second = UserFactory(), UserFactory()
    login(first)
    response = client.post(reverse("activities:signup", args=[activity.pk]), follow=True)
    page = response.content.decode()
    assert "报名成功" in page and "您已报名成功" in page and "取消报名" in page
    login(second)
    page = client.get(_detail(activity)).content.decode()
    assert "加入候补名单" in page and "名额 1 个，已报名 1 人" in page
    page = client.post(reverse("activities:signup", args=[activity.pk]), follow=True)
    assert "候补名单中，第 1 位" in page.content.decode()
    again = client.post(reverse("activities:signup", args=[activity.pk]), follow=True)
    assert "您已报名本活动" in again.content.decode()
    assert Signup.objects.filter(user=second).count() == 1
    login(first)
    page = client.post(reverse("activities:signup_cancel", args=[activity.pk]), follow=True)
    assert "已取消报名" in page.content.decode()
    assert Signup.objects.get(user=second).status == SignupStatus.CONFIRMED


def test_refusal_is_shown_as_a_message(client, login, world, before):
    no_signup = world.activity(status=Status.PUBLISHED)
    login(UserFactory())
    page = client.post(reverse("activities:signup", args=[no_signup.pk]), follow=True)
    assert "无需报名" in page.content.decode()
    assert not Signup.objects.exists()


def test_drafts_answer_404(client, login, world, before):
    draft = world.activity(signup_required=True)
    login(UserFactory())
    assert client.post(reverse("activities:signup", args=[draft.pk])).status_code == 404


def test_rating_after_the_end_and_satisfaction_shown(client, login, activity):
    person = UserFactory()
    signup_create(actor=person, activity=activity)
    with time_machine.travel(AFTER, tick=False):
        login(person)
        page = client.get(_detail(activity)).content.decode()
        assert "提交评价" in page
        bad = client.post(reverse("activities:rating", args=[activity.pk]), {"score": "9"})
        assert bad.status_code == 302 and not Rating.objects.exists()
        response = client.post(
            reverse("activities:rating", args=[activity.pk]),
            {"score": "4", "comment": "讲得好"},
            follow=True,
        )
        page = response.content.decode()
        assert "感谢您的评价" in page
        assert "满意度：4.0 / 5（1 条评价）" in page
        assert "提交评价" not in page
        twice = client.post(
            reverse("activities:rating", args=[activity.pk]), {"score": "5"}, follow=True
        )
        assert "您已评价过本活动" in twice.content.decode()
        assert Rating.objects.count() == 1


# --- Organizers -------------------------------------------------------------------------------


def _fill(activity, n: int) -> list:
    people = [UserFactory(name=f"报名者{i}") for i in range(n)]
    for person in people:
        signup_create(actor=person, activity=activity)
    return people


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("lead_editor", 200),
        ("lead_admin", 200),
        ("parent_admin", 200),
        ("coorg_member", 403),
        ("other_admin", 403),
        ("public", 403),
    ],
)
def test_organizer_list_visibility(world, login, client, activity, role, status):
    _fill(activity, 2)
    login(world.people[role])
    for name in ("activity_admin:signups", "activity_admin:signups_csv"):
        assert client.get(reverse(name, args=[activity.pk])).status_code == status


def test_organizer_list_of_a_draft_is_404_outside(world, login, client, before):
    draft = world.activity(signup_required=True)
    login(world.people["other_admin"])
    assert client.get(reverse("activity_admin:signups", args=[draft.pk])).status_code == 404


def test_organizer_list_shows_the_queue_with_fixed_queries(
    world, login, client, activity, django_assert_max_num_queries
):
    login(world.people["lead_editor"])
    url = reverse("activity_admin:signups", args=[activity.pk])
    _fill(activity, 3)
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        page = client.get(url).content.decode()
    assert "报名者0" in page and "候补第 2 位" in page
    _fill(activity, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_csv_export_content_and_audit(world, login, client, activity):
    people = _fill(activity, 3)
    evil = UserFactory(name="=HYPERLINK(1)")
    signup_create(actor=evil, activity=activity)
    login(world.people["lead_editor"])
    response = client.get(reverse("activity_admin:signups_csv", args=[activity.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["姓名", "电子邮箱", "状态", "候补序号", "报名时间"]
    assert [r[0] for r in rows[1:]] == [p.name for p in people] + ["'=HYPERLINK(1)"]
    assert rows[1][1] == people[0].email and rows[1][2] == "已确认" and rows[1][3] == ""
    assert rows[2][2:4] == ["候补中", "1"] and rows[4][3] == "3"
    assert rows[1][4] == "2023-05-01 10:00"
    assert AuditEntry.objects.filter(action="activities.signup.exported").count() == 1


def test_workspace_detail_links_to_the_list_for_organizers_only(world, login, client, activity):
    url = reverse("activity_admin:detail", args=[activity.pk])
    login(world.people["lead_editor"])
    assert reverse("activity_admin:signups", args=[activity.pk]) in client.get(url).content.decode()
    login(world.people["coorg_member"])
    assert (
        reverse("activity_admin:signups", args=[activity.pk])
        not in client.get(url).content.decode()
    )
