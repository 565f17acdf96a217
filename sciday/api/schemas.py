"""Shapes shared by every endpoint: errors and pages."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Every error answer has this shape."""

    detail: str
    code: str
    field: str | None = None


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(ErrorOut):
    """422: the request did not match the schema; `errors` lists each problem."""

    errors: list[FieldErrorOut] = []


def errors(*codes: int) -> dict[int, Any]:
    """Document the error answers an endpoint may give, for the OpenAPI schema."""
    out: dict[int, Any] = {401: ErrorOut, 422: ValidationErrorOut}
    for code in codes:
        out[code] = ErrorOut
    return out


def paginate(qs, page: int, page_size: int) -> tuple[int, list]:
    """Return (count, rows of the page) in two queries."""
    count = qs.count()
    start = (page - 1) * page_size
    return count, list(qs[start : start + page_size])
