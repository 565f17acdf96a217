"""The public search page: every kind of public content, ranked, with highlighted snippets."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sciday.core.pagecache import public_page
from sciday.search.selectors import SearchHit, search

PAGE_SIZE = 20
MAX_PAGE = 50  # deeper pages cost a scan for nothing a person reads
MAX_QUERY = 100

# What each kind of entry is called on the page and where it links to.
KINDS = {
    "activities.activity": (_("Activity"), "activities:detail"),
}


def _link(hit: SearchHit) -> str:
    name = KINDS.get(hit.kind, (None, None))[1]
    return reverse(name, args=[hit.object_id]) if name else ""


@public_page
def search_view(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    try:
        number = min(MAX_PAGE, max(1, int(request.GET.get("page", "1"))))
    except ValueError:
        number = 1
    results = search(q=q, kind=list(KINDS), limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    # Only the ranked matches can be paged through (all of them, or the most recent ones).
    num_pages = min(MAX_PAGE, max(1, -(-min(results.total, results.ranked) // PAGE_SIZE)))
    hits = [
        {"hit": hit, "url": _link(hit), "kind_label": KINDS.get(hit.kind, ("", ""))[0]}
        for hit in results.hits
    ]
    return render(
        request,
        "search/search.html",
        {
            "q": q,
            "results": results,
            "hits": hits,
            "number": number,
            "num_pages": num_pages,
            "has_previous": number > 1,
            "has_next": number < num_pages,
            "first": results.offset + 1,
            "last": results.offset + len(results.hits),
        },
    )
