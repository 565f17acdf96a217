"""Signing in by e-mail or mobile number, the generic error, lockout, sessions and logout."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sciday.accounts.models import UserSession
from sciday.core.models import AuditEntry
from tests.factories import UserFactory

LOGIN = "/accounts/login/"
GENERIC = "电子邮箱或手机号与密码不匹配任何有效账号"


def post_login(client, username, password, ip="127.0.0.1", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


@pytest.fixture
def person(db):
    user = UserFactory(email="zhang@example.cn")
    user.set_phone("13800138000")
    user.save()
    return user


def test_login_page_renders(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "电子邮箱或手机号" in response.content.decode()


def test_login_by_email_any_case(client, person, password):
    response = post_login(client, "Zhang@Example.CN", password)
    assert response.status_code == 302
    assert response.url == reverse("orgs:workspace")
    assert client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.parametrize("typed", ["13800138000", "+86 138-0013-8000", "0086 13800138000"])
def test_login_by_mobile_number(client, person, password, typed):
    response = post_login(client, typed, password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_phone_is_not_stored_in_clear(person):
    person.refresh_from_db()
    assert "13800138000" not in person.phone_encrypted
    assert person.phone == "13800138000"
    assert person.masked_phone == "138****8000"


@pytest.mark.parametrize("username", ["zhang@example.cn", "nobody@example.cn", "13900000000"])
def test_wrong_credentials_give_one_generic_message(client, person, username):
    response = post_login(client, username, "Wrong-pass-1")
    assert response.status_code == 200
    assert GENERIC in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_disabled_account_gets_the_same_generic_message(client, person, password):
    person.is_active = False
    person.save()
    response = post_login(client, person.email, password)
    assert response.status_code == 200
    assert GENERIC in response.content.decode()


def test_next_is_followed_only_within_the_site(client, person, password):
    response = client.post(
        f"{LOGIN}?next=/accounts/profile/", {"username": person.email, "password": password}
    )
    assert response.url == "/accounts/profile/"
    client.post("/accounts/logout/")
    response = client.post(
        f"{LOGIN}?next=https://evil.example/steal", {"username": person.email, "password": password}
    )
    assert response.url == reverse("orgs:workspace")


def test_login_and_failures_are_audited_without_a_clear_phone_number(client, person, password):
    post_login(client, "13800138000", "Wrong-pass-1")
    post_login(client, person.email, password)
    failed = AuditEntry.objects.get(action="accounts.login.failed")
    assert failed.success is False
    assert failed.changes == {"login": "138****8000"}
    assert failed.object_id == str(person.pk)
    ok = AuditEntry.objects.get(action="accounts.login.succeeded")
    assert ok.actor_id == person.pk and ok.ip == "127.0.0.1"


def test_sixth_attempt_is_locked_even_with_the_right_password(client, person, password):
    for _ in range(5):
        post_login(client, person.email, "Wrong-pass-1")
    response = post_login(client, person.email, password)
    assert response.status_code == 429
    body = response.content.decode()
    assert "暂停" in body and "15" in body
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="accounts.login.locked").exists()
    assert AuditEntry.objects.filter(action="accounts.login.failed").count() == 6


def test_lockout_is_per_account_across_addresses_and_identifiers(client, person, password):
    # Five failures from five addresses, alternating e-mail and mobile number: one account.
    for i in range(5):
        login = person.email if i % 2 else "13800138000"
        post_login(client, login, "Wrong-pass-1", ip=f"10.0.0.{i + 1}")
    response = post_login(client, person.email, password, ip="10.0.0.99")
    assert response.status_code == 429


def test_lockout_is_per_address_across_accounts(client, person, password):
    for i in range(5):
        post_login(client, f"guess{i}@example.cn", "Wrong-pass-1", ip="10.9.9.9")
    response = post_login(client, person.email, password, ip="10.9.9.9")
    assert response.status_code == 429
    # Another address is not affected.
    response = post_login(client, person.email, password, ip="10.9.9.10")
    assert response.status_code == 302


def test_lockout_ends_after_fifteen_minutes(client, person, password):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            post_login(client, person.email, "Wrong-pass-1")
        traveller.shift(timedelta(minutes=14))
        assert post_login(client, person.email, password).status_code == 429
        traveller.shift(timedelta(minutes=2))
        response = post_login(client, person.email, password)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(person.pk)


def test_each_session_is_recorded_and_logout_ends_it(client, person, password):
    post_login(client, person.email, password)
    key = client.session.session_key
    assert UserSession.objects.filter(user=person, session_key=key).exists()
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not UserSession.objects.filter(session_key=key).exists()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="accounts.logout", actor=person).exists()


def test_system_role_holder_lands_on_their_page_after_second_factor(client, db, password):
    from sciday.accounts.models import SystemRole

    auditor = UserFactory(system_role=SystemRole.AUDITOR)
    response = post_login(client, auditor.email, password)
    # The login redirect goes to the audit page, which first asks for the second factor.
    assert response.url == reverse("accounts:audit")
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_setup"))
