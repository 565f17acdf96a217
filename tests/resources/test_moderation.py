"""Moderation: submit (screening holds), approve, return with a reason, feature; refusals."""

from __future__ import annotations

import pytest
from django.http import Http404

from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.models import AuditEntry
from sciday.resources import services
from sciday.resources.models import Kind, Processing, Resource, ResourceEvent, Status
from tests.resources.test_services import create_photo


def article(world, unit_key="lead", actor=None):
    return services.resource_create(
        actor=actor or world.people["campaign_admin"],
        unit=world.unit(unit_key),
        campaign=world.campaign,
        kind=Kind.ARTICLE,
        title="科普日回顾",
        attribution="南京市科协",
        body="<p>一篇文章</p>",
    )


def submitted(world, unit_key="lead"):
    return services.resource_submit(
        actor=world.people["campaign_admin"], resource=article(world, unit_key)
    )


def actions(resource):
    return list(
        AuditEntry.objects.filter(object_id=str(resource.pk)).values_list("action", flat=True)
    )


def test_submit_approve_records_history_and_audit(world):
    resource = article(world)
    editor, moderator = world.people["lead_editor"], world.people["parent_admin"]
    resource = services.resource_submit(actor=editor, resource=resource)
    assert resource.status == Status.SUBMITTED and resource.submitted_at
    resource = services.resource_approve(actor=moderator, resource=resource)
    resource.refresh_from_db()
    assert resource.status == Status.PUBLISHED and resource.published_at
    steps = list(ResourceEvent.objects.filter(resource=resource).values_list("to_status", "actor"))
    assert steps == [(Status.SUBMITTED, editor.pk), (Status.PUBLISHED, moderator.pk)]
    assert "resources.resource.submitted" in actions(resource)
    assert "resources.resource.published" in actions(resource)


def test_return_needs_a_reason_then_the_unit_edits_and_resubmits(world):
    resource = submitted(world)
    moderator = world.people["parent_admin"]
    with pytest.raises(DomainError) as refused:
        services.resource_return(actor=moderator, resource=resource, reason="  ")
    assert refused.value.field == "reason"
    assert Resource.objects.get(pk=resource.pk).status == Status.SUBMITTED
    resource = services.resource_return(actor=moderator, resource=resource, reason="标题写错了")
    assert resource.status == Status.RETURNED and resource.return_reason == "标题写错了"
    editor = world.people["lead_editor"]
    services.resource_update(actor=editor, resource=resource, title="科普日回顾（修订）")
    resource = services.resource_submit(actor=editor, resource=resource)
    assert resource.status == Status.SUBMITTED and resource.return_reason == ""
    event = ResourceEvent.objects.get(resource=resource, to_status=Status.RETURNED)
    assert event.note == "标题写错了"


def test_a_screening_hit_holds_the_resource_with_the_words(world, monkeypatch):
    hits = [{"word": "敏感词", "field": "title"}]
    monkeypatch.setattr(services, "_screen", lambda resource: hits)
    resource = submitted(world)
    assert resource.status == Status.HELD
    assert Resource.objects.get(pk=resource.pk).screening_hits == hits
    assert "resources.resource.held" in actions(resource)
    resource = services.resource_approve(actor=world.people["parent_admin"], resource=resource)
    assert resource.status == Status.PUBLISHED


def test_the_campaign_sensitive_word_list_holds_an_article(world):
    from sciday.screening.services import word_add

    word_add(actor=world.people["campaign_admin"], campaign=world.campaign, word="违禁甲")
    resource = services.resource_create(
        actor=world.people["lead_editor"],
        unit=world.unit("lead"),
        campaign=world.campaign,
        kind=Kind.ARTICLE,
        title="科普日回顾",
        attribution="南京市科协",
        body="<p>正文里有<b>违禁甲</b>一词</p>",
    )
    resource = services.resource_submit(actor=world.people["lead_editor"], resource=resource)
    assert resource.status == Status.HELD
    assert resource.screening_hits == [{"word": "违禁甲", "field": "body"}]


def test_a_file_still_processing_or_failed_cannot_be_submitted(world, media):
    resource = create_photo(world, world.people["lead_editor"])
    assert resource.processing == Processing.PENDING
    with pytest.raises(Conflict) as refused:
        services.resource_submit(actor=world.people["lead_editor"], resource=resource)
    assert "处理" in str(refused.value)
    Resource.objects.filter(pk=resource.pk).update(
        processing=Processing.FAILED, processing_error="视频不完整"
    )
    resource.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        services.resource_submit(actor=world.people["lead_editor"], resource=resource)
    assert "视频不完整" in str(refused.value)
    assert Resource.objects.get(pk=resource.pk).status == Status.DRAFT
    assert not ResourceEvent.objects.exists()


def test_wrong_status_is_a_conflict(world):
    resource = article(world)
    with pytest.raises(Conflict):
        services.resource_approve(actor=world.people["campaign_admin"], resource=resource)
    with pytest.raises(Conflict):
        services.resource_feature(actor=world.people["campaign_admin"], resource=resource)
    resource = services.resource_submit(actor=world.people["campaign_admin"], resource=resource)
    with pytest.raises(Conflict):
        services.resource_submit(actor=world.people["campaign_admin"], resource=resource)


# role → (submit own, moderate own). "own" is the lead unit 甲省南京市科协.
MATRIX = {
    "anonymous": ("404", "404"),
    "public": ("404", "404"),
    "lead_editor": ("ok", "403"),
    "lead_admin": ("ok", "403"),  # never the unit's own admin
    "parent_admin": ("ok", "ok"),
    "other_admin": ("404", "404"),
    "coorg_member": ("404", "404"),
    "department_reviewer": ("403", "403"),
    "campaign_admin": ("ok", "ok"),
}
ERRORS = {"403": NotAllowed, "404": Http404}


@pytest.mark.parametrize("role", list(MATRIX))
def test_submit_permission_matrix(world, role):
    resource = article(world)
    expected = MATRIX[role][0]
    if expected == "ok":
        assert services.resource_submit(actor=world.people[role], resource=resource).status
        return
    with pytest.raises(ERRORS[expected]):
        services.resource_submit(actor=world.people[role], resource=resource)
    assert Resource.objects.get(pk=resource.pk).status == Status.DRAFT


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("step", ["approve", "return"])
def test_moderation_permission_matrix(world, role, step):
    resource = submitted(world)
    expected = MATRIX[role][1]

    def act():
        if step == "approve":
            return services.resource_approve(actor=world.people[role], resource=resource)
        return services.resource_return(actor=world.people[role], resource=resource, reason="改")

    if expected == "ok":
        assert act().status in (Status.PUBLISHED, Status.RETURNED)
        return
    with pytest.raises(ERRORS[expected]):
        act()
    assert Resource.objects.get(pk=resource.pk).status == Status.SUBMITTED


@pytest.mark.parametrize(
    "role", ["lead_admin", "parent_admin", "department_reviewer", "campaign_admin"]
)
def test_only_campaign_admins_feature(world, role):
    resource = services.resource_approve(
        actor=world.people["campaign_admin"], resource=submitted(world)
    )
    actor = world.people[role]
    if role == "campaign_admin":
        assert services.resource_feature(actor=actor, resource=resource).featured
        assert "resources.resource.featured" in actions(resource)
        assert not services.resource_unfeature(actor=actor, resource=resource).featured
        assert "resources.resource.unfeatured" in actions(resource)
        return
    with pytest.raises(NotAllowed):  # a published resource is seen by everyone
        services.resource_feature(actor=actor, resource=resource)
    assert not Resource.objects.get(pk=resource.pk).featured
