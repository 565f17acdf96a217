"""Campaign admins, signed in with a verified second factor, for page tests."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.models import Role
from sciday.campaigns.models import Campaign
from sciday.orgs.models import Unit
from tests.factories import make_member


@pytest.fixture
def cast_publicity(db) -> Unit:
    return Unit.objects.get(code="cast-publicity")


@pytest.fixture
def campaign_2023(db) -> Campaign:
    return Campaign.objects.get(year=2023)


@pytest.fixture
def campaign_admin(cast_publicity):
    return make_member(cast_publicity, Role.CAMPAIGN_ADMIN)


@pytest.fixture
def unit_admin(db):
    return make_member(Unit.objects.get(code="cast-33"), Role.UNIT_ADMIN)


def sign_in(client, user):
    """Sign `user` in with a verified TOTP device, as national roles must be."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(client, campaign_admin):
    return sign_in(client, campaign_admin)
