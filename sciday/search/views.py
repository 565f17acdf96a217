"""The public search page: every kind of public content, ranked, with highlighted snippets.

A kind switch (`kind=activities|resources`, all when absent) narrows the search to one kind.
Resource hits of a photo or video carry the small thumbnail of their card, read for the page's
hits in one query.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sciday.core.pagecache import public_page
from sciday.resources.models import PUBLIC_STATUSES, Resource
from sciday.resources.views_public import card_image_url
from sciday.search.selectors import SearchHit, search

PAGE_SIZE = 20
MAX_PAGE = 50  # deeper pages cost a scan for nothing a person reads
MAX_QUERY = 100

ACTIVITY = "activities.activity"
RESOURCE = "resources.resource"
NEWS = "news.item"

# What each kind of entry is called on the page and where it links to.
KINDS = {
    ACTIVITY: (_("Activity"), "activities:detail"),
    RESOURCE: (_("Resource"), "resources:detail"),
    NEWS: (_("News"), "news:detail"),
}
# The kind switch: its value in the query string → (label, kinds searched).
SWITCH = {
    "": (_("All"), [ACTIVITY, RESOURCE, NEWS]),
    "activities": (_("Activities"), [ACTIVITY]),
    "resources": (_("Resources"), [RESOURCE]),
    "news": (_("News"), [NEWS]),
}


def _link(hit: SearchHit) -> str:
    name = KINDS.get(hit.kind, (None, None))[1]
    return reverse(name, args=[hit.object_id]) if name else ""


def _thumbnails(hits: list[SearchHit]) -> dict[int, str]:
    """The card image of each resource hit that has one (one query, none without such hits)."""
    ids = [h.object_id for h in hits if h.kind == RESOURCE]
    if not ids:
        return {}
    rows = Resource.objects.filter(pk__in=ids, status__in=PUBLIC_STATUSES).only(
        "pk", "kind", "thumbnails", "preview"
    )
    return {r.pk: url for r in rows if (url := card_image_url(r))}


@public_page
def search_view(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    kind = request.GET.get("kind", "")
    if kind not in SWITCH:
        kind = ""
    try:
        number = min(MAX_PAGE, max(1, int(request.GET.get("page", "1"))))
    except ValueError:
        number = 1
    results = search(q=q, kind=SWITCH[kind][1], limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    # Only the ranked matches can be paged through (all of them, or the most recent ones).
    num_pages = min(MAX_PAGE, max(1, -(-min(results.total, results.ranked) // PAGE_SIZE)))
    thumbs = _thumbnails(results.hits)
    hits = [
        {
            "hit": hit,
            "url": _link(hit),
            "kind_label": KINDS.get(hit.kind, ("", ""))[0],
            "thumb": thumbs.get(hit.object_id, "") if hit.kind == RESOURCE else "",
        }
        for hit in results.hits
    ]
    paged = urlencode({"q": q, "kind": kind} if kind else {"q": q})
    return render(
        request,
        "search/search.html",
        {
            "q": q,
            "kind": kind,
            "switch": [
                (value, label, urlencode({"q": q, "kind": value} if value else {"q": q}))
                for value, (label, _kinds) in SWITCH.items()
            ],
            "results": results,
            "hits": hits,
            "number": number,
            "num_pages": num_pages,
            "has_previous": number > 1,
            "has_next": number < num_pages,
            "first": results.offset + 1,
            "last": results.offset + len(results.hits),
            "paged": paged,
        },
    )
