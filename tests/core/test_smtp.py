"""E-mail reaches a real SMTP server when one is configured (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import pytest
from django.core.mail import send_mail


@pytest.mark.smtp
def test_mail_is_delivered_over_smtp(smtp_server):
    send_mail("科技工作者日", "点亮精神火炬", "sciday@example.cn", ["unit@example.cn"])
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["to"] == ["unit@example.cn"]
    assert message["from"] == "sciday@example.cn"


@pytest.mark.smtp
def test_invitation_email_goes_out_over_smtp(smtp_server, db, django_capture_on_commit_callbacks):
    from sciday.accounts import services
    from sciday.accounts.models import Membership, Role
    from sciday.orgs.models import Unit, UnitKind
    from tests.factories import UserFactory

    unit = Unit.objects.add_root(instance=Unit(name="测试单位", kind=UnitKind.OTHER))
    admin = UserFactory()
    Membership.objects.create(user=admin, unit=unit, role=Role.UNIT_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=admin, unit=unit, email="new@example.cn", name="新成员", role=Role.UNIT_EDITOR
        )
    assert [m["to"] for m in smtp_server.messages] == [["new@example.cn"]]
