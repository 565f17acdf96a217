"""Views every deployment needs: the health check, and a bare view the benchmark compares with."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
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
