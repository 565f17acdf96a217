"""Fixtures for resources: the activities' two-province world and a private media root."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from tests.activities.world import World, build_world


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese():
    """Services speak the default language (zh-hans), whatever an earlier test activated."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Local storage in a fresh folder for each test; yields the folder."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return root


@pytest.fixture
def world(db, national) -> World:
    return build_world(national)


def stored_files(root: Path) -> list[str]:
    """Every file under the media root, as paths relative to it."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
