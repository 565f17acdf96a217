"""Lists show what the reader may see, filter, cost fixed queries; days are Shanghai's."""

from __future__ import annotations

from datetime import date

import pytest

from sciday.activities import services
from sciday.activities.models import Status
from sciday.activities.policy import Cap, activities_for
from sciday.activities.selectors import ActivityFilters, activity_list
from sciday.core.errors import DomainError
from tests.activities.world import at


def _titles(qs) -> list[str]:
    return sorted(a.title for a in qs)


@pytest.fixture
def mix(world):
    """One activity of each status for the own unit, plus a published and a draft one elsewhere."""
    made = {}
    for status in Status:
        made[status] = world.activity("own", status, title=f"甲-{status}")
    made["other_published"] = world.activity("other", Status.PUBLISHED, title="乙-published")
    made["other_draft"] = world.activity("other", Status.DRAFT, title="乙-draft")
    return made


PUBLIC = ["乙-published", "甲-cancelled", "甲-finished", "甲-published"]
ALL_OWN = sorted(f"甲-{s}" for s in Status)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", PUBLIC),
        ("public", PUBLIC),
        ("lead_editor", sorted([*ALL_OWN, "乙-published"])),
        ("coorg_member", sorted([*ALL_OWN, "乙-published"])),
        ("parent_admin", sorted([*ALL_OWN, "乙-published"])),
        ("other_admin", sorted([*PUBLIC, "乙-draft"])),
        ("department_reviewer", sorted([*ALL_OWN, "乙-published", "乙-draft"])),
        ("campaign_admin", sorted([*ALL_OWN, "乙-published", "乙-draft"])),
    ],
)
def test_each_reader_sees_their_share(world, mix, role, expected):
    assert _titles(activity_list(viewer=world.people[role])) == expected


def test_the_queryset_of_policy_matches_can(world, mix):
    from sciday.activities.policy import can

    for role, person in world.people.items():
        for cap in Cap:
            listed = set(activities_for(person, cap).values_list("pk", flat=True))
            for activity in mix.values():
                assert (activity.pk in listed) == can(person, cap, activity), (role, cap, activity)


def test_filters(world, mix):
    viewer = world.people["campaign_admin"]

    def titles(**kw):
        return _titles(activity_list(viewer=viewer, filters=ActivityFilters(**kw)))

    assert titles(province="330000") == ["乙-draft", "乙-published"]
    assert titles(unit=world.unit("prov"), status=Status.PUBLISHED) == ["甲-published"]
    assert titles(unit=world.unit("other_lead")) == ["乙-draft", "乙-published"]
    assert titles(category=world.category(4).pk, campaign=world.campaign.pk) == sorted(
        [*ALL_OWN, "乙-draft", "乙-published"]
    )
    assert titles(category=world.category(1).pk) == []
    assert titles(format="online") == []
    assert titles(date_from=date(2023, 5, 21)) == []
    assert len(titles(date_from=date(2023, 5, 20), date_to=date(2023, 5, 20))) == 8


def test_online_activities_count_for_their_units_province(world):
    world.activity(
        "other",
        Status.PUBLISHED,
        title="线上",
        format="online",
        region=None,
        online_url="https://live.example.cn/1",
    )
    assert _titles(activity_list(viewer=None, filters=ActivityFilters(province="330000"))) == [
        "线上"
    ]


def test_the_list_costs_the_same_queries_for_2_or_12_rows(world, django_assert_num_queries):
    def run():
        rows = list(activity_list(viewer=world.people["lead_editor"]))
        seen = [
            (a.lead_unit.region, a.category.name, a.region, a.venue, a.campaign.year) for a in rows
        ]
        names = [u.name for a in rows for u in a.co_organizers.all()]
        assert len(seen) == len(names)
        return len(rows)

    for _ in range(2):
        world.activity("own", Status.PUBLISHED)
    person = world.people["lead_editor"]
    person.__dict__.pop("_sciday_memberships", None)
    with django_assert_num_queries(3):  # memberships, activities, co-organizers
        assert run() == 2
    for _ in range(10):
        world.activity("own", Status.DRAFT)
    person.__dict__.pop("_sciday_memberships", None)
    with django_assert_num_queries(3):
        assert run() == 12


# --- Time zone: the window is in Asia/Shanghai ------------------------------------------------


def test_starting_just_after_midnight_shanghai_on_the_first_day_is_inside(world):
    """00:30 on 1 May in Shanghai is 16:30 on 30 April in UTC: still inside the window."""
    activity = services.activity_create(
        actor=world.people["lead_editor"],
        **world.data(starts_at=at(2023, 5, 1, 0, 30), ends_at=at(2023, 5, 1, 2, 0)),
    )
    assert activity.starts_at.astimezone().date() == date(2023, 5, 1)


def test_ending_at_midnight_after_the_last_day_is_inside(world):
    services.activity_create(
        actor=world.people["lead_editor"],
        **world.data(starts_at=at(2023, 6, 10, 20), ends_at=at(2023, 6, 11, 0, 0)),
    )


def test_ending_just_after_midnight_after_the_last_day_is_outside(world):
    with pytest.raises(DomainError) as exc:
        services.activity_create(
            actor=world.people["lead_editor"],
            **world.data(starts_at=at(2023, 6, 10, 20), ends_at=at(2023, 6, 11, 0, 10)),
        )
    assert exc.value.code == "outside_window"


def test_starting_before_midnight_shanghai_is_outside_even_if_utc_says_1_may(world):
    """23:30 on 30 April in Shanghai: the UTC date is 30 April too, but the point is the zone."""
    with pytest.raises(DomainError):
        services.activity_create(
            actor=world.people["lead_editor"],
            **world.data(starts_at=at(2023, 4, 30, 23, 30), ends_at=at(2023, 5, 1, 1)),
        )


def test_utc_input_is_judged_in_shanghai(world):
    from datetime import UTC, datetime

    # 2023-04-30 16:30 UTC is 2023-05-01 00:30 in Shanghai: inside.
    services.activity_create(
        actor=world.people["lead_editor"],
        **world.data(
            starts_at=datetime(2023, 4, 30, 16, 30, tzinfo=UTC),
            ends_at=datetime(2023, 4, 30, 18, 0, tzinfo=UTC),
        ),
    )


def test_date_filters_are_shanghai_days(world):
    world.activity(
        "own",
        Status.PUBLISHED,
        title="凌晨",
        starts_at=at(2023, 5, 21, 0, 30),
        ends_at=at(2023, 5, 21, 1, 30),
    )
    day = ActivityFilters(date_from=date(2023, 5, 21), date_to=date(2023, 5, 21))
    assert _titles(activity_list(viewer=None, filters=day)) == ["凌晨"]
    before = ActivityFilters(date_to=date(2023, 5, 20))
    assert "凌晨" not in _titles(activity_list(viewer=None, filters=before))
