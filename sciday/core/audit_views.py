"""The auditor's page: search the append-only audit log. Read-only; auditors only."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from sciday.accounts.models import SystemRole
from sciday.accounts.policy import system_role_required
from sciday.core.selectors import audit_search

PAGE_SIZE = 50


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("Actor (e-mail or name)"), max_length=100, required=False)
    action = forms.CharField(
        label=_("Action code starts with"),
        max_length=100,
        required=False,
        help_text=_("Such as accounts.login or orgs.unit"),
    )
    obj = forms.CharField(label=_("Object"), max_length=200, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    success = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", _("all")), ("yes", _("succeeded")), ("no", _("failed or refused"))],
    )

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


@system_role_required(SystemRole.AUDITOR)
@require_safe
def audit_log(request):
    form = AuditSearchForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "actor": data["actor"],
            "action": data["action"],
            "obj": data["obj"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "success": {"yes": True, "no": False}.get(data["success"]),
        }
    entries = audit_search(viewer=request.user, **filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=status,
    )
