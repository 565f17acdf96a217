"""Campaign services: validation, refusals (nothing written), copy, current; all audited."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import ProtectedError
from django.forms.models import model_to_dict
from django.http import Http404

from sciday.accounts.models import Role
from sciday.campaigns import services
from sciday.campaigns.models import Campaign, Category, Contact, ReportRoute, SubType
from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.models import AuditEntry
from sciday.orgs.models import Unit
from tests.factories import make_member

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _state(campaign):
    campaign = Campaign.objects.get(pk=campaign.pk)
    return model_to_dict(campaign), campaign.updated_at


def test_admin_updates_facts_and_it_is_audited(campaign_admin, campaign_2023):
    services.campaign_update(
        actor=campaign_admin,
        campaign=campaign_2023,
        theme="点亮精神火炬 ",
        window_end=date(2023, 6, 12),
        issuers=["中国科协", "科技部"],
    )
    campaign_2023.refresh_from_db()
    assert campaign_2023.window_end == date(2023, 6, 12)
    entry = AuditEntry.objects.get(action="campaigns.campaign.updated")
    assert entry.actor == campaign_admin
    assert entry.changes == {"window_end": ["2023-06-10", "2023-06-12"]}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"window_start": date(2023, 6, 20)}, "window_end"),
        ({"day": date(2023, 6, 30)}, "day"),
        ({"day": date(2023, 4, 30)}, "day"),
        ({"report_deadline": datetime(2023, 4, 30, 12, tzinfo=SHANGHAI)}, "report_deadline"),
        ({"doc_number": "科协发宣字[2023]13号"}, "doc_number"),
        ({"doc_number": "科协发宣字〔2023〕013号"}, "doc_number"),
        ({"doc_number": "科协发宣字〔2023〕13"}, "doc_number"),
        ({"doc_number": "科协发宣字〔2022〕13号"}, "doc_number"),
        ({"issuers": []}, "issuers"),
        ({"issuers": ["中国科协", " "]}, "issuers"),
        ({"awards_from": date(2023, 5, 31), "awards_until": date(2023, 5, 1)}, "awards_until"),
        ({"doc_number": ""}, "doc_number"),  # a published notice keeps its number
        ({"is_published": False}, "is_published"),  # the current campaign stays published
        ({"name": ""}, "name"),
    ],
)
def test_bad_facts_are_refused_and_nothing_changes(campaign_admin, campaign_2023, data, field):
    before = _state(campaign_2023)
    with pytest.raises(DomainError) as info:
        services.campaign_update(actor=campaign_admin, campaign=campaign_2023, **data)
    assert info.value.field == field
    assert str(info.value.message)
    assert _state(campaign_2023) == before
    assert not AuditEntry.objects.filter(action__startswith="campaigns.").exists()


def test_unknown_fields_are_refused(campaign_admin, campaign_2023):
    with pytest.raises(DomainError):
        services.campaign_update(actor=campaign_admin, campaign=campaign_2023, year=2030)
    assert Campaign.objects.get(pk=campaign_2023.pk).year == 2023


@pytest.mark.parametrize(
    "role", [Role.UNIT_ADMIN, Role.UNIT_EDITOR, Role.DEPARTMENT_REVIEWER, Role.EXPERT]
)
def test_only_campaign_admins_write(role, campaign_2023):
    person = make_member(Unit.objects.get(code="cast-publicity"), role)
    before = _state(campaign_2023)
    with pytest.raises(NotAllowed):
        services.campaign_update(actor=person, campaign=campaign_2023, theme="改了")
    with pytest.raises(NotAllowed):
        services.campaign_copy(actor=person, source=campaign_2023, year=2024)
    with pytest.raises(NotAllowed):
        services.category_create(actor=person, campaign=campaign_2023, name="新分类")
    with pytest.raises(NotAllowed):
        services.contact_delete(actor=person, contact=campaign_2023.contacts.first())
    assert _state(campaign_2023) == before
    assert Campaign.objects.count() == 1 and campaign_2023.contacts.count() == 2


def test_anonymous_cannot_write(campaign_2023):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        services.campaign_set_current(actor=AnonymousUser(), campaign=campaign_2023)


def test_categories_add_rename_reorder_remove(campaign_admin, campaign_2023):
    new = services.category_create(
        actor=campaign_admin, campaign=campaign_2023, name=" 新分类 ", name_en="New"
    )
    assert (new.number, new.name) == (7, "新分类")
    with pytest.raises(DomainError):
        services.category_create(actor=campaign_admin, campaign=campaign_2023, name="资源共建共享")
    with pytest.raises(DomainError):
        services.category_create(actor=campaign_admin, campaign=campaign_2023, name="  ")
    services.category_update(actor=campaign_admin, category=new, name="改名分类")
    services.category_move(actor=campaign_admin, category=new, direction="up")
    names = list(campaign_2023.categories.order_by("number").values_list("name", flat=True))
    assert names[5:] == ["改名分类", "资源共建共享"]
    first = campaign_2023.categories.get(number=1)
    services.category_delete(actor=campaign_admin, category=first)
    numbers = list(campaign_2023.categories.order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert not SubType.objects.filter(name="国情考察", category__campaign=campaign_2023).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "campaigns.category.created",
        "campaigns.category.updated",
        "campaigns.category.reordered",
        "campaigns.category.deleted",
    } <= actions


def test_a_category_in_use_is_not_removed(campaign_admin, campaign_2023, monkeypatch):
    category = campaign_2023.categories.get(number=1)

    def protected(self, *args, **kwargs):
        raise ProtectedError("in use", set())

    monkeypatch.setattr(Category, "delete", protected)
    with pytest.raises(Conflict):
        services.category_delete(actor=campaign_admin, category=category)
    assert campaign_2023.categories.count() == 6


def test_subtypes_add_rename_reorder_remove(campaign_admin, campaign_2023):
    category = campaign_2023.categories.get(number=2)
    added = services.subtype_create(actor=campaign_admin, category=category, name="线上直播")
    assert added.position == 3
    with pytest.raises(DomainError):
        services.subtype_create(actor=campaign_admin, category=category, name="联动活动")
    services.subtype_update(actor=campaign_admin, subtype=added, name="网络直播", name_en="Live")
    services.subtype_move(actor=campaign_admin, subtype=added, direction="up")
    order = list(category.subtypes.order_by("position").values_list("name", flat=True))
    assert order == ["联动活动", "网络直播", "新媒体科普"]
    services.subtype_delete(actor=campaign_admin, subtype=added)
    assert category.subtypes.count() == 2


def test_routes_go_to_national_departments_only(campaign_admin, campaign_2023):
    cast = Unit.objects.get(code="cast-publicity")
    route = services.route_set(
        actor=campaign_admin,
        campaign=campaign_2023,
        unit_kind="provincial_std",
        department=cast,
        as_chapter_of="",
    )
    assert route.department == cast
    assert campaign_2023.routes.filter(unit_kind="provincial_std").count() == 1
    with pytest.raises(DomainError):
        services.route_set(
            actor=campaign_admin,
            campaign=campaign_2023,
            unit_kind="other",
            department=Unit.objects.get(code="cast-33"),
        )
    with pytest.raises(DomainError):
        services.route_set(
            actor=campaign_admin,
            campaign=campaign_2023,
            unit_kind="national_department",
            department=cast,
        )
    assert not campaign_2023.routes.filter(unit_kind="other").exists()
    services.route_delete(actor=campaign_admin, route=route)
    assert campaign_2023.routes.count() == 5


def test_contacts(campaign_admin, campaign_2023):
    most = Unit.objects.get(code="most-talent")
    contact = services.contact_create(
        actor=campaign_admin,
        campaign=campaign_2023,
        department=most,
        people="张三",
        phone="010-1234567",
        email="a@most.cn",
        postcode="100044",
    )
    assert contact.position == 3
    with pytest.raises(DomainError) as info:
        services.contact_update(actor=campaign_admin, contact=contact, postcode="10004")
    assert info.value.field == "postcode"
    with pytest.raises(DomainError) as info:
        services.contact_update(actor=campaign_admin, contact=contact, email="not-an-address")
    assert info.value.field == "email"
    with pytest.raises(DomainError):
        services.contact_update(
            actor=campaign_admin, contact=contact, department=Unit.objects.get(code="cast-11")
        )
    assert Contact.objects.get(pk=contact.pk).postcode == "100044"
    services.contact_delete(actor=campaign_admin, contact=contact)
    assert campaign_2023.contacts.count() == 2


def test_copy_to_2024(campaign_admin, campaign_2023):
    from sciday.screening import services as screening
    from sciday.screening.matcher import screen

    trusted = Unit.objects.get(code="cast-11")
    campaign_2023.trusted_units.add(trusted)
    screening.word_add(actor=campaign_admin, campaign=campaign_2023, word="赌博", category="违法")
    old = screening.word_add(actor=campaign_admin, campaign=campaign_2023, word="假药", note="旧")
    screening.word_deactivate(actor=campaign_admin, item=old)
    before = _state(campaign_2023)
    new = services.campaign_copy(actor=campaign_admin, source=campaign_2023, year=2024)
    assert (new.year, new.edition) == (2024, 8)
    assert new.name == "2024年全国科技工作者日"
    assert new.theme == "点亮精神火炬"
    assert (new.window_start, new.window_end, new.day) == (
        date(2024, 5, 1),
        date(2024, 6, 10),
        date(2024, 5, 30),
    )
    assert (new.awards_from, new.awards_until) == (date(2024, 5, 21), date(2024, 5, 31))
    assert new.report_deadline == datetime(2024, 6, 30, 23, 59, 59, tzinfo=SHANGHAI)
    assert new.window_label == "2024年5月上旬-6月上旬"
    assert new.doc_title == "中国科协 科技部关于开展2024年“全国科技工作者日”活动的通知"
    assert new.doc_number == "" and new.issue_date is None and new.printed_on is None
    assert new.issuers == ["中国科协", "科技部"]
    assert new.recipients == campaign_2023.recipients
    assert new.body.startswith("2024年是")
    assert not new.is_current and not new.is_published

    assert list(new.categories.values_list("number", "name")) == list(
        campaign_2023.categories.values_list("number", "name")
    )
    assert SubType.objects.filter(category__campaign=new).count() == 20
    assert {(r.unit_kind, r.department_id, r.as_chapter_of) for r in new.routes.all()} == {
        (r.unit_kind, r.department_id, r.as_chapter_of) for r in campaign_2023.routes.all()
    }
    assert list(new.contacts.values_list("people", "phone", "email")) == list(
        campaign_2023.contacts.values_list("people", "phone", "email")
    )
    assert list(new.trusted_units.all()) == [trusted]
    # The sensitive-word list comes along, each word with its state, category and note.
    assert set(new.sensitive_words.values_list("word", "is_active", "category", "note")) == {
        ("赌博", True, "违法", ""),
        ("假药", False, "", "旧"),
    }
    assert [h.word for h in screen(campaign=new, texts={"t": "赌博与假药"})] == ["赌博"]
    assert campaign_2023.sensitive_words.count() == 2
    assert _state(campaign_2023) == before
    assert SubType.objects.filter(category__campaign=campaign_2023).count() == 20
    assert AuditEntry.objects.get(action="campaigns.campaign.copied").changes == {
        "source": 2023,
        "year": 2024,
    }


def test_copy_to_a_taken_or_bad_year_is_refused(campaign_admin, campaign_2023):
    with pytest.raises(Conflict):
        services.campaign_copy(actor=campaign_admin, source=campaign_2023, year=2023)
    with pytest.raises(DomainError):
        services.campaign_copy(actor=campaign_admin, source=campaign_2023, year=1900)
    with pytest.raises(DomainError):
        services.campaign_copy(actor=campaign_admin, source=campaign_2023, year="二〇二四")
    assert Campaign.objects.count() == 1


def test_publish_and_make_current(campaign_admin, campaign_2023):
    new = services.campaign_copy(actor=campaign_admin, source=campaign_2023, year=2024)
    with pytest.raises(DomainError):
        services.campaign_set_current(actor=campaign_admin, campaign=new)
    with pytest.raises(DomainError) as info:
        services.campaign_update(actor=campaign_admin, campaign=new, is_published=True)
    assert info.value.field == "doc_number"
    services.campaign_update(
        actor=campaign_admin,
        campaign=new,
        doc_number="科协发宣字〔2024〕8号",
        issue_date=date(2024, 4, 20),
        is_published=True,
    )
    services.campaign_set_current(actor=campaign_admin, campaign=new)
    assert Campaign.objects.get(is_current=True) == new
    assert Campaign.objects.get(pk=campaign_2023.pk).is_published
    assert AuditEntry.objects.filter(action="campaigns.campaign.set_current").count() == 1


def test_route_and_http404_for_unpublished_in_selectors(campaign_admin, campaign_2023, unit_admin):
    from sciday.campaigns.selectors import campaign_for_notice, route_for

    new = services.campaign_copy(actor=campaign_admin, source=campaign_2023, year=2024)
    assert route_for(campaign=new, unit_kind="provincial_std").department.code == "most-talent"
    assert campaign_for_notice(viewer=campaign_admin, year=2024) == new
    with pytest.raises(Http404):
        campaign_for_notice(viewer=unit_admin, year=2024)
    assert ReportRoute.objects.filter(campaign=new).count() == 6
