"""Activities and venues through the API: the permission matrix with tokens, refusals, times,
filters and search, the list's query count, and the OpenAPI schema.

The world is the activities one (tests/activities/world.py): the "own" activity is led by
甲省南京市科协, under 甲省科协 (whose admin approves it); the "other" one by 乙省杭州市科协.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.services import api_token_create
from sciday.activities import services
from sciday.activities.models import Activity, ActivityEvent, Status, Venue
from sciday.campaigns.models import Campaign, Category
from sciday.search.services import search_index_upsert
from tests.activities.world import ROLES, at, build_world

API = "/api/v1"
JSON = "application/json"
NATIONAL = {"department_reviewer", "campaign_admin"}


@pytest.fixture
def aworld(db, national):
    world = build_world(national)
    for role in NATIONAL:
        TOTPDevice.objects.create(user=world.people[role], name="phone", confirmed=True)
    return world


@pytest.fixture
def call(client, aworld):
    """call(role, method, path, body=None) -> response, with the role's personal token."""
    tokens: dict[str, str] = {}

    def _call(role: str, method: str, path: str, body=None, **headers):
        user = aworld.people[role]
        if role != "anonymous":
            if role not in tokens:
                tokens[role] = api_token_create(actor=user, name="同步系统")[1]
            headers["Authorization"] = f"Bearer {tokens[role]}"
        kwargs = {"headers": headers}
        if body is not None:
            kwargs.update(data=body, content_type=JSON)
        return getattr(client, method)(f"{API}{path}", **kwargs)

    return _call


def payload(world, target: str = "own", **overrides) -> dict:
    """A valid POST /activities body for an offline activity of `target`'s lead unit."""
    lead, region = ("lead", "320100") if target == "own" else ("other_lead", "330100")
    body = {
        "campaign": 2023,
        "lead_unit": world.units[lead].pk,
        "title": "青少年科学营",
        "summary": "走进实验室。",
        "category": world.category(4).pk,
        "format": "offline",
        "starts_at": "2023-05-21T09:00:00+08:00",
        "ends_at": "2023-05-21T11:00:00+08:00",
        "region": region,
        "address": "市科技馆",
    }
    body.update(overrides)
    return body


# --- Permission matrix -----------------------------------------------------------------------

OK, CREATED, UNAUTH, FORBIDDEN, NOT_FOUND = 200, 201, 401, 403, 404

# action: (status the activity starts from, method, path suffix, body)
ACTIONS = {
    "detail": (Status.DRAFT, "get", "", None),
    "update": (Status.DRAFT, "patch", "", {"summary": "更新的摘要"}),
    "submit": (Status.DRAFT, "post", "/submit", None),
    "approve": (Status.SUBMITTED, "post", "/approve", None),
    "return": (Status.SUBMITTED, "post", "/return", {"reason": "请补充地址"}),
    "cancel": (Status.PUBLISHED, "post", "/cancel", {"reason": "场地变更"}),
    "finish": (Status.PUBLISHED, "post", "/finish", {"actual_participants": 90}),
}
# The status each successful action leaves (None: nothing changes).
AFTER = {
    "detail": None,
    "update": Status.DRAFT,
    "submit": Status.SUBMITTED,
    "approve": Status.PUBLISHED,
    "return": Status.RETURNED,
    "cancel": Status.CANCELLED,
    "finish": Status.FINISHED,
}
# Outsiders: drafts and submitted activities are out of sight (404); published ones are seen (403).
OUTSIDER = {
    "detail": NOT_FOUND,
    "update": NOT_FOUND,
    "submit": NOT_FOUND,
    "approve": NOT_FOUND,
    "return": NOT_FOUND,
    "cancel": FORBIDDEN,
    "finish": FORBIDDEN,
}
ANONYMOUS = {**dict.fromkeys(ACTIONS, UNAUTH), "detail": NOT_FOUND}
EDITOR = {**dict.fromkeys(ACTIONS, OK), "approve": FORBIDDEN, "return": FORBIDDEN}
VIEWER = {**dict.fromkeys(ACTIONS, FORBIDDEN), "detail": OK}
ALL = dict.fromkeys(ACTIONS, OK)

EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("anonymous", "own"): ANONYMOUS,
    ("anonymous", "other"): ANONYMOUS,
    ("public", "own"): OUTSIDER,
    ("public", "other"): OUTSIDER,
    ("lead_editor", "own"): EDITOR,
    ("lead_editor", "other"): OUTSIDER,
    ("lead_admin", "own"): EDITOR,  # does not approve its own unit's activities
    ("lead_admin", "other"): OUTSIDER,
    ("parent_admin", "own"): ALL,
    ("parent_admin", "other"): OUTSIDER,
    ("other_admin", "own"): OUTSIDER,
    ("other_admin", "other"): ALL,
    ("coorg_member", "own"): VIEWER,  # 联动: sees it, does not change it
    ("coorg_member", "other"): OUTSIDER,
    ("department_reviewer", "own"): VIEWER,
    ("department_reviewer", "other"): VIEWER,
    ("campaign_admin", "own"): ALL,
    ("campaign_admin", "other"): ALL,
}


def test_matrix_covers_every_role_and_target():
    assert {r for r, _t in EXPECTED} == set(ROLES)


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_matrix(aworld, call, role, action, target):
    status, method, suffix, body = ACTIONS[action]
    activity = aworld.activity(target, status)
    events_before = ActivityEvent.objects.filter(activity=activity).count()
    response = call(role, method, f"/activities/{activity.pk}{suffix}", body)
    expected = EXPECTED[(role, target)][action]
    assert response.status_code == expected, response.content
    activity.refresh_from_db()
    if expected == OK:
        data = response.json()
        assert data["id"] == activity.pk
        assert activity.status == (AFTER[action] or status)
        assert data["status"] == activity.status
        if action == "update":
            assert activity.summary == "更新的摘要"
    else:
        assert set(response.json()) >= {"detail", "code", "field"}
        assert activity.status == status
        assert activity.summary != "更新的摘要"
        assert ActivityEvent.objects.filter(activity=activity).count() == events_before


SEES_DRAFTS = {
    "own": {
        "lead_editor",
        "lead_admin",
        "parent_admin",
        "coorg_member",
        "department_reviewer",
        "campaign_admin",
    },
    "other": {"other_admin", "department_reviewer", "campaign_admin"},
}


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_matrix_list(aworld, call, role, target):
    draft = aworld.activity(target, Status.DRAFT)
    published = aworld.activity(target, Status.PUBLISHED, title="公开的活动")
    response = call(role, "get", "/activities")
    assert response.status_code == OK
    ids = {a["id"] for a in response.json()["items"]}
    assert published.pk in ids
    assert (draft.pk in ids) == (role in SEES_DRAFTS[target])


CREATORS = {
    "own": {"lead_editor": CREATED, "lead_admin": CREATED, "parent_admin": CREATED},
    "other": {"other_admin": CREATED},
}


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_matrix_create(aworld, call, role, target):
    expected = {
        **CREATORS[target],
        "campaign_admin": CREATED,
        "department_reviewer": FORBIDDEN,  # sees every unit, creates in none
        "anonymous": UNAUTH,
    }.get(role, NOT_FOUND)
    before = Activity.objects.count()
    response = call(role, "post", "/activities", payload(aworld, target))
    assert response.status_code == expected, response.content
    if expected == CREATED:
        body = response.json()
        assert body["status"] == "draft" and body["title"] == "青少年科学营"
        assert Activity.objects.count() == before + 1
        assert Activity.objects.get(pk=body["id"]).created_by == aworld.people[role]
    else:
        assert Activity.objects.count() == before


# --- Detail ----------------------------------------------------------------------------------


