"""Background work for activities: sign-up e-mails (after the commit) and Excel imports."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

SUBJECTS = {
    "confirmed": _("Sign-up confirmed: %(title)s"),
    "waiting": _("On the waiting list: %(title)s"),
    "promoted": _("A place is yours: %(title)s"),
    "activity_cancelled": _("Activity cancelled: %(title)s"),
}


@task()
def send_signup_email(*, signup_id: int, kind: str) -> None:
    """E-mail the person of a sign-up: `kind` is one of SUBJECTS."""
    from sciday.activities.models import Signup
    from sciday.activities.signup_selectors import waiting_rank

    signup = Signup.objects.select_related("activity", "user").get(pk=signup_id)
    activity = signup.activity
    link = settings.SITE_URL.rstrip("/") + reverse("activities:detail", args=[activity.pk])
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "signup": signup,
            "activity": activity,
            "link": link,
            "rank": waiting_rank(signup=signup),
        }
        subject = str(SUBJECTS[kind]) % {"title": activity.title}
        body = render_to_string(f"activities/email/signup_{kind}.txt", context)
    send_mail(subject, body, None, [signup.user.email])


@task()
def import_check(*, job_id: int) -> None:
    """Check the rows of an uploaded Excel import (`importing.job_run`): nothing is written."""
    from sciday.activities.importing import job_run

    job_run(job_id=job_id)


@task()
def import_save(*, job_id: int) -> None:
    """Check and save the rows of an Excel import (`importing.job_run`), a chunk at a time."""
    from sciday.activities.importing import job_run

    job_run(job_id=job_id)
