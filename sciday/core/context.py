"""Request facts that services record in the audit log without being handed the request."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestFacts:
    ip: str | None = None
    user_agent: str = ""


# RequestFacts is frozen, so sharing one default instance is safe.
_current: ContextVar[RequestFacts] = ContextVar(
    "sciday_request_facts",
    default=RequestFacts(),  # noqa: B039
)


def current_request_facts() -> RequestFacts:
    return _current.get()


def client_ip(request) -> str | None:
    """Return the client address; behind N trusted proxies, the Nth address from the right."""
    from django.conf import settings

    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


class RequestFactsMiddleware:
    """Keep the client address and agent of the current request for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(
            RequestFacts(
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
