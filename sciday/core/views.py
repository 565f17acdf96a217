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
