"""Campaign admins' pages, through the test client: GET, POST, refusals, access."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from sciday.accounts.models import Role
from sciday.campaigns.models import Campaign
from sciday.core.models import AuditEntry
from sciday.orgs.models import Unit
from tests.campaigns.conftest import sign_in
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _facts_post(campaign, **changes):
    data = {
        k: ("" if v is None else v)
        for k, v in model_to_dict(campaign).items()
        if k not in ("id", "year", "is_current", "issuers", "is_published")
    }
    data["report_deadline"] = "2023-06-30T23:59:59"
    data["issuers"] = "\n".join(campaign.issuers)
    data["is_published"] = "on"
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _urls(c):
    category = c.categories.first()
    return [
        reverse("campaigns:list"),
        reverse("campaigns:edit", args=[c.pk]),
        reverse("campaigns:categories", args=[c.pk]),
        reverse("campaigns:category", args=[c.pk, category.pk]),
        reverse("campaigns:routes", args=[c.pk]),
        reverse("campaigns:contacts", args=[c.pk]),
        reverse("campaigns:contact", args=[c.pk, c.contacts.first().pk]),
    ]


def test_every_page_opens_for_a_campaign_admin(admin_client, campaign_2023):
    for url in _urls(campaign_2023):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(reverse("campaigns:list")).content.decode()
    assert "2023年全国科技工作者日" in page and "当前" in page


@pytest.mark.parametrize("role", [Role.UNIT_ADMIN, Role.DEPARTMENT_REVIEWER])
def test_others_are_refused(client, campaign_2023, role):
    person = make_member(Unit.objects.get(code="cast-33"), role)
    sign_in(client, person)
    for url in _urls(campaign_2023):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("campaigns:copy", args=[campaign_2023.pk]), {"year": 2024})
    assert response.status_code == 403
    response = client.post(reverse("campaigns:edit", args=[campaign_2023.pk]), {"theme": "x"})
    assert response.status_code == 403
    assert Campaign.objects.count() == 1
    assert Campaign.objects.get().theme == "点亮精神火炬"


def test_anonymous_is_sent_to_sign_in(client, campaign_2023):
    response = client.get(reverse("campaigns:edit", args=[campaign_2023.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_unknown_objects_are_404(admin_client, campaign_2023):
    assert admin_client.get(reverse("campaigns:edit", args=[999])).status_code == 404
    for name in ("campaigns:category", "campaigns:contact"):
        url = reverse(name, args=[campaign_2023.pk, 999])
        assert admin_client.get(url).status_code == 404


def test_edit_facts(admin_client, campaign_2023):
    url = reverse("campaigns:edit", args=[campaign_2023.pk])
    response = admin_client.post(url, _facts_post(campaign_2023, theme_en="Light the Torch"))
    assert response.status_code == 302
    campaign_2023.refresh_from_db()
    assert campaign_2023.theme_en == "Light the Torch"
    assert campaign_2023.issuers == ["中国科协", "科技部"]
    assert campaign_2023.report_deadline.isoformat() == "2023-06-30T15:59:59+00:00"
    assert AuditEntry.objects.filter(action="campaigns.campaign.updated").count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"window_end": "2023-04-01"}, "活动时间的结束早于开始"),
        ({"day": "2023-07-01"}, "全国科技工作者日须在活动时间之内"),
        ({"doc_number": "科协发宣字[2023]13号"}, "〔〕"),
        ({"doc_number": "科协发宣字〔2022〕13号"}, "2023"),
        ({"issuers": ""}, "这个字段是必填项"),
        ({"window_start": "not a date"}, "输入一个有效的日期"),
        ({"report_deadline": "2023-04-01T00:00:00"}, "总结报送截止时间须晚于活动开始"),
    ],
)
def test_bad_facts_show_a_message_and_change_nothing(admin_client, campaign_2023, changes, message):
    before = model_to_dict(Campaign.objects.get(pk=campaign_2023.pk))
    url = reverse("campaigns:edit", args=[campaign_2023.pk])
    response = admin_client.post(url, _facts_post(campaign_2023, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert model_to_dict(Campaign.objects.get(pk=campaign_2023.pk)) == before


def test_categories_pages(admin_client, campaign_2023):
    url = reverse("campaigns:categories", args=[campaign_2023.pk])
    data = {"name": "新分类", "short_name": "", "name_en": "", "description": ""}
    response = admin_client.post(url, data)
    assert response.status_code == 302
    new = campaign_2023.categories.get(name="新分类")
    assert new.number == 7
    response = admin_client.post(url, {"name": "新分类"})
    assert response.status_code == 400 and "已有同名分类" in response.content.decode()

    action = reverse("campaigns:category_action", args=[campaign_2023.pk, new.pk])
    assert admin_client.post(action, {"action": "up"}).status_code == 302
    new.refresh_from_db()
    assert new.number == 6
    assert admin_client.post(action, {"action": "bogus"}).status_code == 302

    edit = reverse("campaigns:category", args=[campaign_2023.pk, new.pk])
    response = admin_client.post(edit, {"action": "save", "name": "改名", "name_en": "Renamed"})
    assert response.status_code == 302
    response = admin_client.post(edit, {"action": "add_subtype", "name": "子类一", "name_en": ""})
    assert response.status_code == 302
    subtype = new.subtypes.get()
    sub_url = reverse("campaigns:subtype_action", args=[campaign_2023.pk, new.pk, subtype.pk])
    response = admin_client.post(
        sub_url, {"action": "save", f"s{subtype.pk}-name": "子类甲", f"s{subtype.pk}-name_en": ""}
    )
    assert response.status_code == 302
    subtype.refresh_from_db()
    assert subtype.name == "子类甲"
    page = admin_client.get(edit).content.decode()
    assert "子类甲" in page and "改名" in page
    assert admin_client.post(sub_url, {"action": "delete"}).status_code == 302
    assert admin_client.post(action, {"action": "delete"}).status_code == 302
    assert campaign_2023.categories.count() == 6


def test_routes_page(admin_client, campaign_2023):
    url = reverse("campaigns:routes", args=[campaign_2023.pk])
    cast = Unit.objects.get(code="cast-publicity")
    response = admin_client.post(
        url, {"unit_kind": "other", "department": cast.pk, "as_chapter_of": ""}
    )
    assert response.status_code == 302
    assert campaign_2023.routes.get(unit_kind="other").department == cast
    province = Unit.objects.get(code="cast-11")
    response = admin_client.post(url, {"unit_kind": "other", "department": province.pk})
    assert response.status_code == 400
    assert campaign_2023.routes.get(unit_kind="other").department == cast
    route = campaign_2023.routes.get(unit_kind="other")
    assert admin_client.post(url, {"action": "delete", "route": "abc"}).status_code == 404
    assert admin_client.post(url, {"action": "delete", "route": route.pk}).status_code == 302
    assert campaign_2023.routes.count() == 6
    page = admin_client.get(url).content.decode()
    assert "全国科技活动周总结" in page and "科技部人才与科普司" in page


def test_contacts_pages(admin_client, campaign_2023):
    contact = campaign_2023.contacts.get(department__code="most-talent")
    url = reverse("campaigns:contact", args=[campaign_2023.pk, contact.pk])
    data = {
        "department": contact.department_id,
        "people": "杨启明 王菲菲",
        "phone": "010-58884242",
        "fax": "010-58884208",
        "email": "kjhdz@most.cn",
        "address": "北京市西城区文兴东街1号国谊宾馆北楼1323房间",
        "postcode": "1000",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 400 and "邮政编码为6位数字" in response.content.decode()
    assert campaign_2023.contacts.get(pk=contact.pk).postcode == "100044"
    response = admin_client.post(url, {**data, "postcode": "100045"})
    assert response.status_code == 302
    assert campaign_2023.contacts.get(pk=contact.pk).postcode == "100045"

    add = reverse("campaigns:contacts", args=[campaign_2023.pk])
    response = admin_client.post(add, {**data, "people": "新联系人", "postcode": ""})
    assert response.status_code == 302
    new = campaign_2023.contacts.get(people="新联系人")
    delete = reverse("campaigns:contact", args=[campaign_2023.pk, new.pk])
    assert admin_client.post(delete, {"action": "delete"}).status_code == 302
    assert campaign_2023.contacts.count() == 2


def test_copy_and_make_current_pages(admin_client, campaign_2023):
    copy = reverse("campaigns:copy", args=[campaign_2023.pk])
    response = admin_client.post(copy, {"year": 2024})
    new = Campaign.objects.get(year=2024)
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:edit", args=[new.pk])
    response = admin_client.post(copy, {"year": 2024}, follow=True)
    assert "2024年的活动已经存在" in response.content.decode()
    response = admin_client.post(copy, {"year": "abc"}, follow=True)
    assert response.status_code == 200
    assert Campaign.objects.count() == 2
    assert admin_client.get(copy).status_code == 405

    current = reverse("campaigns:set_current", args=[new.pk])
    response = admin_client.post(current, follow=True)
    assert "请先发布" in response.content.decode()
    assert Campaign.objects.get(is_current=True).year == 2023
    # A draft's notice is previewed by campaign admins only.
    assert admin_client.get(reverse("portal:notice_year", args=[2024])).status_code == 200


def test_garbage_never_500s_and_changes_nothing(admin_client, campaign_2023):
    before = model_to_dict(Campaign.objects.get(pk=campaign_2023.pk))
    category = campaign_2023.categories.first()
    subtype = category.subtypes.first()
    urls = [
        *_urls(campaign_2023),
        reverse("campaigns:copy", args=[campaign_2023.pk]),
        reverse("campaigns:set_current", args=[campaign_2023.pk]),
        reverse("campaigns:category_action", args=[campaign_2023.pk, category.pk]),
        reverse("campaigns:subtype_action", args=[campaign_2023.pk, category.pk, subtype.pk]),
    ]
    garbage = {
        "action": "save",
        "year": "x",
        "name": "名" * 500,
        "department": "abc",
        "unit_kind": "zzz",
        "window_start": "2023-13-45",
        "route": "1; drop",
        f"s{subtype.pk}-name": "",
    }
    for url in urls:
        response = admin_client.post(url, garbage)
        assert response.status_code < 500, url
    assert model_to_dict(Campaign.objects.get(pk=campaign_2023.pk)) == before
    assert campaign_2023.categories.count() == 6 and Campaign.objects.count() == 1
    assert category.subtypes.filter(pk=subtype.pk, name=subtype.name).exists()
