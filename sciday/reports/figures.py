"""A report's figures: which the campaign asks for, their validation, and the pre-filled values.

Figures are stored as JSON: `{"activities": {"<category number>": n, ...}, "participants": n,
..., "<extra code>": n}`. Every figure is a whole number ≥ 0, except volunteer hours, which may
have decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sciday.campaigns.models import Campaign
from sciday.core.errors import DomainError
from sciday.orgs.models import Unit

ACTIVITIES = "activities"
# The figures `prefill` takes from the platform; the others are typed by the unit.
PREFILLED = (ACTIVITIES, "participants", "publicity_products")
DECIMAL_FIGURES = frozenset({"volunteer_hours"})
# The default figures after the activities by category, in the order of the notice's table.
DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("participants", gettext_lazy("participants")),
    ("online_reach", gettext_lazy("online reach")),
    ("volunteers", gettext_lazy("volunteers")),
    ("volunteer_hours", gettext_lazy("volunteer hours")),
    ("media_reports", gettext_lazy("media reports")),
    ("publicity_products", gettext_lazy("publicity products")),
    ("scientist_visits", gettext_lazy("visits to senior scientists")),
)


@dataclass(frozen=True)
class Figure:
    code: str  # "activities.<number>" for the activities of a category
    label: str
    decimal: bool = False


def figure_list(campaign: Campaign) -> list[Figure]:
    """Return every figure the campaign asks for, in display order."""
    figures = [
        Figure(
            f"{ACTIVITIES}.{c.number}",
            _("activities: %(category)s") % {"category": c.short_name or c.name},
        )
        for c in campaign.categories.all()
    ]
    figures += [Figure(code, str(label), code in DECIMAL_FIGURES) for code, label in DEFAULTS]
    figures += [Figure(f.code, f.label) for f in campaign.report_figures.all()]
    return figures


def flatten(figures: dict) -> dict[str, Any]:
    """Return {figure code: value}, the activities by category as `activities.<number>`."""
    flat = {k: v for k, v in figures.items() if k != ACTIVITIES}
    for number, value in (figures.get(ACTIVITIES) or {}).items():
        flat[f"{ACTIVITIES}.{number}"] = value
    return flat


def _number(value: Any, *, decimal: bool, label: str) -> int | float:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        value = value.strip() or 0
        try:
            value = float(value) if decimal else int(value)
        except ValueError:
            value = None
    if isinstance(value, float) and not decimal:
        value = int(value) if value.is_integer() else None
    if not isinstance(value, (int, float)) or value < 0:
        raise DomainError(
            _("%(figure)s must be a number of zero or more.") % {"figure": label},
            field="figures",
        )
    return round(float(value), 2) if decimal else int(value)


def clean_figures(campaign: Campaign, figures: dict) -> dict:
    """Return the figures validated against the campaign's list; raise DomainError otherwise.

    Accepts the stored shape or the flat one; a figure left out is 0.
    """
    if not isinstance(figures, dict):
        raise DomainError(_("The figures are not in the expected form."), field="figures")
    given = flatten(figures)
    known = {f.code: f for f in figure_list(campaign)}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise DomainError(
            _("Unknown figure: %(codes)s.") % {"codes": ", ".join(unknown)}, field="figures"
        )
    cleaned: dict[str, Any] = {ACTIVITIES: {}}
    for code, figure in known.items():
        value = _number(given.get(code, 0), decimal=figure.decimal, label=figure.label)
        if code.startswith(ACTIVITIES + "."):
            cleaned[ACTIVITIES][code.split(".", 1)[1]] = value
        else:
            cleaned[code] = value
    return cleaned


def prefill(*, campaign: Campaign, unit: Unit) -> dict:
    """Return the figures from what `unit` and its sub-units recorded on the platform.

    Activities: published or finished ones the subtree led or co-organized, by category (each
    counted once). Participants: their actual participants, or the confirmed sign-ups when none
    were recorded. Publicity products: the subtree's published resources. Everything else 0.
    """
    from sciday.activities.models import Activity, SignupStatus
    from sciday.activities.models import Status as ActivityStatus
    from sciday.resources.models import Resource
    from sciday.resources.models import Status as ResourceStatus

    in_tree = Q(lead_unit__path__startswith=unit.path) | Q(
        co_organizers__path__startswith=unit.path
    )
    ids = (
        Activity.objects.filter(
            in_tree,
            campaign=campaign,
            status__in=[ActivityStatus.PUBLISHED, ActivityStatus.FINISHED],
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    activities = Activity.objects.filter(pk__in=list(ids))
    by_category = {
        str(row["category__number"]): row["n"]
        for row in activities.values("category__number").annotate(n=Count("pk"))
    }
    actual = activities.filter(actual_participants__isnull=False).aggregate(
        n=Sum("actual_participants")
    )["n"]
    signed_up = activities.filter(actual_participants__isnull=True).aggregate(
        n=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED))
    )["n"]
    products = Resource.objects.filter(
        campaign=campaign, unit__path__startswith=unit.path, status=ResourceStatus.PUBLISHED
    ).count()
    figures: dict[str, Any] = {
        ACTIVITIES: by_category,
        "participants": (actual or 0) + (signed_up or 0),
        "publicity_products": products,
    }
    return clean_figures(campaign, figures)
