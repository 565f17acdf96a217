import pytest

from tests.orgs.world import api_as, web_as, world  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Argon2 is deliberately slow; these tests create a dozen people each and test no hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
