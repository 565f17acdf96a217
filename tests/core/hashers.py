"""Argon2 with test-sized cost: the same algorithm and encoding, about 100 times faster.

Production hashing (Django's Argon2PasswordHasher defaults) costs about 0.4 s per hash on the
CI machine, and nearly every test makes a user. The suite uses this hasher first (see
tests/conftest.py); hashes still read `argon2$argon2id$...` and verify like real ones.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024  # KiB
    parallelism = 1
