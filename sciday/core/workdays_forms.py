"""Forms of the 工作日历 tab: one override, and many lines at once."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sciday.core.models import CalendarDay


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%Y/%m/%d"],
    )
    kind = forms.ChoiceField(label=_("This day is a"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("For example 元旦 or 春节调休上班."),
    )


class CalendarImportForm(forms.Form):
    text = forms.CharField(
        label=_("Days, one per line"),
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "2027-01-01 元旦 休\n2027-02-07 春节调休 班"}
        ),
        max_length=40_000,
        help_text=_(
            "A date, an optional name, then 休 (rest day) or 班 (working day). Dates already "
            "listed as the same kind are skipped."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "import_%s")
        super().__init__(*args, **kwargs)
