"""Fixtures and test-wide defaults shared by every test package.

Defaults for every test: e-mail goes to Django's in-memory outbox (`mail.outbox`), background
tasks run immediately in the same process (so an invitation's e-mail is in the outbox when the
service returns), passwords are hashed with argon2 at test-sized cost, and the cache is emptied
after each test.

The audit log's append-only triggers refuse the DELETE/TRUNCATE that a transactional test's
teardown flush issues; `_lift_append_only_for_flush` removes them around that flush only. That
flush also empties what migrations seed (regions, national structure, the 2023 campaign): a
transactional test should use `django_db(transaction=True, serialized_rollback=True)` so the
seed is restored for the tests after it (the e2e `page` fixture does this).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connections
from django.test import TransactionTestCase, override_settings
from django.utils import translation

from tests.factories import PASSWORD

TEST_CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Argon2 still, at test-sized cost (see tests/core/hashers.py); production hashes still verify.
TEST_HASHERS = [
    "tests.core.hashers.FastArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Codes of the two national departments seeded by migration orgs.0003.
NATIONAL_CODES = ("cast-publicity", "most-talent")


def _lift_append_only_for_flush() -> None:
    """Patch TransactionTestCase so its teardown flush runs with the audit triggers lifted."""
    if getattr(TransactionTestCase, "_sciday_patched", False):
        return
    from sciday.core import append_only

    original = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        aliases = [a for a in connections if a in self._databases_names(include_mirrors=False)]
        for alias in aliases:
            append_only.remove(connections[alias])
        try:
            original(self)
        finally:
            for alias in aliases:
                append_only.install(connections[alias])

    TransactionTestCase._fixture_teardown = _fixture_teardown
    TransactionTestCase._sciday_patched = True


@pytest.fixture(scope="session", autouse=True)
def _test_defaults(django_test_environment) -> Iterator[None]:
    _lift_append_only_for_flush()
    # Django's test environment already points every mailer (MAILERS) at the locmem outbox.
    # Each test process keeps its own cache in memory (the embedded file cache would be shared
    # between xdist workers, and one worker's clear() would empty another's).
    # Anonymous page caching is off by default (a test that publishes, then reads a page it
    # read before, wants the live page); test_pagecache.py and the browser journeys turn it on.
    with override_settings(
        TASKS=IMMEDIATE_TASKS,
        PASSWORD_HASHERS=TEST_HASHERS,
        CACHES=TEST_CACHES,
        PUBLIC_PAGE_CACHE_SECONDS=0,
    ):
        yield


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language (Chinese), whatever the previous one activated.

    A request through the test client can leave another language active in the worker thread,
    and a service-level test that follows would then see English messages.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def password() -> str:
    """The password every factory-made user has."""
    return PASSWORD


@pytest.fixture
def outbox() -> list:
    """The e-mails sent during the test (Django's locmem outbox), emptied first."""
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def national(db) -> dict:
    """The seeded national departments by code; created here when the seed migration is absent."""
    from sciday.orgs.models import Unit, UnitKind

    units = {u.code: u for u in Unit.objects.filter(code__in=NATIONAL_CODES)}
    names = {"cast-publicity": "中国科协宣传文化部", "most-talent": "科技部人才与科普司"}
    for code in NATIONAL_CODES:
        if code not in units:
            units[code] = Unit.objects.add_root(
                instance=Unit(name=names[code], code=code, kind=UnitKind.NATIONAL_DEPARTMENT)
            )
    return units


@pytest.fixture
def login(client, password):
    """Sign `user` in (no second-factor or password-age step is skipped); return the client."""

    def _login(user, *, client=client):
        client.force_login(user, backend="sciday.accounts.backends.EmailOrPhoneBackend")
        return client

    return _login


# --- A real SMTP server (aiosmtpd) for tests marked `smtp` ---------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Recorder:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):  # the name aiosmtpd calls
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "data": envelope.content.decode("utf-8", "replace"),
            }
        )
        return "250 OK"


@pytest.fixture
def smtp_server(settings) -> Iterator[_Recorder]:
    """Start an SMTP server on 127.0.0.1 and point Django's SMTP backend at it.

    Yields the recorder; `recorder.messages` lists what the server received.
    """
    from aiosmtpd.controller import Controller

    recorder = _Recorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        yield recorder
    finally:
        controller.stop()


# --- A real Redis server (started by scripts/test.sh) --------------------------------------


@pytest.fixture
def redis_url() -> str:
    """URL of the private Redis server for this test run; the test is skipped without one."""
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (make test starts a private Redis server)")
    return url
