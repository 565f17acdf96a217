"""Reads of sign-ups and ratings: counts for the public page, the organizers' list, satisfaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet

from sciday.activities import policy
from sciday.activities.models import ACTIVE_SIGNUP, Activity, Rating, Signup, SignupStatus
from sciday.activities.policy import Cap


@dataclass(frozen=True)
class SignupCounts:
    confirmed: int
    waiting: int
    capacity: int | None

    @property
    def places_left(self) -> int | None:
        """Free places, or None when there is no limit."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed, 0)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.confirmed >= self.capacity


@dataclass(frozen=True)
class Satisfaction:
    average: float | None
    count: int


def activity_signup_counts(*, activity: Activity) -> SignupCounts:
    """Return how many are confirmed and waiting, in one query."""
    counts = Signup.objects.filter(activity=activity).aggregate(
        confirmed=Count("pk", filter=Q(status=SignupStatus.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=SignupStatus.WAITING)),
    )
    return SignupCounts(
        confirmed=counts["confirmed"], waiting=counts["waiting"], capacity=activity.capacity
    )


def activity_signups_for_organizer(*, viewer, activity: Activity) -> QuerySet[Signup]:
    """Return the active sign-ups, confirmed first then the waiting list in order.

    Only the activity's organizers (who may edit it) see the list: others who may see the
    activity get NotAllowed (403), the rest 404.
    """
    policy.require(viewer, Cap.EDIT, activity)
    return (
        Signup.objects.filter(activity=activity, status__in=ACTIVE_SIGNUP)
        .select_related("user")
        .order_by("status", "created_at", "id")  # "confirmed" < "waiting"; the queue in order
    )


def activity_satisfaction(*, activity: Activity) -> Satisfaction:
    """Return the average score (None before any rating) and the number of ratings."""
    found = Rating.objects.filter(activity=activity).aggregate(avg=Avg("score"), n=Count("pk"))
    average = round(float(found["avg"]), 1) if found["avg"] is not None else None
    return Satisfaction(average=average, count=found["n"])


def signup_of(*, user, activity: Activity) -> Signup | None:
    """Return `user`'s active sign-up for the activity, or None (anonymous visitors too)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Signup.objects.filter(activity=activity, user=user, status__in=ACTIVE_SIGNUP).first()


def waiting_rank(*, signup: Signup) -> int | None:
    """Return the place in the queue (1 = next promoted) of a waiting sign-up, else None."""
    if signup.status != SignupStatus.WAITING or signup.position is None:
        return None
    return Signup.objects.filter(
        activity_id=signup.activity_id,
        status=SignupStatus.WAITING,
        position__lte=signup.position,
    ).count()


def has_confirmed_signup(*, user, activity: Activity) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Signup.objects.filter(
        activity=activity, user=user, status=SignupStatus.CONFIRMED
    ).exists()


def rating_of(*, user, activity: Activity) -> Rating | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Rating.objects.filter(activity=activity, user=user).first()
