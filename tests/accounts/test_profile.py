"""The profile page: name and mobile number, personal API tokens, and the personal-data export."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from sciday.accounts.models import ApiToken, Role
from sciday.accounts.services import api_token_authenticate, api_token_create
from sciday.core.models import AuditEntry
from tests.factories import UserFactory, make_member

PROFILE = "/accounts/profile/"


@pytest.fixture
def person(unit):
    user = make_member(unit, Role.UNIT_EDITOR, name="周明")
    user.set_phone("13812345678")
    user.save()
    return user


def test_profile_shows_masked_number_and_second_factor_status(client, login, person, unit):
    login(person)
    body = client.get(PROFILE).content.decode()
    assert "138****5678" in body and "13812345678" not in body
    assert unit.name in body and "单位编辑" in body
    assert reverse("accounts:password_change") in body
    assert "未开启" in body


def test_update_name_and_number_and_refusals(client, login, person):
    login(person)
    response = client.post(PROFILE, {"name": "周明明", "phone": "13900009999"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "周明明" and person.phone == "13900009999"
    bad = client.post(PROFILE, {"name": "周", "phone": "2345"})
    assert bad.status_code == 400 and "11 位中国大陆手机号" in bad.content.decode()
    taken = UserFactory()
    taken.set_phone("13700007777")
    taken.save()
    clash = client.post(PROFILE, {"name": "周", "phone": "13700007777"})
    assert "该手机号已被使用" in clash.content.decode()
    person.refresh_from_db()
    assert person.phone == "13900009999"


def test_token_secret_is_shown_once_and_works_until_revoked(client, login, person):
    login(person)
    response = client.post(reverse("accounts:token_create"), {"name": "省平台同步", "days": 90})
    assert response.status_code == 201
    token = ApiToken.objects.get(user=person)
    body = response.content.decode()
    start = body.index("sd_")
    secret = body[start : body.index("<", start)].strip()
    assert api_token_authenticate(secret=secret) == person
    assert token.key_hash not in body
    # Shown only once: the profile lists the token by its prefix, never the secret.
    again = client.get(PROFILE).content.decode()
    assert secret not in again and token.prefix in again
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api_token_authenticate(secret=secret) is None
    assert AuditEntry.objects.filter(action="accounts.api_token.revoked").exists()


def test_token_refusals(client, login, person):
    login(person)
    response = client.post(reverse("accounts:token_create"), {"name": " ", "days": 90})
    assert response.status_code == 400
    response = client.post(reverse("accounts:token_create"), {"name": "x", "days": 9999})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_another_persons_token_cannot_be_revoked(client, login, person):
    other = UserFactory()
    token, secret = api_token_create(actor=other, name="theirs")
    login(person)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert api_token_authenticate(secret=secret) == other


def test_data_export_holds_own_data_only(client, login, person, unit):
    api_token_create(actor=person, name="同步")
    stranger = UserFactory(name="陌生人")
    api_token_create(actor=stranger, name="陌生令牌")
    login(person)
    assert client.get(reverse("accounts:data_export")).status_code == 405
    response = client.post(reverse("accounts:data_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["email"] == person.email
    assert data["profile"]["mobile"] == "13812345678"
    assert data["memberships"] == [
        {"unit": unit.name, "role": "unit_editor", "since": data["memberships"][0]["since"]}
    ]
    assert [t["name"] for t in data["api_tokens"]] == ["同步"]
    assert "key_hash" not in json.dumps(data)
    actions = {e["action"] for e in data["audit_entries"]}
    assert "accounts.api_token.created" in actions and "accounts.login.succeeded" in actions
    assert "陌生" not in response.content.decode()
    assert AuditEntry.objects.filter(action="accounts.user.data_exported", actor=person).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for url in [PROFILE, reverse("accounts:password_change"), reverse("accounts:otp_setup")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert client.post(reverse("accounts:data_export")).status_code == 302


def test_empty_number_field_keeps_the_number_unless_removal_is_asked(client, login, person):
    login(person)
    client.post(PROFILE, {"name": "周明", "phone": ""})
    person.refresh_from_db()
    assert person.phone == "13812345678"
    client.post(PROFILE, {"name": "周明", "phone": "", "remove_phone": "on"})
    person.refresh_from_db()
    assert person.phone == "" and person.phone_index == ""
