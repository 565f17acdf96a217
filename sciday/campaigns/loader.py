"""Load a campaign from its data file (`sciday/campaigns/data/<year>.json`), the single source.

Used by migration `campaigns.0002_load_2023_campaign` with historical models, and by the demo and
tests with the real ones. Idempotent: the campaign is matched by year, categories by number,
sub-types by name, routes by unit kind and contacts by department, and updated in place.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

_DATE_FIELDS = (
    "window_start",
    "window_end",
    "day",
    "awards_from",
    "awards_until",
    "issue_date",
    "printed_on",
)


def data_path(year: int) -> Path:
    return DATA_DIR / f"{year}.json"


def read_campaign_data(year: int = 2023, path: Path | None = None) -> dict[str, Any]:
    """Return the campaign's data as stored in its file."""
    return json.loads(Path(path or data_path(year)).read_text(encoding="utf-8"))


def campaign_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Return the Campaign model's field values from the file's `campaign` object."""
    fields = dict(data["campaign"])
    for name in _DATE_FIELDS:
        if fields.get(name):
            fields[name] = date.fromisoformat(fields[name])
    fields["report_deadline"] = datetime.fromisoformat(fields["report_deadline"])
    if isinstance(fields.get("body"), list):
        fields["body"] = "\n".join(fields["body"])
    return fields


class _Models:
    """The models to write with: the real ones, or a migration's historical ones."""

    def __init__(self, apps=None):
        if apps is None:
            from django.apps import apps as global_apps

            apps = global_apps
        self.Campaign = apps.get_model("campaigns", "Campaign")
        self.Category = apps.get_model("campaigns", "Category")
        self.SubType = apps.get_model("campaigns", "SubType")
        self.ReportRoute = apps.get_model("campaigns", "ReportRoute")
        self.Contact = apps.get_model("campaigns", "Contact")
        self.Unit = apps.get_model("orgs", "Unit")


def load_campaign(data: dict[str, Any], *, apps=None):
    """Create or update the campaign described by `data`; return it.

    Departments are found by their unit code (`cast-publicity`, `most-talent`); a missing one is an
    error, since the national structure migration seeds them.
    """
    m = _Models(apps)
    fields = campaign_fields(data)
    year = fields.pop("year")
    if fields.get("is_current"):
        m.Campaign.objects.filter(is_current=True).exclude(year=year).update(is_current=False)
    campaign, _ = m.Campaign.objects.update_or_create(year=year, defaults=fields)

    for cat in data.get("categories", []):
        subtypes = cat.get("subtypes", [])
        category, _ = m.Category.objects.update_or_create(
            campaign=campaign,
            number=cat["number"],
            defaults={
                "name": cat["name"],
                "short_name": cat.get("short_name", ""),
                "name_en": cat.get("name_en", ""),
                "description": cat.get("description", ""),
            },
        )
        for position, sub in enumerate(subtypes, start=1):
            m.SubType.objects.update_or_create(
                category=category,
                name=sub["name"],
                defaults={"name_en": sub.get("name_en", ""), "position": position},
            )

    def department(code: str):
        unit = m.Unit.objects.filter(code=code).first()
        if unit is None:
            raise LookupError(f"No unit with code {code!r}: run the orgs migrations first.")
        return unit

    for route in data.get("routes", []):
        m.ReportRoute.objects.update_or_create(
            campaign=campaign,
            unit_kind=route["unit_kind"],
            defaults={
                "department": department(route["department"]),
                "as_chapter_of": route.get("as_chapter_of", ""),
            },
        )
    for position, contact in enumerate(data.get("contacts", []), start=1):
        values = dict(contact)
        unit = department(values.pop("department"))
        m.Contact.objects.update_or_create(
            campaign=campaign, department=unit, defaults={**values, "position": position}
        )
    return campaign


def load_campaign_file(year: int = 2023, *, apps=None, path: Path | None = None):
    """Load the campaign of `year` from its data file; return it."""
    return load_campaign(read_campaign_data(year, path), apps=apps)
