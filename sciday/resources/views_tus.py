"""The tus 1.0.0 endpoint, /uploads/tus/: HTTP in and out around `sciday.resources.tus`.

Who calls: the signed-in browser session (unsafe methods carry the CSRF token in `X-CSRFToken`;
like the pages, a pending second factor or an expired password is refused) or a personal API
token (`Authorization: Bearer sd_...`, judged exactly as the API judges it: `TokenAuth`, so a
person who needs a second factor keeps a confirmed device). A request bringing a token is judged
by its token alone and needs no CSRF token.

Every answer carries `Tus-Resumable: 1.0.0`; a refusal's body is JSON like the API's
(`{"detail": message, "code": ..., "field": null}`), the message in the request's language.
`X-HTTP-Method-Override` is honoured on POST (for clients behind proxies without PATCH).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from sciday.accounts.middleware import needs_second_factor, password_expired
from sciday.api.auth import token_auth
from sciday.resources import tus

OFFSET_TYPE = "application/offset+octet-stream"


def _answer(status: int, headers: dict[str, Any] | None = None) -> HttpResponse:
    response = HttpResponse(status=status)
    for key, value in (headers or {}).items():
        response[key] = str(value)
    response["Tus-Resumable"] = tus.VERSION
    response["Cache-Control"] = "no-store"
    return response


def _refuse(status: int, message: str, code: str) -> HttpResponse:
    response = JsonResponse({"detail": message, "code": code, "field": None}, status=status)
    response["Tus-Resumable"] = tus.VERSION
    response["Tus-Version"] = tus.VERSION
    response["Cache-Control"] = "no-store"
    return response


def _options() -> HttpResponse:
    return _answer(
        204,
        {
            "Tus-Version": tus.VERSION,
            "Tus-Extension": tus.EXTENSIONS,
            "Tus-Max-Size": tus.max_size(),
        },
    )


def _caller(request: HttpRequest):
    """Return the person calling, or raise TusError (401, 403 for a missing CSRF token)."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _sep, secret = header.partition(" ")
        user = token_auth.authenticate(request, secret) if scheme.lower() == "bearer" else None
        if user is None:
            raise tus.TusError(401, _("The API token is not valid."), "unauthorized")
        return user
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise tus.TusError(
            401,
            _("Sign in or send a personal API token: Authorization: Bearer sd_…"),
            "unauthorized",
        )
    if needs_second_factor(user, request.session) or password_expired(user):
        raise tus.TusError(
            401, _("Finish signing in (second factor or password change) first."), "unauthorized"
        )
    checker = CsrfViewMiddleware(lambda r: HttpResponse())
    request.csrf_processing_done = False  # type: ignore[attr-defined]
    checker.process_request(request)
    if checker.process_view(request, lambda r: HttpResponse(), (), {}) is not None:
        raise tus.TusError(
            403,
            _("The page's security token (CSRF) is missing or wrong: reload the page."),
            "csrf",
        )
    return user


def _method(request: HttpRequest) -> str:
    method = request.method or "GET"
    override = request.headers.get("X-HTTP-Method-Override", "").upper()
    if method == "POST" and override in {"PATCH", "DELETE", "HEAD"}:
        return override
    return method


def _check_version(request: HttpRequest) -> None:
    if request.headers.get("Tus-Resumable") != tus.VERSION:
        raise tus.TusError(
            412, _("This server speaks tus %(version)s only.") % {"version": tus.VERSION}, "version"
        )


@csrf_exempt
def collection(request: HttpRequest) -> HttpResponse:
    """OPTIONS: what the server offers. POST: create an upload (the creation extension)."""
    method = _method(request)
    if method == "OPTIONS":
        return _options()
    if method != "POST":
        return _refuse(405, _("Use POST to start an upload."), "method")
    try:
        _check_version(request)
        user = _caller(request)
        if request.headers.get("Upload-Defer-Length"):
            raise tus.TusError(400, _("The upload's length must be given at once."), "defer")
        length = tus.parse_length(request.headers.get("Upload-Length"))
        metadata = tus.parse_metadata(request.headers.get("Upload-Metadata"))
        upload = tus.upload_create(actor=user, length=length, metadata=metadata)
    except tus.TusError as error:
        return _refuse(error.status, error.message, error.code)
    location = request.build_absolute_uri(reverse("resource_tus:upload", args=[upload.pk]))
    return _answer(
        201,
        {"Location": location, "Upload-Offset": 0, "Upload-Expires": tus.expires_header(upload)},
    )


@csrf_exempt
def upload(request: HttpRequest, upload_id: str) -> HttpResponse:
    """HEAD: the offset reached. PATCH: append bytes. DELETE: terminate. OPTIONS: capabilities."""
    method = _method(request)
    if method == "OPTIONS":
        return _options()
    if method not in {"HEAD", "PATCH", "DELETE"}:
        return _refuse(405, _("Use HEAD, PATCH or DELETE on an upload."), "method")
    try:
        _check_version(request)
        user = _caller(request)
        item = tus.upload_get(actor=user, upload_id=upload_id)
        if method == "HEAD":
            return _answer(
                200,
                {
                    "Upload-Offset": item.offset,
                    "Upload-Length": item.length,
                    "Upload-Expires": tus.expires_header(item),
                },
            )
        if method == "DELETE":
            tus.upload_terminate(upload=item)
            return _answer(204)
        if request.content_type != OFFSET_TYPE:
            raise tus.TusError(
                415, _("Send the bytes as %(type)s.") % {"type": OFFSET_TYPE}, "content_type"
            )
        offset = tus.parse_offset(request.headers.get("Upload-Offset"))
        raw_length = request.META.get("CONTENT_LENGTH") or ""
        content_length = int(raw_length) if raw_length.isdigit() else None
        item = tus.upload_append(
            upload=item, offset=offset, body=request, content_length=content_length
        )
    except tus.TusError as error:
        return _refuse(error.status, error.message, error.code)
    return _answer(204, {"Upload-Offset": item.offset, "Upload-Expires": tus.expires_header(item)})
