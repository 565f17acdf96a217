"""Forms of the showcase's pages: they parse; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sciday.orgs.models import UnitKind
from sciday.showcase.models import FileKind, Gender, HonourKind, Nomination

DATE = forms.DateInput(attrs={"type": "date"})


class HonourForm(forms.ModelForm):
    class Meta:
        model = HonourKind
        fields = [
            "name",
            "name_en",
            "description",
            "cycle_years",
            "team",
            "nomination_deadline",
            "position",
        ]
        widgets = {"nomination_deadline": DATE, "description": forms.Textarea(attrs={"rows": 3})}


class QuotaForm(forms.Form):
    unit_kind = forms.ChoiceField(label=_("unit kind"), choices=UnitKind.choices)
    max_nominations = forms.IntegerField(
        label=_("nominations per unit"),
        min_value=0,
        max_value=100,
        help_text=_("0 removes the quota: units of that kind do not nominate."),
    )


class ExpertsForm(forms.Form):
    experts: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("assigned experts"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Left empty, every expert scores."),
    )

    def __init__(self, *args, experts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = experts  # type: ignore[attr-defined]


class NominationForm(forms.Form):
    """The nominee's facts; the honour and unit are chosen on creation only."""

    honour: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("honour"), queryset=None, empty_label="—"
    )
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("nominating unit"), queryset=None, empty_label="—"
    )
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=100)
    gender = forms.ChoiceField(
        label=_("gender"), choices=[("", "—"), *Gender.choices], required=False
    )
    birth_year = forms.IntegerField(label=_("year of birth"), required=False)
    affiliation = forms.CharField(label=_("affiliation"), max_length=200)
    title = forms.CharField(label=_("title or position"), max_length=200, required=False)
    field = forms.CharField(label=_("field"), max_length=200)
    phone = forms.CharField(
        label=_("telephone"),
        max_length=30,
        help_text=_("Kept encrypted; seen by the unit and the campaign admins only."),
    )
    summary = forms.CharField(
        label=_("summary"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    team_members = forms.CharField(
        label=_("team members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a team: one member per line."),
    )
    story_zh = forms.CharField(
        label=_("story"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    name_en = forms.CharField(label=_("name in English"), max_length=200, required=False)
    affiliation_en = forms.CharField(
        label=_("affiliation in English"), max_length=300, required=False
    )
    field_en = forms.CharField(label=_("field in English"), max_length=300, required=False)
    story_en = forms.CharField(
        label=_("story in English"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    consent = forms.BooleanField(
        label=_("The nominee agrees to be nominated and to have the story made public"),
        required=False,
    )
    consent_date = forms.DateField(label=_("consent given on"), required=False, widget=DATE)

    def __init__(self, *args, honours=None, units=None, nomination: Nomination | None = None, **kw):
        super().__init__(*args, **kw)
        if nomination is not None:
            del self.fields["honour"], self.fields["unit"]
            del self.fields["consent"], self.fields["consent_date"]
            self.fields["phone"].required = False
            self.fields["phone"].help_text = _("Leave empty to keep the number recorded.")
        else:
            self.fields["honour"].queryset = honours  # type: ignore[attr-defined]
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("honour", None)
        data.pop("unit", None)
        if not data.get("phone") and "consent" not in self.fields:
            data.pop("phone", None)
        return data


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("material"), choices=FileKind.choices)
    file = forms.FileField(
        label=_("file"),
        help_text=_(
            "Resume and achievements: PDF or .docx. Photos: JPEG, PNG or WebP. The stamped"
            " recommendation: PDF."
        ),
    )


class CheckForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScoreForm(forms.Form):
    score = forms.IntegerField(label=_("score (0–100)"), min_value=0, max_value=100)
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    starts_on = forms.DateField(label=_("starts on"), widget=DATE)
    working_days = forms.IntegerField(label=_("working days"), min_value=1, max_value=30, initial=5)


class ObjectionForm(forms.Form):
    nomination: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("about"), queryset=None, required=False, empty_label=_("the whole list")
    )
    name = forms.CharField(label=_("your name (optional)"), max_length=100, required=False)
    contact = forms.CharField(
        label=_("telephone or e-mail"),
        max_length=200,
        required=False,
        help_text=_("Only to answer you; kept encrypted and never shown."),
    )
    text = forms.CharField(
        label=_("your objection"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, nominations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nomination"].queryset = nominations  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 3}))
    send_email = forms.BooleanField(label=_("also e-mail the answer"), required=False)


class ProfileForm(forms.Form):
    name_en = forms.CharField(label=_("name in English"), max_length=200, required=False)
    affiliation_en = forms.CharField(
        label=_("affiliation in English"), max_length=300, required=False
    )
    field_en = forms.CharField(label=_("field in English"), max_length=300, required=False)
    story_zh = forms.CharField(
        label=_("story"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    story_en = forms.CharField(
        label=_("story in English"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    activity_ids = forms.CharField(
        label=_("related activities"),
        required=False,
        help_text=_("Numbers of published activities, separated by commas."),
    )
    resource_ids = forms.CharField(
        label=_("related resources"),
        required=False,
        help_text=_("Numbers of published resources, separated by commas."),
    )

    def clean_activity_ids(self) -> list[int]:
        return _ids(self.cleaned_data["activity_ids"])

    def clean_resource_ids(self) -> list[int]:
        return _ids(self.cleaned_data["resource_ids"])


def _ids(value: str) -> list[int]:
    parts = [p.strip() for p in (value or "").replace("，", ",").split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise forms.ValidationError(_("Numbers separated by commas."))
    return [int(p) for p in parts]
