"""Settings come from the environment; each integration switches on by its variable alone.

Each case loads the settings in a fresh interpreter with a controlled environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

ROOT = Path(django_settings.BASE_DIR)
INTEGRATION_VARS = ("DATABASE_URL", "REDIS_URL", "S3_BUCKET", "SMTP_HOST", "SECRET_KEY", "DEBUG")

PROBE = """
import json, django
from django.conf import settings as s
django.setup()
db = s.DATABASES["default"]
print(json.dumps({
    "db_engine": db["ENGINE"], "db_name": str(db["NAME"]), "db_options": db.get("OPTIONS", {}),
    "conn_max_age": db.get("CONN_MAX_AGE"),
    "cache": s.CACHES["default"]["BACKEND"], "session": s.SESSION_ENGINE,
    "tasks": s.TASKS["default"]["BACKEND"], "storage": s.STORAGES["default"]["BACKEND"],
    "storage_options": {k: v for k, v in s.STORAGES["default"].get("OPTIONS", {}).items()
                        if k != "transfer_config"},
    "s3_part_bytes": s.S3_TRANSFER.multipart_chunksize,
    "s3_parts_in_memory": s.S3_TRANSFER.max_in_memory_upload_chunks,
    "mailer": s.MAILERS["default"]["BACKEND"],
    "mailer_options": {k: v for k, v in s.MAILERS["default"].get("OPTIONS", {}).items()
                       if k != "password"},
    "secret_key": s.SECRET_KEY, "debug": s.DEBUG, "tz": s.TIME_ZONE,
    "languages": [code for code, _ in s.LANGUAGES], "language": s.LANGUAGE_CODE,
    "allowed_hosts": s.ALLOWED_HOSTS, "media_root": str(s.MEDIA_ROOT),
    "rq_job_class": getattr(s, "RQ", {}).get("JOB_CLASS"),
    "apps": s.INSTALLED_APPS,
}))
"""


def load_settings(tmp_path: Path, **overrides: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in INTEGRATION_VARS}
    # An empty value hides whatever a developer's .env file says.
    env.update({name: "" for name in INTEGRATION_VARS if name != "DATABASE_URL"})
    env.update(
        SCIDAY_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONWARNINGS="ignore::DeprecationWarning",
    )
    env.update(overrides)
    if "DATABASE_URL" not in overrides:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'var' / 'sciday.sqlite3'}"
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> dict:
    return load_settings(tmp_path_factory.mktemp("embedded"))


@pytest.fixture(scope="module")
def scale_out(tmp_path_factory) -> dict:
    return load_settings(
        tmp_path_factory.mktemp("scale_out"),
        DATABASE_URL="postgres://app:pw@db.internal:5432/sciday",
        REDIS_URL="redis://cache.internal:6379/0",
        S3_BUCKET="sciday-media",
        S3_ENDPOINT_URL="https://s3.example.cn",
        S3_ACCESS_KEY_ID="AKIA",
        S3_SECRET_ACCESS_KEY="secret",
        SMTP_HOST="smtp.example.cn",
        SMTP_PORT="465",
        SMTP_SSL="true",
        SECRET_KEY="from-the-environment",
        ALLOWED_HOSTS="sciday.example.cn,www.sciday.example.cn",
    )


def test_embedded_defaults(embedded, tmp_path_factory):
    assert embedded["db_engine"] == "django.db.backends.sqlite3"
    assert embedded["db_name"].endswith("sciday.sqlite3")
    assert "journal_mode=WAL" in embedded["db_options"]["init_command"]
    assert embedded["cache"].endswith("FileBasedCache")
    assert embedded["session"] == "django.contrib.sessions.backends.db"
    assert embedded["tasks"] == "django_tasks_db.DatabaseBackend"
    assert embedded["storage"] == "django.core.files.storage.FileSystemStorage"
    assert embedded["media_root"].endswith("/var/media")
    assert embedded["mailer"] == "django.core.mail.backends.filebased.EmailBackend"
    assert embedded["debug"] is False
    assert embedded["tz"] == "Asia/Shanghai"
    assert embedded["language"] == "zh-hans"
    assert embedded["languages"] == ["zh-hans", "en"]
    assert "127.0.0.1" in embedded["allowed_hosts"]


def test_embedded_secret_key_is_generated_once_and_kept(tmp_path):
    first = load_settings(tmp_path)
    second = load_settings(tmp_path)
    key_file = tmp_path / "var" / "secret_key"
    assert len(first["secret_key"]) >= 50
    assert first["secret_key"] == second["secret_key"] == key_file.read_text().strip()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_scale_out_switches_on_by_variables_alone(scale_out):
    assert scale_out["db_engine"] == "django.db.backends.postgresql"
    assert scale_out["conn_max_age"] == 60
    assert scale_out["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert scale_out["session"] == "django.contrib.sessions.backends.cache"
    assert scale_out["tasks"] == "django_tasks_rq.RQBackend"
    assert scale_out["rq_job_class"] == "django_tasks_rq.backend.Job"
    assert "django_rq" in scale_out["apps"]
    assert scale_out["storage"] == "storages.backends.s3.S3Storage"
    assert scale_out["storage_options"]["bucket_name"] == "sciday-media"
    assert scale_out["storage_options"]["endpoint_url"] == "https://s3.example.cn"
    assert scale_out["storage_options"]["signature_version"] == "s3v4"
    assert (scale_out["s3_part_bytes"], scale_out["s3_parts_in_memory"]) == (8 * 1024 * 1024, 2)
    assert scale_out["mailer"] == "django.core.mail.backends.smtp.EmailBackend"
    assert scale_out["mailer_options"]["host"] == "smtp.example.cn"
    assert scale_out["mailer_options"]["port"] == 465
    assert scale_out["mailer_options"]["use_ssl"] is True
    assert scale_out["secret_key"] == "from-the-environment"
    assert scale_out["allowed_hosts"] == ["sciday.example.cn", "www.sciday.example.cn"]


def test_every_variable_read_is_documented():
    """Each env.<type>("NAME") in settings appears in .env.example and docs/CONFIGURATION.md."""
    import re

    source = (ROOT / "config" / "settings.py").read_text()
    names = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z0-9_]+)\"", source))
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= names
    example = (ROOT / ".env.example").read_text()
    reference = (ROOT / "docs" / "CONFIGURATION.md").read_text()
    assert sorted(n for n in names if n not in example) == []
    assert sorted(n for n in names if f"`{n}`" not in reference) == []


def test_production_settings_pass_the_deployment_checks(tmp_path):
    """`check --deploy` finds nothing with the variables deploy/README.md asks for."""
    env = {k: v for k, v in os.environ.items() if k not in INTEGRATION_VARS}
    env.update(
        SCIDAY_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECRET_KEY="x" * 20 + "-a-long-random-production-secret-" + "y" * 20,
        ALLOWED_HOSTS="sciday.example.cn",
        SMTP_HOST="smtp.example.cn",
        SECURE_SSL_REDIRECT="true",
        SECURE_COOKIES="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        PYTHONWARNINGS="ignore::DeprecationWarning",
    )
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
