"""The edit page /workspace/resources/<pk>/edit/: metadata of drafts and returned resources
through `resource_update`; who may open it; refusals shown on the form, nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sciday.core.models import AuditEntry
from sciday.resources import services
from sciday.resources.models import Kind, Licence, Resource, Status
from tests.resources.test_moderation import article
from tests.resources.test_services import create_photo


def edit(resource):
    return reverse("resource_admin:edit", args=[resource.pk])


def detail(resource):
    return reverse("resource_admin:detail", args=[resource.pk])


def fields(resource, **changes):
    """A complete POST of the edit form for `resource`, with `changes`."""
    data = {
        "title": resource.title,
        "description": resource.description,
        "tags": "",
        "attribution": resource.attribution,
        "licence": resource.licence,
        "activity": "",
    }
    if resource.kind == Kind.ARTICLE:
        data["body"] = resource.body
    if resource.kind == Kind.LINK:
        data["url"] = resource.url
    if resource.people_consent:
        data["people_consent"] = "on"
    data.update(changes)
    return data


# role → (own unit's draft, another province's draft): 200 may edit, 404 out of sight.
# Department reviewers and campaign admins need a second factor before any workspace page;
# their rights to edit are the services' (tests/resources/test_services.py).
MATRIX = {
    "public": (404, 404),
    "lead_editor": (200, 404),
    "lead_admin": (200, 404),
    "parent_admin": (200, 404),  # an ancestor unit's admin acts for its sub-units
    "other_admin": (404, 200),
    "coorg_member": (404, 404),  # a sibling unit
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_edit_permission_matrix(world, login, role):
    client = login(world.people[role])
    for resource, expected in zip(
        (article(world), article(world, "other_lead")), MATRIX[role], strict=True
    ):
        assert client.get(edit(resource)).status_code == expected
        response = client.post(edit(resource), fields(resource, title="改过的标题"))
        assert response.status_code == (302 if expected == 200 else expected)
        title = Resource.objects.get(pk=resource.pk).title
        assert title == ("改过的标题" if expected == 200 else "科普日回顾")


def test_anonymous_is_sent_to_sign_in(world, client):
    resource = article(world)
    response = client.get(edit(resource))
    assert response.status_code == 302 and "login" in response["Location"]
    client.post(edit(resource), fields(resource, title="改过的标题"))
    assert Resource.objects.get(pk=resource.pk).title == "科普日回顾"


def test_a_department_reviewer_who_only_sees_it_gets_403(world, login, settings):
    resource = article(world)
    client = login(world.people["department_reviewer"])
    response = client.get(edit(resource))
    # Either the second-factor step comes first (a redirect), or the refusal: never the form.
    assert response.status_code in (302, 403)
    assert Resource.objects.get(pk=resource.pk).title == "科普日回顾"


def test_editor_edits_an_article_with_its_tags(world, login):
    resource = article(world)
    client = login(world.people["lead_editor"])
    page = client.get(edit(resource)).content.decode()
    assert 'name="body"' in page and 'name="url"' not in page
    assert 'name="people_consent"' not in page
    response = client.post(
        edit(resource),
        fields(
            resource,
            title="  科普日回顾（修订） ",
            body="<p>新的正文</p><script>alert(1)</script>",
            tags="航天, 院士",
            licence=Licence.CC_BY,
        ),
    )
    assert response.status_code == 302 and response["Location"] == detail(resource)
    resource.refresh_from_db()
    assert resource.title == "科普日回顾（修订）"
    assert resource.body == "<p>新的正文</p>"
    assert resource.licence == Licence.CC_BY
    assert sorted(resource.tags.values_list("name", flat=True)) == ["航天", "院士"]
    assert AuditEntry.objects.filter(
        action="resources.resource.updated", object_id=str(resource.pk)
    ).exists()
    assert "修改已保存" in client.get(detail(resource)).content.decode()


def test_the_detail_page_links_to_the_edit_page_while_editable(world, login):
    resource = article(world)
    client = login(world.people["lead_editor"])
    assert f'href="{edit(resource)}"' in client.get(detail(resource)).content.decode()
    resource = services.resource_submit(actor=world.people["lead_editor"], resource=resource)
    assert f'href="{edit(resource)}"' not in client.get(detail(resource)).content.decode()


def test_a_returned_resource_is_edited_then_resubmitted_from_its_page(world, login):
    editor, moderator = world.people["lead_editor"], world.people["parent_admin"]
    resource = services.resource_submit(actor=editor, resource=article(world))
    resource = services.resource_return(actor=moderator, resource=resource, reason="标题写错了")
    client = login(editor)
    page = client.get(edit(resource)).content.decode()
    assert "标题写错了" in page  # the reason is shown while editing
    assert "保存后，请在资源页面重新提交" in page
    response = client.post(edit(resource), fields(resource, title="科普日回顾（修订）"))
    assert response.status_code == 302
    assert Resource.objects.get(pk=resource.pk).status == Status.RETURNED
    response = client.post(reverse("resource_admin:transition", args=[resource.pk, "submit"]))
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.status == Status.SUBMITTED and resource.title == "科普日回顾（修订）"


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.HELD, Status.PUBLISHED])
def test_a_resource_in_moderation_or_published_cannot_be_edited(world, login, status):
    resource = article(world)
    Resource.objects.filter(pk=resource.pk).update(status=status)
    client = login(world.people["lead_editor"])
    response = client.get(edit(resource))
    assert response.status_code == 409
    html = response.content.decode()
    assert "不能编辑" in html and 'name="title"' not in html
    response = client.post(edit(resource), fields(resource, title="改过的标题"))
    assert response.status_code == 409
    assert Resource.objects.get(pk=resource.pk).title == "科普日回顾"


def test_refusals_are_shown_on_the_form_and_nothing_is_saved(world, login):
    resource = article(world)
    client = login(world.people["lead_editor"])
    cases = [
        ({"title": "  "}, "title"),
        ({"body": "<script>alert(1)</script>"}, "请填写文章正文"),
        ({"attribution": ""}, "attribution"),
        ({"tags": ",".join(f"标签{i}" for i in range(11))}, "最多"),
        ({"licence": "all-mine"}, "licence"),
    ]
    for changes, expected in cases:
        response = client.post(edit(resource), fields(resource, **changes))
        assert response.status_code == 400, changes
        html = response.content.decode()
        assert "errorlist" in html, changes
        assert expected in html or response.context["form"].errors.get(expected), changes
    after = Resource.objects.get(pk=resource.pk)
    assert (after.title, after.body, after.attribution) == (
        resource.title,
        resource.body,
        resource.attribution,
    )
    assert not after.tags.exists()
    assert not AuditEntry.objects.filter(action="resources.resource.updated").exists()


def test_a_photo_needs_the_peoples_consent(world, login):
    photo = create_photo(world, world.people["lead_editor"])
    client = login(world.people["lead_editor"])
    page = client.get(edit(photo)).content.decode()
    assert 'name="people_consent"' in page and 'name="body"' not in page
    data = fields(photo, title="新标题")
    data.pop("people_consent")
    response = client.post(edit(photo), data)
    assert response.status_code == 400
    assert "同意" in response.content.decode()
    assert Resource.objects.get(pk=photo.pk).title == "现场照片"


def test_a_link_keeps_an_http_address(world, login):
    link = services.resource_create(
        actor=world.people["lead_editor"],
        unit=world.unit("lead"),
        campaign=world.campaign,
        kind=Kind.LINK,
        title="公众号文章",
        attribution="南京市科协",
        url="https://example.com/a",
    )
    client = login(world.people["lead_editor"])
    response = client.post(edit(link), fields(link, url="javascript:alert(1)"))
    assert response.status_code == 400
    assert Resource.objects.get(pk=link.pk).url == "https://example.com/a"
    response = client.post(edit(link), fields(link, url="https://example.com/b"))
    assert response.status_code == 302
    assert Resource.objects.get(pk=link.pk).url == "https://example.com/b"


def test_an_activity_of_another_unit_is_refused(world, login):
    resource = article(world)
    other = world.activity("other", status="published")
    client = login(world.people["lead_editor"])
    response = client.post(edit(resource), fields(resource, activity=other.pk))
    assert response.status_code == 400  # not among the choices offered
    assert Resource.objects.get(pk=resource.pk).activity_id is None
    own = world.activity("own", status="published")
    response = client.post(edit(resource), fields(resource, activity=own.pk))
    assert response.status_code == 302
    assert Resource.objects.get(pk=resource.pk).activity_id == own.pk
