"""Campaign pages: the public notice, and the campaign admins' editing pages.

Views are thin: a form parses, a service validates and writes, a DomainError goes back onto the
form (or into a message) and nothing is written.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sciday.campaigns import document, selectors, services
from sciday.campaigns.forms import (
    CampaignForm,
    CategoryForm,
    ContactForm,
    CopyForm,
    RouteForm,
    SubTypeForm,
)
from sciday.campaigns.models import Campaign, Category, Contact, ReportRoute, SubType
from sciday.campaigns.policy import can_manage
from sciday.core.errors import DomainError, apply_to_form
from sciday.core.pagecache import public_page
from sciday.orgs.models import Unit

# --- The public notice ------------------------------------------------------------------------


@public_page
@require_GET
def notice(request, year: int | None = None):
    """The campaign's notice in official-document layout (the current one, or that of `year`)."""
    campaign = selectors.campaign_for_notice(viewer=request.user, year=year)
    context = {
        "campaign": campaign,
        "document_html": selectors.notice_document_html(campaign=campaign),
        "fonts_css": document.fonts_css(".gw"),
        "other_years": selectors.published_years(exclude=campaign.year),
        "can_manage": can_manage(request.user),
    }
    if campaign.is_current:
        context["current_campaign"] = campaign  # the shell need not fetch it again
    return render(request, "campaigns/notice.html", context)


# --- Campaign admins' pages -------------------------------------------------------------------


def admin_required(view):
    """Let campaign admins through; send others to sign in (anonymous) or answer 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_manage(request.user):
            raise PermissionDenied
        if "pk" in kwargs:
            kwargs["campaign"] = get_object_or_404(Campaign, pk=kwargs.pop("pk"))
        return view(request, *args, **kwargs)

    return wrapper


def _error(request, error: DomainError) -> None:
    messages.error(request, str(error.message))


def _back(campaign: Campaign, name: str):
    return redirect(reverse(f"campaigns:{name}", args=[campaign.pk]))


def _page(request, template: str, campaign: Campaign | None, **context):
    context.update({"campaign": campaign, "section": template.split("/")[-1][:-5]})
    return render(request, template, context, status=context.pop("status", 200))


@admin_required
def campaign_list(request):
    campaigns = selectors.campaign_list_for_admin(actor=request.user)
    return render(request, "campaigns/list.html", {"campaigns": campaigns, "copy_form": CopyForm()})


@admin_required
def campaign_edit(request, campaign: Campaign):
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                services.campaign_update(actor=request.user, campaign=campaign, **form.cleaned_data)
            except DomainError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, _("The campaign was saved."))
                return _back(campaign, "edit")
        return _page(request, "campaigns/edit.html", campaign, form=form, status=400)
    return _page(request, "campaigns/edit.html", campaign, form=CampaignForm(instance=campaign))


@admin_required
@require_POST
def campaign_copy(request, campaign: Campaign):
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a year between 2000 and 2100."))
        return redirect("campaigns:list")
    try:
        new = services.campaign_copy(
            actor=request.user, source=campaign, year=form.cleaned_data["year"]
        )
    except DomainError as error:
        _error(request, error)
        return redirect("campaigns:list")
    messages.success(
        request,
        _("The %(year)s campaign was made from %(source)s. Check its facts, then publish it.")
        % {"year": new.year, "source": campaign.year},
    )
    return _back(new, "edit")


@admin_required
@require_POST
def campaign_set_current(request, campaign: Campaign):
    try:
        services.campaign_set_current(actor=request.user, campaign=campaign)
    except DomainError as error:
        _error(request, error)
    else:
        messages.success(request, _("%(name)s is now the current campaign.") % {"name": campaign})
    return redirect("campaigns:list")


# Categories and sub-types.


@admin_required
def categories(request, campaign: Campaign):
    form = CategoryForm()
    status = 200
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                services.category_create(actor=request.user, campaign=campaign, **form.cleaned_data)
            except DomainError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, _("The category was added."))
                return _back(campaign, "categories")
        status = 400
    return _page(
        request,
        "campaigns/categories.html",
        campaign,
        categories=selectors.campaign_categories(campaign=campaign),
        form=form,
        status=status,
    )


def _category(campaign: Campaign, cid: int) -> Category:
    return get_object_or_404(Category, pk=cid, campaign=campaign)


def _subtype(category: Category, sid: int) -> SubType:
    return get_object_or_404(SubType, pk=sid, category=category)


@admin_required
def category_edit(request, campaign: Campaign, cid: int):
    category = _category(campaign, cid)
    form = CategoryForm(instance=category)
    subtype_form = SubTypeForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "add_subtype":
            subtype_form = SubTypeForm(request.POST)
            if subtype_form.is_valid():
                try:
                    services.subtype_create(
                        actor=request.user, category=category, **subtype_form.cleaned_data
                    )
                except DomainError as error:
                    apply_to_form(subtype_form, error)
                else:
                    messages.success(request, _("The sub-type was added."))
                    return redirect("campaigns:category", campaign.pk, category.pk)
        else:
            form = CategoryForm(request.POST)
            if form.is_valid():
                try:
                    services.category_update(
                        actor=request.user, category=category, **form.cleaned_data
                    )
                except DomainError as error:
                    apply_to_form(form, error)
                else:
                    messages.success(request, _("The category was saved."))
                    return redirect("campaigns:category", campaign.pk, category.pk)
        status = 400
    subtypes = list(category.subtypes.order_by("position", "id"))
    return _page(
        request,
        "campaigns/category.html",
        campaign,
        category=category,
        form=form,
        subtype_form=subtype_form,
        subtypes=[(s, SubTypeForm(instance=s, prefix=f"s{s.pk}")) for s in subtypes],
        status=status,
    )


@admin_required
@require_POST
def category_action(request, campaign: Campaign, cid: int):
    category = _category(campaign, cid)
    action = request.POST.get("action")
    try:
        if action in ("up", "down"):
            services.category_move(actor=request.user, category=category, direction=action)
        elif action == "delete":
            services.category_delete(actor=request.user, category=category)
            messages.success(request, _("The category was removed."))
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as error:
        _error(request, error)
    return _back(campaign, "categories")


@admin_required
@require_POST
def subtype_action(request, campaign: Campaign, cid: int, sid: int):
    category = _category(campaign, cid)
    subtype = _subtype(category, sid)
    action = request.POST.get("action")
    try:
        if action in ("up", "down"):
            services.subtype_move(actor=request.user, subtype=subtype, direction=action)
        elif action == "delete":
            services.subtype_delete(actor=request.user, subtype=subtype)
            messages.success(request, _("The sub-type was removed."))
        elif action == "save":
            form = SubTypeForm(request.POST, prefix=f"s{subtype.pk}")
            if not form.is_valid():
                raise DomainError(_("Enter the sub-type's name."))
            services.subtype_update(actor=request.user, subtype=subtype, **form.cleaned_data)
            messages.success(request, _("The sub-type was saved."))
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as error:
        _error(request, error)
    return redirect("campaigns:category", campaign.pk, category.pk)


# Report routes.


@admin_required
def routes(request, campaign: Campaign):
    form = RouteForm()
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            route_pk = request.POST.get("route", "")
            if not route_pk.isdigit():
                raise Http404
            route = get_object_or_404(ReportRoute, pk=int(route_pk), campaign=campaign)
            services.route_delete(actor=request.user, route=route)
            messages.success(request, _("The route was removed."))
            return _back(campaign, "routes")
        form = RouteForm(request.POST)
        if form.is_valid():
            try:
                services.route_set(actor=request.user, campaign=campaign, **form.cleaned_data)
            except DomainError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, _("The route was saved."))
                return _back(campaign, "routes")
        status = 400
    return _page(
        request,
        "campaigns/routes.html",
        campaign,
        routes=selectors.campaign_routes(campaign=campaign),
        form=form,
        status=status,
    )


# Contacts.


@admin_required
def contacts(request, campaign: Campaign):
    form = ContactForm()
    status = 200
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.contact_create(actor=request.user, campaign=campaign, **form.cleaned_data)
            except DomainError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, _("The contacts were added."))
                return _back(campaign, "contacts")
        status = 400
    return _page(
        request,
        "campaigns/contacts.html",
        campaign,
        contacts=selectors.campaign_contacts(campaign=campaign),
        form=form,
        status=status,
    )


@admin_required
def contact_edit(request, campaign: Campaign, cid: int):
    contact = get_object_or_404(Contact, pk=cid, campaign=campaign)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.contact_delete(actor=request.user, contact=contact)
            messages.success(request, _("The contacts were removed."))
            return _back(campaign, "contacts")
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.contact_update(actor=request.user, contact=contact, **form.cleaned_data)
            except DomainError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, _("The contacts were saved."))
                return _back(campaign, "contacts")
        return _page(
            request, "campaigns/contact.html", campaign, contact=contact, form=form, status=400
        )
    return _page(
        request,
        "campaigns/contact.html",
        campaign,
        contact=contact,
        form=ContactForm(instance=contact),
    )


# Units trusted to publish directly.


def _posted_unit(request) -> Unit | None:
    """Return the unit named by the POST's `unit` field, or None when there is no such unit."""
    pk = request.POST.get("unit", "")
    return Unit.objects.filter(pk=int(pk)).first() if pk.isdigit() else None


