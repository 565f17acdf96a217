"""The showcase's public pages in real Chromium: axe-clean at phone width, in both languages.

The demo showcase (published profiles, a running 公示) is loaded through the services.
"""

from __future__ import annotations

import json

import pytest

from sciday.accounts.models import Role
from sciday.core.demo_showcase import load_demo_showcase
from sciday.showcase.models import Nomination, PublicNotice
from tests.activities.world import build_world
from tests.e2e.conftest import axe_violations, screenshots
from tests.factories import make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def showcase(page, national, settings, tmp_path):
    """Depends on `page` so that the seed data is restored (serialized rollback) first."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    world = build_world(national)
    expert = make_member(world.unit("cast"), Role.EXPERT, name="评审专家")
    load_demo_showcase(
        campaign_admin=world.people["campaign_admin"],
        unit_admin=world.people["lead_admin"],
        expert=expert,
        log=lambda *_: None,
    )
    return world


def test_profiles_and_the_notice_are_axe_clean(page, live_server, showcase):
    chen = Nomination.objects.get(name="陈静")
    running = PublicNotice.objects.filter(published_at__isnull=True).get()
    page.set_viewport_size({"width": 375, "height": 900})
    for path, text in [
        ("/showcase/", "陈静"),
        (f"/showcase/{chen.pk}/", "出海一千余天"),
        (f"/showcase/notice/{running.pk}/", "提出异议"),
    ]:
        page.goto(live_server.url + path)
        assert text in page.inner_text("main")
        violations = axe_violations(page)
        assert violations == [], json.dumps(violations, ensure_ascii=False, indent=2)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, path
    screenshots(page, "showcase-profile")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/showcase/{chen.pk}/")
    assert "Chen Jing" in page.inner_text("main")
    assert axe_violations(page) == []
