"""What the sign-up box on an activity's page shows to the person looking at it."""

from __future__ import annotations

from django import template
from django.utils import timezone

from sciday.activities import policy, signup_selectors
from sciday.activities.models import Activity, Status
from sciday.activities.policy import Cap

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_box(context, activity: Activity) -> dict:
    """Return the counts, the viewer's sign-up and rating, and which forms to offer."""
    request = context.get("request")
    user = getattr(request, "user", None)
    now = timezone.now()
    started = activity.starts_at <= now
    ended = activity.ends_at <= now
    signup = signup_selectors.signup_of(user=user, activity=activity)
    took_part = ended and signup_selectors.has_confirmed_signup(user=user, activity=activity)
    rating = signup_selectors.rating_of(user=user, activity=activity) if took_part else None
    return {
        "counts": signup_selectors.activity_signup_counts(activity=activity),
        "satisfaction": signup_selectors.activity_satisfaction(activity=activity),
        "signup": signup,
        "rank": signup_selectors.waiting_rank(signup=signup) if signup else None,
        "open": activity.status == Status.PUBLISHED and not started,
        "may_rate": took_part
        and rating is None
        and activity.status in (Status.PUBLISHED, Status.FINISHED),
        "rating": rating,
        "ended": ended,
        "signed_in": bool(getattr(user, "is_authenticated", False)),
    }


@register.simple_tag(takes_context=True)
def may_see_signups(context, activity: Activity) -> bool:
    """Is the viewer one of the activity's organizers (who see its sign-ups)?"""
    request = context.get("request")
    return policy.can(getattr(request, "user", None), Cap.EDIT, activity)
