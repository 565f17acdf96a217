"""Forms of the activities workspace. They only shape input: the services validate and decide.

Times are entered as `datetime-local` values and read in Asia/Shanghai (the project's time zone),
whatever the browser's zone. The region is a province select and a prefecture select, as on the
unit forms; the service checks the code it receives.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciday.activities.models import Activity, Format, Status, Venue, VenueKind
from sciday.campaigns.models import Campaign, Category, SubType
from sciday.orgs.forms import RegionFieldsMixin, UnitChoiceField
from sciday.orgs.models import Unit

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# Form fields of the cover: the services take them apart from the other fields.
COVER_FIELDS = ("cover", "cover_remove")


class RichTextarea(forms.Textarea):
    """A textarea of rich text (sanitized HTML) that `js/richtext.js` turns into a Trix editor.

    Without JavaScript it stays a textarea: plain text typed there is kept as paragraphs (a
    blank line between two of them). The editor's button labels come translated, as JSON in
    `data-richtext-labels`.
    """

    def __init__(self, attrs=None):
        super().__init__({"rows": 12, "class": "richtext-source", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        labels = {
            "bold": _("Bold"),
            "italic": _("Italic"),
            "strike": _("Strikethrough"),
            "link": _("Link"),
            "unlink": _("Unlink"),
            "url": _("Link address"),
            "urlPlaceholder": _("Enter a link starting with https://"),
            "heading1": _("Heading"),
            "quote": _("Quote"),
            "bullets": _("Bullets"),
            "numbers": _("Numbers"),
            "outdent": _("Decrease level"),
            "indent": _("Increase level"),
            "undo": _("Undo"),
            "redo": _("Redo"),
            "editor": _("Description editor"),
        }
        context["widget"]["attrs"]["data-richtext-labels"] = json.dumps(
            {key: str(value) for key, value in labels.items()}, ensure_ascii=False
        )
        return context


class ShanghaiDateTimeField(forms.DateTimeField):
    """A `datetime-local` input read as a wall-clock time in Asia/Shanghai."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_FORMAT, "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return value.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None)
        return value

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None:
            result = result.astimezone(ZoneInfo(settings.TIME_ZONE))
        return result

    def has_changed(self, initial, data) -> bool:
        try:
            new = self.to_python(data)
        except forms.ValidationError:
            return True
        return (initial or None) != new


class SubTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SubType) -> str:
        return f"{obj.category.short_name or obj.category.name} · {obj.name}"


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.short_name or obj.name


