"""Operational routes: `/healthz`, and `/bench/hello`, `/bench/rows` only when the benchmark
enables them."""

from django.conf import settings
from django.urls import path

from sciday.core import views

app_name = "core"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("language/<str:code>/", views.language, name="language"),
]

if getattr(settings, "BENCH_HELLO", False):
    urlpatterns += [
        path("bench/hello", views.hello, name="bench_hello"),
        path("bench/rows", views.bench_rows, name="bench_rows"),
    ]
