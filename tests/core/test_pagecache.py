"""The anonymous page cache and the language switch it relies on."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sciday.activities.models import Status
from sciday.core.pagecache import HEADER
from tests.activities.world import world  # noqa: F401  (fixture)
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


def nonce_of(response) -> tuple[str, str]:
    """The nonce in the CSP header and the one in the page's first nonce attribute."""
    header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    found = re.search(r'nonce="([^"]+)"', response.content.decode())
    return header, found.group(1) if found else header


@pytest.fixture
def page_with_nonce(db):
    """A public page that uses the CSP nonce (the description editor's pages do; the notice does
    for its fonts): the notice."""
    return reverse("portal:notice")


def test_an_anonymous_visitor_gets_the_second_view_from_the_cache(client, db, page_with_nonce):
    first = client.get(page_with_nonce)
    second = client.get(page_with_nonce)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first[HEADER], second[HEADER]) == ("miss", "hit")
    assert first.content.decode().split("nonce=")[0] == second.content.decode().split("nonce=")[0]
    # Every response has its own nonce, the same in its header and in its page.
    first_header, first_page = nonce_of(first)
    second_header, second_page = nonce_of(second)
    assert first_header == first_page and second_header == second_page
    assert first_header != second_header
    assert "\x00" not in second.content.decode()


def test_each_language_has_its_own_copy(client, db):
    url = reverse("activities:list")
    assert client.get(url)[HEADER] == "miss"
    client.cookies["django_language"] = "en"
    english = client.get(url)
    assert english[HEADER] == "miss" and 'lang="en"' in english.content.decode()
    assert client.get(url)[HEADER] == "hit"
    del client.cookies["django_language"]
    chinese = client.get(url)
    assert chinese[HEADER] == "hit" and 'lang="zh-Hans"' in chinese.content.decode()


def test_query_strings_are_different_pages(client, db):
    url = reverse("activities:list")
    assert client.get(url, {"province": "320000"})[HEADER] == "miss"
    assert client.get(url, {"province": "330000"})[HEADER] == "miss"
    assert client.get(url, {"province": "320000"})[HEADER] == "hit"


def test_signed_in_people_always_get_the_live_page(client, db):
    url = reverse("activities:list")
    client.get(url)
    client.force_login(UserFactory())
    response = client.get(url)
    assert HEADER not in response
    assert "退出" in response.content.decode()  # their own header, not the anonymous copy


def test_a_waiting_message_bypasses_the_cache(client, db):
    url = reverse("activities:list")
    client.get(url)
    client.cookies["messages"] = "anything"
    assert HEADER not in client.get(url)


def test_pages_with_a_form_token_are_never_stored(client, db):
    """The sign-in page carries a CSRF token tied to one visitor: it is not a public page, and a
    public page that asked for a token would not be stored either."""
    from django.http import HttpResponse
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    from sciday.core.pagecache import AnonymousPageCacheMiddleware, public_page

    @public_page
    def view(request):
        return HttpResponse(f"<form>{get_token(request)}</form>", content_type="text/html")

    middleware = AnonymousPageCacheMiddleware(lambda request: view(request))
    request = RequestFactory().get("/with-form/")
    assert middleware.process_view(request, view, (), {}) is None
    response = middleware(request)
    assert response[HEADER] == "miss"
    again = RequestFactory().get("/with-form/")
    assert middleware.process_view(again, view, (), {}) is None  # nothing was stored


@pytest.fixture
def world_publish(world, django_capture_on_commit_callbacks):  # noqa: F811
    from django.core.cache import cache

    def make(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return world.activity("own", status=Status.PUBLISHED, **overrides)

    return make, cache


def test_a_change_shows_once_the_copy_expires(client, world_publish):
    publish, cache = world_publish
    url = reverse("activities:list")
    assert "缓存测试活动" not in client.get(url).content.decode()
    publish(title="缓存测试活动")
    assert "缓存测试活动" not in client.get(url).content.decode()  # the minute-old copy
    cache.clear()  # the minute has passed
    assert "缓存测试活动" in client.get(url).content.decode()


def test_only_get_requests_of_marked_views(client, db):
    assert HEADER not in client.get(reverse("accounts:login"))
    assert HEADER not in client.head(reverse("activities:list"))


def test_off_when_the_setting_is_zero(client, db, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    url = reverse("activities:list")
    client.get(url)
    assert HEADER not in client.get(url)


# --- The language switch ----------------------------------------------------------------------


def test_the_switch_is_a_link_that_sets_the_language_and_returns(client, db):
    page = client.get(reverse("activities:list"), {"province": "320000"})
    html = page.content.decode()
    assert "csrfmiddlewaretoken" not in html
    link = re.search(r'class="lang-switch" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == "/activities/?province=320000"
    assert response.cookies["django_language"].value == "en"
    english = client.get(response["Location"])
    assert 'lang="en"' in english.content.decode()


@pytest.mark.parametrize(
    "target", ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"]
)
def test_the_switch_never_leaves_the_site(client, db, target):
    response = client.get(reverse("core:language", args=["en"]), {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_unknown_language_is_404(client, db):
    response = client.get(reverse("core:language", args=["fr"]))
    assert response.status_code == 404
    assert "django_language" not in response.cookies


def test_refresh_drops_every_stored_page_and_nothing_else(client, db):
    from django.core.cache import cache
    from django.core.management import call_command

    url = reverse("activities:list")
    client.get(url)
    assert client.get(url)[HEADER] == "hit"
    cache.set("unrelated", "kept")
    call_command("public_pages_refresh", stdout=__import__("io").StringIO())
    assert client.get(url)[HEADER] == "miss"
    assert client.get(url)[HEADER] == "hit"
    assert cache.get("unrelated") == "kept"


def test_news_feeds_are_cached_too(client, db):
    for url in ("/news/rss.xml", "/news/atom.xml"):
        first, second = client.get(url), client.get(url)
        assert first["Content-Type"].startswith(("application/rss+xml", "application/atom+xml"))
        assert (first[HEADER], second[HEADER]) == ("miss", "hit")
        assert first.content == second.content
