"""Forms of the resources workspace: upload, editing, the list's filters, a return's reason."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sciday.activities.forms import RichTextarea
from sciday.activities.models import Activity
from sciday.orgs.models import Unit
from sciday.resources.models import FILE_KINDS, PEOPLE_KINDS, Kind, Licence, Resource, Status


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class ResourceForm(forms.Form):
    """A new resource: a file (photo, video, document), an article's text or a link."""

    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "Photos: JPEG, PNG or WebP. Videos: MP4, MOV or WebM. Documents: PDF, Word,"
            " PowerPoint or Excel (docx, pptx, xlsx)."
        ),
    )
    # Set by the page's script once a resumable (tus) upload of the file has finished.
    upload_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    body = forms.CharField(label=_("Article text"), required=False, widget=RichTextarea)
    url = forms.CharField(label=_("Link"), required=False, max_length=500)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        # With a context: "Description" alone is an activity's "活动介绍" in the merged catalogues.
        label=pgettext_lazy("resource", "Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
        help_text=_("Separated by commas or spaces, at most 10."),
    )
    attribution = forms.CharField(label=_("Author or attribution"), max_length=200)
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices)
    people_consent = forms.BooleanField(
        label=_(
            "The people who can be recognised agreed to publication, or no one can be recognised"
        ),
        required=False,
    )
    activity = forms.ModelChoiceField(
        label=_("Activity (optional)"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )

    def __init__(self, *args, units, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["activity"].queryset = activities  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in FILE_KINDS and not data.get("file") and not data.get("upload_id"):
            self.add_error("file", _("Choose the file to upload."))
        return data

    def service_data(self) -> dict:
        data = self.cleaned_data
        fields = {
            k: data[k] for k in ("title", "description", "attribution", "licence", "people_consent")
        }
        fields["activity"] = data.get("activity")
        fields["tags"] = data.get("tags", "")
        if data["kind"] == Kind.ARTICLE:
            fields["body"] = data.get("body", "")
        elif data["kind"] == Kind.LINK:
            fields["url"] = data.get("url", "")
        return fields


class ResourceEditForm(forms.Form):
    """The metadata of an existing resource (its file stays: upload a new resource to replace it).

    The same fields as the upload form, minus the unit, kind and file; the article's text only
    for an article, the address only for a link, the people's consent for photos and videos.
    Saved through `services.resource_update`, which decides which statuses may be edited.
    """

    body = ResourceForm.base_fields["body"]
    url = ResourceForm.base_fields["url"]
    title = ResourceForm.base_fields["title"]
    description = ResourceForm.base_fields["description"]
    tags = ResourceForm.base_fields["tags"]
    attribution = ResourceForm.base_fields["attribution"]
    licence = ResourceForm.base_fields["licence"]
    people_consent = ResourceForm.base_fields["people_consent"]
    activity = ResourceForm.base_fields["activity"]

    def __init__(self, *args, resource: Resource, activities, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "body": resource.body,
                "url": resource.url,
                "title": resource.title,
                "description": resource.description,
                "tags": ", ".join(t.name for t in resource.tags.all()),
                "attribution": resource.attribution,
                "licence": resource.licence,
                "people_consent": resource.people_consent,
                "activity": resource.activity_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.kind = resource.kind
        if resource.kind != Kind.ARTICLE:
            del self.fields["body"]
        if resource.kind != Kind.LINK:
            del self.fields["url"]
        if resource.kind not in PEOPLE_KINDS:
            del self.fields["people_consent"]
        self.fields["activity"].queryset = activities  # type: ignore[attr-defined]

    def service_data(self) -> dict:
        """The keyword arguments of `resource_update` (tags included)."""
        return dict(self.cleaned_data)


class ResourceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all")), *Kind.choices]
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("What should the unit change?"), max_length=2000, widget=forms.Textarea
    )
