"""Every public activity page issues the same number of queries for one row as for many.

The list page and the workspace pages have their own tests next to their other behaviour; these
cover the rest of discovery: calendar, provinces, feed, detail (co-organizers, ratings), search.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sciday.activities.models import Status
from tests.activities.world import at


@pytest.fixture
def publish(world, django_capture_on_commit_callbacks):
    def make(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return world.activity("own", status=Status.PUBLISHED, **overrides)

    return make


def count(client, url, params=None) -> int:
    # Warm what a process keeps between requests (PostgreSQL search reads its column statistics
    # once per ten minutes), so that only the per-request queries are counted.
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grow(world, publish, n: int) -> None:
    for i in range(n):
        publish(
            title=f"科普报告会{i}",
            starts_at=at(2023, 5, 10 + i, 9),
            ends_at=at(2023, 5, 10 + i, 11),
            co_organizers=[world.unit("coorg"), world.unit("prov")],
        )


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("activities:calendar", {"month": "2023-05"}),
        ("activities:provinces", {}),
        ("activities:feed", {}),
        ("activities:feed", {"province": "320000", "q": "科普"}),
        ("search:search", {"q": "科普"}),
        ("search:search", {"q": "科普 报告"}),
    ],
)
def test_discovery_pages_cost_the_same_for_1_or_7_rows(client, world, publish, name, params):
    url = reverse(name)
    grow(world, publish, 1)
    few = count(client, url, params)
    grow(world, publish, 6)
    many = count(client, url, params)
    assert few == many, f"{name}: {few} queries for 1 row, {many} for 7"
    assert many <= 10


def test_detail_costs_the_same_whatever_its_co_organizers_and_ratings(
    client, world, publish, django_capture_on_commit_callbacks
):
    plain = publish(title="一场活动", co_organizers=[])
    busy = publish(
        title="另一场活动",
        co_organizers=[world.unit("coorg"), world.unit("prov"), world.unit("other")],
    )
    assert count(client, reverse("activities:detail", args=[plain.pk])) == count(
        client, reverse("activities:detail", args=[busy.pk])
    )
