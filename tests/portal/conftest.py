import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sciday.activities.models import Status
from sciday.resources import services as resource_services
from sciday.resources.models import Kind, Resource
from tests.activities.world import World, world  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Banners go to a private folder per test (local storage)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def published_activity(w: World, title: str = "科学家精神报告会", **overrides):
    return w.activity("own", Status.PUBLISHED, title=title, **overrides)


def published_article(w: World, title: str = "科普日回顾", unit_key: str = "lead") -> Resource:
    admin = w.people["campaign_admin"]
    resource = resource_services.resource_create(
        actor=admin,
        unit=w.unit(unit_key),
        campaign=w.campaign,
        kind=Kind.ARTICLE,
        title=title,
        attribution="南京市科协",
        body="<p>一篇文章</p>",
    )
    resource = resource_services.resource_submit(actor=admin, resource=resource)
    return resource_services.resource_approve(actor=admin, resource=resource)


def picture(name: str = "banner.png", size=(1200, 400), fmt: str = "PNG") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 30, 30)).save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue())


@pytest.fixture
def login(client):
    """Sign `user` in with a verified TOTP device (national roles must have one)."""
    from tests.campaigns.conftest import sign_in

    def _login(user, *, client=client):
        return sign_in(client, user)

    return _login
