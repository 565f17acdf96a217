# ruff: noqa: F811  (pytest fixtures imported from test_activities_api are used as arguments)
"""Descriptions through the API: hostile HTML is sanitized on create and PATCH, read back clean."""

from __future__ import annotations

import pytest

from tests.api.test_activities_api import aworld, call, payload  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_api_sanitizes_body_on_create_and_patch(call, aworld):
    hostile = (
        '<p onclick="steal()">简介<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)><style>p{}</style>'
    )
    created = call("lead_editor", "post", "/activities", payload(aworld, body=hostile))
    assert created.status_code == 201, created.content
    body = created.json()["body"]
    assert body == '<p>简介</p><p><a rel="noopener noreferrer nofollow">x</a></p>'
    pk = created.json()["id"]
    patched = call("lead_editor", "patch", f"/activities/{pk}", {"body": "第一段\n\n第二段"})
    assert patched.status_code == 200
    assert patched.json()["body"] == "<p>第一段</p><p>第二段</p>"
    assert call("lead_editor", "get", f"/activities/{pk}").json()["body"] == (
        "<p>第一段</p><p>第二段</p>"
    )
