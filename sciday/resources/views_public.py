"""The public gallery at /resources/: published resources, their detail pages and their files.

Every read goes through `resource_public_list` / `resource_public_get`: only published resources,
whoever is signed in (units see their drafts in the workspace). Filters come from the query
string; a bad value is ignored rather than refused, so a hand-edited link still shows a list.
The list and detail pages are `@public_page` (cached for anonymous visitors); the file view is
not — it streams bytes and counts downloads of the original.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from sciday.campaigns.selectors import campaign_current
from sciday.core.pagecache import public_page
from sciday.core.richtext import richtext_sanitize
from sciday.orgs.models import Region, Unit
from sciday.orgs.selectors import region_list
from sciday.resources import selectors, services, serving
from sciday.resources.models import Kind, Licence, Resource
from sciday.resources.selectors import ResourceFilters
from sciday.search.analyzer import query_terms

PAGE_SIZE = 24
MAX_QUERY = 100
CARD_WIDTH = "640"  # the thumbnail a card shows (WebP, narrower than the source)


class GalleryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search resources"), required=False, max_length=MAX_QUERY)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
    province = forms.ChoiceField(label=_("Province"), required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(
        label=_("Activity category"), required=False, coerce=int, empty_value=None
    )
    licence = forms.ChoiceField(
        label=_("Licence"), required=False, choices=[("", _("Any licence")), *Licence.choices]
    )
    activity = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self, *args, provinces: list[Region], units: list[Unit], categories: list, **kwargs
    ):
        super().__init__(*args, **kwargs)
        province = cast(forms.ChoiceField, self.fields["province"])
        province.choices = [("", _("All provinces"))] + [(r.code, r.name) for r in provinces]
        unit = cast(forms.ChoiceField, self.fields["unit"])
        unit.choices = [("", _("All units"))] + [(u.pk, u.name) for u in units]
        category = cast(forms.ChoiceField, self.fields["category"])
        category.choices = [("", _("All categories"))] + [(c.pk, str(c)) for c in categories]


def _read(
    request: HttpRequest,
) -> tuple[GalleryFilterForm, ResourceFilters, str, dict[str, str]]:
    provinces = list(region_list(level=Region.Level.PROVINCE))
    units = selectors.units_with_published_resources()
    campaign = campaign_current()
    categories = list(campaign.categories.order_by("number")) if campaign else []
    form = GalleryFilterForm(
        request.GET or None, provinces=provinces, units=units, categories=categories
    )
    data: dict = {}
    if form.is_bound:
        form.is_valid()  # invalid values are dropped, the valid ones still apply
        data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    filters = ResourceFilters(
        kind=data.get("kind") or "",
        province=data.get("province") or "",
        licence=data.get("licence") or "",
        activity_id=data.get("activity") or None,
        unit_path=next((u.path for u in units if u.pk == data.get("unit")), ""),
        category_id=data.get("category"),
    )
    q = (data.get("q") or "").strip()
    params = {
        "q": q,
        "kind": filters.kind,
        "province": filters.province,
        "licence": filters.licence,
        "unit": str(data.get("unit") or "") if filters.unit_path else "",
        "category": str(filters.category_id or ""),
        "activity": str(filters.activity_id or ""),
    }
    return form, filters, q, {k: v for k, v in params.items() if v}


def _thumb_url(resource: Resource, width: str | None = None) -> str:
    """The URL of the thumbnail `width` (or the largest), the preview, or '' when there is none."""
    thumbs = resource.thumbnails or {}
    if thumbs:
        widths = sorted(thumbs, key=int)
        chosen = width if width in thumbs else None
        if chosen is None:
            smaller = [w for w in widths if width is not None and int(w) <= int(width)]
            chosen = smaller[-1] if smaller else widths[-1]
        return reverse("resources:file", args=[resource.pk, f"thumb-{chosen}"])
    if resource.preview:
        return reverse("resources:file", args=[resource.pk, "preview"])
    return ""


def card_image_url(resource: Resource, width: str = CARD_WIDTH) -> str:
    """The URL of the thumbnail a card shows (or '' when the resource has none)."""
    return _thumb_url(resource, width)


@public_page
def gallery_list(request: HttpRequest) -> HttpResponse:
    """The gallery: newest first, or ranked by the shared search when `q` is given.

    With `q`, the filters limit the search (`within`) and the page's rows are read by id, in the
    ranked order: a search, then one query for the page, whatever the number of matches.
    """
    form, filters, q, params = _read(request)
    searching = bool(q and query_terms(q))  # punctuation alone searches nothing
    found = selectors.resource_public_search(q=q, filters=filters) if searching else None
    page: Page[Any]
    if found is not None and found.ids:
        page = Paginator(found.ids, PAGE_SIZE).get_page(request.GET.get("page"))
        by_id = selectors.resource_public_list(filters=filters).in_bulk(list(page.object_list))
        rows = [by_id[i] for i in page.object_list if i in by_id]
        page.object_list = rows  # type: ignore[assignment]  # ids paged, rows shown
    else:
        source = selectors.resource_public_list(filters=filters)
        if found is not None:  # searched, nothing found: an empty page, no second query
            source = source.none()
        page = Paginator(source, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
    for resource in rows:
        resource.card_image = _thumb_url(resource, CARD_WIDTH)  # type: ignore[attr-defined]
    return render(
        request,
        "resources/public/list.html",
        {
            "form": form,
            "page": page,
            "q": q,
            "searched": found is not None,
            "capped": bool(found and found.capped),
            "filtered": bool(params),
            "other_filters": bool(set(params) - {"q"}),
            "paged_query": urlencode(params),
        },
    )


@public_page
def gallery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_public_get(pk=pk)
    largest = _thumb_url(resource)
    image = request.build_absolute_uri(largest) if largest else ""
    # Sanitized on write (richtext_clean); sanitized again here so a row written by another
    # path can never reach the page unescaped.
    body = mark_safe(richtext_sanitize(resource.body)) if resource.body else ""  # noqa: S308
    return render(
        request,
        "resources/public/detail.html",
        {
            "resource": resource,
            "image_url": largest,
            "og_image": image,
            "body": body,
            "tags": list(resource.tags.all()),
            "absolute_url": request.build_absolute_uri(
                reverse("resources:detail", args=[resource.pk])
            ),
            "original_url": reverse("resources:file", args=[resource.pk, "original"])
            if resource.has_file and resource.file
            else "",
            "play_url": reverse("resources:file", args=[resource.pk, "play"])
            if resource.kind == Kind.VIDEO and resource.file
            else "",
            "preview_url": reverse("resources:file", args=[resource.pk, "preview"])
            if resource.preview
            else "",
        },
    )


def gallery_file(request: HttpRequest, pk: int, variant: str) -> HttpResponseBase:
    """Stream a published resource's original (attachment, counted), video, preview or thumb."""
    resource = selectors.resource_public_get(pk=pk)
    served = serving.variant(resource, variant)
    # Published files stream through Django on every storage (nosniff, byte ranges); a
    # range that continues a download is not counted again.
    response = serving.stream(
        request, resource.file.storage, served, cache_control="public, max-age=300"
    )
    if served.as_attachment and serving.counts_as_download(response):
        services.resource_download_count(actor=request.user, resource=resource)
    return response
