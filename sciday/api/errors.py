"""One place that turns exceptions into API answers, in the request's language.

The shape is always `{"detail": message, "code": machine code, "field": field or null}`; a 422
adds `errors`, one per problem. Messages follow Accept-Language (zh-hans by default).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sciday.api.auth import CsrfFailed
from sciday.core.errors import DomainError


def _answer(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, code: str, **extra
) -> HttpResponse:
    body = {"detail": str(detail), "code": code, "field": extra.pop("field", None), **extra}
    return api.create_response(request, body, status=status)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return _answer(api, request, exc.status, str(exc.message), exc.code, field=exc.field)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _answer(api, request, 404, _("Not found."), "not_found")

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request, exc):
        return _answer(
            api,
            request,
            401,
            _("Sign in or send a personal API token: Authorization: Bearer sd_…"),
            "not_authenticated",
        )

    @api.exception_handler(CsrfFailed)
    def csrf_failed(request, exc):
        return _answer(
            api, request, 403, _("The CSRF token is missing or not valid."), "csrf_failed"
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return _answer(api, request, exc.status_code, str(exc), "http_error")

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        problems = [
            {
                "loc": [str(p) if not isinstance(p, int) else p for p in err.get("loc", [])],
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
            for err in exc.errors
        ]
        first = problems[0]["loc"][-1] if problems and problems[0]["loc"] else None
        return _answer(
            api,
            request,
            422,
            _("The request is not valid: check the fields listed in errors."),
            "validation_error",
            field=str(first) if first is not None else None,
            errors=problems,
        )
