"""TEMPORARY during parallel construction: replaced by each app's real views before landing."""

from django.http import HttpResponse


def pending(request, *args, **kwargs):
    return HttpResponse("pending", content_type="text/plain")
