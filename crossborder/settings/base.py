"""Settings shared by every environment, read from the environment with django-environ.

Every variable is documented in README.md (Configuration). Local and test settings fill
DATABASE_URL / REDIS_URL with embedded servers when they are unset; production requires them.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DJANGO_DEBUG=(bool, False),
    DJANGO_ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    DJANGO_CSRF_TRUSTED_ORIGINS=(list, []),
    CROSSBORDER_LLM_MODEL=(str, ""),
    OPENAI_BASE_URL=(str, ""),
    OPENAI_API_KEY=(str, ""),
    CROSSBORDER_HEALTH_WORKER_TIMEOUT=(float, 1.0),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-insecure-secret-key-change-me")
DEBUG = env("DJANGO_DEBUG")
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "apps.core",
    "apps.accounts",
    "apps.catalog",
    "apps.orders",
    "apps.review",
    "apps.ai",
    "apps.integrations",
    "apps.pricing",
    "apps.ads",
    "apps.support",
    "apps.logistics",
    "apps.analytics",
]

MIDDLEWARE = [
    # First: every response (errors of later middleware included) carries X-Request-ID.
    "apps.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.accounts.middleware.ActiveOrganizationMiddleware",
]

ROOT_URLCONF = "crossborder.urls"
WSGI_APPLICATION = "crossborder.wsgi.application"
ASGI_APPLICATION = "crossborder.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.organization",
                "apps.integrations.context_processors.webhook_notice",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]


def database_from_env(url: str) -> dict:
    """Parse DATABASE_URL; a percent-encoded host is a Unix-socket directory (pgserver)."""
    config = env.db_url_config(url)
    config["HOST"] = unquote(config.get("HOST") or "")
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    return config


def configure_services(database_url: str, redis_url: str) -> dict:
    """Settings that depend on the two service URLs, so local/test can fill them late."""
    return {
        "DATABASES": {"default": database_from_env(database_url)},
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "cb",
            }
        },
    }


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:overview"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("CROSSBORDER_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.permissions.HasActiveOrganization"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.CursorPagination",
    # Per API key, one atomic Redis counter per window (apps/core/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.throttling.ApiKeyRateThrottle"],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_METADATA_CLASS": "apps.core.metadata.ApiMetadata",
    # JSON bodies bounded in depth, free of NUL characters and of infinite numbers (400s).
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per API key and window ("<n>/s|min|hour"); a key may set its own per-minute limit.
API_RATE_LIMIT = env("CROSSBORDER_API_RATE_LIMIT", default="1200/min")
# Seconds an authenticated API key is reused in a process without reading it again: a
# revocation made elsewhere takes effect within this bound (at once in the process that made
# it). 0: read the key on every request.
API_KEY_CACHE_SECONDS = env.float("CROSSBORDER_API_KEY_CACHE_SECONDS", default=5.0)
# True: a write of one object without If-Match is 428 (apps/core/conditional.py). Off by
# default so clients that do not track ETags keep working; `version` still guards each update.
API_REQUIRE_IF_MATCH = env.bool("CROSSBORDER_API_REQUIRE_IF_MATCH", default=False)
# How long a stored Idempotency-Key response is replayed (hours, at least 24).
IDEMPOTENCY_TTL_HOURS = env.int("CROSSBORDER_IDEMPOTENCY_TTL_HOURS", default=24)
# Webhooks (apps/integrations/webhooks.py): targets in private, loopback, link-local or other
# internal ranges are refused unless a CIDR here allows them (e.g. "10.0.0.0/8" for an ERP on
# the company network). Deliveries are retried with exponential backoff for this long.
WEBHOOK_ALLOWED_NETWORKS = env.list("CROSSBORDER_WEBHOOK_ALLOWED_NETWORKS", default=[])
WEBHOOK_RETRY_HOURS = env.int("CROSSBORDER_WEBHOOK_RETRY_HOURS", default=24)
WEBHOOK_TIMEOUT_SECONDS = env.float("CROSSBORDER_WEBHOOK_TIMEOUT", default=10.0)
# A subscription whose deliveries fail this many times in a row is disabled (dashboard notice).
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("CROSSBORDER_WEBHOOK_DISABLE_AFTER", default=50)
# After a secret rotation the previous secret still signs (second signature) for this long.
WEBHOOK_SECRET_OVERLAP_HOURS = env.int("CROSSBORDER_WEBHOOK_SECRET_OVERLAP_HOURS", default=24)
# Bulk API calls take up to 10,000 rows (about 3 MB of JSON); beyond this a 413 problem.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SPECTACULAR_SETTINGS = {
    "TITLE": "crossborder API",
    "DESCRIPTION": (
        "REST API for ERP integration. Authenticate with `Authorization: Bearer <api key>`; "
        "every key belongs to one organization and sees only its rows. Errors are "
        "`application/problem+json`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Webhook payloads: one component per event and `x-webhooks` (apps/core/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.schema.webhook_payloads_hook",
    ],
    # Several models have a `status` with different choices: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "ListingStatusEnum": "apps.catalog.models.Listing.Status",
        "OrderStatusEnum": "apps.orders.models.Order.Status",
        "JobStatusEnum": "apps.core.models.Job.Status",
        "DraftStatusEnum": "apps.review.models.DraftStatus",
        "StrategyKindEnum": "apps.pricing.models.Strategy.Kind",
        "PricingScenarioEnum": "apps.pricing.models.Strategy.Scenario",
        "FulfilmentTypeEnum": "apps.pricing.models.FulfilmentType",
        "TrackingStatusEnum": "apps.logistics.models.TrackingStatus",
        "InboundShipmentStatusEnum": "apps.logistics.models.InboundShipment.Status",
        "RestockSuggestionStatusEnum": "apps.logistics.models.RestockSuggestion.Status",
        "LogisticsModeEnum": "apps.logistics.models.Mode",
        "WarehouseKindEnum": "apps.logistics.models.Warehouse.Kind",
        "BulkItemStatusEnum": "apps.core.bulk.STATUSES",
    },
}

# Celery: JSON only, late acks so a killed worker's task is redelivered, one queue per workload.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("ai"), Queue("pricing"))
CELERY_TASK_ROUTES = {
    "apps.ai.*": {"queue": "ai"},
    "apps.pricing.*": {"queue": "pricing"},
}
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 25
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_BEAT_SCHEDULE = {
    "fail-stale-jobs": {
        "task": "apps.core.tasks.fail_stale_jobs_task",
        "schedule": crontab(minute="*/5"),
    },
    # Ads: saved search-term uploads that no import job took within a day.
    "ads-uploads-purge": {
        "task": "apps.ads.tasks.search_term_uploads_purge_task",
        "schedule": crontab(minute=17, hour=3),
    },
    # One reprice task per active store with an enabled strategy, on queue "pricing".
    "reprice-stores": {
        "task": "apps.pricing.tasks.reprice_due_stores_task",
        "schedule": crontab(minute="*/15"),
    },
    # Idempotency-Key responses older than IDEMPOTENCY_TTL_HOURS.
    "purge-idempotency-records": {
        "task": "apps.core.tasks.purge_idempotency_records_task",
        "schedule": crontab(minute=17),
    },
    # Webhook deliveries due (new ones whose enqueue was lost, and retries after backoff).
    "send-due-webhooks": {
        "task": "apps.integrations.tasks.webhooks_send_due_task",
        "schedule": crontab(minute="*"),
    },
    # Profit read model: changed days every 5 minutes, a full rebuild nightly (apps.analytics).
    "profit-refresh": {
        "task": "apps.analytics.tasks.profit_refresh_due_task",
        "schedule": crontab(minute="*/5"),
    },
    "profit-rebuild-nightly": {
        "task": "apps.analytics.tasks.profit_refresh_due_task",
        "schedule": crontab(hour=3, minute=10),
        "kwargs": {"full": True},
    },
    # Support: one IMAP poll task per active mailbox (UID-based, nothing read twice).
    "support-poll-mailboxes": {
        "task": "apps.support.tasks.mailboxes_poll_due_task",
        "schedule": crontab(minute="*/2"),
    },
    # Support: messages read offline (before an LLM endpoint was configured) are read again by
    # the model, bounded per organization and run; closed and old conversations are left.
    "support-reread-offline": {
        "task": "apps.support.tasks.offline_readings_reread_task",
        "schedule": crontab(minute="*/15"),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / ".data" / "celerybeat-schedule")

CROSSBORDER_LLM_MODEL = env("CROSSBORDER_LLM_MODEL")
OPENAI_BASE_URL = env("OPENAI_BASE_URL")
OPENAI_API_KEY = env("OPENAI_API_KEY")
# Image generation (scene backgrounds, apps/ai/images.py): its own endpoint; empty = none.
CROSSBORDER_IMAGE_BASE_URL = env.str("CROSSBORDER_IMAGE_BASE_URL", default="")
CROSSBORDER_IMAGE_API_KEY = env.str("CROSSBORDER_IMAGE_API_KEY", default="")
CROSSBORDER_IMAGE_MODEL = env.str("CROSSBORDER_IMAGE_MODEL", default="gpt-image-1")
CROSSBORDER_IMAGE_SIZE = env.str("CROSSBORDER_IMAGE_SIZE", default="1024x1024")
CROSSBORDER_IMAGE_TIMEOUT = env.float("CROSSBORDER_IMAGE_TIMEOUT", default=120.0)
HEALTH_WORKER_TIMEOUT = env("CROSSBORDER_HEALTH_WORKER_TIMEOUT")

# AI layer tunables (defaults and meaning in apps/ai/conf.py); set only those given.
for _name, _cast in {
    "CROSSBORDER_LLM_TIMEOUT": float,
    "CROSSBORDER_LLM_MAX_RETRIES": int,
    "CROSSBORDER_LLM_BACKOFF_BASE": float,
    "CROSSBORDER_LLM_BACKOFF_MAX": float,
    "CROSSBORDER_LLM_BREAKER_THRESHOLD": int,
    "CROSSBORDER_LLM_BREAKER_COOLDOWN": float,
    "CROSSBORDER_LLM_MAX_TOKENS": int,
    "CROSSBORDER_AI_BATCH_SIZE": int,
    "CROSSBORDER_AI_CONCURRENCY": int,
    "CROSSBORDER_LLM_VISION": bool,
}.items():
    if _name in env.ENVIRON:
        globals()[_name] = env.get_value(_name, cast=_cast)
# Listing copy scoring at least this (0–100, docs/listing-quality.md) is left alone by bulk
# "draft AI copy" unless the user includes it.
CROSSBORDER_QUALITY_GOOD = env.int("CROSSBORDER_QUALITY_GOOD", default=80)
if "CROSSBORDER_LLM_PRICES" in env.ENVIRON:  # JSON: {"model": [input, output]} USD per 1M tokens
    CROSSBORDER_LLM_PRICES = env.json("CROSSBORDER_LLM_PRICES")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
    },
}
