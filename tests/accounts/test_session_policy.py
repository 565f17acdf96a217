"""Session policy: idle and absolute timeouts, password age, second factor for high roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.models import Role, SystemRole
from sciday.core.models import AuditEntry
from tests.accounts.conftest import totp_now
from tests.factories import UserFactory, make_member

PROFILE = "/accounts/profile/"


@pytest.fixture
def person(db):
    return UserFactory()


def test_idle_session_is_signed_out(client, login, person):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(person)
        assert client.get(PROFILE).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get(PROFILE)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        assert "reason=timeout" in response.url and "next=%2Faccounts%2Fprofile%2F" in response.url
        assert "_auth_user_id" not in client.session
        page = client.get(response.url)
        assert "您的会话已超时" in page.content.decode()
    entry = AuditEntry.objects.get(action="accounts.logout")
    assert entry.changes == {"reason": "idle"}


def test_activity_keeps_the_session_alive(client, login, person):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(person)
        for _ in range(4):
            traveller.shift(timedelta(minutes=25))
            assert client.get(PROFILE).status_code == 200


def test_absolute_timeout_ends_even_an_active_session(client, login, person, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = 60 * 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(person)
        for _ in range(3):
            traveller.shift(timedelta(minutes=20))
            assert client.get(PROFILE).status_code == 200
        traveller.shift(timedelta(minutes=5))
        response = client.get(PROFILE)
        assert response.status_code == 302 and "reason=timeout" in response.url
    assert AuditEntry.objects.get(action="accounts.logout").changes == {"reason": "absolute"}


def test_expired_password_sends_every_page_to_the_change_page(client, login, person, password):
    person.password_changed_at = timezone.now() - timedelta(days=91)
    person.save()
    login(person)
    change = reverse("accounts:password_change")
    for url in [PROFILE, reverse("orgs:workspace"), reverse("accounts:otp_setup")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(change)
    page = client.get(change)
    assert page.status_code == 200
    assert "已使用超过 90 天" in page.content.decode()
    response = client.post(
        change,
        {"old_password": password, "password1": "Fresh-Start-42", "password2": "Fresh-Start-42"},
    )
    assert response.status_code == 302
    assert client.get(PROFILE).status_code == 200


def test_password_within_max_age_is_not_asked(client, login, person):
    person.password_changed_at = timezone.now() - timedelta(days=89)
    person.save()
    login(person)
    assert client.get(PROFILE).status_code == 200


def test_unit_roles_do_not_need_a_second_factor(client, login, unit):
    editor = make_member(unit, Role.UNIT_EDITOR)
    login(editor)
    assert client.get(PROFILE).status_code == 200


@pytest.mark.parametrize(
    "kind", ["campaign_admin", "department_reviewer", "system_admin", "auditor", "security_admin"]
)
def test_national_and_system_roles_must_set_up_a_second_factor(client, login, national, kind):
    if kind in SystemRole.values:
        person = UserFactory(system_role=kind)
    else:
        person = make_member(national["cast-publicity"], kind)
    login(person)
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_setup"))


def test_second_factor_setup_journey(client, login, national):
    admin = make_member(national["most-talent"], Role.CAMPAIGN_ADMIN)
    login(admin)
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    # A wrong code is refused and nothing is confirmed.
    response = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(reverse("accounts:otp_setup"), {"token": totp_now(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(PROFILE).status_code == 200
    assert AuditEntry.objects.filter(action="accounts.totp.enrolled", actor=admin).exists()


def test_every_new_session_must_verify_the_second_factor(client, login, national):
    admin = make_member(national["cast-publicity"], Role.CAMPAIGN_ADMIN)
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    login(admin)
    response = client.get(PROFILE)
    assert response.url.startswith(reverse("accounts:otp_verify"))
    # Enrolling a new device instead is not a way around the one already set up.
    response = client.get(reverse("accounts:otp_setup"))
    assert response.url.startswith(reverse("accounts:otp_verify"))
    response = client.post(reverse("accounts:otp_verify"), {"token": "123456"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert AuditEntry.objects.filter(action="accounts.totp.failed", success=False).exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(
        f"{reverse('accounts:otp_verify')}?next={PROFILE}", {"token": totp_now(device)}
    )
    assert response.status_code == 302 and response.url == PROFILE
    assert client.get(PROFILE).status_code == 200
    assert AuditEntry.objects.filter(action="accounts.totp.verified", actor=admin).exists()


def test_repeated_wrong_codes_are_throttled(client, login, national):
    admin = make_member(national["cast-publicity"], Role.CAMPAIGN_ADMIN)
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    login(admin)
    for _ in range(3):
        client.post(reverse("accounts:otp_verify"), {"token": "000000"})
    # Even the right code is refused while the throttle holds.
    response = client.post(reverse("accounts:otp_verify"), {"token": totp_now(device)})
    assert response.status_code == 200
    assert "错误次数过多" in response.content.decode()


def test_role_granted_takes_effect_on_the_next_request(client, login, national):
    person = UserFactory()
    login(person)
    assert client.get(PROFILE).status_code == 200
    from sciday.accounts.models import Membership

    Membership.objects.create(
        user=person, unit=national["cast-publicity"], role=Role.CAMPAIGN_ADMIN
    )
    response = client.get(PROFILE)
    assert response.url.startswith(reverse("accounts:otp_setup"))


def test_a_person_who_opted_in_is_asked_for_a_code_too(client, login, person):
    TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    login(person)
    response = client.get(PROFILE)
    assert response.url.startswith(reverse("accounts:otp_verify"))
