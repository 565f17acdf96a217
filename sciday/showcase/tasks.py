"""Background work for the showcase: e-mailing the answer to an objection (after the commit)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


@task()
def send_objection_answer(*, objection_id: int) -> None:
    """E-mail the answer of an objection to the e-mail address it left."""
    from sciday.showcase.models import Objection

    objection = Objection.objects.select_related("notice").get(pk=objection_id)
    contact = objection.contact
    if "@" not in contact:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Answer to your objection: %(title)s") % {"title": objection.notice.title}
        body = render_to_string("showcase/email/objection_answer.txt", {"objection": objection})
    send_mail(subject, body, None, [contact])
