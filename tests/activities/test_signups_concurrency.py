"""Two people signing up at once cannot both take the last place (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.db import connection, connections

from sciday.activities.models import Signup, SignupStatus, Status
from sciday.activities.signups import signup_create
from tests.activities.world import at
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def test_concurrent_signups_never_exceed_the_capacity(world):
    with time_machine.travel(at(2023, 5, 1, 10, 0), tick=True):
        activity = world.activity(status=Status.PUBLISHED, signup_required=True, capacity=2)
        people = [UserFactory() for _ in range(6)]
        barrier = threading.Barrier(len(people))
        errors: list[BaseException] = []

        def sign_up(person):
            try:
                barrier.wait()
                signup_create(actor=person, activity=activity)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=sign_up, args=(p,)) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    signups = Signup.objects.filter(activity=activity)
    assert signups.filter(status=SignupStatus.CONFIRMED).count() == 2
    waiting = sorted(signups.filter(status=SignupStatus.WAITING).values_list("position", flat=True))
    assert waiting == [1, 2, 3, 4]
