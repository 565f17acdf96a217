"""Pages for signing in and managing one's account."""

from __future__ import annotations

from django.http import HttpResponse


def lockout_response(request, credentials=None, *args, **kwargs) -> HttpResponse:
    from django.shortcuts import render

    return render(request, "accounts/locked.html", status=429)
