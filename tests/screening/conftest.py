from __future__ import annotations

import pytest

from sciday.campaigns.models import Campaign
from sciday.screening import matcher
from tests.orgs import world as orgs_world

world = orgs_world.world
web_as = orgs_world.web_as


@pytest.fixture(autouse=True)
def _fresh_automata():
    matcher.forget()
    yield
    matcher.forget()


@pytest.fixture
def campaign(db) -> Campaign:
    return Campaign.objects.get(year=2023)


@pytest.fixture
def admin(world):
    return world.people["campaign_admin"]
