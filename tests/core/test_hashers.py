"""The suite hashes with argon2 (at test-sized cost); production settings use full-cost argon2."""

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password


def test_suite_hashes_with_argon2_and_verifies_production_hashes():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    encoded = make_password("Sciday-2023!")
    assert encoded.startswith("argon2$argon2id$")
    production = Argon2PasswordHasher().encode("Sciday-2023!", "somesaltvalue123")
    assert check_password("Sciday-2023!", production)


def test_production_settings_use_argon2_first():
    import config.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.PASSWORD_HASHERS[0] == "tests.core.hashers.FastArgon2PasswordHasher"