class ActivityForm(RegionFieldsMixin):
    """Create or edit an activity. On edit, fields the person may not change are disabled."""

    lead_unit = UnitChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.none(), empty_label=_("— choose —")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    body = forms.CharField(label=_("Description"), required=False, widget=RichTextarea)
    cover = forms.FileField(
        label=_("Cover image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    cover_remove = forms.BooleanField(label=_("Remove the cover image"), required=False)
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=_("— choose —")
    )
    subtype = SubTypeChoiceField(
        label=_("Sub-type"),
        queryset=SubType.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("It must belong to the chosen category."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    starts_at = ShanghaiDateTimeField(
        label=_("Starts"), help_text=_("Beijing time."), required=False
    )
    ends_at = ShanghaiDateTimeField(label=_("Ends"), help_text=_("Beijing time."), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    online_url = forms.CharField(
        label=_("Live-stream or meeting link"),
        max_length=500,
        required=False,
        widget=forms.URLInput,
        help_text=_("Required for online activities; starts with https://."),
    )
    venue = forms.ModelChoiceField(
        label=_("Venue"), queryset=Venue.objects.none(), required=False, empty_label=_("— none —")
    )
    audience = forms.CharField(label=_("Audience"), max_length=200, required=False)
    capacity = forms.CharField(
        label=_("Capacity"),
        required=False,
        max_length=9,
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_("Leave blank for no limit."),
    )
    signup_required = forms.BooleanField(label=_("Sign-up required"), required=False)
    expected_participants = forms.CharField(
        label=_("Expected participants"),
        required=False,
        max_length=9,
        widget=forms.NumberInput(attrs={"min": 0}),
    )
    co_organizers = forms.ModelMultipleChoiceField(
        label=_("Co-organizers"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Units that organize the activity with the lead unit."),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        required=False,
        help_text=_("Your unit's own reference, so that a re-import updates this activity."),
    )
    window_override = forms.BooleanField(
        label=_("Allow dates outside the campaign's activity period"), required=False
    )
    region_override = forms.BooleanField(
        label=_("Allow a region outside the lead unit's province"), required=False
    )

    field_order = [
        "lead_unit",
        "title",
        "summary",
        "body",
        "cover",
        "cover_remove",
        "category",
        "subtype",
        "format",
        "starts_at",
        "ends_at",
        "province",
        "prefecture",
        "address",
        "online_url",
        "venue",
        "audience",
        "capacity",
        "signup_required",
        "expected_participants",
        "co_organizers",
        "reference",
        "window_override",
        "region_override",
    ]

    def __init__(
        self,
        *args,
        campaign: Campaign,
        lead_units=None,
        editable: frozenset[str] | None = None,
        may_override: bool = False,
        has_cover: bool = False,
        **kwargs,
    ):
        """`lead_units` and `may_override` are given on creation, `editable` on edit."""
        super().__init__(*args, **kwargs)
        self.setup_regions()
        self.fields["prefecture"].help_text = _("Leave empty for an activity held province-wide.")
        self.fields["province"].label = _("Province where it takes place")
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = Category.objects.filter(campaign=campaign).order_by("number")
        subtype = cast(forms.ModelChoiceField, self.fields["subtype"])
        subtype.queryset = (
            SubType.objects.filter(category__campaign=campaign)
            .select_related("category")
            .order_by("category__number", "position", "id")
        )
        venue = cast(forms.ModelChoiceField, self.fields["venue"])
        venue.queryset = Venue.objects.filter(is_active=True).order_by("region_id", "name")
        co = cast(forms.ModelMultipleChoiceField, self.fields["co_organizers"])
        co.queryset = Unit.objects.filter(is_active=True).order_by("path")
        if lead_units is None:
            del self.fields["lead_unit"]
        else:
            cast(forms.ModelChoiceField, self.fields["lead_unit"]).queryset = lead_units
        self.editable = editable
        if editable is not None:
            for name, field in self.fields.items():
                if self.service_field(name) not in editable:
                    field.disabled = True
                    field.required = False
        for name in ("window_override", "region_override"):
            if self.fields[name].disabled or (editable is None and not may_override):
                del self.fields[name]
        for name in ("title", "format"):
            if not self.fields[name].disabled:
                self.fields[name].required = True
        self.fields["cover"].help_text = _(
            "JPEG, PNG or WebP, up to %(mb)s MB. It is re-encoded: its EXIF data, such as where "
            "the photo was taken, is not kept."
        ) % {"mb": settings.COVER_IMAGE_MAX_BYTES // (1024 * 1024)}
        if not has_cover:
            del self.fields["cover_remove"]

    def cover_change(self) -> tuple[str, object | None]:
        """What to do with the cover: ("set", the uploaded file), ("remove", None) or ("", None)."""
        if self.fields["cover"].disabled:
            return "", None
        upload = self.cleaned_data.get("cover")
        if upload:
            return "set", upload
        if self.cleaned_data.get("cover_remove"):
            return "remove", None
        return "", None

    @staticmethod
    def service_field(name: str) -> str:
        if name == "cover_remove":
            return "cover"
        return "region" if name in ("province", "prefecture") else name

    @staticmethod
    def initial_for_activity(activity: Activity) -> dict:
        initial = {
            name: getattr(activity, name)
            for name in (
                "title",
                "summary",
                "body",
                "format",
                "starts_at",
                "ends_at",
                "address",
                "online_url",
                "audience",
                "signup_required",
                "reference",
                "window_override",
                "region_override",
            )
        }
        initial.update(
            category=activity.category_id,
            subtype=activity.subtype_id,
            venue=activity.venue_id,
            capacity=activity.capacity if activity.capacity is not None else "",
            expected_participants=(
                activity.expected_participants if activity.expected_participants is not None else ""
            ),
            co_organizers=[u.pk for u in activity.co_organizers.all()],
            **RegionFieldsMixin.initial_for(activity.region),
        )
        return initial

    def service_data(self, *, changed_only: bool = False) -> dict:
        """Return the service's keyword arguments for the fields the person may change.

        On edit only what changed is passed: re-sending unchanged dates would void an allowance
        an admin gave (the service lets it lapse when someone else changes the dates).
        """
        data = self.cleaned_data
        out: dict = {}
        for name, field in self.fields.items():
            if field.disabled or name in ("lead_unit", "province", "prefecture", *COVER_FIELDS):
                continue
            if changed_only and name not in self.changed_data:
                continue
            out[name] = data.get(name)
        region_changed = {"province", "prefecture"} & set(self.changed_data)
        if not self.fields["province"].disabled and (region_changed or not changed_only):
            out["region"] = data.get("region_code")
        return out


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label


class FinishForm(forms.Form):
    actual_participants = forms.CharField(
        label=_("Actual participants"),
        required=False,
        max_length=9,
        widget=forms.NumberInput(attrs={"min": 0}),
    )
    online_views = forms.CharField(
        label=_("Online views"),
        required=False,
        max_length=12,
        widget=forms.NumberInput(attrs={"min": 0}),
    )


class ActivityFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Status.choices]
    )
    campaign = forms.TypedChoiceField(label=_("Campaign"), required=False, coerce=int)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int)

    def __init__(self, *args, campaigns, categories, units, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [
            ("", _("All campaigns")),
            *[(c.pk, str(c.year)) for c in campaigns],
        ]
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("All categories")),
            *[(c.pk, c.short_name or c.name) for c in categories],
        ]
        cast(forms.ChoiceField, self.fields["unit"]).choices = [
            ("", _("All my units")),
            *[(u.pk, u.name) for u in units],
        ]


class VenueForm(RegionFieldsMixin):
    unit = UnitChoiceField(
        label=_("Owning unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— national registry —"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=VenueKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    field_order = ["unit", "kind", "name", "province", "prefecture", "address", "is_active"]

    def __init__(self, *args, units=None, national: bool = False, **kwargs):
        """`units` (owning units to choose from) is given on creation only."""
        super().__init__(*args, **kwargs)
        self.setup_regions()
        self.fields["prefecture"].help_text = ""
        if units is None:
            del self.fields["unit"]
            return
        del self.fields["is_active"]
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.queryset = units
        unit.required = not national
        if not national:
            unit.empty_label = _("— choose —")
