"""三权分立: the system administrator, the security administrator and the auditor, each on their
own page and no other; the command that grants the roles; what each page does."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from sciday.accounts import services
from sciday.accounts.models import ApiToken, Membership, SystemRole, User
from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.models import AuditEntry
from sciday.core.selectors import audit_search
from tests.factories import UserFactory

# URL name → (method, who may use it). Every other person gets 403, the anonymous the login page.
PAGES = {
    "admin_users": ("get", "system_admin"),
    "admin_user_set_active": ("post", "system_admin"),
    "security": ("get", "security_admin"),
    "security_unlock": ("post", "security_admin"),
    "security_reset_second_factor": ("post", "security_admin"),
    "audit": ("get", "auditor"),
}
ROLES = ["anonymous", "member", "campaign_admin", "system_admin", "security_admin", "auditor"]


def test_every_system_role_page_is_in_the_matrix():
    patterns = get_resolver().url_patterns
    accounts = next(p for p in patterns if getattr(p, "namespace", None) == "accounts")
    names = {
        p.name
        for p in accounts.url_patterns
        if isinstance(p, URLPattern)
        and str(p.pattern).startswith(("admin/", "security/", "audit/"))
    }
    assert names == set(PAGES)


def _call(client, name, method, target):
    args = [target.pk] if name == "admin_user_set_active" else []
    url = reverse(f"accounts:{name}", args=args)
    data = {
        "admin_user_set_active": {"active": "0"},
        "security_unlock": {"username": "someone@example.cn"},
        "security_reset_second_factor": {"email": target.email},
    }.get(name, {})
    return getattr(client, method)(url, data)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_separation_of_duties_matrix(client, signed_in, people, role, name):
    method, owner = PAGES[name]
    target = UserFactory(email="target@example.cn")
    if role != "anonymous":
        signed_in(people[role], verified=True)
    response = _call(client, name, method, target)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    elif role == owner:
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert not response.url.startswith(reverse("accounts:login"))
    else:
        assert response.status_code == 403
    target.refresh_from_db()
    assert target.is_active == (not (role == owner == "system_admin" and name.endswith("active")))


def test_services_refuse_the_other_roles(people):
    target = UserFactory()
    for role in ["auditor", "security_admin", "member", "campaign_admin"]:
        with pytest.raises(NotAllowed):
            services.user_set_active(actor=people[role], user=target, active=False)
    for role in ["auditor", "system_admin", "member"]:
        with pytest.raises(NotAllowed):
            services.user_unlock(actor=people[role], user=target)
        with pytest.raises(NotAllowed):
            services.lockout_lift(actor=people[role], ip_address="10.0.0.1")
        with pytest.raises(NotAllowed):
            services.user_reset_second_factor(actor=people[role], user=target)
    for role in ["system_admin", "security_admin", "member", "campaign_admin"]:
        with pytest.raises(NotAllowed):
            audit_search(viewer=people[role])
    target.refresh_from_db()
    assert target.is_active


def test_system_admin_cannot_disable_system_role_holders_or_self(people):
    admin = people["system_admin"]
    for role in ["auditor", "security_admin"]:
        with pytest.raises(NotAllowed):
            services.user_set_active(actor=admin, user=people[role], active=False)
    with pytest.raises(DomainError, match="不能停用自己的账号"):
        services.user_set_active(actor=admin, user=admin, active=False)
    assert User.objects.filter(system_role__gt="", is_active=True).count() == 3


def test_no_one_holds_a_system_role_and_a_unit_role(people, unit):
    member = people["member"]
    with pytest.raises(Conflict):
        services.user_grant_system_role(user=member, role=SystemRole.AUDITOR)
    member.refresh_from_db()
    assert member.system_role == ""


def test_grant_command(people, capsys):
    person = UserFactory(email="ops@example.cn")
    call_command("grant_system_role", "OPS@example.cn", "auditor")
    person.refresh_from_db()
    assert person.system_role == SystemRole.AUDITOR
    # One field: giving another role replaces it, so no one holds two.
    call_command("grant_system_role", "ops@example.cn", "security_admin")
    person.refresh_from_db()
    assert person.system_role == SystemRole.SECURITY_ADMIN
    call_command("grant_system_role", "ops@example.cn", "none")
    person.refresh_from_db()
    assert person.system_role == ""
    with pytest.raises(CommandError, match="No account"):
        call_command("grant_system_role", "ghost@example.cn", "auditor")
    with pytest.raises(CommandError):
        call_command("grant_system_role", people["member"].email, "system_admin")
    with pytest.raises(CommandError):
        call_command("grant_system_role", "ops@example.cn", "superuser")
    changes = list(
        AuditEntry.objects.filter(
            action="accounts.user.system_role_changed", object_id=str(person.pk)
        )
        .order_by("id")
        .values_list("changes", flat=True)
    )
    assert changes == [
        {"system_role": ["", "auditor"]},
        {"system_role": ["auditor", "security_admin"]},
        {"system_role": ["security_admin", ""]},
    ]


def test_disabling_ends_sessions_and_tokens_at_once(client, signed_in, people, password):
    victim = UserFactory(email="leaving@example.cn")
    _token, secret = services.api_token_create(actor=victim, name="sync")
    theirs = Client()
    theirs.post("/accounts/login/", {"username": victim.email, "password": password})
    assert theirs.get("/accounts/profile/").status_code == 200
    signed_in(people["system_admin"], verified=True)
    page = client.get(reverse("accounts:admin_users"), {"q": "leaving"})
    assert "leaving@example.cn" in page.content.decode()
    response = client.post(
        reverse("accounts:admin_user_set_active", args=[victim.pk]),
        {"active": "0", "back": "https://evil.example/"},
    )
    assert response.status_code == 302 and response.url == reverse("accounts:admin_users")
    victim.refresh_from_db()
    assert not victim.is_active
    assert theirs.get("/accounts/profile/").status_code == 302
    assert ApiToken.objects.get(user=victim).revoked_at is not None
    assert services.api_token_authenticate(secret=secret) is None
    assert AuditEntry.objects.filter(action="accounts.user.disabled", object_id=str(victim.pk))
    # And enabled again.
    client.post(reverse("accounts:admin_user_set_active", args=[victim.pk]), {"active": "1"})
    victim.refresh_from_db()
    assert victim.is_active


def test_security_admin_sees_and_lifts_lockouts(client, signed_in, people, password):
    victim = UserFactory(email="locked@example.cn")
    other = Client()
    for _ in range(5):
        other.post(
            "/accounts/login/",
            {"username": victim.email, "password": "Wrong-1a"},
            REMOTE_ADDR="10.1.1.1",
        )
    signed_in(people["security_admin"], verified=True)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "locked@example.cn" in page and "10.1.1.1" in page
    for holder in ["system_admin", "security_admin", "auditor"]:
        assert people[holder].email in page
    client.post(reverse("accounts:security_unlock"), {"username": victim.email})
    client.post(reverse("accounts:security_unlock"), {"ip_address": "10.1.1.1"})
    response = other.post(
        "/accounts/login/", {"username": victim.email, "password": password}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="accounts.lockout.lifted").count() == 2


def test_security_admin_resets_a_lost_second_factor(client, signed_in, people):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = people["campaign_admin"]
    TOTPDevice.objects.create(user=admin, name="old phone", confirmed=True)
    signed_in(people["security_admin"], verified=True)
    client.post(reverse("accounts:security_reset_second_factor"), {"email": admin.email})
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert AuditEntry.objects.filter(action="accounts.totp.reset").exists()


def test_revoked_unit_role_takes_effect_on_the_next_request(client, signed_in, people, national):
    admin = people["campaign_admin"]
    signed_in(admin, verified=True)
    assert client.get("/accounts/profile/").status_code == 200
    Membership.objects.filter(user=admin).delete()
    User.objects.filter(pk=admin.pk).update(system_role=SystemRole.AUDITOR)
    assert client.get(reverse("accounts:audit")).status_code == 200
    User.objects.filter(pk=admin.pk).update(system_role="")
    assert client.get(reverse("accounts:audit")).status_code == 403
