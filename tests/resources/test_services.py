"""Services: who may upload where (role × own/other unit), quota, metadata, edit, delete."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.models import AuditEntry
from sciday.resources import selectors, services
from sciday.resources.models import Kind, Licence, Resource, Status
from tests.resources import hostile


def create_photo(world, actor, unit_key="lead", **extra):
    data = extra.pop("data", None) or hostile.jpeg()
    fields = {"title": "现场照片", "attribution": "摄影：张三", "people_consent": True, **extra}
    return services.resource_create_from_upload(
        actor=actor,
        unit=world.unit(unit_key),
        campaign=world.campaign,
        kind=Kind.PHOTO,
        upload=SimpleUploadedFile("photo.jpg", data),
        **fields,
    )


# Who may upload into the lead unit (甲省南京市科协, "own") and into 乙省杭州市科协 ("other").
# ok: allowed; 403: sees the unit, may not upload; 404: the unit is out of sight.
MATRIX = {
    "anonymous": ("404", "404"),
    "public": ("404", "404"),
    "lead_editor": ("ok", "404"),
    "lead_admin": ("ok", "404"),
    "parent_admin": ("ok", "404"),  # an ancestor unit's admin acts for its sub-units
    "other_admin": ("404", "ok"),
    "coorg_member": ("404", "404"),  # a sibling unit
    "department_reviewer": ("403", "403"),  # sees every unit, uploads nowhere
    "campaign_admin": ("ok", "ok"),
}


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("target", ["own", "other"])
def test_create_permission_matrix(world, media, role, target):
    expected = MATRIX[role][0 if target == "own" else 1]
    actor = world.people[role]
    unit_key = "lead" if target == "own" else "other_lead"
    if expected == "ok":
        resource = create_photo(world, actor, unit_key)
        assert resource.unit == world.unit(unit_key)
        assert len(media.files()) == 1
        return
    with pytest.raises(NotAllowed if expected == "403" else Http404):
        create_photo(world, actor, unit_key)
    assert not Resource.objects.exists()
    assert media.files() == []


@pytest.mark.parametrize("role", ["lead_editor", "parent_admin", "other_admin", "public"])
def test_create_article_follows_the_same_matrix(world, role):
    allowed = MATRIX[role][0] == "ok"
    call = lambda: services.resource_create(  # noqa: E731
        actor=world.people[role],
        unit=world.unit("lead"),
        campaign=world.campaign,
        kind=Kind.ARTICLE,
        title="院士进校园",
        attribution="南京市科协",
        body="<p>正文</p>",
    )
    if allowed:
        assert call().kind == Kind.ARTICLE
    else:
        with pytest.raises((NotAllowed, Http404)):
            call()


def test_quota_refuses_the_upload_that_would_exceed_it(world, media, settings):
    first = create_photo(world, world.people["lead_editor"])
    settings.RESOURCE_UNIT_QUOTA_BYTES = first.size + 100
    with pytest.raises(Conflict) as refused:
        create_photo(world, world.people["lead_editor"])
    assert "存储配额" in str(refused.value)
    assert Resource.objects.count() == 1
    assert media.files() == [first.file.name]
    # Another unit's quota is its own.
    create_photo(world, world.people["other_admin"], "other_lead")
    assert Resource.objects.count() == 2


def test_quota_zero_means_no_quota(world, media, settings):
    settings.RESOURCE_UNIT_QUOTA_BYTES = 0
    create_photo(world, world.people["lead_editor"])
    assert Resource.objects.count() == 1


def test_photo_needs_consent_and_refusal_stores_nothing(world, media):
    with pytest.raises(DomainError) as refused:
        create_photo(world, world.people["lead_editor"], people_consent=False)
    assert refused.value.field == "people_consent"
    assert "同意" in str(refused.value)
    assert media.files() == [] and not Resource.objects.exists()


def test_metadata_is_checked_before_the_file(world, media):
    with pytest.raises(DomainError) as refused:
        create_photo(world, world.people["lead_editor"], title="  ")
    assert refused.value.field == "title"
    with pytest.raises(DomainError) as refused:
        create_photo(world, world.people["lead_editor"], attribution="")
    assert refused.value.field == "attribution"
    with pytest.raises(DomainError) as refused:
        create_photo(world, world.people["lead_editor"], licence="gpl")
    assert refused.value.field == "licence"
    assert media.files() == []


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.cn/a", "data:text/html,x", "mp.weixin.qq.com/s/x"]
)
def test_link_must_be_http_or_https(world, url):
    with pytest.raises(DomainError) as refused:
        services.resource_create(
            actor=world.people["lead_editor"],
            unit=world.unit("lead"),
            campaign=world.campaign,
            kind=Kind.LINK,
            title="公众号文章",
            attribution="南京市科协",
            url=url,
        )
    assert refused.value.field == "url"
    assert "http" in str(refused.value)


def test_link_and_article_are_created(world):
    link = services.resource_create(
        actor=world.people["lead_editor"],
        unit=world.unit("lead"),
        campaign=world.campaign,
        kind=Kind.LINK,
        title="公众号文章",
        attribution="南京市科协",
        url="https://mp.weixin.qq.com/s/abc",
        licence=Licence.CC_BY,
        tags="科普，航天 科普",
    )
    assert link.processing == "none"
    assert sorted(link.tags.values_list("name", flat=True)) == ["科普", "航天"]
    article = services.resource_create(
        actor=world.people["lead_editor"],
        unit=world.unit("lead"),
        campaign=world.campaign,
        kind=Kind.ARTICLE,
        title="院士进校园",
        attribution="南京市科协",
        body='<p onclick="x()">讲座<script>alert(1)</script></p>',
    )
    assert "script" not in article.body and "onclick" not in article.body
    assert "讲座" in article.body


def test_activity_must_be_of_the_campaign_and_the_unit(world, media):
    own = world.activity("own")
    other = world.activity("other")
    resource = create_photo(world, world.people["lead_editor"], activity=own)
    assert resource.activity == own
    with pytest.raises(DomainError) as refused:
        create_photo(world, world.people["campaign_admin"], activity=other)
    assert refused.value.field == "activity"
    # A co-organizer's resource may be tied to the activity it co-organizes.
    coorg = create_photo(world, world.people["coorg_member"], "coorg", activity=own)
    assert coorg.activity == own


def test_too_many_tags_are_refused(world, media):
    with pytest.raises(DomainError) as refused:
        create_photo(world, world.people["lead_editor"], tags=[f"标签{i}" for i in range(11)])
    assert refused.value.field == "tags"
    assert media.files() == []


def test_update_changes_metadata_and_audits(world, media):
    resource = create_photo(world, world.people["lead_editor"], tags=["科普"])
    services.resource_update(
        actor=world.people["parent_admin"],
        resource=resource,
        title="新标题",
        licence=Licence.CC_BY_SA,
        tags=["航天", "科普"],
    )
    resource.refresh_from_db()
    assert resource.title == "新标题" and resource.licence == Licence.CC_BY_SA
    entry = AuditEntry.objects.get(action="resources.resource.updated")
    assert entry.changes["title"] == ["现场照片", "新标题"]
    assert entry.changes["tags"] == [["科普"], ["航天", "科普"]]


def test_update_refuses_other_units_unknown_fields_and_locked_statuses(world, media):
    resource = create_photo(world, world.people["lead_editor"])
    with pytest.raises(Http404):
        services.resource_update(actor=world.people["other_admin"], resource=resource, title="x")
    with pytest.raises(DomainError):
        services.resource_update(
            actor=world.people["lead_editor"], resource=resource, file="elsewhere.jpg"
        )
    Resource.objects.filter(pk=resource.pk).update(status=Status.SUBMITTED)
    resource.refresh_from_db()
    with pytest.raises(Conflict):
        services.resource_update(actor=world.people["lead_editor"], resource=resource, title="x")


def test_delete_removes_the_row_and_every_stored_file(
    world, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        resource = create_photo(world, world.people["lead_editor"], data=hostile.jpeg(900, 600))
    resource.refresh_from_db()
    assert len(media.files()) == 3  # the file and two thumbnails
    with pytest.raises(Http404):
        services.resource_delete(actor=world.people["other_admin"], resource=resource)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_delete(actor=world.people["lead_editor"], resource=resource)
    assert not Resource.objects.exists()
    assert media.files() == []
    assert AuditEntry.objects.filter(action="resources.resource.deleted").count() == 1


def test_selectors_show_drafts_to_their_unit_only(world, media):
    resource = create_photo(world, world.people["lead_editor"])
    assert list(selectors.resource_list(viewer=world.people["parent_admin"])) == [resource]
    assert list(selectors.resource_list(viewer=world.people["other_admin"])) == []
    assert list(selectors.resource_list(viewer=world.people["anonymous"])) == []
    with pytest.raises(Http404):
        selectors.resource_get(viewer=world.people["public"], pk=resource.pk)
    Resource.objects.filter(pk=resource.pk).update(status=Status.PUBLISHED)
    assert selectors.resource_get(viewer=world.people["anonymous"], pk=resource.pk) == resource
    with pytest.raises(NotAllowed):
        selectors.resource_get_for_edit(actor=world.people["public"], pk=resource.pk)
    assert selectors.unit_storage_used(unit=world.unit("lead")) == resource.size
