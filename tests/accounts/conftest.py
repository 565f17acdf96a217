"""Helpers for the account tests: people with each kind of role, signed in with a second factor."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.models import Role, SystemRole
from tests.factories import UserFactory, make_member, make_unit


def totp_now(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for `device`."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def unit(db):
    return make_unit(name="测试省科协")


@pytest.fixture
def signed_in(client, login):
    """Sign `user` in; with `verified=True` also pass the second factor (a confirmed device)."""

    def _signed_in(user, *, verified: bool = False, client=client):
        login(user, client=client)
        if verified:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _signed_in


@pytest.fixture
def people(db, national, unit):
    """One person per kind of role that matters to the account pages."""
    return {
        "member": make_member(unit, Role.UNIT_ADMIN),
        "campaign_admin": make_member(national["cast-publicity"], Role.CAMPAIGN_ADMIN),
        "system_admin": UserFactory(system_role=SystemRole.SYSTEM_ADMIN),
        "security_admin": UserFactory(system_role=SystemRole.SECURITY_ADMIN),
        "auditor": UserFactory(system_role=SystemRole.AUDITOR),
    }
