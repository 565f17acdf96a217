"""Every refusal of bad input, each with a clear message on the right field and nothing written."""

from __future__ import annotations

from datetime import date

import pytest

from sciday.activities import services
from sciday.activities.models import Activity, ActivityEvent, Status
from sciday.campaigns.models import Campaign
from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.models import AuditEntry
from tests.activities.world import at


def _counts():
    return (Activity.objects.count(), ActivityEvent.objects.count(), AuditEntry.objects.count())


def _refused(world, actor_role="lead_editor", target="own", **overrides) -> DomainError:
    before = _counts()
    with pytest.raises(DomainError) as exc:
        services.activity_create(actor=world.people[actor_role], **world.data(target, **overrides))
    assert _counts() == before
    return exc.value


def services_campaign_copy(world) -> Campaign:
    from sciday.campaigns.services import campaign_copy

    return campaign_copy(actor=world.people["campaign_admin"], source=world.campaign, year=2024)


CASES = [
    # (overrides, field, code, words in the Chinese message)
    (
        {"starts_at": at(2023, 5, 20, 11), "ends_at": at(2023, 5, 20, 9)},
        "ends_at",
        "ends_before_start",
        "结束时间早于开始时间",
    ),
    (
        {"starts_at": at(2023, 5, 20, 9), "ends_at": at(2023, 5, 20, 9)},
        "ends_at",
        "ends_before_start",
        "结束时间早于开始时间",
    ),
    (
        {"starts_at": at(2023, 4, 28, 9), "ends_at": at(2023, 4, 28, 11)},
        "starts_at",
        "outside_window",
        "活动期",
    ),
    (
        {"starts_at": at(2023, 6, 10, 20), "ends_at": at(2023, 6, 11, 0, 10)},
        "starts_at",
        "outside_window",
        "活动期",
    ),
    ({"region": None}, "region", "region_required", "地区"),
    ({"format": "hybrid", "online_url": ""}, "online_url", "link_required", "链接"),
    (
        {"format": "online", "region": None, "online_url": ""},
        "online_url",
        "link_required",
        "链接",
    ),
    (
        {"format": "online", "online_url": "javascript:alert(1)"},
        "online_url",
        "bad_link",
        "http",
    ),
    (
        {"format": "online", "online_url": "ftp://live.example.cn/x"},
        "online_url",
        "bad_link",
        "http",
    ),
    ({"region": "330100"}, "region", "outside_province", "省份"),
    ({"region": "999999"}, "region", "unknown_region", "GB/T 2260"),
    ({"capacity": -5}, "capacity", "negative", "名额"),
    ({"capacity": 0}, "capacity", "negative", "名额"),
    ({"expected_participants": -1}, "expected_participants", "negative", "负数"),
    ({"title": "   "}, "title", "required", "标题"),
    ({"format": "by post"}, "format", "format", "线下"),
    ({"starts_at": at(2023, 5, 20, 9).replace(tzinfo=None)}, "starts_at", "invalid", "时区"),
]


@pytest.mark.parametrize(("overrides", "field", "code", "words"), CASES)
def test_bad_input_is_refused(world, overrides, field, code, words):
    error = _refused(world, **overrides)
    assert (error.field, error.code) == (field, code)
    assert words in str(error.message)


def test_a_category_of_another_campaign(world):
    next_year = services_campaign_copy(world)
    error = _refused(world, category=next_year.categories.get(number=1))
    assert (error.field, error.code) == ("category", "category")
    assert "其他年度" in str(error.message)


def test_a_subtype_of_another_category(world):
    subtype = world.category(1).subtypes.first()
    assert subtype is not None
    error = _refused(world, category=world.category(4), subtype=subtype)
    assert (error.field, error.code) == ("subtype", "subtype")


def test_the_lead_unit_as_co_organizer(world):
    error = _refused(world, co_organizers=[world.unit("lead")])
    assert (error.field, error.code) == ("co_organizers", "co_organizer_is_lead")
    assert "主办单位不能同时作为联动单位" in str(error.message)


def test_a_duplicate_reference_of_the_same_unit(world):
    services.activity_create(actor=world.people["lead_editor"], **world.data(reference="NJ-01"))
    error = _refused(world, reference="NJ-01")
    assert isinstance(error, Conflict)
    assert error.field == "reference"
    # Another unit may use the same reference.
    services.activity_create(
        actor=world.people["other_admin"], **world.data("other", reference="NJ-01")
    )


def test_an_unpublished_campaign(world):
    draft = services_campaign_copy(world)
    error = _refused(
        world,
        campaign=draft,
        category=draft.categories.get(number=1),
        starts_at=at(2024, 5, 20, 9),
        ends_at=at(2024, 5, 20, 11),
    )
    assert error.field == "campaign"


# --- Allowances: only deciders set them -------------------------------------------------------


