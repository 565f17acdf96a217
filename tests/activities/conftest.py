import pytest

from tests.activities.world import world  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """These tests create a dozen people each and test no hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
