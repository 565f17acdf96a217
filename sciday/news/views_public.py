"""Public news pages: the list at /news/ (pinned first, then newest; category filter; the shared
Chinese search `q`; pages of 20), an item's page and its cover picture.

Everything reads as an anonymous visitor: only published items, whoever is signed in (units see
their drafts in the workspace). A bad filter value is ignored rather than refused.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from sciday.core.pagecache import public_page
from sciday.news import selectors
from sciday.news.models import Category, NewsItem
from sciday.resources.views_public import card_image_url

PAGE_SIZE = 20
MAX_QUERY = 100


def _feed_links(category: str) -> dict[str, str]:
    suffix = f"?{urlencode({'category': category})}" if category else ""
    return {
        "rss": reverse("news:rss") + suffix,
        "atom": reverse("news:atom") + suffix,
    }


@public_page
def news_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    q = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    page: Any
    if q:
        ids = selectors.news_public_search(q=q, category=category or None)
        page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
        found = NewsItem.objects.select_related("unit").in_bulk(list(page.object_list))
        items = [found[i] for i in page.object_list if i in found]
    else:
        qs = selectors.news_public_list(category=category or None)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        items = list(page.object_list)
    params = {k: v for k, v in {"category": category, "q": q}.items() if v}
    return render(
        request,
        "news/public/list.html",
        {
            "items": items,
            "page": page,
            "q": q,
            "category": category,
            "categories": [("", None), *Category.choices],
            "paged": urlencode(params),
            "feeds": _feed_links(category),
            "absolute_url": request.build_absolute_uri(reverse("news:list")),
        },
    )


@public_page
def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.news_public_get(pk=pk)
    attachments = [
        {
            "resource": r,
            "url": reverse("resources:detail", args=[r.pk]),
            "file_url": reverse("resources:file", args=[r.pk, "original"]) if r.file else "",
            "image": card_image_url(r, "240"),
        }
        for r in item.public_attachments  # type: ignore[attr-defined]
    ]
    return render(
        request,
        "news/public/detail.html",
        {
            "item": item,
            "attachments": attachments,
            "absolute_url": request.build_absolute_uri(reverse("news:detail", args=[item.pk])),
            "og_image": request.build_absolute_uri(item.cover_url) if item.cover else "",
            "feeds": _feed_links(""),
        },
    )


_SIZES = {
    "full": ("cover", "image/jpeg", "jpg"),
    "thumb": ("cover_thumb", "image/webp", "webp"),
}


def news_cover(request: HttpRequest, pk: int, size: str) -> FileResponse:
    """The item's cover, to whoever may see the item (the public: published items only)."""
    if size not in _SIZES:
        raise Http404
    field, content_type, extension = _SIZES[size]
    item = selectors.news_get(viewer=request.user, pk=pk)
    name = getattr(item, field).name
    if not name:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="news-{item.pk}-{size}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400" if item.is_public else "private, no-store"
    return response
