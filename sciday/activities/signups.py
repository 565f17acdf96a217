"""Every write to sign-ups and ratings. Each checks, validates, writes in one transaction, audits.

Sign-up (`signup_create`): signed-in people sign up to a published activity that needs it, until
it starts. Within the capacity (blank: no limit) the sign-up is confirmed; beyond it the person
joins the waiting list. Both writes lock the activity row first (`select_for_update`), so two
people signing up at once cannot both take the last place.

Cancelling (`signup_cancel`) frees the place; in the same transaction the first people waiting
(lowest `position`) are promoted while places are free. E-mails — confirmation, waiting-list
notice, promotion, and the activity's cancellation (`signups_notify_cancelled`, called by
`services.activity_cancel`) — are queued after the commit.

Rating (`rating_submit`): once the activity has ended (and was not cancelled), a person whose
sign-up was confirmed rates it 1–5 with an optional comment, once. People left on the waiting
list never had a place and people who cancelled withdrew, so neither rates.

Audit codes: `activities.signup.created`, `activities.signup.cancelled`,
`activities.signup.promoted`, `activities.signup.exported`, `activities.rating.submitted`.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciday.activities import policy
from sciday.activities.models import (
    ACTIVE_SIGNUP,
    Activity,
    Rating,
    Signup,
    SignupStatus,
    Status,
)
from sciday.activities.policy import Cap
from sciday.core.audit import audit_record
from sciday.core.errors import Conflict, DomainError, NotAllowed

COMMENT_MAX = 1000


def _signed_in(actor) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        raise NotAllowed(_("Sign in first."), code="not_signed_in")


def _lock(activity: Activity) -> Activity:
    """The activity's row, locked until the transaction ends: the sign-ups' mutex."""
    return Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)


def _check_open(activity: Activity) -> None:
    if activity.status == Status.CANCELLED:
        raise Conflict(_("This activity is cancelled."), field="status", code="cancelled")
    if activity.status != Status.PUBLISHED:
        raise Conflict(_("This activity is not open for sign-up."), code="not_published")
    if not activity.signup_required:
        raise DomainError(
            _("This activity needs no sign-up: just come."), code="signup_not_required"
        )
    if activity.starts_at <= timezone.now():
        raise Conflict(_("Sign-up is closed: the activity has started."), code="started")


def _enqueue(kind: str, signup_ids: list[int]) -> None:
    from sciday.activities.tasks import send_signup_email

    for signup_id in signup_ids:
        transaction.on_commit(partial(send_signup_email.enqueue, signup_id=signup_id, kind=kind))


def _confirmed_count(activity: Activity) -> int:
    return activity.signups.filter(status=SignupStatus.CONFIRMED).count()


@transaction.atomic
def signup_create(*, actor, activity: Activity) -> Signup:
    """Sign `actor` up: confirmed within the capacity, on the waiting list beyond; return it."""
    _signed_in(actor)
    activity = _lock(activity)
    _check_open(activity)
    if activity.signups.filter(user=actor, status__in=ACTIVE_SIGNUP).exists():
        raise Conflict(_("You have already signed up for this activity."), code="duplicate")
    signup = Signup(activity=activity, user=actor)
    if activity.capacity is None or _confirmed_count(activity) < activity.capacity:
        signup.status = SignupStatus.CONFIRMED
    else:
        last = activity.signups.aggregate(last=Max("position"))["last"] or 0
        signup.status = SignupStatus.WAITING
        signup.position = last + 1
    signup.save()
    audit_record(
        actor=actor,
        action="activities.signup.created",
        obj=signup,
        changes={"activity": activity.pk, "status": signup.status},
    )
    _enqueue(signup.status, [signup.pk])
    return signup


def _promote(activity: Activity) -> list[Signup]:
    """Confirm the first waiting people while places are free; return them (activity locked)."""
    waiting = activity.signups.filter(status=SignupStatus.WAITING).order_by("position", "id")
    if activity.capacity is not None:
        free = activity.capacity - _confirmed_count(activity)
        waiting = waiting[: max(free, 0)]
    promoted = list(waiting.select_related("user"))
    for signup in promoted:
        signup.status = SignupStatus.CONFIRMED
        signup.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=None,
            action="activities.signup.promoted",
            obj=signup,
            changes={"activity": activity.pk, "position": signup.position},
        )
    return promoted


@transaction.atomic
def signup_cancel(*, actor, signup: Signup) -> Signup:
    """Cancel `actor`'s own sign-up and promote whoever waits first; return the sign-up."""
    _signed_in(actor)
    if signup.user_id != actor.pk:
        raise NotAllowed()
    activity = _lock(signup.activity)
    signup = Signup.objects.get(pk=signup.pk)
    if signup.status == SignupStatus.CANCELLED:
        raise Conflict(_("This sign-up is already cancelled."), code="already_cancelled")
    if activity.status != Status.PUBLISHED or activity.starts_at <= timezone.now():
        raise Conflict(
            _("The activity has started or is over: the sign-up can no longer change."),
            code="closed",
        )
    was = signup.status
    signup.status = SignupStatus.CANCELLED
    signup.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="activities.signup.cancelled",
        obj=signup,
        changes={"activity": activity.pk, "was": was},
    )
    promoted = _promote(activity) if was == SignupStatus.CONFIRMED else []
    _enqueue("promoted", [s.pk for s in promoted])
    return signup


