"""Sign-up, cancel, the organizers' list and rating through the API."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from sciday.accounts.services import api_token_create
from sciday.activities.models import Rating, Signup, SignupStatus, Status
from tests.activities.world import at, build_world
from tests.factories import UserFactory

API = "/api/v1"
BEFORE = at(2023, 5, 1, 10, 0)
AFTER = at(2023, 5, 21, 10, 0)


@pytest.fixture
def aworld(db, national):
    return build_world(national)


@pytest.fixture
def activity(aworld):
    with time_machine.travel(BEFORE, tick=False):
        yield aworld.activity(status=Status.PUBLISHED, signup_required=True, capacity=1)


@pytest.fixture
def call(client):
    def _call(user, method: str, path: str, body=None):
        headers = {}
        if user is not None:
            headers["Authorization"] = f"Bearer {api_token_create(actor=user, name='同步')[1]}"
        kwargs: dict = {"headers": headers}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(client, method)(f"{API}{path}", **kwargs)

    return _call


def test_sign_up_wait_cancel_promote(call, activity, django_capture_on_commit_callbacks):
    first, second = UserFactory(), UserFactory()
    path = f"/activities/{activity.pk}/signup"
    with django_capture_on_commit_callbacks(execute=True):
        one = call(first, "post", path)
        two = call(second, "post", path)
    assert one.status_code == 201 and one.json()["status"] == "confirmed"
    assert two.json()["status"] == "waiting" and two.json()["waiting_number"] == 1
    assert two.json()["created_at"].endswith("+08:00")
    again = call(second, "post", path)
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = call(first, "delete", path)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Signup.objects.get(user=second).status == SignupStatus.CONFIRMED
    assert [m.to for m in mail.outbox] == [[second.email]]
    assert call(first, "delete", path).status_code == 404


def test_anonymous_gets_401(call, activity):
    for method in ("post", "delete"):
        response = call(None, method, f"/activities/{activity.pk}/signup")
        assert response.status_code == 401
    assert call(None, "get", f"/activities/{activity.pk}/signups").status_code == 401
    assert not Signup.objects.exists()


def test_refusals_name_the_reason(call, aworld):
    with time_machine.travel(BEFORE, tick=False):
        plain = aworld.activity(status=Status.PUBLISHED)
        draft = aworld.activity(signup_required=True)
    person = UserFactory()
    response = call(person, "post", f"/activities/{plain.pk}/signup")
    assert response.status_code == 400 and "无需报名" in response.json()["detail"]
    assert call(person, "post", f"/activities/{draft.pk}/signup").status_code == 404
    assert not Signup.objects.exists()


def test_organizer_list(call, aworld, activity):
    people = [UserFactory(name=f"报名者{i}") for i in range(3)]
    for person in people:
        call(person, "post", f"/activities/{activity.pk}/signup")
    response = call(aworld.people["lead_editor"], "get", f"/activities/{activity.pk}/signups")
    body = response.json()
    assert response.status_code == 200
    assert (body["capacity"], body["confirmed"], body["waiting"]) == (1, 1, 2)
    assert [i["name"] for i in body["items"]] == [p.name for p in people]
    assert [i["waiting_number"] for i in body["items"]] == [None, 1, 2]
    for role in ("public", "coorg_member", "other_admin"):
        answer = call(aworld.people[role], "get", f"/activities/{activity.pk}/signups")
        assert answer.status_code == 403


def test_rating(call, activity):
    person = UserFactory()
    call(person, "post", f"/activities/{activity.pk}/signup")
    path = f"/activities/{activity.pk}/rating"
    early = call(person, "post", path, {"score": 5})
    assert early.status_code == 409 and early.json()["code"] == "not_ended"
    with time_machine.travel(AFTER, tick=False):
        bad = call(person, "post", path, {"score": 6})
        assert bad.status_code == 400 and bad.json()["field"] == "score"
        stranger = call(UserFactory(), "post", path, {"score": 3})
        assert stranger.status_code == 403
        ok = call(person, "post", path, {"score": 4, "comment": "很好"})
        assert ok.status_code == 201 and ok.json()["score"] == 4
        assert call(person, "post", path, {"score": 4}).status_code == 409
    assert Rating.objects.count() == 1
