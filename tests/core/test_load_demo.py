"""`manage.py load_demo`: realistic demo on the seeded national structure, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sciday.accounts.models import Membership, Role, SystemRole, User
from sciday.core.management.commands.load_demo import DEMO_PASSWORD, DEMO_TOTP_BASE32
from sciday.core.models import AuditEntry
from sciday.orgs.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo() -> str:
    return _load()


def test_adds_units_under_the_seeded_structure(demo):
    zhejiang = Unit.objects.get(code="cast-33")
    hangzhou = Unit.objects.get(code="local-hangzhou")
    assert hangzhou.kind == UnitKind.LOCAL_CAST
    assert Unit.objects.get_parent(hangzhou) == zhejiang
    assert hangzhou.region_id == "330100"
    assert Unit.objects.get_parent(Unit.objects.get(code="univ-zju")) == zhejiang
    assert Unit.objects.get_parent(Unit.objects.get(code="univ-tsinghua")).code == "cast-11"
    societies = Unit.objects.filter(kind=UnitKind.NATIONAL_SOCIETY)
    names = set(societies.values_list("name", flat=True))
    assert {"中国化学会", "中国计算机学会", "中国农学会"} <= names
    assert all(Unit.objects.get_parent(s).code == "cast-publicity" for s in societies)
    assert Unit.objects.filter(kind=UnitKind.ENTERPRISE_CAST).exists()


def test_one_account_per_role(demo):
    roles = dict(Membership.objects.values_list("role", "unit__code"))
    assert roles == {
        Role.CAMPAIGN_ADMIN: "cast-publicity",
        Role.DEPARTMENT_REVIEWER: "most-talent",
        Role.UNIT_ADMIN: "cast-33",
        Role.UNIT_EDITOR: "cast-33",
        Role.EXPERT: "society-ccs",
        Role.CONSULTANT: "cast-11",
    }
    system = set(User.objects.exclude(system_role="").values_list("system_role", flat=True))
    assert system == {SystemRole.SYSTEM_ADMIN, SystemRole.AUDITOR, SystemRole.SECURITY_ADMIN}
    public = User.objects.get(email="public@sciday.test")
    assert not public.memberships.exists() and public.system_role == ""


def test_logins_work_with_the_printed_password_and_need_no_change_now(demo, client):
    from sciday.accounts.middleware import password_expired

    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
        assert not password_expired(user)
    unit_admin = User.objects.get_by_login("13800138000")
    assert unit_admin.email == "unit.admin@sciday.test"


def test_second_factor_accounts_have_a_confirmed_device_with_the_printed_key(demo):
    import base64

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    needing = {"campaign.admin", "reviewer", "sysadmin", "auditor", "security"}
    devices = TOTPDevice.objects.select_related("user")
    assert {d.user.email.split("@")[0] for d in devices} == needing
    key = base64.b32decode(DEMO_TOTP_BASE32)
    device = devices.get(user__email="campaign.admin@sciday.test")
    assert device.confirmed
    assert device.verify_token(f"{TOTP(key).token():06d}")


def test_prints_the_logins(demo):
    assert DEMO_PASSWORD in demo
    assert DEMO_TOTP_BASE32 in demo
    for email in ("campaign.admin@sciday.test", "unit.admin@sciday.test", "auditor@sciday.test"):
        assert email in demo


def test_is_audited(demo):
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "core.demo.user_created",
        "core.demo.membership_created",
        "orgs.unit.created",
        "accounts.user.system_role_changed",
    } <= actions


def test_is_idempotent(demo):
    counts = (Unit.objects.count(), User.objects.count(), Membership.objects.count())
    audit = AuditEntry.objects.count()
    second = _load()
    assert "already loaded" in second
    assert (Unit.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert AuditEntry.objects.count() == audit


def test_refuses_without_the_seeded_structure():
    from django.core.management.base import CommandError

    Unit.objects.filter(code="cast-33").update(code="renamed-33")
    with pytest.raises(CommandError, match="cast-33"):
        _load()
