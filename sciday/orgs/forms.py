"""Forms of the unit workspace. They only shape input: the services validate and decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sciday.accounts.models import Role
from sciday.orgs.models import ALLOWED_PARENT_KINDS, Region, Unit, UnitKind


def region_choices() -> tuple[list, list]:
    """Return (province choices, prefecture choices grouped by province), in one query."""
    provinces: list = [("", _("— none —"))]
    groups: dict[str, list] = {}
    names: dict[str, str] = {}
    for region in Region.objects.order_by("code"):
        if region.level == Region.Level.PROVINCE:
            provinces.append((region.code, region.name))
            names[region.code] = region.name
        else:
            groups.setdefault(region.parent_id or "", []).append((region.code, region.name))
    prefectures: list = [("", _("— the whole province —"))]
    prefectures += [(names.get(code, code), items) for code, items in groups.items()]
    return provinces, prefectures


class RegionFieldsMixin(forms.Form):
    """A province select and a prefecture select; the service checks the code it receives.

    The fields are free text behind a select so that an unknown code reaches the service, which
    refuses it with its own message (a form would only say "not one of the choices").
    """

    province = forms.CharField(
        label=_("Province"), required=False, max_length=6, widget=forms.Select
    )
    prefecture = forms.CharField(
        label=_("Prefecture"),
        required=False,
        max_length=6,
        widget=forms.Select(attrs={"data-region-prefecture": ""}),
        help_text=_("Leave empty when the unit works for the whole province."),
    )

    def setup_regions(self) -> None:
        provinces, prefectures = region_choices()
        self.fields["province"].widget.choices = provinces
        self.fields["province"].widget.attrs["data-region-province"] = ""
        self.fields["prefecture"].widget.choices = prefectures

    def clean(self):
        super().clean()
        data = self.cleaned_data
        province = (data.get("province") or "").strip()
        prefecture = (data.get("prefecture") or "").strip()
        if prefecture and province and prefecture[:2] != province[:2]:
            self.add_error("prefecture", _("This prefecture is not in the chosen province."))
        data["region_code"] = prefecture or province or None
        return data

    @staticmethod
    def initial_for(region: Region | None) -> dict:
        if region is None:
            return {}
        if region.level == Region.Level.PROVINCE:
            return {"province": region.code}
        return {"province": region.parent_id, "prefecture": region.code}

    def region_field_for_error(self) -> str:
        return "prefecture" if self.cleaned_data.get("prefecture") else "province"


class UnitEditForm(RegionFieldsMixin):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    code = forms.CharField(
        label=_("Code"),
        max_length=60,
        required=False,
        help_text=_("A stable identifier for systems that sync through the API, e.g. cast-11."),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    field_order = ["name", "short_name", "code", "province", "prefecture", "address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_regions()


class UnitCreateForm(UnitEditForm):
    kind = forms.ChoiceField(label=_("Kind"))

    field_order = ["name", "short_name", "kind", "code", "province", "prefecture", "address"]

    def __init__(self, *args, parent: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (kind.value, kind.label)
            for kind in UnitKind
            if parent.kind in ALLOWED_PARENT_KINDS[kind.value]
        ]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * (obj.depth - 1) + obj.name


class UnitMoveForm(forms.Form):
    parent = UnitChoiceField(
        label=_("New parent unit"),
        queryset=Unit.objects.none(),
        empty_label=_("— choose —"),
        help_text=_("Only units you may add sub-units to, of a kind this unit can sit under."),
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = targets


def _role_choices(roles: list[str]) -> list[tuple[str, Any]]:
    return [(role, Role(role).label) for role in roles]


class InviteForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = _role_choices(roles)
        if Role.UNIT_EDITOR in roles:
            self.fields["role"].initial = Role.UNIT_EDITOR


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = _role_choices(roles)
