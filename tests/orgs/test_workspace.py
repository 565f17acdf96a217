"""The unit workspace pages: what people see, and each refusal shown with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sciday.accounts.models import Invitation, Membership, Role
from sciday.campaigns.selectors import campaign_current
from sciday.core.models import AuditEntry
from sciday.orgs.models import Unit, UnitKind
from tests.factories import make_member, make_unit


def _text(response) -> str:
    return response.content.decode()


# --- Overview --------------------------------------------------------------------------------


def test_overview_lists_my_units_with_role(world, web_as):
    client = web_as(world, "unit_admin")
    page = _text(client.get(reverse("orgs:workspace")))
    assert "甲省科协" in page
    assert "单位管理员" in page or "unit admin" in page  # the role's label
    assert "乙省科协" not in page


def test_overview_without_a_unit_is_a_friendly_empty_state(world, web_as):
    client = web_as(world, "public")
    response = client.get(reverse("orgs:workspace"))
    assert response.status_code == 200
    assert "你还不是任何组织单位的成员" in _text(response)


def test_overview_timeline_marks_past_and_next(world, web_as):
    campaign = campaign_current()
    if campaign is None:
        pytest.skip("no campaign loaded")
    client = web_as(world, "unit_admin")
    moment = dt.datetime.combine(campaign.day - dt.timedelta(days=3), dt.time(9), dt.UTC)
    with time_machine.travel(moment, tick=False):
        client = web_as(world, "unit_admin")
        page = _text(client.get(reverse("orgs:workspace")))
    assert campaign.day.isoformat() in page
    assert campaign.window_start.isoformat() in page
    assert timezone_date(campaign.report_deadline) in page
    # The window opened before, the Day is next.
    past = page.index('class="past')
    nxt = page.index('class="next')
    assert page.index(campaign.window_start.isoformat()) > past
    assert page.index(campaign.day.isoformat()) > nxt > past


def timezone_date(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).date().isoformat()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("orgs:workspace"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Lists, tree and unit page ---------------------------------------------------------------


def test_unit_list_shows_only_the_units_in_reach(world, web_as):
    client = web_as(world, "unit_editor")
    page = _text(client.get(reverse("orgs:unit_list")))
    for name in ("甲省科协", "甲省南京市科协", "甲省苏州市科协"):
        assert name in page
    assert "乙省科协" not in page
    assert "中国科协宣传文化部" not in page


def test_unit_list_filters_by_kind_and_name(world, web_as):
    client = web_as(world, "unit_admin")
    page = _text(client.get(reverse("orgs:unit_list"), {"kind": UnitKind.LOCAL_CAST}))
    assert "甲省南京市科协" in page and "甲省科协</a>" not in page
    page = _text(client.get(reverse("orgs:unit_list"), {"q": "苏州"}))
    assert "甲省苏州市科协" in page and "甲省南京市科协" not in page
    page = _text(client.get(reverse("orgs:unit_list"), {"q": "不存在的单位"}))
    assert "没有符合筛选条件的单位" in page


def test_unit_list_is_paginated(world, web_as):
    for i in range(30):
        make_unit(name=f"分页单位{i:02d}", kind=UnitKind.LOCAL_CAST, parent=world.unit("sub"))
    client = web_as(world, "unit_admin")
    first = _text(client.get(reverse("orgs:unit_list")))
    second = _text(client.get(reverse("orgs:unit_list"), {"page": 2}))
    assert "第 1 页，共 2 页" in first
    assert "分页单位29" in second and "分页单位29" not in first


def test_subtree_is_shown_as_a_tree(world, web_as):
    client = web_as(world, "unit_admin")
    page = _text(client.get(reverse("orgs:unit_list"), {"root": world.units["own"].pk}))
    assert page.count('class="tree"') >= 2  # nested list
    assert "甲省南京市科协" in page and "乙省科协" not in page
    other = client.get(reverse("orgs:unit_list"), {"root": world.units["other"].pk})
    assert other.status_code == 404


def test_unit_page_shows_facts_breadcrumbs_sub_units_members_invitations(world, web_as):
    client = web_as(world, "unit_admin")
    client.post(
        reverse("orgs:member_invite", args=[world.units["own"].pk]),
        {"name": "王五", "email": "wangwu@example.cn", "role": Role.UNIT_EDITOR},
    )
    page = _text(client.get(reverse("orgs:unit_detail", args=[world.units["own"].pk])))
    assert "江苏省" in page  # region
    assert "中国科协宣传文化部" in page  # parent, in the breadcrumbs, not a link (out of reach)
    assert reverse("orgs:unit_detail", args=[world.units["cast"].pk]) not in page
    assert "甲省南京市科协" in page  # sub-unit
    assert "甲省编辑" in page  # member
    assert "wangwu@example.cn" in page and "待接受" in page  # pending invitation


def test_unit_editor_sees_members_but_no_management(world, web_as):
    client = web_as(world, "unit_editor")
    page = _text(client.get(reverse("orgs:unit_detail", args=[world.units["own"].pk])))
    assert "甲省管理员" in page
    assert "邀请成员" not in page and "撤回" not in page
    assert reverse("orgs:unit_edit", args=[world.units["own"].pk]) not in page


# --- Writes and refusals ---------------------------------------------------------------------


def test_edit_unit_with_region_from_province_and_prefecture(world, web_as):
    client = web_as(world, "unit_admin")
    pk = world.units["sub"].pk
    response = client.post(
        reverse("orgs:unit_edit", args=[pk]),
        {"name": "南京市科学技术协会", "province": "320000", "prefecture": "320100"},
    )
    assert response.status_code == 302
    unit = Unit.objects.get(pk=pk)
    assert unit.name == "南京市科学技术协会" and unit.region_id == "320100"
    assert AuditEntry.objects.filter(action="orgs.unit.updated", object_id=str(pk)).exists()


def test_unknown_region_code_is_refused_in_chinese(world, web_as):
    client = web_as(world, "unit_admin")
    pk = world.units["own"].pk
    response = client.post(
        reverse("orgs:unit_edit", args=[pk]), {"name": "新名称", "province": "999999"}
    )
    assert response.status_code == 200
    assert "GB/T 2260 中没有代码为 999999 的行政区划" in _text(response)
    assert Unit.objects.get(pk=pk).name == "甲省科协"


def test_prefecture_outside_the_province_is_refused(world, web_as):
    client = web_as(world, "unit_admin")
    pk = world.units["own"].pk
    response = client.post(
        reverse("orgs:unit_edit", args=[pk]),
        {"name": "甲省科协", "province": "320000", "prefecture": "330100"},
    )
    assert response.status_code == 200
    assert "所选地级行政区不属于所选省份" in _text(response)
    assert Unit.objects.get(pk=pk).region_id == "320000"


def test_create_sub_unit_offers_only_kinds_allowed_under_the_parent(world, web_as):
    client = web_as(world, "unit_admin")
    pk = world.units["sub"].pk  # a local 科协
    page = _text(client.get(reverse("orgs:unit_create", args=[pk])))
    assert 'value="local_cast"' in page and 'value="university_cast"' in page
    assert 'value="provincial_cast"' not in page and 'value="national_department"' not in page
    response = client.post(
        reverse("orgs:unit_create", args=[pk]),
        {"name": "不该出现的省科协", "kind": "provincial_cast"},
    )
    assert response.status_code == 200
    assert not Unit.objects.filter(name="不该出现的省科协").exists()


def test_create_sub_unit(world, web_as):
    client = web_as(world, "unit_admin")
    pk = world.units["sub"].pk
    response = client.post(
        reverse("orgs:unit_create", args=[pk]),
        {
            "name": "南京大学科协",
            "kind": "university_cast",
            "province": "320000",
            "prefecture": "320100",
            "code": "nju-cast",
        },
    )
    assert response.status_code == 302
    child = Unit.objects.get(code="nju-cast")
    assert Unit.objects.get_parent(child).pk == pk and child.region_id == "320100"


def test_duplicate_unit_code_is_refused(world, web_as):
    Unit.objects.filter(pk=world.units["sub2"].pk).update(code="taken")
    client = web_as(world, "unit_admin")
    response = client.post(
        reverse("orgs:unit_edit", args=[world.units["sub"].pk]),
        {"name": "甲省南京市科协", "code": "taken"},
    )
    assert response.status_code == 200
    assert "代码 taken 已被其他单位使用" in _text(response)


def test_move_offers_no_cycle_and_refuses_one(world, web_as):
    client = web_as(world, "campaign_admin")
    own = world.units["own"]
    page = _text(client.get(reverse("orgs:unit_move", args=[own.pk])))
    assert f'value="{world.units["sub"].pk}"' not in page  # its own sub-unit is not offered
    response = client.post(
        reverse("orgs:unit_move", args=[own.pk]), {"parent": world.units["sub"].pk}
    )
    assert response.status_code == 200
    assert Unit.objects.get_parent(Unit.objects.get(pk=own.pk)).pk == world.units["cast"].pk


def test_move_sub_unit_within_the_province(world, web_as):
    client = web_as(world, "unit_admin")
    response = client.post(
        reverse("orgs:unit_move", args=[world.units["sub"].pk]),
        {"parent": world.units["sub2"].pk},
    )
    assert response.status_code == 302
    moved = Unit.objects.get(pk=world.units["sub"].pk)
    assert Unit.objects.get_parent(moved).pk == world.units["sub2"].pk


def test_editing_another_provinces_unit_is_not_found(world, web_as):
    client = web_as(world, "unit_admin")
    pk = world.units["other"].pk
    assert client.get(reverse("orgs:unit_edit", args=[pk])).status_code == 404
    response = client.post(reverse("orgs:unit_edit", args=[pk]), {"name": "抢改"})
    assert response.status_code == 404
    assert Unit.objects.get(pk=pk).name == "乙省科协"


def test_invite_offers_only_assignable_roles(world, web_as):
    client = web_as(world, "unit_admin")
    pk = world.units["own"].pk
    page = _text(client.get(reverse("orgs:member_invite", args=[pk])))
    assert 'value="unit_editor"' in page
    assert 'value="campaign_admin"' not in page
    response = client.post(
        reverse("orgs:member_invite", args=[pk]),
        {"name": "越权", "email": "escalate@example.cn", "role": Role.CAMPAIGN_ADMIN},
    )
    assert response.status_code == 200
    assert not Invitation.objects.filter(email="escalate@example.cn").exists()


def test_invite_sends_the_link_by_email(world, web_as, outbox, django_capture_on_commit_callbacks):
    client = web_as(world, "unit_admin")
    pk = world.units["own"].pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("orgs:member_invite", args=[pk]),
            {"name": "赵六", "email": "zhaoliu@example.cn", "role": Role.UNIT_EDITOR},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="zhaoliu@example.cn")
    assert (
        invitation.role == Role.UNIT_EDITOR and invitation.invited_by == world.people["unit_admin"]
    )
    assert [m.to for m in outbox] == [["zhaoliu@example.cn"]]


def test_inviting_an_existing_member_is_refused(world, web_as):
    client = web_as(world, "unit_admin")
    pk = world.units["own"].pk
    editor = world.people["unit_editor"]
    response = client.post(
        reverse("orgs:member_invite", args=[pk]),
        {"name": editor.name, "email": editor.email, "role": Role.UNIT_EDITOR},
    )
    assert response.status_code == 200
    assert "此人已是该单位成员" in _text(response)
    assert not Invitation.objects.filter(email=editor.email).exists()


def test_change_role_and_remove_member(world, web_as):
    client = web_as(world, "unit_admin")
    pk = world.units["own"].pk
    victim = world.victims["own"]
    response = client.post(reverse("orgs:member_role", args=[pk, victim.pk]), {"role": Role.EXPERT})
    assert response.status_code == 302
    assert Membership.objects.get(pk=victim.pk).role == Role.EXPERT
    assert client.get(reverse("orgs:member_remove", args=[pk, victim.pk])).status_code == 200
    client.post(reverse("orgs:member_remove", args=[pk, victim.pk]))
    assert not Membership.objects.filter(pk=victim.pk).exists()


def test_a_unit_admin_cannot_remove_or_demote_a_campaign_admin(world, web_as):
    cast = world.unit("cast")
    national_admin = make_member(cast, Role.UNIT_ADMIN)
    campaign_admin = Membership.objects.get(user=world.people["campaign_admin"])
    client = web_as(world, "public")
    client.force_login(national_admin)
    response = client.post(
        reverse("orgs:member_role", args=[cast.pk, campaign_admin.pk]), {"role": Role.UNIT_EDITOR}
    )
    assert response.status_code == 403
    response = client.post(reverse("orgs:member_remove", args=[cast.pk, campaign_admin.pk]))
    assert response.status_code == 403
    assert Membership.objects.get(pk=campaign_admin.pk).role == Role.CAMPAIGN_ADMIN


def test_member_of_another_unit_cannot_be_reached_through_mine(world, web_as):
    client = web_as(world, "unit_admin")
    other_victim = world.victims["other"]
    response = client.post(
        reverse("orgs:member_remove", args=[world.units["own"].pk, other_victim.pk])
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=other_victim.pk).exists()


def test_revoke_invitation(world, web_as):
    client = web_as(world, "unit_admin")
    pk = world.units["own"].pk
    client.post(
        reverse("orgs:member_invite", args=[pk]),
        {"name": "钱七", "email": "qianqi@example.cn", "role": Role.UNIT_EDITOR},
    )
    invitation = Invitation.objects.get(email="qianqi@example.cn")
    response = client.post(reverse("orgs:invitation_revoke", args=[pk, invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    page = _text(client.get(reverse("orgs:member_list", args=[pk])))
    assert "已撤回" in page


def test_national_role_without_second_factor_is_sent_to_verify(world, client):
    client.force_login(world.people["campaign_admin"])
    response = client.get(reverse("orgs:unit_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


# --- Fixed number of queries -----------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["list", "tree", "detail", "members"])
def test_pages_issue_a_fixed_number_of_queries(world, web_as, page, django_assert_max_num_queries):
    client = web_as(world, "unit_admin")
    own = world.units["own"].pk
    urls = {
        "list": reverse("orgs:unit_list"),
        "tree": reverse("orgs:unit_list") + f"?root={own}",
        "detail": reverse("orgs:unit_detail", args=[own]),
        "members": reverse("orgs:member_list", args=[own]),
    }
    client.get(urls[page])  # warm the session
    small = _count(client, urls[page])
    parent = world.unit("sub")
    for i in range(12):
        child = make_unit(name=f"扩充单位{i}", kind=UnitKind.LOCAL_CAST, parent=parent)
        make_member(world.unit("own"), Role.UNIT_EDITOR)
        make_member(child, Role.UNIT_EDITOR)
        client.post(
            reverse("orgs:member_invite", args=[own]),
            {"name": f"受邀{i}", "email": f"invitee{i}@example.cn", "role": Role.UNIT_EDITOR},
        )
    large = _count(client, urls[page])
    assert large == small
    with django_assert_max_num_queries(16):
        client.get(urls[page])
