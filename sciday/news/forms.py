"""Forms of the news workspace: the item, the list's filters, a reason."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sciday.activities.forms import RichTextarea
from sciday.news.models import Category, NewsItem, Status
from sciday.orgs.models import Unit
from sciday.resources.models import Resource


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


def resource_label(resource: Resource) -> str:
    return f"{resource.title} · {resource.get_kind_display()} · {resource.unit.name}" + (
        "" if resource.status == "published" else f" ({resource.get_status_display()})"
    )


class NewsForm(forms.Form):
    """An item's fields; `unit` only when creating. Attachments: ids of resources in the library."""

    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), empty_label=None)
    category = forms.ChoiceField(
        label=pgettext_lazy("news", "Category"), choices=Category.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Enter the title.")}
    )
    summary = forms.CharField(
        label=pgettext_lazy("news", "Summary"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences for lists, feeds and shared links."),
    )
    body = forms.CharField(label=_("Text"), required=False, widget=RichTextarea)
    source_name = forms.CharField(
        label=_("Source"),
        max_length=100,
        required=False,
        help_text=_("Media coverage: the newspaper, site or channel that published the report."),
    )
    source_url = forms.CharField(label=_("Link to the original"), max_length=500, required=False)
    cover = forms.FileField(
        label=_("Cover image"),
        required=False,
        help_text=_("JPEG, PNG or WebP; shown on lists and when the page is shared."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    cover_remove = forms.BooleanField(label=_("Remove the cover"), required=False)
    attachments = forms.MultipleChoiceField(
        label=_("Attachments from the resource library"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your unit's own resources, or resources published by any unit."),
    )

    def __init__(self, *args, units=None, resources=(), item: NewsItem | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    "category": item.category,
                    "title": item.title,
                    "summary": item.summary,
                    "body": item.body,
                    "source_name": item.source_name,
                    "source_url": item.source_url,
                    "attachments": [str(r.pk) for r in item.attachments.all()],
                },
            )
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if item is None or not item.cover:
            del self.fields["cover_remove"]
        choices = {str(r.pk): resource_label(r) for r in resources}
        if item is not None:
            for r in item.attachments.all():
                choices.setdefault(str(r.pk), resource_label(r))
        self.fields["attachments"].choices = list(choices.items())  # type: ignore[attr-defined]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "title": data["title"],
            "summary": data["summary"],
            "body": data["body"],
            "source_name": data["source_name"],
            "source_url": data["source_url"],
            "attachments": [int(pk) for pk in data["attachments"]],
        }


class NewsFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
    category = forms.ChoiceField(
        label=pgettext_lazy("news", "Category"),
        required=False,
        choices=[("", _("All categories")), *Category.choices],
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
