"""The showcase's pages: the permission matrix, the nomination form, review, the public pages."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from sciday.showcase import services
from sciday.showcase.models import Nomination, Objection, Status
from tests.campaigns.conftest import sign_in
from tests.showcase.conftest import BEFORE_DEADLINE, SHANGHAI, bring_to
from tests.showcase.test_services import NOTICE_START

pytestmark = pytest.mark.django_db

ACTORS = ["lead_editor", "lead_admin", "other_admin", "campaign_admin", "expert", "anonymous"]


def client_for(client, world, who: str):
    if who == "anonymous":
        return client
    user = world.people[who]
    if who == "campaign_admin":
        return sign_in(client, user)
    client.force_login(user)
    return client


# role × action × own/other unit → expected status
MATRIX = {
    # viewing a submitted nomination of the lead unit (experts: only once qualified)
    ("detail", "lead_editor"): 200,
    ("detail", "lead_admin"): 200,
    ("detail", "other_admin"): 404,
    ("detail", "campaign_admin"): 200,
    ("detail", "expert"): 404,
    ("detail", "anonymous"): 302,
    # a material of it
    ("file", "lead_editor"): 200,
    ("file", "other_admin"): 404,
    ("file", "campaign_admin"): 200,
    ("file", "expert"): 404,
    ("file", "anonymous"): 302,
    # the qualification check
    ("qualify", "lead_editor"): 403,
    ("qualify", "lead_admin"): 403,
    ("qualify", "other_admin"): 404,
    ("qualify", "expert"): 404,
    ("qualify", "anonymous"): 302,
}


@pytest.mark.parametrize("who", ACTORS)
def test_permission_matrix_on_a_submitted_nomination(client, world, honour, who):
    nomination = bring_to(world, honour, Status.SUBMITTED)
    item = nomination.files.first()
    c = client_for(client, world, who)
    urls = {
        "detail": reverse("showcase_admin:detail", args=[nomination.pk]),
        "file": reverse("showcase_admin:file", args=[nomination.pk, item.pk]),
    }
    for action, url in urls.items():
        expected = MATRIX.get((action, who))
        if expected is not None:
            response = c.get(url)
            assert response.status_code == expected, (action, who)
            if response.streaming:
                assert b"".join(response.streaming_content).startswith(b"%PDF")
    expected = MATRIX.get(("qualify", who))
    if expected is not None:
        url = reverse("showcase_admin:transition", args=[nomination.pk, "qualify"])
        assert c.post(url).status_code == expected
        assert Nomination.objects.get().status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("who", "sees", "scores"),
    [("expert", 200, True), ("other_expert", 404, False), ("lead_admin", 200, False)],
)
def test_experts_see_qualified_nominations_of_their_honour(
    client, world, honour, who, sees, scores
):
    nomination = bring_to(world, honour, Status.QUALIFIED)
    c = client_for(client, world, who)
    response = c.get(reverse("showcase_admin:detail", args=[nomination.pk]))
    assert response.status_code == sees
    if sees == 200:
        assert ("提交评分" in response.content.decode()) == scores
    response = c.post(reverse("showcase_admin:score", args=[nomination.pk]), {"score": 77})
    if scores:
        assert response.status_code == 302
        assert nomination.scores.get().score == 77
    else:
        assert response.status_code in (403, 404)
        assert not nomination.scores.exists()


def test_an_editor_nominates_through_the_pages(client, world, honour):
    client.force_login(world.people["lead_editor"])
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        page = client.get(reverse("showcase_admin:create"))
        assert page.status_code == 200 and "本人已同意被推荐并公开其事迹" in page.content.decode()
        data = {
            "honour": honour.pk,
            "unit": world.unit("lead").pk,
            "name": "李明",
            "gender": "male",
            "birth_year": 1975,
            "affiliation": "南京大学",
            "field": "材料科学",
            "phone": "13812345678",
            "summary": "扎根一线。",
            "consent_date": "2023-03-01",
        }
        refused = client.post(reverse("showcase_admin:create"), data)
        assert refused.status_code == 400
        assert "须经被推荐人本人同意" in refused.content.decode()
        assert not Nomination.objects.exists()
        response = client.post(reverse("showcase_admin:create"), {**data, "consent": "on"})
        nomination = Nomination.objects.get()
        assert response.status_code == 302
        page = client.get(reverse("showcase_admin:detail", args=[nomination.pk])).content.decode()
        assert "13812345678" in page and "提交前还缺少" in page
        response = client.post(
            reverse("showcase_admin:transition", args=[nomination.pk, "submit"]), follow=True
        )
        assert "提交前请补齐材料" in response.content.decode()
    assert Nomination.objects.get().status == Status.DRAFT


def test_experts_see_a_masked_phone(client, world, honour):
    nomination = bring_to(world, honour, Status.QUALIFIED)
    client.force_login(world.people["expert"])
    page = client.get(reverse("showcase_admin:detail", args=[nomination.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page


def test_the_honours_tab_is_for_campaign_admins(client, world, honour):
    url = reverse("showcase_admin:honours", args=[world.campaign.pk])
    client.force_login(world.people["lead_admin"])
    assert client.get(url).status_code == 403
    client.logout()
    c = sign_in(client, world.people["campaign_admin"])
    page = c.get(url)
    assert page.status_code == 200 and "最美科技工作者" in page.content.decode()
    response = c.post(
        url,
        {
            "action": "create",
            "name": "全国创新争先奖",
            "name_en": "National Award for Innovation",
            "cycle_years": 3,
            "team": "on",
            "nomination_deadline": "2023-04-15",
            "position": 2,
        },
    )
    assert response.status_code == 302
    created = world.campaign.honours.get(name="全国创新争先奖")
    assert created.team and created.cycle_years == 3
    response = c.post(
        url,
        {
            "action": "quota",
            "honour": created.pk,
            "unit_kind": "provincial_cast",
            "max_nominations": 3,
        },
    )
    assert response.status_code == 302
    assert created.quotas.get().max_nominations == 3


def _published(world, honour) -> Nomination:
    nomination = bring_to(world, honour, Status.SHORTLISTED)
    admin = world.people["campaign_admin"]
    with time_machine.travel(datetime(2023, 5, 6, 9, tzinfo=SHANGHAI), tick=False):
        notice = services.notice_open(
            actor=admin, campaign=world.campaign, title="公示", starts_on=NOTICE_START
        )
    after = datetime.combine(notice.ends_on + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    with time_machine.travel(after, tick=False):
        services.notice_publish(actor=admin, notice=notice)
    return Nomination.objects.get(pk=nomination.pk)


def test_profiles_follow_the_site_language(client, world, honour):
    nomination = _published(world, honour)
    index = client.get(reverse("showcase:index"))
    assert index.status_code == 200
    text = index.content.decode()
    assert "李明" in text and 'property="og:title"' in text
    page = client.get(reverse("showcase:detail", args=[nomination.pk])).content.decode()
    assert "李明教授三十年如一日" in page and 'property="og:image"' in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("showcase:detail", args=[nomination.pk])).content.decode()
    assert "Li Ming" in page and "For thirty years" in page
    assert "not been translated" not in page
    Nomination.objects.filter(pk=nomination.pk).update(story_en="", field_en="")
    cache.clear()
    page = client.get(reverse("showcase:detail", args=[nomination.pk])).content.decode()
    assert "李明教授三十年如一日" in page and "not been translated" in page
    photo = client.get(reverse("showcase:photo", args=[nomination.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content).startswith(b"\xff\xd8")


def test_unpublished_profiles_are_not_public(client, world, honour):
    nomination = bring_to(world, honour, Status.SHORTLISTED)
    assert client.get(reverse("showcase:detail", args=[nomination.pk])).status_code == 404
    assert client.get(reverse("showcase:photo", args=[nomination.pk])).status_code == 404


def test_an_anonymous_visitor_objects_on_the_notice_page(client, world, honour):
    nomination = bring_to(world, honour, Status.SHORTLISTED)
    with time_machine.travel(datetime(2023, 5, 6, 9, tzinfo=SHANGHAI), tick=False):
        notice = services.notice_open(
            actor=world.people["campaign_admin"],
            campaign=world.campaign,
            title="2023年最美科技工作者公示",
            starts_on=NOTICE_START,
        )
    url = reverse("showcase:notice", args=[notice.pk])
    with time_machine.travel(datetime(2023, 5, 9, 10, tzinfo=SHANGHAI), tick=False):
        page = client.get(url)
        assert page.status_code == 200 and "李明" in page.content.decode()
        refused = client.post(url, {"text": "", "contact": "a@b.cn"})
        assert refused.status_code == 400 and "请填写异议内容" in refused.content.decode()
        refused = client.post(url, {"text": "有疑问", "contact": ""})
        assert refused.status_code == 400 and "请留下电话或电子邮箱" in refused.content.decode()
        response = client.post(
            url, {"text": "有疑问", "contact": "a@b.cn", "nomination": nomination.pk}
        )
        assert response.status_code == 302
    assert Objection.objects.count() == 1
    after = datetime.combine(notice.ends_on + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    with time_machine.travel(after, tick=False):
        refused = client.post(url, {"text": "太晚了", "contact": "a@b.cn"})
        assert refused.status_code == 400 and "不再受理异议" in refused.content.decode()
    assert Objection.objects.count() == 1


def test_admins_open_the_notice_answer_and_publish_through_the_pages(client, world, honour):
    nomination = bring_to(world, honour, Status.SHORTLISTED)
    c = sign_in(client, world.people["campaign_admin"])
    with time_machine.travel(datetime(2023, 5, 6, 9, tzinfo=SHANGHAI), tick=False):
        page = c.get(reverse("showcase_admin:notices"))
        assert page.status_code == 200 and "李明" in page.content.decode()
        response = c.post(
            reverse("showcase_admin:notices"),
            {"title": "2023年公示", "starts_on": "2023-05-08", "working_days": 5},
        )
        assert response.status_code == 302
    notice = nomination.__class__.objects.get(pk=nomination.pk).notice
    assert notice is not None and str(notice.ends_on) == "2023-05-15"
    with time_machine.travel(datetime(2023, 5, 9, 9, tzinfo=SHANGHAI), tick=False):
        c = sign_in(client, world.people["campaign_admin"])  # a new day: a new session
        objection = services.objection_file(
            actor=None, notice=notice, text="请核实", contact="13812345678", ip="9"
        )
        detail = reverse("showcase_admin:notice", args=[notice.pk])
        response = c.post(detail, follow=True)
        assert "公示期至 2023-05-15" in response.content.decode()
    after = datetime.combine(notice.ends_on + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    with time_machine.travel(after, tick=False):
        c = sign_in(client, world.people["campaign_admin"])
        response = c.post(detail, follow=True)
        assert "1 条异议未答复" in response.content.decode()
        page = c.get(detail).content.decode()
        assert "13812345678" in page  # the admins see the contact to call back
        c.post(reverse("showcase_admin:answer", args=[objection.pk]), {"answer": "已核实。"})
        response = c.post(detail, follow=True)
        assert "风采展示已发布" in response.content.decode()
    assert Nomination.objects.get().status == Status.PUBLISHED


def test_the_public_index_costs_a_fixed_number_of_queries(
    client, world, honour, django_assert_max_num_queries
):
    _published(world, honour)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("showcase:index")).status_code == 200


def test_units_see_only_their_nominations_in_the_list(client, world, honour):
    bring_to(world, honour, Status.SUBMITTED)
    client.force_login(world.people["other_admin"])
    page = client.get(reverse("showcase_admin:list")).content.decode()
    assert "李明" not in page
    client.force_login(world.people["lead_editor"])
    assert "李明" in client.get(reverse("showcase_admin:list")).content.decode()
