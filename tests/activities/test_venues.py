"""The registry of venues: who registers them, what is refused, and activities held in them."""

from __future__ import annotations

import pytest

from sciday.activities import services
from sciday.activities.models import Venue, VenueKind
from sciday.activities.selectors import venue_list
from sciday.core.errors import DomainError, NotAllowed
from sciday.core.models import AuditEntry


def _create(world, role, unit_key="lead", **kw):
    data = {
        "kind": VenueKind.SCIENTIST_SPIRIT_BASE,
        "name": "南京科学家精神教育基地",
        "region": "320100",
        "address": "南京市玄武区",
        "unit": world.unit(unit_key) if unit_key else None,
    }
    data.update(kw)
    return services.venue_create(actor=world.people[role], **data)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("public", False),
        ("lead_editor", True),
        ("lead_admin", True),
        ("parent_admin", True),
        ("other_admin", False),
        ("coorg_member", False),
        ("department_reviewer", False),
        ("campaign_admin", True),
    ],
)
def test_who_registers_a_units_venue(world, role, allowed):
    if allowed:
        venue = _create(world, role)
        assert venue.unit == world.unit("lead")
        assert AuditEntry.objects.filter(action="activities.venue.created").count() == 1
    else:
        with pytest.raises(NotAllowed):
            _create(world, role)
        assert not Venue.objects.exists()


def test_a_national_venue_is_for_campaign_admins(world):
    with pytest.raises(NotAllowed):
        _create(world, "parent_admin", unit_key=None)
    assert _create(world, "campaign_admin", unit_key=None).unit is None


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"name": " "}, "name"),
        ({"kind": "castle"}, "kind"),
        ({"region": "999999"}, "region"),
        ({"region": None}, "region"),
    ],
)
def test_bad_venues_are_refused(world, kw, field):
    with pytest.raises(DomainError) as exc:
        _create(world, "lead_editor", **kw)
    assert exc.value.field == field
    assert not Venue.objects.exists()


def test_update_and_retire_a_venue(world):
    venue = _create(world, "lead_editor")
    venue = services.venue_update(
        actor=world.people["lead_admin"], venue=venue, name="南京科普教育基地", is_active=False
    )
    assert (venue.name, venue.is_active) == ("南京科普教育基地", False)
    assert AuditEntry.objects.filter(action="activities.venue.updated").count() == 1
    assert list(venue_list(region="320000")) == []
    with pytest.raises(NotAllowed):
        services.venue_update(actor=world.people["other_admin"], venue=venue, name="x")
    with pytest.raises(DomainError):
        services.venue_update(actor=world.people["lead_admin"], venue=venue, unit=None)


def test_venue_list_by_province_and_kind(world):
    _create(world, "lead_editor")
    _create(
        world,
        "campaign_admin",
        unit_key="other_lead",
        name="杭州社区中心",
        region="330100",
        kind=VenueKind.COMMUNITY_CENTER,
    )
    assert [v.name for v in venue_list(region="330000")] == ["杭州社区中心"]
    assert [v.name for v in venue_list(kind=VenueKind.SCIENTIST_SPIRIT_BASE)] == [
        "南京科学家精神教育基地"
    ]


def test_an_activity_in_a_retired_venue_is_refused(world):
    venue = _create(world, "lead_editor")
    activity = services.activity_create(
        actor=world.people["lead_editor"], **world.data(venue=venue)
    )
    assert activity.venue == venue
    services.venue_update(actor=world.people["lead_editor"], venue=venue, is_active=False)
    with pytest.raises(DomainError) as exc:
        services.activity_create(actor=world.people["lead_editor"], **world.data(venue=venue))
    assert exc.value.field == "venue"


def test_retiring_a_venue_does_not_block_edits_of_its_activities(world):
    venue = _create(world, "lead_editor")
    activity = services.activity_create(
        actor=world.people["lead_editor"], **world.data(venue=venue)
    )
    services.venue_update(actor=world.people["lead_editor"], venue=venue, is_active=False)
    activity = services.activity_update(
        actor=world.people["lead_editor"], activity=activity, venue=venue, audience="市民"
    )
    assert activity.audience == "市民"
