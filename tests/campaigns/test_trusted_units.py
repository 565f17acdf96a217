"""Units trusted to publish directly: the services, the page, and who may use them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from sciday.accounts.models import Role
from sciday.activities import services as activities
from sciday.activities.models import Status
from sciday.campaigns import selectors, services
from sciday.campaigns.models import Campaign
from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.models import AuditEntry
from sciday.orgs.models import Unit
from tests.activities.world import at
from tests.factories import make_member
from tests.orgs import world as orgs_world

pytestmark = pytest.mark.django_db

# The permission tests' small country (fixtures).
world = orgs_world.world
web_as = orgs_world.web_as


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def campaign(db) -> Campaign:
    return Campaign.objects.get(year=2023)


def _trusted(campaign: Campaign) -> set[str]:
    return set(campaign.trusted_units.values_list("name", flat=True))


def _url(campaign: Campaign, query: str = "") -> str:
    url = reverse("campaigns:trusted_units", args=[campaign.pk])
    return f"{url}?q={query}" if query else url


# --- Services -----------------------------------------------------------------------------------


def test_add_and_remove_are_audited_and_bump_the_campaign(world, campaign):
    admin = world.people["campaign_admin"]
    before = Campaign.objects.get(pk=campaign.pk).updated_at
    services.campaign_trusted_unit_add(actor=admin, campaign=campaign, unit=world.unit("own"))
    assert _trusted(campaign) == {"甲省科协"}
    assert Campaign.objects.get(pk=campaign.pk).updated_at > before
    entry = AuditEntry.objects.get(action="campaigns.trusted_unit.added")
    assert entry.changes["unit"] == "甲省科协"
    services.campaign_trusted_unit_remove(actor=admin, campaign=campaign, unit=world.unit("own"))
    assert _trusted(campaign) == set()
    assert AuditEntry.objects.filter(action="campaigns.trusted_unit.removed").count() == 1


def test_refusals_write_nothing(world, campaign):
    admin = world.people["campaign_admin"]
    archived = world.unit("other")
    Unit.objects.filter(pk=archived.pk).update(is_active=False)
    archived.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.campaign_trusted_unit_add(actor=admin, campaign=campaign, unit=None)
    assert exc.value.field == "unit"
    with pytest.raises(DomainError) as exc:
        services.campaign_trusted_unit_add(actor=admin, campaign=campaign, unit=archived)
    assert exc.value.code == "archived_unit" and "乙省科协" in str(exc.value.message)
    with pytest.raises(DomainError) as exc:
        services.campaign_trusted_unit_remove(
            actor=admin, campaign=campaign, unit=world.unit("own")
        )
    assert exc.value.code == "not_trusted"
    services.campaign_trusted_unit_add(actor=admin, campaign=campaign, unit=world.unit("own"))
    with pytest.raises(Conflict):
        services.campaign_trusted_unit_add(actor=admin, campaign=campaign, unit=world.unit("own"))
    with pytest.raises(DomainError):
        services.campaign_trusted_units_set(
            actor=admin, campaign=campaign, units=[world.unit("sub"), archived]
        )
    with pytest.raises(DomainError):
        services.campaign_trusted_units_set(actor=admin, campaign=campaign, units=[None])
    assert _trusted(campaign) == {"甲省科协"}
    assert not AuditEntry.objects.filter(action="campaigns.trusted_units.set").exists()


def test_set_replaces_the_list_and_keeps_a_unit_archived_since(world, campaign):
    admin = world.people["campaign_admin"]
    services.campaign_trusted_unit_add(actor=admin, campaign=campaign, unit=world.unit("other"))
    Unit.objects.filter(pk=world.units["other"].pk).update(is_active=False)
    services.campaign_trusted_units_set(
        actor=admin, campaign=campaign, units=[world.unit("other"), world.unit("sub")]
    )
    assert _trusted(campaign) == {"乙省科协", "甲省南京市科协"}
    entry = AuditEntry.objects.get(action="campaigns.trusted_units.set")
    assert entry.changes == {"added": ["甲省南京市科协"], "removed": []}
    services.campaign_trusted_units_set(actor=admin, campaign=campaign, units=[])
    assert _trusted(campaign) == set()


@pytest.mark.parametrize(
    "role", ["public", "unit_editor", "unit_admin", "expert", "department_reviewer"]
)
def test_only_campaign_admins_may_change_trust(world, campaign, role):
    person = world.people[role]
    for call in (
        lambda: services.campaign_trusted_unit_add(
            actor=person, campaign=campaign, unit=world.unit("own")
        ),
        lambda: services.campaign_trusted_units_set(
            actor=person, campaign=campaign, units=[world.unit("own")]
        ),
        lambda: selectors.campaign_trusted_units(actor=person, campaign=campaign),
    ):
        with pytest.raises((NotAllowed, PermissionDenied, Http404)):
            call()
    assert _trusted(campaign) == set()


def test_a_trusted_units_sub_unit_publishes_at_once(world, campaign):
    """What trust means: the unit or any ancestor trusted, a submission is published directly."""
    admin = world.people["campaign_admin"]
    editor = make_member(world.unit("sub"), Role.UNIT_EDITOR, name="南京编辑")

    def submit():
        activity = activities.activity_create(
            actor=editor,
            campaign=campaign,
            lead_unit=world.unit("sub"),
            title="科普讲座",
            category=campaign.categories.get(number=1),
            format="offline",
            starts_at=at(2023, 5, 20, 9),
            ends_at=at(2023, 5, 20, 11),
            region="320100",
            address="市科技馆",
        )
        return activities.activity_submit(actor=editor, activity=activity).status

    assert submit() == Status.SUBMITTED
    services.campaign_trusted_unit_add(actor=admin, campaign=campaign, unit=world.unit("own"))
    assert submit() == Status.PUBLISHED
    services.campaign_trusted_unit_remove(actor=admin, campaign=campaign, unit=world.unit("own"))
    assert submit() == Status.SUBMITTED


# --- The page -----------------------------------------------------------------------------------


def test_campaign_admin_lists_finds_trusts_and_stops_trusting(world, web_as, campaign):
    client = web_as(world, "campaign_admin")
    page = client.get(_url(campaign)).content.decode()
    assert "无需审核" in page or "直接发布" in page  # the explanation of what trust means
    assert "甲省科协" not in page
    found = client.get(_url(campaign, "甲省")).content.decode()
    assert "甲省科协" in found and "甲省南京市科协" in found and "乙省科协" not in found
    response = client.post(_url(campaign, "甲省"), {"action": "add", "unit": world.units["own"].pk})
    assert response.status_code == 302 and response["Location"].endswith("?q=%E7%94%B2%E7%9C%81")
    assert _trusted(campaign) == {"甲省科协"}
    page = client.get(response["Location"]).content.decode()
    assert "甲省科协" in page
    # Already trusted units are not offered again.
    assert page.count(f'value="{world.units["own"].pk}"') == 1
    client.post(_url(campaign), {"action": "remove", "unit": world.units["own"].pk})
    assert _trusted(campaign) == set()


def test_page_refusals_are_messages_and_write_nothing(world, web_as, campaign):
    client = web_as(world, "campaign_admin")
    Unit.objects.filter(pk=world.units["other"].pk).update(is_active=False)
    for data in (
        {"action": "add", "unit": "999999"},
        {"action": "add", "unit": "abc"},
        {"action": "add", "unit": world.units["other"].pk},
        {"action": "explode", "unit": world.units["own"].pk},
    ):
        response = client.post(_url(campaign), data, follow=True)
        assert response.status_code == 200
        assert next(iter(response.context["messages"])).level_tag == "error"
    assert client.post(_url(campaign), {"action": "remove", "unit": "x"}).status_code == 404
    response = client.post(
        _url(campaign), {"action": "remove", "unit": world.units["own"].pk}, follow=True
    )
    assert "甲省科协" in response.content.decode()  # "not trusted in this campaign"
    assert _trusted(campaign) == set()
    # Archived units are never offered.
    assert "乙省科协" not in client.get(_url(campaign, "乙省")).content.decode()


@pytest.mark.parametrize(
    "role", ["public", "unit_editor", "unit_admin", "expert", "department_reviewer"]
)
def test_page_is_refused_to_everyone_but_campaign_admins(world, web_as, campaign, role):
    client = web_as(world, role)
    assert client.get(_url(campaign)).status_code == 403
    response = client.post(_url(campaign), {"action": "add", "unit": world.units["own"].pk})
    assert response.status_code == 403
    assert _trusted(campaign) == set()


def test_unit_admin_of_the_national_department_is_refused(world, login, client, campaign):
    person = make_member(world.unit("cast"), Role.UNIT_ADMIN, name="部门管理员")
    login(person)
    assert client.get(_url(campaign)).status_code == 403
    assert client.post(_url(campaign), {"action": "add", "unit": 1}).status_code == 403


def test_anonymous_is_sent_to_sign_in(world, client, campaign):
    response = client.get(_url(campaign))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    response = client.post(_url(campaign), {"action": "add", "unit": world.units["own"].pk})
    assert response.status_code == 302
    assert _trusted(campaign) == set()


def test_page_queries_do_not_grow_with_units(
    world, web_as, campaign, django_assert_max_num_queries
):
    client = web_as(world, "campaign_admin")
    admin = world.people["campaign_admin"]
    for key in ("own", "other", "sub2"):
        services.campaign_trusted_unit_add(actor=admin, campaign=campaign, unit=world.unit(key))
    with django_assert_max_num_queries(20):
        assert client.get(_url(campaign, "科协")).status_code == 200
