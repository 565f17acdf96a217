"""Every transition, the trusted-unit shortcut, the history, and who may take which step now."""

from __future__ import annotations

import pytest
import time_machine

from sciday.activities import selectors, services
from sciday.activities.models import Activity, ActivityEvent, Status
from sciday.activities.services import Transition, activity_transitions
from sciday.core.errors import Conflict, DomainError
from sciday.core.models import AuditEntry
from tests.activities.world import ROLES, at


def _codes(activity: Activity) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="activities.activity", object_id=str(activity.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_the_journey_draft_returned_resubmitted_published_finished(world):
    editor, approver = world.people["lead_editor"], world.people["parent_admin"]
    activity = services.activity_create(actor=editor, **world.data())
    assert activity.status == Status.DRAFT
    assert activity.created_by == editor
    assert list(activity.co_organizers.all()) == [world.unit("coorg")]

    activity = services.activity_submit(actor=editor, activity=activity)
    assert activity.status == Status.SUBMITTED and activity.submitted_at is not None

    activity = services.activity_return(actor=approver, activity=activity, reason="  请补充地址  ")
    assert activity.status == Status.RETURNED
    assert activity.return_reason == "请补充地址"
    assert activity.decided_by == approver

    activity = services.activity_update(actor=editor, activity=activity, address="南京市玄武区")
    activity = services.activity_submit(actor=editor, activity=activity)
    assert activity.status == Status.SUBMITTED
    assert activity.return_reason == ""  # kept in the history, cleared on the activity

    activity = services.activity_approve(actor=approver, activity=activity)
    assert activity.status == Status.PUBLISHED and activity.published_at is not None

    activity = services.activity_finish(
        actor=editor, activity=activity, actual_participants=210, online_views=3500
    )
    assert activity.status == Status.FINISHED
    assert (activity.actual_participants, activity.online_views) == (210, 3500)

    history = [
        (e.from_status, e.to_status, e.reason, e.actor)
        for e in selectors.activity_events(activity=activity)
    ]
    assert history == [
        ("", Status.DRAFT, "", editor),
        (Status.DRAFT, Status.SUBMITTED, "", editor),
        (Status.SUBMITTED, Status.RETURNED, "请补充地址", approver),
        (Status.RETURNED, Status.SUBMITTED, "", editor),
        (Status.SUBMITTED, Status.PUBLISHED, "", approver),
        (Status.PUBLISHED, Status.FINISHED, "", editor),
    ]
    assert _codes(activity) == [
        "activities.activity.created",
        "activities.activity.submitted",
        "activities.activity.returned",
        "activities.activity.updated",
        "activities.activity.submitted",
        "activities.activity.published",
        "activities.activity.finished",
    ]


def test_cancel_keeps_the_reason(world):
    activity = world.activity("own", Status.PUBLISHED)
    activity = services.activity_cancel(
        actor=world.people["lead_admin"], activity=activity, reason="场馆检修"
    )
    assert activity.status == Status.CANCELLED
    assert activity.cancel_reason == "场馆检修"
    assert _codes(activity)[-1] == "activities.activity.cancelled"
    assert activity.events.last().reason == "场馆检修"


@pytest.mark.parametrize("trusted", ["lead", "prov"])
def test_a_trusted_unit_publishes_on_submit(world, trusted):
    """The lead unit itself, or one of its ancestors, in the campaign's trusted units."""
    world.campaign.trusted_units.add(world.unit(trusted))
    editor = world.people["lead_editor"]
    activity = services.activity_create(actor=editor, **world.data())
    activity = services.activity_submit(actor=editor, activity=activity)
    assert activity.status == Status.PUBLISHED
    assert activity.published_at is not None and activity.decided_by is None
    assert _codes(activity)[-2:] == [
        "activities.activity.submitted",
        "activities.activity.published",
    ]
    assert activity.events.last().from_status == Status.DRAFT


def test_trust_does_not_reach_other_units(world):
    world.campaign.trusted_units.add(world.unit("coorg"))
    editor = world.people["lead_editor"]
    activity = services.activity_create(actor=editor, **world.data())
    assert services.activity_submit(actor=editor, activity=activity).status == Status.SUBMITTED


WRONG_STATUS = [
    # (status, call)
    (Status.SUBMITTED, lambda a, x: services.activity_submit(actor=a, activity=x)),
    (Status.PUBLISHED, lambda a, x: services.activity_submit(actor=a, activity=x)),
    (Status.DRAFT, lambda a, x: services.activity_approve(actor=a, activity=x)),
    (Status.RETURNED, lambda a, x: services.activity_approve(actor=a, activity=x)),
    (Status.PUBLISHED, lambda a, x: services.activity_approve(actor=a, activity=x)),
    (Status.DRAFT, lambda a, x: services.activity_return(actor=a, activity=x, reason="x")),
    (Status.DRAFT, lambda a, x: services.activity_cancel(actor=a, activity=x, reason="x")),
    (Status.SUBMITTED, lambda a, x: services.activity_cancel(actor=a, activity=x, reason="x")),
    (Status.FINISHED, lambda a, x: services.activity_cancel(actor=a, activity=x, reason="x")),
    (
        Status.DRAFT,
        lambda a, x: services.activity_finish(actor=a, activity=x, actual_participants=1),
    ),
    (
        Status.CANCELLED,
        lambda a, x: services.activity_finish(actor=a, activity=x, actual_participants=1),
    ),
]


@pytest.mark.parametrize(("status", "call"), WRONG_STATUS)
def test_invalid_transitions_are_refused(world, status, call):
    activity = world.activity("own", status)
    events, audits = ActivityEvent.objects.count(), AuditEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        call(world.people["campaign_admin"], activity)
    assert exc.value.code == "wrong_status"
    assert "只有" in str(exc.value.message)
    activity.refresh_from_db()
    assert activity.status == status
    assert (ActivityEvent.objects.count(), AuditEntry.objects.count()) == (events, audits)


def test_finishing_before_the_end_is_refused(world):
    with time_machine.travel(at(2023, 5, 2, 10, 0), tick=False):
        activity = world.activity("own", Status.PUBLISHED)
        with pytest.raises(Conflict) as exc:
            services.activity_finish(
                actor=world.people["lead_editor"], activity=activity, actual_participants=10
            )
    assert exc.value.code == "not_ended"
    activity.refresh_from_db()
    assert activity.status == Status.PUBLISHED and activity.actual_participants is None


def test_return_needs_a_reason_and_cancel_too(world):
    submitted = world.activity("own", Status.SUBMITTED)
    with pytest.raises(DomainError) as exc:
        services.activity_return(actor=world.people["parent_admin"], activity=submitted, reason=" ")
    assert exc.value.field == "reason"
    published = world.activity("own", Status.PUBLISHED)
    with pytest.raises(DomainError) as exc:
        services.activity_cancel(actor=world.people["lead_admin"], activity=published, reason="")
    assert exc.value.field == "reason"
    submitted.refresh_from_db()
    published.refresh_from_db()
    assert (submitted.status, published.status) == (Status.SUBMITTED, Status.PUBLISHED)


@pytest.mark.parametrize(
    ("value", "field"),
    [(-1, "actual_participants"), (None, "actual_participants"), ("很多", "actual_participants")],
)
def test_finish_needs_sensible_figures(world, value, field):
    activity = world.activity("own", Status.PUBLISHED)
    with pytest.raises(DomainError) as exc:
        services.activity_finish(
            actor=world.people["lead_editor"], activity=activity, actual_participants=value
        )
    assert exc.value.field == field
    activity.refresh_from_db()
    assert activity.status == Status.PUBLISHED


def test_finish_refuses_negative_views(world):
    activity = world.activity("own", Status.PUBLISHED)
    with pytest.raises(DomainError) as exc:
        services.activity_finish(
            actor=world.people["lead_editor"],
            activity=activity,
            actual_participants=5,
            online_views=-3,
        )
    assert exc.value.field == "online_views"


# --- Which transitions each role may take now -------------------------------------------------

S, A, R, C, F = (
    Transition.SUBMIT,
    Transition.APPROVE,
    Transition.RETURN,
    Transition.CANCEL,
    Transition.FINISH,
)
EDITOR_STEPS = {
    Status.DRAFT: [S],
    Status.SUBMITTED: [],
    Status.RETURNED: [S],
    Status.PUBLISHED: [C, F],
    Status.CANCELLED: [],
    Status.FINISHED: [],
}
DECIDER_STEPS = {**EDITOR_STEPS, Status.SUBMITTED: [A, R]}
NOTHING: dict = {key: [] for key in EDITOR_STEPS}
EXPECTED_STEPS = {
    "anonymous": NOTHING,
    "public": NOTHING,
    "lead_editor": EDITOR_STEPS,
    "lead_admin": EDITOR_STEPS,
    "parent_admin": DECIDER_STEPS,
    "other_admin": NOTHING,
    "coorg_member": NOTHING,
    "department_reviewer": NOTHING,
    "campaign_admin": DECIDER_STEPS,
}


@pytest.mark.parametrize("status", list(EDITOR_STEPS))
def test_transitions_per_role(world, status):
    activity = world.activity("own", status)
    for role in ROLES:
        assert activity_transitions(world.people[role], activity) == EXPECTED_STEPS[role][status], (
            role
        )


def test_finish_is_offered_only_once_it_has_ended(world):
    with time_machine.travel(at(2023, 5, 20, 10, 0), tick=False):
        activity = world.activity("own", Status.PUBLISHED)
        assert activity_transitions(world.people["lead_editor"], activity) == [C]
    with time_machine.travel(at(2023, 5, 20, 11, 30), tick=False):
        assert activity_transitions(world.people["lead_editor"], activity) == [C, F]
