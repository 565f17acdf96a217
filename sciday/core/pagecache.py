"""Whole-page cache for anonymous visitors of public pages.

A public page (the activity list, calendar, detail, search, the notice, the home page) is the
same for every anonymous visitor who asks for the same URL in the same language, and at a
million activities rendering it costs far more than serving it. Views opt in with
`@public_page`; `AnonymousPageCacheMiddleware` then keeps the rendered response for
`PUBLIC_PAGE_CACHE_SECONDS` (default 60, so a publication shows within a minute) in the default
cache, and serves it to the next anonymous visitor.

What is never cached or served from the cache:
- a request carrying a session cookie (anyone signed in, or in the middle of signing in) or a
  messages cookie (a message is waiting to be shown);
- anything but a GET answered 200 with HTML, ics, XML or JSON;
- a response that sets a cookie, or whose rendering asked for a CSRF token (a page with a form:
  the token is tied to one visitor's secret and must never reach another).

The CSP nonce differs on every response: the stored page keeps a placeholder where the nonce
was, and each hit gets a fresh nonce, which the CSP middleware (outside this one) then puts in
the header.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce

PLACEHOLDER = b"\x00sciday-csp-nonce\x00"
HEADER = "X-Sciday-Cache"
_SKIPPED_HEADERS = {"content-security-policy", "content-security-policy-report-only", "set-cookie"}
_TYPES = (
    "text/html",
    "text/calendar",
    "application/xml",
    "application/json",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
)


def public_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view whose anonymous GET responses may be cached for every anonymous visitor."""
    view.public_page = True  # type: ignore[attr-defined]
    return view


def _seconds() -> int:
    return int(getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 60))


def _anonymous_and_plain(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in cookies
    )


VERSION_KEY = "public-page:version"


def refresh() -> int:
    """Drop every stored public page at once (they are keyed on a version); return the new one.

    For a correction that cannot wait for the copies to expire: `manage.py public_pages_refresh`.
    Only the pages' keys change; the rest of the cache (sessions with Redis, import previews)
    stays.
    """
    try:
        return cache.incr(VERSION_KEY)
    except ValueError:  # never set, or expired from the cache
        cache.set(VERSION_KEY, 2, None)
        return 2


LOCK_KEY = "public-page:refreshed-at"
PENDING_KEY = "public-page:refresh-due"


def _min_interval() -> int:
    return int(settings.PUBLIC_PAGE_REFRESH_MIN_SECONDS)


def _refresh_now(now: float) -> int:
    cache.set(LOCK_KEY, now, _min_interval())
    cache.delete(PENDING_KEY)
    return refresh()


def refresh_soon() -> bool:
    """Drop the stored public pages after a publication, at most once per interval.

    Called on commit when something the public pages show is published, withdrawn or
    re-composed (`sciday.portal.hooks`). The first call drops the pages at once; further calls
    within `PUBLIC_PAGE_REFRESH_MIN_SECONDS` (default 10) only leave a refresh due at the end of
    the interval, which the first public request after it performs: a bulk import of a thousand
    publications empties the cache once or twice, not a thousand times, and the last one still
    shows within the interval. Returns True when the pages were dropped now.
    """
    now = time.time()
    interval = _min_interval()
    if interval <= 0 or cache.add(LOCK_KEY, now, interval):
        _refresh_now(now)
        return True
    locked_at = cache.get(LOCK_KEY)
    due = (locked_at if isinstance(locked_at, (int, float)) else now) + interval
    cache.add(PENDING_KEY, due, interval + _seconds())
    return False


def _version() -> int:
    """Return the pages' current version, performing a refresh that has come due."""
    values = cache.get_many([VERSION_KEY, PENDING_KEY])
    due = values.get(PENDING_KEY)
    if due is not None and due <= time.time() and cache.delete(PENDING_KEY):
        return _refresh_now(time.time())
    version = values.get(VERSION_KEY)
    if version is None:
        version = cache.get_or_set(VERSION_KEY, 1, None)
    return int(version or 1)


def _key(request: HttpRequest) -> str:
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"public-page:{_version()}:{language}:{digest}"


class AnonymousPageCacheMiddleware:
    """Serve and store `@public_page` responses for anonymous visitors (see the module doc).

    Place it after the locale, CSRF, session and CSP middleware, so that the language is known,
    the CSRF flag is visible and every hit still gets its headers and a fresh CSP nonce.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, "_public_page_key", None)
        if key is not None and _seconds() > 0:
            if self._storable(request, response):
                self._store(request, response, key)
            response.headers.setdefault(HEADER, "miss")
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not getattr(view_func, "public_page", False) or not _anonymous_and_plain(request):
            return None
        if _seconds() <= 0:
            return None
        key = _key(request)
        stored = cache.get(key)
        if stored is None:
            request._public_page_key = key  # type: ignore[attr-defined]
            return None
        status, headers, content = stored
        if PLACEHOLDER in content:
            content = content.replace(PLACEHOLDER, str(get_nonce(request)).encode())
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response.headers[name] = value
        response.headers[HEADER] = "hit"
        return response

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and response.get("Content-Type", "").split(";")[0].strip() in _TYPES
        )

    @staticmethod
    def _store(request: HttpRequest, response: HttpResponse, key: str) -> None:
        content = response.content
        nonce = get_nonce(request)
        if nonce:  # generated while rendering: put the placeholder in its place
            content = content.replace(str(nonce).encode(), PLACEHOLDER)
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _SKIPPED_HEADERS and name != HEADER
        ]
        cache.set(key, (response.status_code, headers, content), _seconds())
