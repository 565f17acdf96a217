"""Bulk import and export pages of the activities workspace.

Upload (a unit and an .xlsx) → preview (each row OK or its bad cells, nothing written) → commit
(the good rows are written through the services). The parsed rows wait for the preview in the
cache under the person's id and a random token (`importing.stash`); the file itself is not kept.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sciday.activities import importing, selectors
from sciday.activities.views_workspace import _in_scope, _lead_units, list_filters
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import DomainError, NotAllowed
from sciday.orgs.views import workspace_view

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("Lead unit"), coerce=int)
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        help_text=gettext_lazy("At most 5 MB and 5,000 activities."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [(u.pk, u.name) for u in units]


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@workspace_view
def import_template(request):
    return _xlsx(
        importing.template_workbook(campaign=campaign_current()), "activities-template.xlsx"
    )


def _campaign():
    campaign = campaign_current()
    if campaign is None:
        raise Http404
    return campaign


@workspace_view
def import_upload(request):
    campaign = _campaign()
    units = _lead_units(request.user)
    if not units:
        raise NotAllowed()
    form = UploadForm(request.POST or None, request.FILES or None, units=units)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            unit = next((u for u in units if u.pk == form.cleaned_data["unit"]), None)
            upload = form.cleaned_data["file"]
            try:
                importing.check_size(upload.size)
                rows = importing.read_workbook(upload.read())
            except DomainError as error:
                form.add_error("file", str(error.message))
            else:
                if not rows:
                    form.add_error("file", _("The file has no activity rows."))
                else:
                    assert unit is not None
                    token = importing.stash(
                        user=request.user, unit=unit, rows=rows, filename=upload.name
                    )
                    return redirect("activity_admin:import_preview", token=token)
        elif "unit" in form.errors and request.POST.get("unit", "").isdigit():
            # A unit the person may not lead for: as if it did not exist.
            raise Http404
    return render(
        request,
        "activities/workspace/import_upload.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


@workspace_view
def import_preview(request, token: str):
    stashed = importing.unstash(user=request.user, token=token)
    if stashed is None:
        raise Http404
    campaign = _campaign()
    units = {u.pk: u for u in _lead_units(request.user)}
    unit = units.get(stashed["unit"])
    if unit is None:
        raise Http404
    commit = request.method == "POST"
    results = importing.run_import(
        actor=request.user, campaign=campaign, unit=unit, rows=stashed["rows"], commit=commit
    )
    counts = importing.summary(results)
    if commit:
        importing.forget(user=request.user, token=token)
        messages.success(
            request,
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "created": counts["create"],
                "updated": counts["update"],
                "unchanged": counts["unchanged"],
            },
        )
    return render(
        request,
        "activities/workspace/import_preview.html",
        {
            "results": results,
            "counts": counts,
            "committed": commit,
            "unit": unit,
            "filename": stashed["filename"],
            "token": token,
            "campaign": campaign,
            "good": counts["create"] + counts["update"],
        },
    )


@workspace_view
def export(request):
    """The workspace list's current filters as an .xlsx in the import columns."""
    user = request.user
    _form, filters = list_filters(request, current=campaign_current())
    qs = selectors.activity_list(viewer=user, filters=filters).filter(
        pk__in=_in_scope(user).values("pk")
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(importing.export_workbook(activities=qs), f"activities-{stamp}.xlsx")
