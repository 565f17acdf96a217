"""The browser setup works: Chromium reaches the live server, axe-core runs on a public page."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import axe_violations, screenshots

pytestmark = pytest.mark.e2e


def test_health_check_in_the_browser(page):
    response = page.goto("/healthz")
    assert response is not None and response.status == 200
    body = json.loads(page.inner_text("body"))
    assert body["status"] == "ok"


@pytest.mark.parametrize(
    "path", ["/", "/notice/", "/notice/2023/", "/accounts/login/", "/accounts/password/reset/"]
)
def test_public_page_has_no_serious_accessibility_violation(page, path):
    response = page.goto(path)
    assert response is not None and response.status == 200
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)
    assert page.js_errors == []


def test_screenshots_at_desktop_and_phone_width(page):
    page.goto("/notice/")
    paths = screenshots(page, "smoke-notice")
    assert [p.name for p in paths] == ["smoke-notice-desktop.png", "smoke-notice-phone.png"]
    assert all(p.stat().st_size > 1000 for p in paths)
