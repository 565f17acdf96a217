"""Background work for accounts: e-mails are sent by the task worker, after the commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


@task()
def send_invitation_email(*, invitation_id: int, secret: str) -> None:
    from sciday.accounts.models import Invitation

    invitation = Invitation.objects.select_related("unit", "invited_by").get(pk=invitation_id)
    link = settings.SITE_URL.rstrip("/") + reverse("accounts:invitation_accept", args=[secret])
    with translation.override(settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "link": link}
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
