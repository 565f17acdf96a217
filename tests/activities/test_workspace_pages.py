"""The activities workspace through the pages: each role's journey, refusals, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sciday.accounts.models import Role
from sciday.activities import services
from sciday.activities.models import Activity, ActivityEvent, Status, Venue
from sciday.core.models import AuditEntry
from tests.activities.world import at
from tests.factories import make_member

pytestmark = pytest.mark.django_db

LIST = reverse("activity_admin:list")
CREATE = reverse("activity_admin:create")


def _form(world, **overrides) -> dict:
    """A valid create form for the Nanjing unit: an offline talk in the campaign window."""
    data = {
        "lead_unit": world.units["lead"].pk,
        "title": "科学家精神报告会",
        "summary": "院士走进校园",
        "category": world.category(4).pk,
        "format": "offline",
        "starts_at": "2023-05-20T09:00",
        "ends_at": "2023-05-20T11:30",
        "province": "320000",
        "prefecture": "320100",
        "address": "市科技馆报告厅",
        "audience": "中学生",
        "capacity": "200",
        "expected_participants": "180",
        "co_organizers": [world.units["coorg"].pk],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _go(url_name, activity, transition=None):
    if transition:
        return reverse("activity_admin:transition", args=[activity.pk, transition])
    return reverse(f"activity_admin:{url_name}", args=[activity.pk])


def test_editor_creates_a_draft_read_in_beijing_time_and_submits_it(world, login):
    client = login(world.people["lead_editor"])
    page = client.get(CREATE)
    assert page.status_code == 200
    # Only the units the editor may lead are offered; no exception checkboxes for an editor.
    form = page.context["form"]
    assert list(form.fields["lead_unit"].queryset) == [world.unit("lead")]
    assert "window_override" not in form.fields and "region_override" not in form.fields

    response = client.post(CREATE, _form(world))
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _go("detail", activity)
    assert activity.status == Status.DRAFT
    assert activity.starts_at == at(2023, 5, 20, 9, 0)
    assert activity.region_id == "320100"
    assert list(activity.co_organizers.all()) == [world.unit("coorg")]
    assert activity.capacity == 200

    detail = client.get(_go("detail", activity))
    html = detail.content.decode()
    assert "草稿" in html and "提交审核" in html and "批准" not in html
    assert [a["name"] for a in detail.context["actions"]] == ["submit"]

    response = client.post(_go("detail", activity, "submit"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED


def test_parent_admin_returns_with_a_reason_then_approves(world, login):
    activity = world.activity(status=Status.SUBMITTED)
    client = login(world.people["parent_admin"])

    waiting = client.get(LIST + "?tab=decide")
    assert [a.pk for a in waiting.context["page"].object_list] == [activity.pk]
    assert waiting.context["waiting"] == 1

    detail = client.get(_go("detail", activity))
    assert [a["name"] for a in detail.context["actions"]] == ["approve", "return"]

    # No reason: refused on the form, nothing changes.
    response = client.post(_go("detail", activity, "return"), {"return-reason": "  "})
    assert response.status_code == 400
    return_form = response.context["actions"][1]["form"]
    assert return_form.errors["reason"] == ["请说明需要修改的内容。"]
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED

    response = client.post(_go("detail", activity, "return"), {"return-reason": "请补充地址"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Status.RETURNED
    assert activity.return_reason == "请补充地址"

    # The editor sees the reason on the page and in the history, fixes and resubmits.
    editor = login(world.people["lead_editor"])
    html = editor.get(_go("detail", activity)).content.decode()
    assert "请补充地址" in html
    response = editor.post(
        _go("edit", activity), _form(world, address="市科技馆一楼报告厅", lead_unit=None)
    )
    assert response.status_code == 302
    editor.post(_go("detail", activity, "submit"))
    activity.refresh_from_db()
    assert (activity.status, activity.address) == (Status.SUBMITTED, "市科技馆一楼报告厅")

    admin = login(world.people["parent_admin"])
    response = admin.post(_go("detail", activity, "approve"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Status.PUBLISHED
    history = admin.get(_go("detail", activity)).context["events"]
    assert [e.to_status for e in history] == [
        Status.DRAFT,
        Status.SUBMITTED,
        Status.RETURNED,
        Status.SUBMITTED,
        Status.PUBLISHED,
    ]


def test_editor_cannot_approve_their_own_activity(world, login):
    activity = world.activity(status=Status.SUBMITTED)
    client = login(world.people["lead_editor"])
    detail = client.get(_go("detail", activity))
    assert detail.status_code == 200
    assert detail.context["actions"] == []
    response = client.post(_go("detail", activity, "approve"))
    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED
    assert not client.get(LIST + "?tab=decide").context["decides"]


@pytest.mark.parametrize("url_name", ["detail", "edit"])
def test_another_province_admin_gets_404(world, login, url_name):
    activity = world.activity(status=Status.SUBMITTED)
    client = login(world.people["other_admin"])
    assert client.get(_go(url_name, activity)).status_code == 404
    assert client.post(_go("detail", activity, "approve")).status_code == 404
    assert client.post(_go("detail", activity, "return"), {"return-reason": "x"}).status_code == 404
    listing = client.get(LIST)
    assert activity not in listing.context["page"].object_list
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED


def test_co_organizer_sees_but_cannot_edit(world, login):
    activity = world.activity()
    client = login(world.people["coorg_member"])
    assert client.get(_go("detail", activity)).status_code == 200
    assert client.get(_go("edit", activity)).status_code == 403
    assert client.post(_go("detail", activity, "submit")).status_code == 403


def test_anonymous_is_sent_to_sign_in(world, client):
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": "2023-05-20T08:00"}, "ends_at", "活动结束时间早于开始时间"),
        ({"province": "", "prefecture": ""}, "province", "请选择活动举办地区"),
        ({"format": "online", "province": "", "prefecture": ""}, "online_url", "直播"),
        ({"starts_at": "2023-06-20T09:00", "ends_at": "2023-06-20T10:00"}, "starts_at", "活动期"),
        ({"province": "330000", "prefecture": "330100"}, "prefecture", "省份"),
        ({"capacity": "0"}, "capacity", "至少为 1"),
        ({"title": ""}, "title", None),
    ],
)
def test_create_refusals_show_on_the_form_and_write_nothing(
    world, login, overrides, field, message
):
    client = login(world.people["lead_editor"])
    response = client.post(CREATE, _form(world, **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert message in " ".join(errors[field]), errors
    assert not Activity.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="activities.").exists()


def test_override_checkboxes_only_for_deciders(world, login):
    client = login(world.people["parent_admin"])
    form = client.get(CREATE).context["form"]
    assert "window_override" in form.fields
    response = client.post(
        CREATE,
        _form(
            world,
            starts_at="2023-06-20T09:00",
            ends_at="2023-06-20T10:00",
            window_override="on",
        ),
    )
    assert response.status_code == 302
    assert Activity.objects.get().window_override


def test_edit_keeps_an_allowance_when_the_dates_do_not_change(world, login):
    """Re-sending unchanged dates must not void the window exception an admin allowed."""
    activity = world.activity(
        starts_at=at(2023, 6, 20, 9, 0), ends_at=at(2023, 6, 20, 10, 0), window_override=True
    )
    client = login(world.people["lead_editor"])
    page = client.get(_go("edit", activity))
    form = page.context["form"]
    assert form["starts_at"].value() is not None
    assert "2023-06-20T09:00" in page.content.decode()
    response = client.post(
        _go("edit", activity),
        _form(
            world,
            lead_unit=None,
            title="新标题",
            starts_at="2023-06-20T09:00",
            ends_at="2023-06-20T10:00",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    activity.refresh_from_db()
    assert activity.title == "新标题" and activity.window_override


def test_published_activity_edit_shows_frozen_fields_read_only(world, login):
    activity = world.activity(status=Status.PUBLISHED)
    client = login(world.people["lead_editor"])
    form = client.get(_go("edit", activity)).context["form"]
    assert form.fields["title"].disabled and form.fields["starts_at"].disabled
    assert not form.fields["address"].disabled
    response = client.post(
        _go("edit", activity),
        _form(world, lead_unit=None, title="试图改标题", address="新地址"),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.address) == ("科学家精神报告会", "新地址")


def test_submitted_activity_cannot_be_edited(world, login):
    activity = world.activity(status=Status.SUBMITTED)
    client = login(world.people["lead_editor"])
    response = client.get(_go("edit", activity))
    assert response.status_code == 302


def test_cancel_needs_a_reason_and_finish_needs_figures(world, login):
    activity = world.activity(status=Status.PUBLISHED)
    client = login(world.people["lead_editor"])
    response = client.post(_go("detail", activity, "cancel"), {"cancel-reason": ""})
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.status == Status.PUBLISHED
    # The activity (May 2023) has ended: it can be finished, with its actual figures.
    response = client.post(_go("detail", activity, "finish"), {"finish-actual_participants": ""})
    assert response.status_code == 400
    assert "参与人数" in response.content.decode()
    response = client.post(
        _go("detail", activity, "finish"),
        {"finish-actual_participants": "150", "finish-online_views": "3000"},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.actual_participants, activity.online_views) == (
        Status.FINISHED,
        150,
        3000,
    )


def test_submitting_twice_is_refused_with_a_message(world, login):
    activity = world.activity(status=Status.SUBMITTED)
    client = login(world.people["lead_editor"])
    response = client.post(_go("detail", activity, "submit"))
    assert response.status_code == 400
    assert ActivityEvent.objects.filter(activity=activity).count() == 2


def test_unknown_transition_is_404(world, login):
    activity = world.activity()
    client = login(world.people["lead_editor"])
    assert client.post(_go("detail", activity, "explode")).status_code == 404


def test_list_filters(world, login):
    own = world.activity()
    world.activity(status=Status.SUBMITTED, reference="b", title="第二个活动")
    client = login(world.people["parent_admin"])
    page = client.get(LIST + "?status=draft").context["page"]
    assert [a.pk for a in page.object_list] == [own.pk]
    page = client.get(LIST + f"?unit={world.units['prov'].pk}").context["page"]
    assert page.paginator.count == 2
    page = client.get(LIST + f"?category={world.category(1).pk}").context["page"]
    assert page.paginator.count == 0


def test_list_issues_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world.people["parent_admin"])
    world.activity()
    client.get(LIST)
    with django_assert_max_num_queries(30) as small:
        client.get(LIST)
    for n in range(8):
        world.activity(reference=f"r{n}", title=f"活动{n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST)
    assert response.context["page"].paginator.count == 9


def test_menu_shows_activities(world, login):
    client = login(world.people["lead_editor"])
    html = client.get(LIST).content.decode()
    assert f'href="{LIST}" aria-current="page"' in html


# --- Venues -----------------------------------------------------------------------------------


def test_editor_registers_and_edits_a_venue_of_their_unit(world, login):
    client = login(world.people["lead_editor"])
    url = reverse("activity_admin:venue_create")
    response = client.post(
        url,
        {
            "unit": world.units["lead"].pk,
            "kind": "school",
            "name": "南京市第一中学",
            "province": "320000",
            "prefecture": "320100",
        },
    )
    assert response.status_code == 302
    venue = Venue.objects.get()
    assert venue.unit_id == world.units["lead"].pk
    listing = client.get(reverse("activity_admin:venue_list"))
    assert "南京市第一中学" in listing.content.decode()
    edit = reverse("activity_admin:venue_edit", args=[venue.pk])
    response = client.post(
        edit,
        {"kind": "school", "name": "", "province": "320000", "prefecture": "320100"},
    )
    assert response.status_code == 400
    response = client.post(
        edit,
        {
            "kind": "school",
            "name": "南京一中",
            "province": "320000",
            "prefecture": "320100",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.name == "南京一中"


def test_venue_of_another_province_cannot_be_edited(world, login):
    venue = services.venue_create(
        actor=world.people["other_admin"],
        kind="school",
        name="杭州学校",
        region="330100",
        unit=world.unit("other_lead"),
    )
    client = login(world.people["lead_editor"])
    response = client.get(reverse("activity_admin:venue_edit", args=[venue.pk]))
    assert response.status_code == 403
    # A national venue needs a campaign admin.
    response = client.post(
        reverse("activity_admin:venue_create"),
        {"kind": "school", "name": "国家场馆", "province": "110000"},
    )
    assert response.status_code == 400
    assert Venue.objects.count() == 1


def test_person_without_editing_role_cannot_create(world, login):
    expert = make_member(world.unit("lead"), Role.EXPERT)
    client = login(expert)
    assert client.get(CREATE).status_code == 403


@pytest.mark.parametrize("trusted", [False, True])
def test_the_message_after_submitting_says_whether_it_was_published(world, login, trusted):
    if trusted:
        world.campaign.trusted_units.add(world.unit("prov"))
    activity = world.activity()
    client = login(world.people["lead_editor"])
    response = client.post(_go("detail", activity, "submit"), follow=True)
    html = response.content.decode()
    activity.refresh_from_db()
    if trusted:
        assert activity.status == Status.PUBLISHED
        assert "已直接发布" in html and "已提交" not in html
    else:
        assert activity.status == Status.SUBMITTED
        assert "活动已提交" in html and "已直接发布" not in html
