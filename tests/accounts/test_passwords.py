"""Password rules, changing one's password, and resetting it by e-mail (also over real SMTP)."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_string, policy
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from sciday.accounts import services
from sciday.core.errors import DomainError
from sciday.core.models import AuditEntry
from tests.factories import UserFactory

CHANGE = "/accounts/password/"
RESET = "/accounts/password/reset/"


@pytest.fixture
def person(db):
    return UserFactory(email="li.ming@example.cn", name="李明")


WEAK = [
    ("Ab1!xyz", "太短"),  # 7 characters
    ("abcdefgh12", "至少包含以下 3 类字符"),  # two classes
    ("ABCDEFGH!!", "至少包含以下 3 类字符"),  # two classes
    ("P@ssw0rd", "太常见"),  # four classes, but a common password
    ("Li.ming@example1", "相似"),  # too close to the e-mail address
]


@pytest.mark.parametrize(("weak", "message"), WEAK)
def test_service_refuses_each_weak_password(person, password, weak, message):
    with pytest.raises(DomainError) as excinfo:
        services.user_set_password(actor=person, user=person, password=weak, old_password=password)
    assert message in str(excinfo.value)
    assert excinfo.value.code == "weak_password"
    person.refresh_from_db()
    assert person.check_password(password)


@pytest.mark.parametrize(("weak", "message"), WEAK)
def test_change_page_shows_each_rule(client, login, person, password, weak, message):
    login(person)
    response = client.post(CHANGE, {"old_password": password, "password1": weak, "password2": weak})
    assert response.status_code == 200
    assert message in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(password)


def test_change_refuses_wrong_current_password_and_mismatch(client, login, person):
    login(person)
    body = client.post(
        CHANGE, {"old_password": "nope", "password1": "Good-Pass-123", "password2": "Good-Pass-123"}
    ).content.decode()
    assert "当前密码不正确" in body
    body = client.post(
        CHANGE, {"old_password": "x", "password1": "Good-Pass-123", "password2": "Good-Pass-124"}
    ).content.decode()
    assert "两次输入的密码不一致" in body


def test_change_keeps_this_session_and_ends_the_others(client, login, person, password):
    other = Client()
    login(person, client=other)
    login(person)
    before = person.password_changed_at
    response = client.post(
        CHANGE,
        {"old_password": password, "password1": "Good-Pass-123", "password2": "Good-Pass-123"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.password_changed_at > before
    assert client.get("/accounts/profile/").status_code == 200
    assert other.get("/accounts/profile/").status_code == 302
    assert AuditEntry.objects.filter(action="accounts.user.password_changed").exists()
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=person.email, password="Good-Pass-123") == person


def _link_from(text: str) -> str:
    match = re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", text)
    assert match, text
    return urlsplit(match.group(0)).path


def test_reset_does_not_reveal_whether_an_account_exists(client, person, outbox):
    known = client.post(RESET, {"email": person.email})
    unknown = client.post(RESET, {"email": "nobody@example.cn"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("accounts:password_reset_done")
    assert len(outbox) == 1 and outbox[0].to == [person.email]


def test_reset_link_sets_a_new_password_once(client, person, outbox, settings):
    settings.SITE_URL = "https://sciday.example.cn"
    client.post(RESET, {"email": person.email}, HTTP_HOST="localhost")
    body = outbox[0].body
    assert "https://sciday.example.cn/accounts/password/reset/" in body  # never the Host header
    assert "60 分钟" in body
    link = _link_from(body)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    form_url = form.redirect_chain[-1][0]
    weak = client.post(form_url, {"new_password1": "abcdefgh", "new_password2": "abcdefgh"})
    assert "至少包含以下 3 类字符" in weak.content.decode()
    done = client.post(form_url, {"new_password1": "Brand-New-77", "new_password2": "Brand-New-77"})
    assert done.status_code == 302 and done.url == reverse("accounts:password_reset_complete")
    person.refresh_from_db()
    assert person.check_password("Brand-New-77")
    assert AuditEntry.objects.filter(action="accounts.user.password_reset", actor=person).exists()
    again = client.get(link, follow=True)
    assert "此链接已失效" in again.content.decode()


def test_reset_link_expires(client, person, outbox, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.post(RESET, {"email": person.email})
        link = _link_from(outbox[0].body)
        traveller.shift(timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60))
        page = client.get(link, follow=True)
    assert "此链接已失效" in page.content.decode()


@pytest.mark.smtp
def test_reset_journey_through_a_real_smtp_server(client, person, smtp_server):
    response = client.post(RESET, {"email": person.email})
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["to"] == [person.email]
    message = message_from_string(received["data"], policy=policy.default)
    assert "重置" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    form = client.get(_link_from(text), follow=True)
    form_url = form.redirect_chain[-1][0]
    done = client.post(
        form_url, {"new_password1": "Via-Smtp-2023", "new_password2": "Via-Smtp-2023"}
    )
    assert done.status_code == 302
    login = client.post("/accounts/login/", {"username": person.email, "password": "Via-Smtp-2023"})
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
