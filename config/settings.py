"""Socialshop settings: one module, configured by environment variables.

With no variables set the project runs on embedded defaults (SQLite, in-memory channel layer, eager Celery,
local-memory cache, console email) so that `make run` works on a fresh machine. `DATABASE_URL` switches to
PostgreSQL; `REDIS_URL` switches the Celery broker, the channel layer and the cache to Redis. `DJANGO_DEBUG=0`
is production: it refuses to start without a secret key and allowed hosts. See README.md for every setting.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from common.env import email_settings, env_bool, env_float, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent


TESTING = "pytest" in sys.modules or os.environ.get("SOCIALSHOP_TESTING") == "1"
DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
if DEBUG:
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
else:
    if not SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY (50+ characters) is required when DJANGO_DEBUG=0"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG=0")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    # Before the admin, so its translation fields show there (catalogue content in en and zh-hans).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "channels",
    "shop",
    "social",
    "recsys",
    "support",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "common.middleware.RejectNulMiddleware",
    "common.middleware.ContentSecurityPolicyMiddleware",
    "common.middleware.AsyncWhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that its process_exception sees a view's database fault first.
    "common.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "shop.context_processors.shop_navigation",
                "common.edge_cache.csrf_placeholder",
            ],
            # The shared package is no app: its tags for the cached page layout (common/fragments.py).
            "libraries": {"layout": "common.layout_tags"},
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Under ASGI each sync_to_async thread would keep its own persistent connection and exhaust the
    # server's slots, so nothing is kept per thread (CONN_MAX_AGE=0); a psycopg pool per process reuses them.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES and env_bool("DATABASE_POOL", not TESTING):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10),
        "timeout": 10,
    }
    # The pool checks a connection before handing it out and drops one whose backend was terminated, so
    # the request after a database fault succeeds (Django passes ConnectionPool.check_connection).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if TESTING and IS_POSTGRES:
    # One test database per test run, so that several runs on one server never drop each other's database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker, channel layer, cache ----------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Key prefixes keep several deployments (or concurrent test runs) apart on one Redis.
REDIS_PREFIX = os.environ.get("REDIS_PREFIX", f"test{os.getpid()}" if TESTING else "socialshop")
if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to process memory while Redis is down, so pages keep rendering (config/cache.py).
            "BACKEND": "common.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2, "retry_after": 5},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # The async pool's default of 100 connections gave handshake 500s with 100 sockets at once.
                # No read timeout: channels-redis blocks 5 s in BZPOPMIN and redis-py 8's default 5 s timeout
                # failed every idle receive, closing a chat socket with 1013 each time (a longer finite one hung
                # the websocket tests' loop teardown). A stopped Redis still fails at once: it closes the socket.
                "hosts": [{"address": REDIS_URL, "max_connections": 1000, "socket_timeout": None}],
                "capacity": 1500,
                "expiry": 30,
                "prefix": REDIS_PREFIX,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Rate-limit counters while Redis is down (common.ratelimit): in the database, shared by every process, never in
# one process's memory. The table comes from `manage.py createcachetable` (the release step; test databases
# get it automatically).
CACHES["limits"] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "socialshop_limits",
    "KEY_PREFIX": REDIS_PREFIX,
    "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 4},
}

# Anonymous catalogue pages served from each server process's memory (config/edge_cache.py); off while
# developing (DEBUG) so template edits show at once. Seconds 0 turns it off.
EDGE_CACHE_SECONDS = env_float("EDGE_CACHE_SECONDS", 0.0 if DEBUG else 60.0)
EDGE_CACHE_MAX_BYTES = env_int("EDGE_CACHE_MAX_BYTES", 64 * 1024 * 1024)
EDGE_CACHE_VERSION_POLL = env_float("EDGE_CACHE_VERSION_POLL", 1.0)

# --- Celery broker: Redis by default, RabbitMQ with CELERY_BROKER_URL=amqp://guest:guest@host:5672// --------
# Redis stays the cache, channel layer and result store either way. RabbitMQ is the broker to pick when tasks
# must survive broker outages: it hands an unacknowledged task out again as soon as the connection drops, where
# Redis can only do so after the visibility timeout (see common/broker.py and tests/live/test_broker_outage.py).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
BROKER_IS_REDIS = CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
if BROKER_IS_REDIS:
    # kombu's Redis transport with its outage crash fixed (common/broker.py).
    CELERY_BROKER_TRANSPORT = "common.broker:Transport"
# A worker never gives up on its broker (the default gives up after 100 tries) and retries from the start too.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker connection is lost cannot be acknowledged any more. RabbitMQ hands it out
# again at once, so the old run is cancelled rather than run twice. Redis would hand it out only after the
# visibility timeout (hours), so there the old run is left to finish.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = env_bool(
    "CELERY_CANCEL_TASKS_ON_CONNECTION_LOSS", not BROKER_IS_REDIS
)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or "cache+memory://")
# The test suite runs tasks in-process even on Redis; the live tests start a real worker for the broker path.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL or TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# An unacknowledged task (its worker died) is redelivered after this many seconds; keep it above the
# longest task. The live tests lower it so that the killed-worker case finishes in seconds.
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if BROKER_IS_REDIS:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3 * 3600),
        # A half-open connection (Redis failed over, a NAT forgot us) is noticed and replaced in seconds.
        "health_check_interval": 10,
        "socket_timeout": 30,
        "socket_connect_timeout": 5,
        "socket_keepalive": True,
        "retry_on_timeout": True,
        # Look for held messages past their visibility timeout every 10 s, not every 100 s.
        "unacked_restore_throttle": 1,
    }
else:
    # AMQP: a publish returns only once RabbitMQ has the message (publisher confirms); without them a task sent
    # just before the connection drops is written to a dead socket and lost, and the publish retry never runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
    # The broker notices a dead worker by its missed heartbeats and hands its tasks out again.
    CELERY_BROKER_HEARTBEAT = 10
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# The periodic schedule is filled in config/celery.py so that each app's entries sit beside its tasks.
CELERY_BEAT_SCHEDULE: dict = {}

# Sessions are read from the cache on every signed-in request (written through to the database, so a cache
# flush or a Redis outage signs nobody out): one cache read instead of a database query per page.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Auth -----------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "shop:login"
LOGIN_REDIRECT_URL = "shop:home"
LOGOUT_REDIRECT_URL = "shop:home"
# Failed logins allowed per account and per client address inside the window before further tries are refused.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)
# API tokens stop working this long after they were issued (0: only sign-out or a password change ends them).
API_TOKEN_TTL_SECONDS = env_int("API_TOKEN_TTL_SECONDS", 0)

# --- i18n -----------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Catalogue content (categories, products, help articles) has a column per language; an empty translation
# falls back to English, the language every item is written in first.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development WhiteNoise serves straight from the source folders; production serves collectstatic output.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_IMAGE_UPLOAD_BYTES = env_int("MAX_IMAGE_UPLOAD_BYTES", 10 * 1024 * 1024)
# Any request body, refused with 413 before it is read (common/body_limit.py); the proxy's client_max_body_size
# (one 10 MiB picture plus the rest of its form).
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 12 * 1024 * 1024)
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
MAX_IMAGE_SIDE = env_int("MAX_IMAGE_SIDE", 8000)
# Rendition formats, best first (common.pictures); WebP is always made, AVIF when Pillow can encode it.
PICTURE_FORMATS = os.environ.get("PICTURE_FORMATS", "avif,webp")

# --- File storage (issue 18): the embedded default is the local disk; S3 (or MinIO, moto) when configured ---
# `default` holds public media (served at MEDIA_URL by common.media on every node), `private` the files only
# some may read (exports, voice, chat attachments: common.storage.private_file_url). See README.md.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "").strip().lower() or (
    "s3" if os.environ.get("AWS_STORAGE_BUCKET_NAME") else "filesystem"
)
# Private files on the local disk; empty: a `private-media` folder beside MEDIA_ROOT (never under it).
PRIVATE_MEDIA_ROOT = os.environ.get("PRIVATE_MEDIA_ROOT", "")
PRIVATE_MEDIA_URL_SECONDS = env_int("PRIVATE_MEDIA_URL_SECONDS", 300)
MEDIA_CACHE_SECONDS = env_int("MEDIA_CACHE_SECONDS", 365 * 24 * 3600)
MEDIA_PUBLIC_PREFIXES = env_list(
    "MEDIA_PUBLIC_PREFIXES", ["products/", "posts/", "reviews/", "avatars/", "renditions/"]
)
if STORAGE_BACKEND == "s3":
    from botocore.config import Config as _BotoConfig

    AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    # Path-style addressing for MinIO/moto at an endpoint URL; virtual-host style for AWS itself.
    AWS_S3_ADDRESSING_STYLE = os.environ.get("AWS_S3_ADDRESSING_STYLE") or (
        "path" if AWS_S3_ENDPOINT_URL else None
    )
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    # Keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (read by django-storages and boto3) or an
    # instance role. A dead store must answer fast (503), not hold a request for boto's default minute.
    # (A client config replaces django-storages' own, so addressing style and signature go in it too.)
    AWS_S3_CLIENT_CONFIG = _BotoConfig(
        s3={"addressing_style": AWS_S3_ADDRESSING_STYLE} if AWS_S3_ADDRESSING_STYLE else None,
        signature_version=AWS_S3_SIGNATURE_VERSION,
        connect_timeout=env_float("AWS_S3_CONNECT_TIMEOUT", 2.0),
        read_timeout=env_float("AWS_S3_READ_TIMEOUT", 10.0),
        retries={"max_attempts": env_int("AWS_S3_MAX_ATTEMPTS", 2), "mode": "standard"},
    )
    STORAGES["default"] = {"BACKEND": "common.storage.MediaS3Storage"}
    STORAGES["private"] = {"BACKEND": "common.storage.PrivateS3Storage"}
elif STORAGE_BACKEND == "filesystem":
    STORAGES["default"] = {"BACKEND": "common.storage.MediaFileSystemStorage"}
    STORAGES["private"] = {"BACKEND": "common.storage.PrivateFileSystemStorage"}
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be 'filesystem' or 's3'")


# --- Email ----------------------------------------------------------------------------------------------
globals().update(email_settings(os.environ.get("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Socialshop <shop@localhost>")
# Links in emails are absolute: the address shoppers reach the site at, without a trailing slash.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# Transactional mail task: attempts after the first failure, backing off 2^n seconds up to the cap.
EMAIL_MAX_RETRIES = env_int("EMAIL_MAX_RETRIES", 8)
EMAIL_RETRY_BACKOFF_MAX = env_int("EMAIL_RETRY_BACKOFF_MAX", 3600)

# --- REST framework -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "shop.api.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": ["common.api.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
    "DEFAULT_SCHEMA_CLASS": "common.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "post_create": os.environ.get("RATE_POST_CREATE", "30/hour"),
        "comment_create": os.environ.get("RATE_COMMENT_CREATE", "120/hour"),
        "follow": os.environ.get("RATE_FOLLOW", "200/hour"),
        "report": os.environ.get("RATE_REPORT", "30/hour"),
        "question_create": os.environ.get("RATE_QUESTION_CREATE", "10/hour"),
        "answer_create": os.environ.get("RATE_ANSWER_CREATE", "60/hour"),
    },
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Socialshop API",
    "DESCRIPTION": "Catalogue, cart, orders, social graph, recommendations and support.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets whose field names ("status", "kind", "reason") other apps use too.
    "ENUM_NAME_OVERRIDES": {
        "GroupBuyStatusEnum": "social.models.groupbuy.GroupBuy.Status",
        "ModerationActionKindEnum": "social.models.moderation.ModerationAction.Kind",
        "ReportReasonChoiceEnum": "social.models.moderation.Report.Reason",
    },
}

# --- Security -------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = (
    False  # htmx reads the token from the page, not the cookie; kept readable for the JS helper.
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (common.middleware): scripts and styles only from our own static files. The one hash
# is the indicator <style> that the vendored htmx 2.0.11 inserts (static/css/site.css styles the indicator too);
# a new htmx version may need it recomputed (the browser test reports a refused style). Media served from
# another origin (object storage) is allowed for images. DJANGO_CSP replaces the whole policy.
_MEDIA_ORIGIN = "/".join(MEDIA_URL.split("/")[:3]) if MEDIA_URL.startswith("http") else ""
CONTENT_SECURITY_POLICY = os.environ.get(
    "DJANGO_CSP",
    "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk='",
            f"img-src 'self' data: {_MEDIA_ORIGIN}".strip(),
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    ),
)

# --- Operations (issue 18): logs, probes, metrics, the one scheduler ------------------------------------------
# JSON lines in production (LOG_FORMAT=json), text while developing; every line carries the request id
# (X-Request-ID in, or a new one), also in the Celery tasks a request queued (common.observability).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "common.observability.RequestIdLogFilter"}},
    "formatters": {
        "json": {"()": "common.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# Probes first (before host validation and the HTTPS redirect: balancers probe by address over HTTP), then
# request ids and latency around everything else; a dead file store is a 503, an oversized body a 413.
MIDDLEWARE = [
    "common.health.ProbeMiddleware",
    "common.observability.RequestIdMiddleware",
    "common.metrics.MetricsMiddleware",
    *MIDDLEWARE,
    "common.media.UploadFaultsMiddleware",
]
# /metrics (Prometheus text) for these addresses or a bearer token; the proxy refuses it from outside.
METRICS_ENABLED = env_bool("METRICS_ENABLED", True)
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
CELERY_METRICS_PORT = env_int("CELERY_METRICS_PORT", 0)
# Celery's worker keeps Django's logging (JSON, request ids) instead of installing its own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# One scheduler cluster-wide: beat fires only while it holds this Redis lease (common.beat); a standby takes
# over within one lease period. The heartbeat task shows the scheduler is alive (metrics, docs).
CELERY_BEAT_SCHEDULER = os.environ.get("CELERY_BEAT_SCHEDULER", "common.beat.LeaderScheduler")
BEAT_LEASE_SECONDS = env_float("BEAT_LEASE_SECONDS", 30.0)
BEAT_HEARTBEAT_SECONDS = env_float("BEAT_HEARTBEAT_SECONDS", 60.0)

# --- shop -----------------------------------------------------------------------------------------------
SHOP_CURRENCY = os.environ.get("SHOP_CURRENCY", "EUR")
SHOP_MAX_LINE_QUANTITY = env_int("SHOP_MAX_LINE_QUANTITY", 99)
# A product needs this many visible reviews before its "what buyers say" highlights are shown.
REVIEW_HIGHLIGHTS_MIN_REVIEWS = env_int("REVIEW_HIGHLIGHTS_MIN_REVIEWS", 3)
SHOP_RETURN_WINDOW_DAYS = env_int("SHOP_RETURN_WINDOW_DAYS", 30)
# The seller's legal details printed on every invoice.
SHOP_LEGAL_NAME = os.environ.get("SHOP_LEGAL_NAME", "Socialshop GmbH")
SHOP_LEGAL_ADDRESS = os.environ.get("SHOP_LEGAL_ADDRESS", "Musterstraße 1, 10115 Berlin, Germany")
SHOP_VAT_ID = os.environ.get("SHOP_VAT_ID", "DE000000000")
SHOP_REGISTRATION = os.environ.get("SHOP_REGISTRATION", "Amtsgericht Berlin HRB 000000")
SHOP_LEGAL_EMAIL = os.environ.get("SHOP_LEGAL_EMAIL", "billing@localhost")
SHOP_VAT_RATE = env_float("SHOP_VAT_RATE", 19.0)

# --- social ---------------------------------------------------------------------------------------------
SOCIAL_FEED_PAGE_SIZE = env_int("SOCIAL_FEED_PAGE_SIZE", 20)

# --- recsys ---------------------------------------------------------------------------------------------
RECSYS_ARTIFACT_DIR = Path(os.environ.get("RECSYS_ARTIFACT_DIR", BASE_DIR / "var" / "models"))
# Trained models go through this storage alias (content-addressed, verified on load). The embedded default is a
# private local folder; with several hosts, point the alias at the shared object store (or name another alias).
RECSYS_ARTIFACT_STORAGE = os.environ.get("RECSYS_ARTIFACT_STORAGE", "recsys_artifacts")
STORAGES["recsys_artifacts"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(RECSYS_ARTIFACT_DIR)},
}
RECSYS_RETRAIN_EVERY_SECONDS = env_int("RECSYS_RETRAIN_EVERY_SECONDS", 3600)
# The recommender: hyper-parameters handed to recsys.core.TrainingParams, then the pipeline's own knobs.
RECSYS_TRAINING = {
    "no_components": env_int("RECSYS_COMPONENTS", 32),
    "loss": os.environ.get("RECSYS_LOSS", "warp"),
    "learning_rate": env_float("RECSYS_LEARNING_RATE", 0.05),
    "item_alpha": env_float("RECSYS_ITEM_ALPHA", 0.0),
    "user_alpha": env_float("RECSYS_USER_ALPHA", 0.0),
    # WARP negatives tried per positive; more gives sharper top-k (see docs/benchmarks.md, Last.fm).
    "max_sampled": env_int("RECSYS_MAX_SAMPLED", 10),
    "max_epochs": env_int("RECSYS_MAX_EPOCHS", 40),
    # After early stopping: "continue" (best-epoch model, one more epoch on all data), "full" or "none".
    "refit": os.environ.get("RECSYS_REFIT", "continue"),
    "patience": env_int("RECSYS_PATIENCE", 4),
    "seed": env_int("RECSYS_SEED", 42),
    "num_threads": env_int("RECSYS_THREADS", 2),
}
RECSYS_HOLDOUT_FRACTION = env_float("RECSYS_HOLDOUT_FRACTION", 0.2)
# Promote only if P@k beats popularity and is at most this much (relative) below the serving model's.
RECSYS_PROMOTION_METRIC = os.environ.get("RECSYS_PROMOTION_METRIC", "precision")
RECSYS_PROMOTION_TOLERANCE = env_float("RECSYS_PROMOTION_TOLERANCE", 0.02)
# One training at a time: a lease the running training renews every RENEW seconds; a killed one's lease lapses
# within RECSYS_TRAIN_LEASE_SECONDS, so retraining is blocked for about a minute, not for hours.
RECSYS_TRAIN_LEASE_SECONDS = env_int("RECSYS_TRAIN_LEASE_SECONDS", 60)
RECSYS_TRAIN_LEASE_RENEW_SECONDS = env_float("RECSYS_TRAIN_LEASE_RENEW_SECONDS", 15.0)
RECSYS_CHECK_EVERY_SECONDS = env_int("RECSYS_CHECK_EVERY_SECONDS", 300)
RECSYS_RETRAIN_MIN_NEW_INTERACTIONS = env_int("RECSYS_RETRAIN_MIN_NEW_INTERACTIONS", 500)
RECSYS_SCORING_CHUNK_USERS = env_int("RECSYS_SCORING_CHUNK_USERS", 2000)
RECSYS_LIST_LENGTH = env_int("RECSYS_LIST_LENGTH", 30)
RECSYS_TRENDING_HALF_LIFE_DAYS = env_float("RECSYS_TRENDING_HALF_LIFE_DAYS", 7.0)
RECSYS_ON_REQUEST_CACHE_SECONDS = env_int("RECSYS_ON_REQUEST_CACHE_SECONDS", 3600)
RECSYS_ATTRIBUTION_WINDOW_SECONDS = env_int("RECSYS_ATTRIBUTION_WINDOW_SECONDS", 24 * 3600)
RECSYS_ATTRIBUTION_EVERY_SECONDS = env_int("RECSYS_ATTRIBUTION_EVERY_SECONDS", 300)
# How long a "this shopper's follows/categories changed" mark lasts (they are re-scored on request meanwhile).
RECSYS_SIGNALS_TTL_SECONDS = env_int("RECSYS_SIGNALS_TTL_SECONDS", 14 * 24 * 3600)
# Failure drills only: hold each training open this long so a worker can be killed mid-training.
RECSYS_TRAIN_PAUSE_SECONDS = env_float("RECSYS_TRAIN_PAUSE_SECONDS", 0.0)

# --- support --------------------------------------------------------------------------------------------
SUPPORT_MAX_MESSAGE_BYTES = env_int("SUPPORT_MAX_MESSAGE_BYTES", 4096)
SUPPORT_ALLOWED_ORIGINS = env_list("SUPPORT_ALLOWED_ORIGINS", [])
# Chat limits: messages per user per window (error frame beyond), open sockets per user, largest frame accepted.
SUPPORT_RATE_LIMIT_MESSAGES = env_int("SUPPORT_RATE_LIMIT_MESSAGES", 20)
SUPPORT_RATE_LIMIT_WINDOW_SECONDS = env_int("SUPPORT_RATE_LIMIT_WINDOW_SECONDS", 10)
SUPPORT_MAX_SOCKETS_PER_USER = env_int("SUPPORT_MAX_SOCKETS_PER_USER", 10)
SUPPORT_MAX_FRAME_BYTES = env_int("SUPPORT_MAX_FRAME_BYTES", 16384)
# Hand waiting conversations to online moderators round-robin, up to each one's capacity.
SUPPORT_AUTO_ASSIGN = env_bool("SUPPORT_AUTO_ASSIGN", True)
# Assistant retrieval: "tfidf" (default) or "semantic" (needs `pip install -e '.[semantic]'`).
SUPPORT_RETRIEVAL_BACKEND = os.environ.get("SUPPORT_RETRIEVAL_BACKEND", "tfidf")
# Below this retrieval confidence (0..1) the assistant hands the conversation to a person.
SUPPORT_ASSISTANT_MIN_CONFIDENCE = env_float("SUPPORT_ASSISTANT_MIN_CONFIDENCE", 0.2)
# Optional OpenAI-compatible endpoint that rewrites the grounded answer; off while the base URL is empty.
SUPPORT_LLM_BASE_URL = os.environ.get("SUPPORT_LLM_BASE_URL", "")
SUPPORT_LLM_MODEL = os.environ.get("SUPPORT_LLM_MODEL", "")
SUPPORT_LLM_API_KEY = os.environ.get("SUPPORT_LLM_API_KEY", "")
SUPPORT_LLM_TIMEOUT_SECONDS = env_float("SUPPORT_LLM_TIMEOUT_SECONDS", 8.0)
# Voice messages in the chat (support/speech): the speech-to-text backend. "auto" picks the OpenAI-compatible
# endpoint when SPEECH_TO_TEXT_URL is set, else the local pocketsphinx engine when it is installed; "off" (or no
# backend) hides the hold-to-talk button and the upload endpoint answers 404 with a message.
SPEECH_TO_TEXT_BACKEND = os.environ.get("SPEECH_TO_TEXT_BACKEND", "auto")
SPEECH_TO_TEXT_URL = os.environ.get("SPEECH_TO_TEXT_URL", "")
SPEECH_TO_TEXT_API_KEY = os.environ.get("SPEECH_TO_TEXT_API_KEY", "")
SPEECH_TO_TEXT_MODEL = os.environ.get("SPEECH_TO_TEXT_MODEL", "whisper-1")
SPEECH_TO_TEXT_TIMEOUT_SECONDS = env_float("SPEECH_TO_TEXT_TIMEOUT_SECONDS", 30.0)
# Transcription retries after a backend timeout or outage (backoff 2, 4, 8 ... s); then a labelled failure.
SPEECH_TO_TEXT_MAX_RETRIES = env_int("SPEECH_TO_TEXT_MAX_RETRIES", 3)
# PocketSphinx's language model: empty = its general English one; a path = an ARPA (or binary) model, such as
# the shop's own vocabulary written by `manage.py speech_language_model` (measured in bench/speech_wer.py).
SPEECH_TO_TEXT_POCKETSPHINX_LM = os.environ.get("SPEECH_TO_TEXT_POCKETSPHINX_LM", "")
SUPPORT_VOICE_MAX_BYTES = env_int("SUPPORT_VOICE_MAX_BYTES", 2 * 1024 * 1024)
SUPPORT_VOICE_MAX_SECONDS = env_float("SUPPORT_VOICE_MAX_SECONDS", 60.0)

AUTH_USER_MODEL = "shop.User"