def signups_check_capacity(*, activity: Activity, capacity: int | None) -> None:
    """Refuse a capacity below the number of people already confirmed."""
    if capacity is None:
        return
    confirmed = _confirmed_count(activity)
    if capacity < confirmed:
        raise DomainError(
            _("%(n)d people are already confirmed: the capacity cannot be lower.")
            % {"n": confirmed},
            field="capacity",
            code="capacity_below_confirmed",
        )


def signups_capacity_changed(*, activity: Activity) -> list[Signup]:
    """Confirm the first waiting people the new capacity makes room for; return them.

    Called by `activity_update` inside its transaction, with the activity row locked; the
    promotion e-mails go out after the commit.
    """
    promoted = _promote(activity)
    _enqueue("promoted", [s.pk for s in promoted])
    return promoted


def signups_notify_cancelled(*, activity: Activity) -> int:
    """Queue, after the commit, the cancellation notice to everyone signed up; return how many.

    Called by `services.activity_cancel` inside its transaction.
    """
    ids = list(
        activity.signups.filter(status__in=ACTIVE_SIGNUP)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    _enqueue("activity_cancelled", ids)
    return len(ids)


def signup_list_exported(*, actor, activity: Activity) -> None:
    """Record that `actor` downloaded the activity's sign-up list (personal information)."""
    policy.require(actor, Cap.EDIT, activity)
    audit_record(actor=actor, action="activities.signup.exported", obj=activity)


@transaction.atomic
def rating_submit(*, actor, activity: Activity, score: int, comment: str = "") -> Rating:
    """Record `actor`'s rating of an activity that has ended; return it."""
    _signed_in(actor)
    activity = _lock(activity)
    if activity.status not in (Status.PUBLISHED, Status.FINISHED):
        raise Conflict(_("Only an activity that took place can be rated."), code="not_rateable")
    if activity.ends_at > timezone.now():
        raise Conflict(_("You can rate the activity once it has ended."), code="not_ended")
    if not activity.signups.filter(user=actor, status=SignupStatus.CONFIRMED).exists():
        raise NotAllowed(
            _("Only people who had a place at the activity can rate it."), code="not_participant"
        )
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError(_("Choose a score from 1 to 5."), field="score", code="score")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(
            _("Keep the comment under %(n)s characters.") % {"n": COMMENT_MAX},
            field="comment",
            code="too_long",
        )
    if Rating.objects.filter(activity=activity, user=actor).exists():
        raise Conflict(_("You have already rated this activity."), code="duplicate")
    rating = Rating.objects.create(activity=activity, user=actor, score=score, comment=comment)
    audit_record(
        actor=actor,
        action="activities.rating.submitted",
        obj=rating,
        changes={"activity": activity.pk, "score": score},
    )
    return rating
