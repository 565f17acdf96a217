"""The demo showcase: bilingual published profiles of 2023, a nomination in every other state."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sciday.core.demo_showcase import load_demo_showcase
from sciday.showcase.models import HonourKind, Nomination, Status

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_with_every_state(client, world):
    people = world.people
    made = load_demo_showcase(
        campaign_admin=people["campaign_admin"],
        unit_admin=people["lead_admin"],
        expert=people["expert"],
        log=lambda *_: None,
    )
    assert made == 9
    states = set(Nomination.objects.values_list("status", flat=True))
    assert states == set(Status.values)
    honour = HonourKind.objects.get(campaign__year=2023, name="最美科技工作者")
    assert str(honour.nomination_deadline) == "2023-03-31"
    assert (
        load_demo_showcase(
            campaign_admin=people["campaign_admin"],
            unit_admin=people["lead_admin"],
            expert=people["expert"],
            log=lambda *_: None,
        )
        == 0
    )
    assert Nomination.objects.count() == 9
    page = client.get(reverse("showcase:index")).content.decode()
    assert "陈静" in page and "刘洋" in page and "赵磊" in page
    chen = Nomination.objects.get(name="陈静")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("showcase:detail", args=[chen.pk])).content.decode()
    assert "Chen Jing" in page and "thousand days at sea" in page
