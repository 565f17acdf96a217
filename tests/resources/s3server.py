"""An S3-compatible server for the tests: moto's S3 in its own process on 127.0.0.1.

Run as a script (`python tests/resources/s3server.py`): it binds a free port, prints
`PORT <n>` on one line and serves until it is terminated. A process of its own, so the memory
the server uses to answer never counts in a test's `tracemalloc` figures.

moto accepts any signature. Real S3 refuses a presigned link that has expired or was altered,
and the application's private links depend on that: in front of moto, a request signed in its
query string (`X-Amz-Signature`, no `Authorization` header) is checked as S3 does (AWS
Signature Version 4, `X-Amz-Expires`) with the secret of `S3_TEST_ACCESS_KEY`, and refused
with S3's 403 `AccessDenied` otherwise. Requests signed in their headers (boto3's) pass as in
moto.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import sys
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

ACCESS_KEY = os.environ.get("S3_TEST_ACCESS_KEY", "sciday")
SECRET_KEY = os.environ.get("S3_TEST_SECRET_KEY", "sciday-secret")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def presigned_problem(environ: dict, *, now: datetime | None = None) -> str:
    """Return why a query-signed request is refused, or '' when its signature holds."""
    query = environ.get("QUERY_STRING", "")
    params = dict(parse_qsl(query, keep_blank_values=True))
    try:
        signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        expires = int(params["X-Amz-Expires"])
        access_key, day, region, service, _ = params["X-Amz-Credential"].split("/")
        signed_headers = params["X-Amz-SignedHeaders"].split(";")
        signature = params["X-Amz-Signature"]
    except (KeyError, ValueError):
        return "Query-string authentication requires the X-Amz-* parameters."
    if (now or datetime.now(UTC)) > signed_at + timedelta(seconds=expires):
        return "Request has expired"
    if access_key != ACCESS_KEY:
        return "The AWS Access Key Id you provided does not exist in our records."
    # As botocore builds it: the encoded pairs as sent, sorted, without the signature.
    pairs = [p.partition("=") for p in query.split("&") if p]
    canonical_query = "&".join(f"{k}={v}" for k, _, v in sorted(pairs) if k != "X-Amz-Signature")
    path = (environ.get("RAW_URI") or environ.get("PATH_INFO", "/")).split("?", 1)[0]
    headers = "".join(
        f"{h}:{environ.get('HTTP_' + h.upper().replace('-', '_'), '').strip()}\n"
        for h in signed_headers
    )
    canonical = "\n".join(
        [
            environ["REQUEST_METHOD"],
            path,
            canonical_query,
            headers,
            ";".join(signed_headers),
            "UNSIGNED-PAYLOAD",
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            params["X-Amz-Date"],
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = ("AWS4" + SECRET_KEY).encode()
    for part in (day, region, service, "aws4_request"):
        key = _hmac(key, part)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "The request signature we calculated does not match the signature you provided."
    return ""


def checking(app):
    """Wrap a WSGI app: query-signed requests must carry a valid, unexpired signature."""

    def wrapped(environ, start_response):
        if "X-Amz-Signature=" in environ.get("QUERY_STRING", "") and not environ.get(
            "HTTP_AUTHORIZATION"
        ):
            problem = presigned_problem(environ)
            if problem:
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                    f"<Message>{problem}</Message></Error>"
                ).encode()
                start_response(
                    "403 Forbidden",
                    [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
                )
                return [body]
        return app(environ, start_response)

    return wrapped


def main() -> None:
    from moto.moto_server.threaded_moto_server import MotoRequestHandler
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    app = checking(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"PORT {server.server_address[1]}", flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