def test_detail_shows_transitions_history_and_times_with_their_offset(aworld, call):
    activity = aworld.activity("own", Status.SUBMITTED)
    body = call("parent_admin", "get", f"/activities/{activity.pk}").json()
    assert body["transitions"] == ["approve", "return"]
    assert body["starts_at"] == "2023-05-20T09:00:00+08:00"
    assert body["ends_at"] == "2023-05-20T11:30:00+08:00"
    assert [e["to_status"] for e in body["events"]] == ["draft", "submitted"]
    assert body["events"][1]["by"]
    assert body["co_organizers"] == [{"id": aworld.units["coorg"].pk, "name": "甲省苏州市科协"}]
    assert body["region"] == {"code": "320100", "name": "南京市"}
    assert body["province_code"] == "320000"
    assert body["editable_fields"] == []

    editor = call("lead_editor", "get", f"/activities/{activity.pk}").json()
    assert editor["transitions"] == [] and editor["events"] is not None
    # A co-organizer sees the activity but not its workflow history.
    assert call("coorg_member", "get", f"/activities/{activity.pk}").json()["events"] is None


def test_detail_of_a_published_activity_for_anonymous_visitors(aworld, call):
    activity = aworld.activity("own", Status.PUBLISHED)
    body = call("anonymous", "get", f"/activities/{activity.pk}").json()
    assert body["status"] == "published" and body["status_label"] == "已发布"
    assert body["transitions"] == [] and body["editable_fields"] == []
    assert body["events"] is None
    assert call("anonymous", "get", "/activities/999999").status_code == 404


def test_venue_in_detail(aworld, call):
    venue = services.venue_create(
        actor=aworld.people["lead_admin"],
        kind="science_education_base",
        name="南京科技馆",
        region="320100",
        unit=aworld.unit("lead"),
    )
    activity = aworld.activity("own", Status.PUBLISHED, venue=venue)
    body = call("public", "get", f"/activities/{activity.pk}").json()
    assert body["venue"] == {"id": venue.pk, "name": "南京科技馆"}


# --- Create and update -----------------------------------------------------------------------


