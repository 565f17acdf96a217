"""Sign-up within capacity, the waiting list and its promotion, e-mails, ratings, refusals."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from sciday.activities import services
from sciday.activities.models import Rating, Signup, SignupStatus, Status
from sciday.activities.signup_selectors import (
    activity_satisfaction,
    activity_signup_counts,
    activity_signups_for_organizer,
    waiting_rank,
)
from sciday.activities.signups import rating_submit, signup_cancel, signup_create
from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.models import AuditEntry
from tests.activities.world import at
from tests.factories import UserFactory

BEFORE = at(2023, 5, 1, 10, 0)
DURING = at(2023, 5, 20, 10, 0)
AFTER = at(2023, 5, 21, 10, 0)


@pytest.fixture
def before():
    with time_machine.travel(BEFORE, tick=False):
        yield


@pytest.fixture
def open_activity(world, before):
    return world.activity(status=Status.PUBLISHED, signup_required=True, capacity=2)


def _people(n: int):
    return [UserFactory(name=f"报名者{i}") for i in range(n)]


def test_capacity_boundary_then_waiting_list_in_order(open_activity):
    a, b, c, d = _people(4)
    assert signup_create(actor=a, activity=open_activity).status == SignupStatus.CONFIRMED
    assert signup_create(actor=b, activity=open_activity).status == SignupStatus.CONFIRMED
    third = signup_create(actor=c, activity=open_activity)
    fourth = signup_create(actor=d, activity=open_activity)
    assert (third.status, fourth.status) == (SignupStatus.WAITING, SignupStatus.WAITING)
    assert (waiting_rank(signup=third), waiting_rank(signup=fourth)) == (1, 2)
    counts = activity_signup_counts(activity=open_activity)
    assert (counts.confirmed, counts.waiting, counts.places_left, counts.full) == (2, 2, 0, True)


def test_no_capacity_means_no_limit(world, before):
    activity = world.activity(status=Status.PUBLISHED, signup_required=True, capacity=None)
    for person in _people(5):
        assert signup_create(actor=person, activity=activity).status == SignupStatus.CONFIRMED
    assert activity_signup_counts(activity=activity).places_left is None


def test_cancel_promotes_the_first_waiting_and_mails_them(
    open_activity, django_capture_on_commit_callbacks
):
    a, b, c, d = _people(4)
    with django_capture_on_commit_callbacks(execute=True):
        first = signup_create(actor=a, activity=open_activity)
        signup_create(actor=b, activity=open_activity)
        third = signup_create(actor=c, activity=open_activity)
        fourth = signup_create(actor=d, activity=open_activity)
    assert [m.to for m in mail.outbox] == [[p.email] for p in (a, b, c, d)]
    assert "报名成功" in mail.outbox[0].subject
    assert "候补" in mail.outbox[2].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        signup_cancel(actor=a, signup=first)
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.status == SignupStatus.CONFIRMED
    assert fourth.status == SignupStatus.WAITING
    assert waiting_rank(signup=fourth) == 1
    assert [m.to for m in mail.outbox] == [[c.email]]
    assert open_activity.title in mail.outbox[0].subject
    assert "名额" in mail.outbox[0].subject
    assert AuditEntry.objects.filter(action="activities.signup.promoted").count() == 1


def test_cancelling_a_waiting_signup_promotes_nobody(open_activity):
    a, b, c, d = _people(4)
    for person in (a, b):
        signup_create(actor=person, activity=open_activity)
    waiting = signup_create(actor=c, activity=open_activity)
    last = signup_create(actor=d, activity=open_activity)
    signup_cancel(actor=c, signup=waiting)
    last.refresh_from_db()
    assert last.status == SignupStatus.WAITING
    assert waiting_rank(signup=last) == 1
    assert activity_signup_counts(activity=open_activity).confirmed == 2


def test_signing_up_again_after_cancelling(open_activity):
    (a,) = _people(1)
    signup_cancel(actor=a, signup=signup_create(actor=a, activity=open_activity))
    again = signup_create(actor=a, activity=open_activity)
    assert again.status == SignupStatus.CONFIRMED
    assert Signup.objects.filter(user=a).count() == 2


def test_activity_cancel_notifies_everyone_signed_up(
    world, open_activity, django_capture_on_commit_callbacks
):
    a, b, c, d = _people(4)
    for person in (a, b, c, d):
        signup_create(actor=person, activity=open_activity)
    signup_cancel(actor=d, signup=Signup.objects.get(user=d))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_cancel(
            actor=world.people["lead_editor"], activity=open_activity, reason="暴雨预警"
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in (a, b, c))
    assert all("取消" in m.subject for m in mail.outbox)
    assert "暴雨预警" in mail.outbox[0].body


def _refused(call, error=DomainError, text: str | None = None):
    before = (Signup.objects.count(), Rating.objects.count())
    with pytest.raises(error) as exc:
        call()
    assert (Signup.objects.count(), Rating.objects.count()) == before
    if text:
        assert text in str(exc.value)
    return exc.value


def test_signup_refusals(world, before):
    person = UserFactory()
    no_signup = world.activity(status=Status.PUBLISHED)
    _refused(lambda: signup_create(actor=person, activity=no_signup), text="无需报名")
    draft = world.activity(signup_required=True)
    _refused(lambda: signup_create(actor=person, activity=draft), Conflict, "未开放报名")
    cancelled = world.activity(status=Status.CANCELLED, signup_required=True)
    _refused(lambda: signup_create(actor=person, activity=cancelled), Conflict, "已取消")
    from django.contrib.auth.models import AnonymousUser

    open_one = world.activity(status=Status.PUBLISHED, signup_required=True)
    _refused(lambda: signup_create(actor=AnonymousUser(), activity=open_one), NotAllowed, "登录")
    signup_create(actor=person, activity=open_one)
    _refused(lambda: signup_create(actor=person, activity=open_one), Conflict, "已报名")
    with time_machine.travel(DURING, tick=False):
        _refused(lambda: signup_create(actor=UserFactory(), activity=open_one), Conflict, "开始")


def test_only_the_person_cancels_and_only_once(open_activity):
    a, b = _people(2)
    signup = signup_create(actor=a, activity=open_activity)
    with pytest.raises(NotAllowed):
        signup_cancel(actor=b, signup=signup)
    signup_cancel(actor=a, signup=signup)
    with pytest.raises(Conflict):
        signup_cancel(actor=a, signup=signup)
    with time_machine.travel(DURING, tick=False):
        late = Signup.objects.create(activity=open_activity, user=b, status=SignupStatus.CONFIRMED)
        _refused(lambda: signup_cancel(actor=b, signup=late), Conflict, "开始")


@pytest.fixture
def rated_world(open_activity):
    a, b, c, d = _people(4)
    for person in (a, b, c):
        signup_create(actor=person, activity=open_activity)
    signup_cancel(actor=d, signup=signup_create(actor=d, activity=open_activity))
    return open_activity, (a, b, c, d)


def test_ratings_and_satisfaction(rated_world):
    activity, (a, b, _c, _d) = rated_world
    assert activity_satisfaction(activity=activity).count == 0
    assert activity_satisfaction(activity=activity).average is None
    with time_machine.travel(AFTER, tick=False):
        rating_submit(actor=a, activity=activity, score=5, comment="  很精彩  ")
        rating_submit(actor=b, activity=activity, score=4)
    satisfaction = activity_satisfaction(activity=activity)
    assert (satisfaction.average, satisfaction.count) == (4.5, 2)
    assert Rating.objects.get(user=a).comment == "很精彩"


def test_rating_refusals(rated_world):
    activity, (a, _b, c, d) = rated_world
    _refused(lambda: rating_submit(actor=a, activity=activity, score=5), Conflict, "结束")
    with time_machine.travel(AFTER, tick=False):
        # c stayed on the waiting list, d cancelled, a stranger never signed up.
        for person in (c, d, UserFactory()):
            _refused(
                lambda p=person: rating_submit(actor=p, activity=activity, score=3), NotAllowed
            )
        for score in (0, 6, -1, True):
            _refused(lambda s=score: rating_submit(actor=a, activity=activity, score=s), text="1")
        _refused(
            lambda: rating_submit(actor=a, activity=activity, score=3, comment="长" * 1001),
            text="1000",
        )
        rating_submit(actor=a, activity=activity, score=3)
        _refused(lambda: rating_submit(actor=a, activity=activity, score=4), Conflict, "已评价")


def test_organizer_list_visibility(world, open_activity):
    signup_create(actor=UserFactory(), activity=open_activity)
    for role in ("lead_editor", "lead_admin", "parent_admin", "campaign_admin"):
        rows = activity_signups_for_organizer(viewer=world.people[role], activity=open_activity)
        assert rows.count() == 1
    for role in ("public", "other_admin", "coorg_member", "department_reviewer"):
        with pytest.raises(NotAllowed):
            activity_signups_for_organizer(viewer=world.people[role], activity=open_activity)


def test_raising_the_capacity_promotes_the_waiting_in_order(
    world, open_activity, django_capture_on_commit_callbacks
):
    a, b, c, d, e = _people(5)
    for person in (a, b, c, d, e):
        signup_create(actor=person, activity=open_activity)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_update(
            actor=world.people["lead_editor"], activity=open_activity, capacity=4
        )
    statuses = {s.user_id: s.status for s in Signup.objects.filter(activity=open_activity)}
    assert [statuses[p.pk] for p in (c, d, e)] == [
        SignupStatus.CONFIRMED,
        SignupStatus.CONFIRMED,
        SignupStatus.WAITING,
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([c.email, d.email])
    assert AuditEntry.objects.filter(action="activities.signup.promoted").count() == 2


def test_capacity_below_the_confirmed_is_refused(world, open_activity):
    a, b, c = _people(3)
    for person in (a, b, c):
        signup_create(actor=person, activity=open_activity)
    with pytest.raises(DomainError) as exc:
        services.activity_update(
            actor=world.people["lead_editor"], activity=open_activity, capacity=1
        )
    assert exc.value.field == "capacity"
    assert "2" in str(exc.value)
    open_activity.refresh_from_db()
    assert open_activity.capacity == 2
    assert Signup.objects.get(user=c).status == SignupStatus.WAITING