@pytest.mark.parametrize("flag", ["window_override", "region_override"])
def test_an_editor_cannot_allow_exceptions(world, flag):
    error = _refused(world, **{flag: True})
    assert isinstance(error, NotAllowed)
    assert error.field == flag


@pytest.mark.parametrize("role", ["parent_admin", "campaign_admin"])
def test_a_decider_allows_dates_outside_the_window(world, role):
    activity = services.activity_create(
        actor=world.people[role],
        **world.data(
            starts_at=at(2023, 6, 15, 9), ends_at=at(2023, 6, 15, 11), window_override=True
        ),
    )
    assert activity.window_override


@pytest.mark.parametrize("role", ["parent_admin", "campaign_admin"])
def test_a_decider_allows_a_region_outside_the_province(world, role):
    activity = services.activity_create(
        actor=world.people[role], **world.data(region="330100", region_override=True)
    )
    assert activity.region_override and activity.region_id == "330100"


def test_the_lead_units_own_admin_cannot_allow_exceptions(world):
    error = _refused(world, actor_role="lead_admin", window_override=True)
    assert isinstance(error, NotAllowed)


def test_national_units_are_not_bound_to_a_province(world):
    """Only provincial and local units are held to their province."""
    activity = services.activity_create(
        actor=world.people["campaign_admin"],
        **{**world.data(), "lead_unit": world.unit("cast"), "co_organizers": []},
    )
    assert activity.region_id == "320100"


def test_an_editors_date_change_voids_the_allowance(world):
    activity = services.activity_create(
        actor=world.people["parent_admin"],
        **world.data(
            starts_at=at(2023, 6, 15, 9), ends_at=at(2023, 6, 15, 11), window_override=True
        ),
    )
    with pytest.raises(DomainError) as exc:
        services.activity_update(
            actor=world.people["lead_editor"],
            activity=activity,
            starts_at=at(2023, 7, 1, 9),
            ends_at=at(2023, 7, 1, 11),
        )
    assert exc.value.code == "outside_window"
    activity.refresh_from_db()
    assert activity.window_override and activity.starts_at == at(2023, 6, 15, 9)
    # Other edits keep it.
    activity = services.activity_update(
        actor=world.people["lead_editor"], activity=activity, audience="大学生"
    )
    assert activity.window_override


# --- Editing refusals -------------------------------------------------------------------------


def test_a_submitted_activity_is_locked(world):
    activity = world.activity("own", Status.SUBMITTED)
    with pytest.raises(Conflict) as exc:
        services.activity_update(
            actor=world.people["lead_editor"], activity=activity, title="改个标题"
        )
    assert exc.value.code == "locked"
    activity.refresh_from_db()
    assert activity.title == "科学家精神报告会"


def test_a_published_activity_keeps_its_approved_facts(world):
    activity = world.activity("own", Status.PUBLISHED)
    audits = AuditEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        services.activity_update(
            actor=world.people["lead_editor"],
            activity=activity,
            starts_at=at(2023, 5, 21, 9),
            ends_at=at(2023, 5, 21, 11),
        )
    assert exc.value.code == "published"
    assert "开始时间" in str(exc.value.message)
    assert AuditEntry.objects.count() == audits
    activity = services.activity_update(
        actor=world.people["lead_editor"], activity=activity, address="新地址", capacity=300
    )
    assert (activity.address, activity.capacity, activity.status) == (
        "新地址",
        300,
        Status.PUBLISHED,
    )


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.FINISHED])
def test_a_closed_activity_cannot_be_edited(world, status):
    activity = world.activity("own", status)
    with pytest.raises(Conflict) as exc:
        services.activity_update(actor=world.people["lead_editor"], activity=activity, summary="x")
    assert exc.value.code == "closed"


def test_unknown_fields_are_refused(world):
    activity = world.activity("own")
    with pytest.raises(DomainError):
        services.activity_update(
            actor=world.people["lead_editor"], activity=activity, lead_unit=world.unit("other")
        )


def test_update_validates_like_create(world):
    activity = world.activity("own")
    with pytest.raises(DomainError) as exc:
        services.activity_update(
            actor=world.people["lead_editor"],
            activity=activity,
            co_organizers=[world.unit("lead")],
        )
    assert exc.value.code == "co_organizer_is_lead"
    assert list(activity.co_organizers.all()) == [world.unit("coorg")]


def test_resubmission_checks_the_rules_again(world):
    """A campaign admin narrows the window after the draft was written: submit refuses."""
    activity = world.activity("own")
    Campaign.objects.filter(pk=world.campaign.pk).update(window_end=date(2023, 5, 10))
    with pytest.raises(DomainError) as exc:
        services.activity_submit(actor=world.people["lead_editor"], activity=activity)
    assert exc.value.code == "outside_window"
    activity.refresh_from_db()
    assert activity.status == Status.DRAFT