def test_create_with_co_organizers_venue_and_subtype(aworld, call):
    category = aworld.category(4)
    subtype = category.subtypes.first()
    body = payload(
        aworld,
        co_organizers=[aworld.units["coorg"].pk],
        subtype=subtype.pk if subtype else None,
        capacity=100,
        signup_required=True,
        reference="NJ-001",
    )
    response = call("lead_editor", "post", "/activities", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert [u["name"] for u in data["co_organizers"]] == ["甲省苏州市科协"]
    assert data["lead_unit"]["name"] == "甲省南京市科协"
    assert data["campaign"]["year"] == 2023
    assert data["transitions"] == ["submit"]
    assert "title" in data["editable_fields"]
    assert "window_override" not in data["editable_fields"]
    activity = Activity.objects.get(pk=data["id"])
    assert activity.starts_at == at(2023, 5, 21, 9, 0)
    assert activity.reference == "NJ-001" and activity.capacity == 100


def test_times_in_another_offset_are_kept_as_the_same_instant(aworld, call):
    body = payload(aworld, starts_at="2023-05-21T01:00:00Z", ends_at="2023-05-21T03:00:00+00:00")
    data = call("lead_editor", "post", "/activities", body).json()
    assert data["starts_at"] == "2023-05-21T09:00:00+08:00"
    assert data["ends_at"] == "2023-05-21T11:00:00+08:00"


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_naive_times_are_refused(aworld, call, field):
    body = payload(aworld, **{field: "2023-05-21T10:00:00"})
    response = call("lead_editor", "post", "/activities", body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert "时区" in response.json()["detail"]
    assert not Activity.objects.exists()


def test_update_changes_fields_and_clears_nullable_ones(aworld, call):
    activity = aworld.activity("own", Status.DRAFT)
    response = call(
        "lead_editor",
        "patch",
        f"/activities/{activity.pk}",
        {"title": "新标题", "capacity": None, "starts_at": "2023-05-20T08:00:00+08:00"},
    )
    assert response.status_code == 200, response.content
    activity.refresh_from_db()
    assert activity.title == "新标题" and activity.capacity is None
    assert activity.starts_at == at(2023, 5, 20, 8, 0)
    assert activity.summary == "院士走进校园，讲述科学家故事。"  # not sent, unchanged


@pytest.mark.parametrize("field", ["status", "campaign", "lead_unit", "id"])
def test_update_of_a_field_that_never_changes_here_is_400(aworld, call, field):
    activity = aworld.activity("own", Status.DRAFT)
    response = call(
        "lead_editor", "patch", f"/activities/{activity.pk}", {field: 1, "title": "改了"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and field in body["detail"]
    assert body["code"] == "not_editable"
    activity.refresh_from_db()
    assert activity.title == "科学家精神报告会" and activity.status == Status.DRAFT


def test_update_of_a_published_activitys_dates_is_refused(aworld, call):
    activity = aworld.activity("own", Status.PUBLISHED)
    response = call(
        "lead_editor",
        "patch",
        f"/activities/{activity.pk}",
        {"starts_at": "2023-05-20T08:00:00+08:00"},
    )
    assert response.status_code == 409
    assert response.json()["field"] == "starts_at"
    assert "已发布" in response.json()["detail"]
    ok = call("lead_editor", "patch", f"/activities/{activity.pk}", {"audience": "小学生"})
    assert ok.status_code == 200 and ok.json()["audience"] == "小学生"


def test_only_deciders_allow_exceptions(aworld, call):
    activity = aworld.activity("own", Status.DRAFT)
    path = f"/activities/{activity.pk}"
    response = call("lead_editor", "patch", path, {"window_override": True})
    assert response.status_code == 403 and response.json()["field"] == "window_override"
    body = {"window_override": True, "starts_at": "2023-07-01T09:00:00+08:00"}
    body["ends_at"] = "2023-07-01T10:00:00+08:00"
    assert call("parent_admin", "patch", path, body).status_code == 200
    activity.refresh_from_db()
    assert activity.window_override is True


# --- Refusals: 400 with a Chinese message and the field --------------------------------------


def _other_campaigns_category() -> Category:
    source = Campaign.objects.get(year=2023)
    other = Campaign.objects.create(
        year=2099,
        edition=99,
        name="测试活动周",
        theme="测试",
        window_start=source.window_start.replace(year=2099),
        window_end=source.window_end.replace(year=2099),
        day=source.day.replace(year=2099),
        report_deadline=source.report_deadline.replace(year=2099),
        doc_title="通知",
        recipients="各单位",
    )
    return Category.objects.create(campaign=other, number=1, name="别的类别")


REFUSALS = {
    "ends_before_start": (
        {"ends_at": "2023-05-21T08:00:00+08:00"},
        "ends_at",
        "结束时间早于开始时间",
    ),
    "offline_without_region": ({"region": None}, "region", "举办地"),
    "online_without_link": ({"format": "online", "region": None}, "online_url", "链接"),
    "outside_window": (
        {"starts_at": "2023-09-01T09:00:00+08:00", "ends_at": "2023-09-01T10:00:00+08:00"},
        "starts_at",
        "活动期",
    ),
    "negative_capacity": ({"capacity": -5}, "capacity", "至少"),
    "unknown_venue": ({"venue": 999999}, "venue", "999999"),
    "unknown_campaign": ({"campaign": 1999}, "campaign", "1999"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_create_refusals(aworld, call, case):
    overrides, field, words = REFUSALS[case]
    response = call("lead_editor", "post", "/activities", payload(aworld, **overrides))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == field
    assert words in body["detail"], body["detail"]
    assert not Activity.objects.exists()


def test_category_of_another_campaign_is_refused(aworld, call):
    category = _other_campaigns_category()
    response = call("lead_editor", "post", "/activities", payload(aworld, category=category.pk))
    assert response.status_code == 400
    assert response.json()["field"] == "category"
    assert response.json()["detail"] == "该活动类别属于其他年度的活动。"
    assert not Activity.objects.exists()
    activity = aworld.activity("own", Status.DRAFT)
    response = call("lead_editor", "patch", f"/activities/{activity.pk}", {"category": category.pk})
    assert response.status_code == 400 and response.json()["field"] == "category"
    activity.refresh_from_db()
    assert activity.category == aworld.category(4)


def test_refusals_answer_in_english_when_asked(aworld, call):
    body = payload(aworld, ends_at="2023-05-21T08:00:00+08:00")
    response = call("lead_editor", "post", "/activities", body, **{"Accept-Language": "en"})
    assert response.json()["detail"] == "The activity ends before it starts."


def test_invalid_transition_is_refused(aworld, call):
    draft = aworld.activity("own", Status.DRAFT)
    response = call("parent_admin", "post", f"/activities/{draft.pk}/approve")
    assert response.status_code == 409
    assert response.json()["field"] == "status"
    assert response.json()["detail"] == "只有已提交的活动可以审核通过。"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_return_and_cancel_need_a_reason(aworld, call):
    submitted = aworld.activity("own", Status.SUBMITTED)
    response = call("parent_admin", "post", f"/activities/{submitted.pk}/return", {"reason": " "})
    assert response.status_code == 400 and response.json()["field"] == "reason"
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    response = call("parent_admin", "post", f"/activities/{submitted.pk}/return", {})
    assert response.status_code == 422


def test_finish_records_figures_and_needs_them(aworld, call):
    activity = aworld.activity("own", Status.PUBLISHED)
    path = f"/activities/{activity.pk}/finish"
    response = call("lead_editor", "post", path, {"actual_participants": None})
    assert response.status_code == 400 and response.json()["field"] == "actual_participants"
    response = call("lead_editor", "post", path, {"actual_participants": -1})
    assert response.status_code == 400 and response.json()["field"] == "actual_participants"
    response = call("lead_editor", "post", path, {"actual_participants": 120, "online_views": 3000})
    assert response.status_code == 200
    assert response.json()["actual_participants"] == 120
    assert response.json()["online_views"] == 3000


def test_the_return_reason_reaches_the_editor(aworld, call):
    submitted = aworld.activity("own", Status.SUBMITTED)
    call("parent_admin", "post", f"/activities/{submitted.pk}/return", {"reason": "请补充地址"})
    body = call("lead_editor", "get", f"/activities/{submitted.pk}").json()
    assert body["status"] == "returned" and body["return_reason"] == "请补充地址"
    assert body["transitions"] == ["submit"]
    assert body["events"][-1]["reason"] == "请补充地址"


# --- List: filters, pages, search, queries ---------------------------------------------------


def test_list_filters(aworld, call):
    own = aworld.activity("own", Status.PUBLISHED)
    other = aworld.activity("other", Status.PUBLISHED, format="online", online_url="https://x.cn/")
    cancelled = aworld.activity("own", Status.CANCELLED, title="取消的活动")

    def ids(**params):
        response = call(
            "anonymous", "get", "/activities?" + "&".join(f"{k}={v}" for k, v in params.items())
        )
        assert response.status_code == 200, response.content
        return {a["id"] for a in response.json()["items"]}

    assert ids() == {own.pk, other.pk, cancelled.pk}
    assert ids(campaign=2023) == {own.pk, other.pk, cancelled.pk}
    assert ids(status="cancelled") == {cancelled.pk}
    assert ids(format="online") == {other.pk}
    assert ids(province="330000") == {other.pk}
    assert ids(unit=aworld.units["prov"].pk) == {own.pk, cancelled.pk}
    assert ids(category=aworld.category(4).pk) == {own.pk, other.pk, cancelled.pk}
    assert ids(category=aworld.category(1).pk) == set()
    assert ids(date_from="2023-05-21") == set()
    assert ids(date_from="2023-05-20", date_to="2023-05-20") == {own.pk, other.pk, cancelled.pk}
    assert call("anonymous", "get", "/activities?campaign=1999").status_code == 404
    assert call("anonymous", "get", "/activities?province=32").status_code == 422


def test_list_signup_open(aworld, call):
    soon = timezone.localtime() + timedelta(days=3)
    data = {
        "window_override": True,
        "starts_at": soon,
        "ends_at": soon + timedelta(hours=2),
        "signup_required": True,
    }
    open_ = aworld.activity("own", Status.PUBLISHED, title="可报名", **data)
    no_signup = aworld.activity("own", Status.PUBLISHED, **{**data, "signup_required": False})
    past = aworld.activity("own", Status.PUBLISHED, signup_required=True)
    body = call("anonymous", "get", "/activities?signup_open=true").json()
    assert [a["id"] for a in body["items"]] == [open_.pk]
    body = call("anonymous", "get", "/activities?signup_open=false").json()
    assert {a["id"] for a in body["items"]} == {no_signup.pk, past.pk}


def test_list_pages(aworld, call):
    made = [aworld.activity("own", Status.PUBLISHED, title=f"活动{i}").pk for i in range(5)]
    body = call("anonymous", "get", "/activities?page=2&page_size=2").json()
    assert body["count"] == 5 and body["page"] == 2 and body["page_size"] == 2
    assert [a["id"] for a in body["items"]] == made[2:4]
    assert call("anonymous", "get", "/activities?page_size=500").status_code == 422


def test_list_issues_a_fixed_number_of_queries(aworld, call):
    aworld.activity("own", Status.PUBLISHED)
    call("lead_editor", "get", "/activities")  # the token's first use writes its last-used time

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert call("lead_editor", "get", "/activities").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(8):
        aworld.activity(
            "own" if i % 2 else "other", Status.PUBLISHED, title=f"活动{i}", co_organizers=[]
        )
    assert count() == few
    assert few <= 6, few  # token, memberships, count, page, co-organizers


def _index(activity: Activity) -> None:
    search_index_upsert(
        kind="activities.activity",
        object_id=activity.pk,
        title=activity.title,
        body=activity.summary,
        campaign_id=activity.campaign_id,
        region_code=activity.region.province_code if activity.region else "",
        published=activity.status == Status.PUBLISHED,
    )


def test_text_search_combined_with_filters_and_visibility(aworld, call):
    kepu = aworld.activity("own", Status.PUBLISHED, title="院士科普报告会", summary="")
    far = aworld.activity("other", Status.PUBLISHED, title="科普大篷车", summary="")
    draft = aworld.activity("own", Status.DRAFT, title="科普草稿", summary="")
    plain = aworld.activity("own", Status.PUBLISHED, title="天文观测夜", summary="")
    for a in (kepu, far, draft, plain):
        _index(a)

    def ids(role, query):
        response = call(role, "get", f"/activities?{query}")
        assert response.status_code == 200, response.content
        return [a["id"] for a in response.json()["items"]], response.json()["count"]

    assert ids("anonymous", "q=科普")[0] and set(ids("anonymous", "q=科普")[0]) == {kepu.pk, far.pk}
    assert ids("anonymous", "q=科普")[1] == 2
    assert ids("anonymous", "q=院士") == ([kepu.pk], 1)
    assert ids("anonymous", "q=科普&province=330000") == ([far.pk], 1)
    # Signed-in organizers also find their own drafts; nobody else does.
    assert set(ids("lead_editor", "q=科普")[0]) == {kepu.pk, far.pk, draft.pk}
    assert set(ids("other_admin", "q=科普")[0]) == {kepu.pk, far.pk}
    assert ids("anonymous", "q=不存在的词") == ([], 0)
    assert ids("anonymous", "q=科普&page=2&page_size=1")[0] in ([kepu.pk], [far.pk])


# --- Categories ------------------------------------------------------------------------------


def test_categories_with_their_ids(aworld, call):
    body = call("anonymous", "get", "/activity-categories?campaign=2023").json()
    assert [c["number"] for c in body] == sorted(c["number"] for c in body)
    four = next(c for c in body if c["number"] == 4)
    assert four["id"] == aworld.category(4).pk
    assert call("anonymous", "get", "/activity-categories?campaign=1999").status_code == 404


# --- Venues ----------------------------------------------------------------------------------


def _venue_body(world, **overrides):
    body = {
        "kind": "science_education_base",
        "name": "南京科技馆",
        "region": "320100",
        "address": "应天大街",
        "unit": world.units["lead"].pk,
    }
    body.update(overrides)
    return body


VENUE_CREATE = {
    "anonymous": UNAUTH,
    "public": FORBIDDEN,
    "lead_editor": CREATED,
    "lead_admin": CREATED,
    "parent_admin": CREATED,
    "other_admin": FORBIDDEN,
    "coorg_member": FORBIDDEN,
    "department_reviewer": FORBIDDEN,
    "campaign_admin": CREATED,
}


@pytest.mark.parametrize("role", ROLES)
def test_venue_create_and_update_matrix(aworld, call, role):
    response = call(role, "post", "/venues", _venue_body(aworld))
    assert response.status_code == VENUE_CREATE[role], response.content
    assert Venue.objects.filter(name="南京科技馆").exists() == (VENUE_CREATE[role] == CREATED)
    venue = services.venue_create(
        actor=aworld.people["campaign_admin"],
        **{**_venue_body(aworld), "unit": aworld.unit("lead")},
    )
    response = call(role, "patch", f"/venues/{venue.pk}", {"name": "新名字"})
    expected = OK if VENUE_CREATE[role] == CREATED else VENUE_CREATE[role]
    assert response.status_code == expected
    venue.refresh_from_db()
    assert (venue.name == "新名字") == (expected == OK)


def test_venue_list_detail_and_refusals(aworld, call):
    lead = aworld.unit("lead")
    admin = aworld.people["campaign_admin"]
    nanjing = services.venue_create(
        actor=admin, kind="school", name="南京一中", region="320100", unit=lead
    )
    services.venue_create(actor=admin, kind="institute", name="杭州研究所", region="330100")
    retired = services.venue_create(actor=admin, kind="school", name="旧校区", region="320100")
    services.venue_update(actor=admin, venue=retired, is_active=False)
    body = call("anonymous", "get", "/venues").json()
    assert body["count"] == 2 and {v["name"] for v in body["items"]} == {"南京一中", "杭州研究所"}
    assert [
        v["name"] for v in call("anonymous", "get", "/venues?region=320000").json()["items"]
    ] == ["南京一中"]
    assert call("anonymous", "get", "/venues?kind=institute").json()["count"] == 1
    assert call("anonymous", "get", f"/venues?unit={lead.pk}").json()["count"] == 1
    detail = call("anonymous", "get", f"/venues/{nanjing.pk}").json()
    assert detail["unit"]["name"] == "甲省南京市科协" and detail["kind_label"]
    assert call("anonymous", "get", "/venues/999999").status_code == 404

    response = call("lead_editor", "post", "/venues", _venue_body(aworld, region="999999"))
    assert response.status_code == 400 and response.json()["field"] == "region"
    response = call("lead_editor", "post", "/venues", _venue_body(aworld, name=" "))
    assert response.status_code == 400 and response.json()["field"] == "name"
    # A national venue (no owning unit) is the campaign admins' only.
    response = call("lead_editor", "post", "/venues", _venue_body(aworld, unit=None))
    assert response.status_code == 403
    response = call("lead_editor", "patch", f"/venues/{nanjing.pk}", {"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False


# --- Schema ----------------------------------------------------------------------------------


def test_openapi_lists_the_activity_operations(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    listed = {(m, p) for p, ops in schema["paths"].items() for m in ops}
    expected = {
        ("get", "/api/v1/activities"),
        ("post", "/api/v1/activities"),
        ("get", "/api/v1/activities/{activity_id}"),
        ("patch", "/api/v1/activities/{activity_id}"),
        *{
            ("post", f"/api/v1/activities/{{activity_id}}/{t}")
            for t in ("submit", "approve", "return", "cancel", "finish")
        },
        ("get", "/api/v1/activity-categories"),
        ("get", "/api/v1/venues"),
        ("post", "/api/v1/venues"),
        ("get", "/api/v1/venues/{venue_id}"),
        ("patch", "/api/v1/venues/{venue_id}"),
    }
    assert expected <= listed
    components = schema["components"]["schemas"]
    assert "offset" in components["ActivityCreateIn"]["properties"]["starts_at"]["description"]
    for name in ("ActivityDetailOut", "ActivityPage", "VenueOut", "ActivityPatchIn"):
        assert name in components
