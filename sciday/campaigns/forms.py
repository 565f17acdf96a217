"""Forms for the campaign admins' pages. They only parse input: the services validate and write."""

from __future__ import annotations

from typing import cast

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciday.campaigns.models import Campaign, Category, Contact, ReportRoute, SubType
from sciday.campaigns.selectors import national_departments
from sciday.campaigns.services import CAMPAIGN_FIELDS
from sciday.orgs.models import UnitKind

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(
    attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
)

# The issuers are a list: the form edits them as lines in a field of their own.
CAMPAIGN_FORM_FIELDS = [name for name in CAMPAIGN_FIELDS if name != "issuers"]


class _ModelFieldsForm(forms.Form):
    """A plain form whose fields (labels, help, lengths) come from a model.

    Not a ModelForm: model validation belongs to the service, which reports it in the user's terms.
    """

    model: type
    field_names: list[str] = []
    widgets: dict = {}

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = model_to_dict(instance, fields=self.field_names)
        super().__init__(*args, **kwargs)
        generated = fields_for_model(self.model, fields=self.field_names, widgets=self.widgets)
        for name in self.field_names:
            if name not in self.fields:
                self.fields[name] = generated[name]


class CampaignForm(_ModelFieldsForm):
    model = Campaign
    field_names = CAMPAIGN_FORM_FIELDS
    widgets = {
        "window_start": _DATE,
        "window_end": _DATE,
        "day": _DATE,
        "awards_from": _DATE,
        "awards_until": _DATE,
        "issue_date": _DATE,
        "printed_on": _DATE,
        "report_deadline": _DATETIME,
        "recipients": forms.Textarea(attrs={"rows": 3}),
        "body": forms.Textarea(attrs={"rows": 24}),
        "attachments_note": forms.Textarea(attrs={"rows": 2}),
    }
    issuers = forms.CharField(
        label=_("issuing authorities"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, lead issuer first."),
    )

    def __init__(self, *args, instance: Campaign | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            initial = model_to_dict(instance, fields=CAMPAIGN_FORM_FIELDS)
            initial["issuers"] = "\n".join(instance.issuers or [])
            initial["report_deadline"] = timezone.localtime(instance.report_deadline)
            kwargs["initial"] = initial
        super().__init__(*args, instance=instance, **kwargs)
        # Keep the issuers field next to the document number.
        order = [*CAMPAIGN_FORM_FIELDS]
        order.insert(order.index("issue_date"), "issuers")
        self.order_fields(order)

    def clean_issuers(self) -> list[str]:
        text = self.cleaned_data["issuers"]
        return [line.strip() for line in text.splitlines() if line.strip()]


class CategoryForm(_ModelFieldsForm):
    model = Category
    field_names = ["name", "short_name", "name_en", "description"]
    widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class SubTypeForm(_ModelFieldsForm):
    model = SubType
    field_names = ["name", "name_en"]


class RouteForm(forms.Form):
    unit_kind = forms.ChoiceField(
        label=_("unit kind"),
        choices=[(k, label) for k, label in UnitKind.choices if k != UnitKind.NATIONAL_DEPARTMENT],
    )
    department = forms.ModelChoiceField(
        label=_("receiving department"), queryset=national_departments(), empty_label=None
    )
    as_chapter_of = forms.CharField(
        label=_("as a chapter of"),
        required=False,
        max_length=100,
        help_text=ReportRoute._meta.get_field("as_chapter_of").help_text,
    )

    def __init__(self, *args, instance: ReportRoute | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "unit_kind": instance.unit_kind,
                "department": instance.department_id,
                "as_chapter_of": instance.as_chapter_of,
            }
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = national_departments()


class ContactForm(_ModelFieldsForm):
    model = Contact
    field_names = ["department", "people", "phone", "fax", "email", "address", "postcode"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        department = cast(forms.ModelChoiceField, self.fields["department"])
        department.queryset = national_departments()
        department.empty_label = None


class CopyForm(forms.Form):
    year = forms.IntegerField(label=_("new year"), min_value=2000, max_value=2100)
