"""Views every deployment needs: the health check, and a bare view the benchmark compares with."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sciday.core import health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report database and task-queue health: HTTP 200 when both are healthy, else 503."""
    checks = {"database": health.check_database(), "tasks": health.check_tasks()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )


@require_GET
def language(request: HttpRequest, code: str) -> HttpResponseRedirect:
    """Switch the site's language with a plain link, then go back to the page (`?next=`).

    A GET, unlike Django's `set_language`: the switch carries no CSRF token, so public pages
    hold nothing tied to one visitor and can be cached for everyone (`sciday.core.pagecache`).
    The worst a forged link can do is change someone's language.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def hello(request: HttpRequest) -> HttpResponse:
    """The benchmark's baseline: the cheapest response the same server and middleware can give.

    Routed only when BENCH_HELLO is set (see `sciday.core.urls`).
    """
    return HttpResponse(b"hello", content_type="text/plain")


_ROWS_TEMPLATE = """<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">
<title>rows</title></head><body><table>{% for id, title, starts_at in rows %}
<tr><td>{{ id }}</td><td>{{ title }}</td><td>{{ starts_at }}</td></tr>{% endfor %}
</table></body></html>"""


def bench_rows(request: HttpRequest) -> HttpResponse:
    """The national benchmark's baseline: 30 activity rows read and rendered, nothing else.

    One indexed query (the first 30 by primary key) and a template of a bare table, through the
    same middleware as every page. Routed only when BENCH_HELLO is set (see `sciday.core.urls`).
    """
    from django.db import connection
    from django.template import engines

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, title, starts_at FROM activities_activity ORDER BY id DESC LIMIT 30"
        )
        rows = cursor.fetchall()
    template = engines["django"].from_string(_ROWS_TEMPLATE)
    return HttpResponse(template.render({"rows": rows}, request))
