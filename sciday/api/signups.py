"""Sign-ups and ratings: sign up or cancel, the organizers' list, rating once it has ended.

Through `sciday.activities.signups` (writes) and `signup_selectors` (reads): the same rules as the
pages. Signing up, cancelling and rating need a signed-in person (401 otherwise); the list of
sign-ups is for the activity's organizers (403 for others who see the activity, 404 otherwise).
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Field, Router, Schema, Status

from sciday.activities import selectors, signup_selectors, signups
from sciday.activities.models import Signup
from sciday.api.activity_schemas import local
from sciday.api.auth import REQUIRED
from sciday.api.schemas import errors

router = Router(tags=["sign-ups"], auth=REQUIRED)


class SignupOut(Schema):
    id: int
    activity: int
    status: str = Field(description="confirmed, waiting or cancelled")
    waiting_number: int | None = Field(
        None, description="Place in the waiting list (1 = next to get a place)"
    )
    created_at: datetime


class SignupRowOut(Schema):
    id: int
    name: str
    email: str
    status: str
    waiting_number: int | None = None
    created_at: datetime


class SatisfactionOut(Schema):
    average: float | None = Field(None, description="Average score 1–5, one decimal")
    count: int


class SignupListOut(Schema):
    capacity: int | None
    confirmed: int
    waiting: int
    satisfaction: SatisfactionOut
    items: list[SignupRowOut]


class RatingIn(Schema):
    score: int = Field(description="1 (poor) to 5 (excellent)")
    comment: str = ""


class RatingOut(Schema):
    id: int
    activity: int
    score: int
    comment: str
    created_at: datetime


def _out(signup: Signup) -> SignupOut:
    return SignupOut(
        id=signup.pk,
        activity=signup.activity_id,
        status=signup.status,
        waiting_number=signup_selectors.waiting_rank(signup=signup),
        created_at=local(signup.created_at),  # type: ignore[arg-type]
    )


@router.post(
    "/activities/{activity_id}/signup",
    response={201: SignupOut, **errors(400, 403, 404, 409)},
    summary="Sign up (confirmed within the capacity, on the waiting list beyond it)",
)
def signup_create(request, activity_id: int):
    activity = selectors.activity_get(viewer=request.auth, pk=activity_id)
    signup = signups.signup_create(actor=request.auth, activity=activity)
    return Status(201, _out(signup))


@router.delete(
    "/activities/{activity_id}/signup",
    response={200: SignupOut, **errors(403, 404, 409)},
    summary="Cancel your sign-up (the first person waiting gets the place)",
)
def signup_cancel(request, activity_id: int):
    activity = selectors.activity_get(viewer=request.auth, pk=activity_id)
    signup = signup_selectors.signup_of(user=request.auth, activity=activity)
    if signup is None:
        raise Http404
    return _out(signups.signup_cancel(actor=request.auth, signup=signup))


@router.get(
    "/activities/{activity_id}/signups",
    response={200: SignupListOut, **errors(403, 404)},
    summary="The people signed up, confirmed first then the waiting list (organizers)",
)
def signup_list(request, activity_id: int):
    activity = selectors.activity_get(viewer=request.auth, pk=activity_id)
    rows = signup_selectors.activity_signups_for_organizer(viewer=request.auth, activity=activity)
    items, rank = [], 0
    for row in rows:
        number = None
        if row.status == "waiting":
            rank += 1
            number = rank
        items.append(
            SignupRowOut(
                id=row.pk,
                name=row.user.name,
                email=row.user.email,
                status=row.status,
                waiting_number=number,
                created_at=local(row.created_at),  # type: ignore[arg-type]
            )
        )
    counts = signup_selectors.activity_signup_counts(activity=activity)
    found = signup_selectors.activity_satisfaction(activity=activity)
    return SignupListOut(
        capacity=counts.capacity,
        confirmed=counts.confirmed,
        waiting=counts.waiting,
        satisfaction=SatisfactionOut(average=found.average, count=found.count),
        items=items,
    )


@router.post(
    "/activities/{activity_id}/rating",
    response={201: RatingOut, **errors(400, 403, 404, 409)},
    summary="Rate an activity you had a place at, once it has ended (once)",
)
def rating_submit(request, activity_id: int, data: RatingIn):
    activity = selectors.activity_get(viewer=request.auth, pk=activity_id)
    rating = signups.rating_submit(
        actor=request.auth, activity=activity, score=data.score, comment=data.comment
    )
    return Status(
        201,
        RatingOut(
            id=rating.pk,
            activity=activity.pk,
            score=rating.score,
            comment=rating.comment,
            created_at=local(rating.created_at),  # type: ignore[arg-type]
        ),
    )