@admin_required
def trusted_units(request, campaign: Campaign):
    """List the trusted units; find a unit by name and trust it; stop trusting one."""
    query = " ".join(request.GET.get("q", "").split())[:100]
    if request.method == "POST":
        action = request.POST.get("action")
        unit = _posted_unit(request)
        try:
            if action == "add":
                services.campaign_trusted_unit_add(actor=request.user, campaign=campaign, unit=unit)
                messages.success(
                    request, _("%(unit)s now publishes without approval.") % {"unit": unit}
                )
            elif action == "remove":
                if unit is None:
                    raise Http404
                services.campaign_trusted_unit_remove(
                    actor=request.user, campaign=campaign, unit=unit
                )
                messages.success(
                    request,
                    _("%(unit)s is no longer trusted: its activities need approval again.")
                    % {"unit": unit},
                )
            else:
                raise DomainError(_("Unknown action."))
        except DomainError as error:
            _error(request, error)
        url = reverse("campaigns:trusted_units", args=[campaign.pk])
        return redirect(f"{url}?{urlencode({'q': query})}" if query else url)
    return _page(
        request,
        "campaigns/trusted_units.html",
        campaign,
        trusted=selectors.campaign_trusted_units(actor=request.user, campaign=campaign),
        query=query,
        candidates=selectors.trusted_unit_candidates(
            actor=request.user, campaign=campaign, search=query
        ),
        limit=selectors.TRUST_CANDIDATES_LIMIT,
    )
