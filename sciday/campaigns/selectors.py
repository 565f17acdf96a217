"""Reads of campaigns, already filtered by what the reader may see."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from sciday.campaigns import policy
from sciday.campaigns.models import Campaign, Category, Contact, ReportRoute, SubType
from sciday.campaigns.policy import Cap
from sciday.orgs.models import Unit, UnitKind


def campaign_current() -> Campaign | None:
    """Return the campaign marked current, or the latest published one."""
    return (
        Campaign.objects.filter(is_current=True).first()
        or Campaign.objects.filter(is_published=True).order_by("-year").first()
    )


def campaign_list(*, viewer=None) -> QuerySet[Campaign]:
    """Return the campaigns `viewer` may read (all when no viewer is given), newest first."""
    qs = Campaign.objects.order_by("-year")
    return qs if viewer is None else policy.campaigns_for(viewer, qs)


def campaign_list_for_admin(*, actor) -> QuerySet[Campaign]:
    """Return every campaign with its counts, for the campaign admins' list."""
    policy.require(actor, Cap.CAMPAIGN_MANAGE)
    return Campaign.objects.order_by("-year").annotate(
        category_count=Count("categories", distinct=True),
        route_count=Count("routes", distinct=True),
        contact_count=Count("contacts", distinct=True),
    )


def campaign_get_for_edit(*, actor, pk: int) -> Campaign:
    """Fetch a campaign for a campaign admin; 403 for anyone else, 404 when it does not exist."""
    policy.require(actor, Cap.CAMPAIGN_MANAGE)
    return get_object_or_404(Campaign, pk=pk)


def campaign_for_notice(*, viewer, year: int | None = None) -> Campaign:
    """Return the campaign whose notice to show: the current one, or the one of `year`.

    Unpublished campaigns are 404 except for campaign admins (who preview them).
    """
    if year is None:
        campaign = campaign_current()
        if campaign is None:
            raise Http404
    else:
        campaign = get_object_or_404(Campaign, year=year)
    if not policy.can(viewer, Cap.CAMPAIGN_VIEW, campaign):
        raise Http404
    return campaign


def campaign_contacts(*, campaign: Campaign) -> list[Contact]:
    return list(campaign.contacts.select_related("department").order_by("position", "id"))


def campaign_categories(*, campaign: Campaign) -> list[Category]:
    """Return the categories in order, their sub-types prefetched."""
    return list(
        campaign.categories.order_by("number").prefetch_related(
            Prefetch("subtypes", queryset=SubType.objects.order_by("position", "id"))
        )
    )


def campaign_routes(*, campaign: Campaign) -> list[ReportRoute]:
    return list(campaign.routes.select_related("department").order_by("unit_kind"))


def route_for(*, campaign: Campaign, unit_kind: str) -> ReportRoute | None:
    """Return where units of `unit_kind` send their summary report in `campaign`."""
    return campaign.routes.select_related("department").filter(unit_kind=unit_kind).first()


def published_years(*, exclude: int | None = None) -> list[int]:
    qs = Campaign.objects.filter(is_published=True).order_by("-year")
    if exclude is not None:
        qs = qs.exclude(year=exclude)
    return list(qs.values_list("year", flat=True))


def national_departments() -> QuerySet[Unit]:
    """Return the units that may receive reports or be listed as contacts."""
    return Unit.objects.filter(kind=UnitKind.NATIONAL_DEPARTMENT, is_active=True).order_by("path")


def notice_document_html(*, campaign: Campaign) -> SafeString:
    """Return the notice laid out as HTML (the `<article>`), cached until the campaign changes.

    The key holds the campaign's `updated_at`, which every campaigns service bumps (contacts,
    categories and routes included), so an edit shows at once on every server sharing the cache.
    """
    from sciday.campaigns import document

    key = f"campaigns:notice:{campaign.pk}:{campaign.updated_at.timestamp()}"
    html = cache.get(key)
    if html is None:
        contacts = campaign_contacts(campaign=campaign)
        html = render_to_string(
            "campaigns/_notice_document.html",
            {"doc": document.notice_document(campaign, contacts)},
        )
        cache.set(key, html, timeout=24 * 60 * 60)
    return mark_safe(html)  # noqa: S308 - rendered by our own template with autoescaping


def campaign_trusted_units(*, actor, campaign: Campaign) -> list[Unit]:
    """Return the units trusted to publish directly in `campaign`, in tree order (admins only)."""
    policy.require(actor, Cap.CAMPAIGN_MANAGE)
    return list(campaign.trusted_units.select_related("region").order_by("path"))


TRUST_CANDIDATES_LIMIT = 30


def trusted_unit_candidates(*, actor, campaign: Campaign, search: str) -> list[Unit]:
    """Return up to TRUST_CANDIDATES_LIMIT active, not yet trusted units matching `search`.

    Matched on the name, short name or code; an empty search returns nothing (there are some
    3,000 units: the page asks for a few characters rather than listing them all).
    """
    policy.require(actor, Cap.CAMPAIGN_MANAGE)
    search = " ".join((search or "").split())
    if not search:
        return []
    trusted = campaign.trusted_units.values("pk")
    qs = (
        Unit.objects.filter(is_active=True)
        .filter(Q(name__icontains=search) | Q(short_name__icontains=search) | Q(code=search))
        .exclude(pk__in=trusted)
        .select_related("region")
        .order_by("depth", "path")
    )
    return list(qs[:TRUST_CANDIDATES_LIMIT])
