"""Accepting an invitation: a new person, an existing person, and every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sciday.accounts import services
from sciday.accounts.models import Membership, Role, SystemRole, User
from sciday.core.errors import Conflict, NotAllowed
from tests.factories import UserFactory, make_member, make_unit


@pytest.fixture
def admin(unit):
    return make_member(unit, Role.UNIT_ADMIN, name="王管理")


@pytest.fixture
def invite(admin, unit):
    def _invite(email="new.person@example.cn", role=Role.UNIT_EDITOR, name="陈新"):
        invitation, secret = services.invitation_create(
            actor=admin, unit=unit, email=email, name=name, role=role
        )
        return invitation, reverse("accounts:invitation_accept", args=[secret])

    return _invite


def new_account(url_client, url, **overrides):
    data = {"name": "陈新", "phone": "", "password1": "Join-Us-2023", "password2": "Join-Us-2023"}
    data.update(overrides)
    return url_client.post(url, data)


def test_invitation_email_names_unit_role_inviter_expiry_and_link(
    admin, unit, outbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://sciday.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        invitation, secret = services.invitation_create(
            actor=admin, unit=unit, email="zhao@example.cn", name="赵六", role=Role.UNIT_EDITOR
        )
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["zhao@example.cn"]
    assert unit.name in message.subject
    body = message.body
    expiry = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")
    for expected in ["赵六", "王管理", unit.name, "单位编辑", expiry, "北京时间"]:
        assert expected in body
    assert f"https://sciday.example.cn/accounts/invitations/{secret}/" in body


def test_new_person_creates_an_account_joins_and_is_signed_in(client, invite, unit):
    invitation, url = invite()
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert unit.name in body and "单位编辑" in body and "new.person@example.cn" in body
    response = new_account(client, url, phone="139 0000 1111")
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.cn")
    assert person.phone == "13900001111"
    assert Membership.objects.filter(user=person, unit=unit, role=Role.UNIT_EDITOR).exists()
    assert client.session["_auth_user_id"] == str(person.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    # The link is used up.
    client.post("/accounts/logout/")
    used = client.get(url)
    assert used.status_code == 410
    assert "已被接受" in used.content.decode()


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1A", "太短"), ("alllowercase", "至少包含以下 3 类字符"), ("P@ssw0rd", "太常见")],
)
def test_weak_password_is_refused_and_nothing_is_created(client, invite, password, message):
    _invitation, url = invite()
    response = new_account(client, url, password1=password, password2=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="new.person@example.cn").exists()


def test_mismatched_passwords_and_bad_phone_are_refused(client, invite):
    _invitation, url = invite()
    body = new_account(client, url, password2="Join-Us-2024").content.decode()
    assert "两次输入的密码不一致" in body
    body = new_account(client, url, phone="12345").content.decode()
    assert "11 位中国大陆手机号" in body
    assert not User.objects.filter(email="new.person@example.cn").exists()


def test_expired_invitation_is_refused_clearly(client, invite):
    invitation, url = invite()
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    response = client.get(url)
    assert response.status_code == 410
    assert "此邀请已过期" in response.content.decode()
    response = new_account(client, url)
    assert response.status_code == 410
    assert not User.objects.filter(email="new.person@example.cn").exists()


def test_revoked_and_unknown_invitations_are_refused(client, invite, admin):
    invitation, url = invite()
    services.invitation_revoke(actor=admin, invitation=invitation)
    response = client.get(url)
    assert response.status_code == 410 and "已被撤回" in response.content.decode()
    response = client.get(reverse("accounts:invitation_accept", args=["not-a-secret"]))
    assert response.status_code == 404 and "邀请链接无效" in response.content.decode()


def test_existing_person_signs_in_and_accepts(client, login, invite, unit):
    person = UserFactory(email="known@example.cn")
    _invitation, url = invite(email="known@example.cn")
    page = client.get(url)
    assert "请先登录" in page.content.decode()
    assert f"{reverse('accounts:login')}?next={url}" in page.content.decode()
    login(person)
    assert "接受邀请" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert Membership.objects.filter(user=person, unit=unit, role=Role.UNIT_EDITOR).exists()


def test_duplicate_membership_is_refused(client, login, invite, unit):
    person = UserFactory(email="twice@example.cn")
    _invitation, url = invite(email="twice@example.cn")
    Membership.objects.create(user=person, unit=unit, role=Role.EXPERT)
    login(person)
    response = client.post(url)
    assert response.status_code == 409
    assert "您已是该单位成员" in response.content.decode()
    assert Membership.objects.get(user=person, unit=unit).role == Role.EXPERT


def test_signed_in_as_someone_else_is_refused(client, login, invite, unit):
    other = UserFactory(email="other@example.cn")
    _invitation, url = invite(email="invited@example.cn")
    login(other)
    page = client.get(url)
    assert page.status_code == 403
    assert "other@example.cn" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 403
    assert not Membership.objects.filter(unit=unit).exclude(role=Role.UNIT_ADMIN).exists()
    with pytest.raises(NotAllowed):
        services.invitation_accept(secret=url.split("/")[-2], user=other)


def test_system_role_holder_cannot_be_invited_or_accept(admin, unit, db):
    auditor = UserFactory(email="audit@example.cn", system_role=SystemRole.AUDITOR)
    with pytest.raises(Conflict):
        services.invitation_create(
            actor=admin, unit=unit, email=auditor.email, name="审计", role=Role.UNIT_EDITOR
        )
    # An invitation sent before the role was granted cannot be accepted either.
    _invitation, secret = services.invitation_create(
        actor=admin, unit=unit, email="later@example.cn", name="后来", role=Role.UNIT_EDITOR
    )
    later = UserFactory(email="later@example.cn", system_role=SystemRole.SECURITY_ADMIN)
    with pytest.raises(NotAllowed):
        services.invitation_accept(secret=secret, user=later)
    assert not Membership.objects.filter(user=later).exists()


def test_invitation_to_another_unit_does_not_reach_it(client, invite, db):
    other_unit = make_unit(name="别的单位")
    _invitation, url = invite()
    new_account(client, url)
    person = User.objects.get(email="new.person@example.cn")
    assert not Membership.objects.filter(user=person, unit=other_unit).exists()
