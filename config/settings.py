"""Reverie settings: one module, driven entirely by environment variables.

Every variable is documented in README.md ("Configuration"). Local defaults need no services
beyond the embedded Redis that `make run` / `make test` start; production refuses insecure defaults.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VERSION = "0.1.0"
DEBUG = env_bool("DEBUG", True)
DEV_SECRET_KEY = "reverie-dev-secret-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
VAR_DIR = Path(os.environ.get("REVERIE_VAR_DIR", BASE_DIR / "var"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Trigram similarity and full-text search on PostgreSQL (feed/search.py); inert on SQLite.
    "django.contrib.postgres",
    "rest_framework",
    # Only for its table: migration accounts.0007 hashes tokens stored there in clear.
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_prometheus",
    "axes",
    "accounts",
    "feed",
    "generation",
    "likeness",
    "credits",
    "moderation",
]

MIDDLEWARE = [
    # First: every response (redirects and errors included) carries the request id.
    "config.observability.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language follows the language cookie (the switcher), then the browser.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the body: limits that must refuse an upload unread.
    "config.throttling.BeforeBodyThrottleMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.FriendlyErrorPagesMiddleware",
    "config.overload.ServiceUnavailableMiddleware",
    # Last: turns a lockout flagged by the axes backend into our 429 (accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
                "accounts.context_processors.notification_bell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'reverie.sqlite3'}"
# Seconds a connection is kept between requests/tasks. Keep 0 for the ASGI web server (Django's
# advice: persistent connections and async don't mix); Celery workers may set it (e.g. 600) to
# skip a reconnect per task.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0"))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat are separate processes sharing one file: WAL lets readers run beside
    # the writer, IMMEDIATE avoids lock-upgrade deadlocks, the timeout rides out short writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not :memory:, so the Celery worker and web processes of the tests can share it.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_SQLITE_PATH", str(VAR_DIR / "test.sqlite3"))
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A bounded pool per process (Django's psycopg pool). Size it so that
    #   web processes × DATABASE_POOL_MAX_SIZE + worker processes × their concurrency + beat + a
    #   few for migrations and psql  ≤  PostgreSQL's max_connections (100 by default).
    # A request that waits DATABASE_POOL_TIMEOUT seconds for a free connection gets a fast 503
    # with Retry-After (config/overload.py), never a 500 and never a connection past the cap.
    # DATABASE_POOL_MAX_SIZE=0 turns the pool off (then DATABASE_CONN_MAX_AGE applies; Celery
    # workers may prefer that).
    DATABASE_POOL_MAX_SIZE = int(os.environ.get("DATABASE_POOL_MAX_SIZE", "4"))
    if DATABASE_POOL_MAX_SIZE > 0 and DATABASES["default"]["CONN_MAX_AGE"] == 0:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(
                int(os.environ.get("DATABASE_POOL_MIN_SIZE", "1")), DATABASE_POOL_MAX_SIZE
            ),
            "max_size": DATABASE_POOL_MAX_SIZE,
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "3")),
            "max_idle": 300,
        }
# Query counts and latencies per database in /metrics (django-prometheus wraps the backend).
_PROMETHEUS_DB_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _PROMETHEUS_DB_ENGINES.get(
    DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"]
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker, channel layer, cache ---------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# Seconds to wait for Redis before treating it as down. The cache and the seen sets degrade
# (reads miss, writes are dropped, rate limits open; see config/cache.py) rather than fail a page.
REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.5"))
CACHES = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "reverie"),
        "OPTIONS": {
            "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
            # After a failure, skip Redis this long instead of paying a timeout per request.
            "retry_seconds": float(os.environ.get("REDIS_RETRY_SECONDS", "2")),
        },
    }
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [REDIS_URL],
            "prefix": os.environ.get("CHANNEL_PREFIX", "reverie"),
        },
    }
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "generation.tasks.run_job": {"queue": "render"},
    "generation.tasks.run_attempt": {"queue": "render"},
    "generation.tasks.poll_attempt": {"queue": "default"},
    # Decoding video and audio and running the face and speech checks is CPU work.
    "likeness.tasks.run_verification_checks": {"queue": "render"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through LOGGING below (JSON when asked, with the request id of the sender).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A job's visibility must outlast the longest render so Redis does not redeliver it mid-run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "reap-stuck-generation-jobs": {
        "task": "generation.tasks.reap_stuck_jobs",
        "schedule": timedelta(seconds=30),
    },
    "daily-free-credits": {
        "task": "credits.tasks.refresh_daily_free_credits",
        "schedule": crontab(minute=0, hour=0),
    },
    "refresh-feed-scores": {
        "task": "feed.tasks.refresh_scores",
        "schedule": timedelta(seconds=30),
    },
    "erase-deleted-accounts": {
        "task": "accounts.tasks.erase_due_accounts",
        "schedule": timedelta(minutes=10),
    },
    "expire-data-exports": {
        "task": "accounts.tasks.expire_exports",
        "schedule": timedelta(minutes=30),
    },
    "resend-unsent-emails": {
        "task": "accounts.tasks.resend_unsent_emails",
        "schedule": timedelta(minutes=5),
    },
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "feed:home"
LOGOUT_REDIRECT_URL = "feed:home"
# Argon2 first; the others only verify (and upgrade) hashes made before a switch.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# One lockout for both log-in doors (web form, POST /api/v1/auth/token, and the admin's):
# django-axes counts failures in the database per handle and per client address; after
# LOGIN_FAILURE_LIMIT failures within the window, either one is refused (429) until the window
# has passed since its last failure.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Handle log-in that refuses sessions of accounts being deleted (accounts/backends.py).
    "accounts.backends.HandleBackend",
]
AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = "accounts.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.lockout.login_handle"
AXES_CLIENT_IP_CALLABLE = "config.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out_response"
AXES_VERBOSE = False
# Days an API token lives unless its creator picks another lifetime (0 = never expires).
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "90"))
# Sign-up asks for an e-mail and log-in waits until it is confirmed (off: confirming is optional).
SIGNUP_EMAIL_VERIFICATION = env_bool("SIGNUP_EMAIL_VERIFICATION", False)
# Seconds a password-reset link (Django's) and an e-mail confirmation link stay valid.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)))
EMAIL_CONFIRM_TIMEOUT = int(os.environ.get("EMAIL_CONFIRM_TIMEOUT", str(3 * 24 * 3600)))
# Days between asking to delete an account and its erasure; logging in meanwhile cancels.
ACCOUNT_DELETION_GRACE_DAYS = float(os.environ.get("ACCOUNT_DELETION_GRACE_DAYS", "14"))
# Hours a finished data export can be downloaded.
DATA_EXPORT_TTL_HOURS = float(os.environ.get("DATA_EXPORT_TTL_HOURS", "72"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
# With DEBUG on, users still get the styled 404/403/500 pages; a developer who wants Django's
# technical pages (traceback, URL list) sets DEBUG_ERROR_PAGES=true.
DEBUG_ERROR_PAGES = env_bool("DEBUG_ERROR_PAGES", False)
USE_TZ = True

# --- E-mail -----------------------------------------------------------------------------------


def _email_settings() -> dict[str, object]:
    """EMAIL_URL (smtp://user:pass@host:587?tls=1, smtps://… for implicit TLS, console://,
    locmem://, file:///folder) or the classic EMAIL_HOST/EMAIL_PORT/… variables; the console
    backend otherwise."""
    from urllib.parse import parse_qs, unquote, urlsplit

    url = os.environ.get("EMAIL_URL", "")
    if url:
        parts = urlsplit(url)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        scheme = parts.scheme.lower()
        if scheme in {"console", "locmem", "dummy"}:
            return {"EMAIL_BACKEND": f"django.core.mail.backends.{scheme}.EmailBackend"}
        if scheme == "file":  # file:///var/mail/reverie: one file per message, for inspection
            return {
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": unquote(parts.path),
            }
        if scheme not in {"smtp", "smtps", "submission"}:
            raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme {scheme!r}.")
        implicit = scheme == "smtps" or query.get("ssl", "") in {"1", "true"}
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if implicit else 587),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": implicit,
            "EMAIL_USE_TLS": not implicit and query.get("tls", "1") not in {"0", "false"},
        }
    if os.environ.get("EMAIL_HOST"):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": os.environ["EMAIL_HOST"],
            "EMAIL_PORT": int(os.environ.get("EMAIL_PORT", "587")),
            "EMAIL_HOST_USER": os.environ.get("EMAIL_HOST_USER", ""),
            "EMAIL_HOST_PASSWORD": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "EMAIL_USE_TLS": env_bool("EMAIL_USE_TLS", True),
            "EMAIL_USE_SSL": env_bool("EMAIL_USE_SSL", False),
        }
    return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


globals().update(_email_settings())
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Reverie <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Drafts live here; never under a public URL (served only through an authorization check).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
PRIVATE_URL_MAX_AGE = int(os.environ.get("PRIVATE_URL_MAX_AGE", "300"))

S3_BUCKET = os.environ.get("S3_BUCKET", "")
USE_S3 = bool(S3_BUCKET)
if USE_S3:
    _s3_common = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("S3_REGION") or None,
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "signature_version": "s3v4",
        "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path"),
        "file_overwrite": False,
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3_common,
                "location": "media",
                "custom_domain": os.environ.get("S3_PUBLIC_DOMAIN") or None,
                # Public clips: plain URLs when a public domain/CDN is set, presigned otherwise.
                "querystring_auth": not os.environ.get("S3_PUBLIC_DOMAIN"),
                "querystring_expire": 3600,
                # "http:" only for a public domain served without TLS (a local test rig).
                "url_protocol": os.environ.get("S3_URL_PROTOCOL", "https:"),
            },
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3_common,
                "location": "private",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": PRIVATE_URL_MAX_AGE,
            },
        },
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
else:
    STORAGES = {
        # No explicit locations: both read MEDIA_ROOT / PRIVATE_MEDIA_ROOT lazily.
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "config.storage.PrivateFileSystemStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        },
    }
# Serve local public media from Django (with HTTP Range) unless a proxy/CDN does it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", not USE_S3)
# Behind nginx: private files (drafts, verification clips) that passed the authorization check
# are handed to nginx with `X-Accel-Redirect: <prefix>…`, e.g. "/_private/": the file's name
# (an `internal` location aliasing PRIVATE_MEDIA_ROOT) or, on S3, the signed URL's path and
# query (an `internal` location proxying to the S3 server). Empty: Django streams local files
# itself and redirects to signed S3 URLs. See deploy/nginx-locations.conf.
PRIVATE_MEDIA_ACCEL_PREFIX = os.environ.get("PRIVATE_MEDIA_ACCEL_PREFIX", "")

# --- Client addresses ---------------------------------------------------------------------------
# How many reverse proxies of ours stand in front of Django, each appending the address it saw to
# X-Forwarded-For. 0 (the default): REMOTE_ADDR is the client and X-Forwarded-For is ignored, so a
# client can't choose its own address. 1 behind one nginx, 2 behind a CDN plus nginx, …
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.HashedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.json_exception_handler",
    # The browsable API only while developing: in production every answer is JSON.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    # JSON bodies are size- and depth-limited (413 / 400), see config/parsers.py.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Client addresses (throttles, lockouts) come from config.throttling.client_ip, which trusts
    # X-Forwarded-For only as far as NUM_PROXIES says; DRF's own reading agrees.
    "NUM_PROXIES": NUM_PROXIES,
    # Per-action limits (answered with 429 and Retry-After); see config/throttling.py.
    "DEFAULT_THROTTLE_RATES": {
        "generate": os.environ.get("THROTTLE_GENERATE", "60/hour"),
        "comment": os.environ.get("THROTTLE_COMMENT", "30/minute"),
        "follow": os.environ.get("THROTTLE_FOLLOW", "60/minute"),
        "like": os.environ.get("THROTTLE_LIKE", "120/minute"),
        "report": os.environ.get("THROTTLE_REPORT", "20/hour"),
        "signup": os.environ.get("THROTTLE_SIGNUP", "10/hour"),
        "login": os.environ.get("THROTTLE_LOGIN", "30/hour"),
        # Anonymous "check a clip" uploads (page and API), per address.
        "check": os.environ.get("THROTTLE_CHECK", "30/hour"),
        "password_reset": os.environ.get("THROTTLE_PASSWORD_RESET", "10/hour"),
        "email_change": os.environ.get("THROTTLE_EMAIL_CHANGE", "10/hour"),
        "export": os.environ.get("THROTTLE_EXPORT", "5/day"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Reverie API",
    "DESCRIPTION": "Feed, generation and account API of Reverie.",
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the error statuses it can answer (config/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.document_error_responses",
    ],
    # Several models have a "kind" or "status" choice field: name their enums apart.
    "ENUM_NAME_OVERRIDES": {
        "CameoKindEnum": "likeness.models.CameoKind",
        "LedgerEntryKindEnum": "credits.models.EntryKind",
        "NotificationKindEnum": "accounts.models.NotificationKind",
        "CameoStatusEnum": "likeness.models.CameoStatus",
        "VerificationStatusEnum": "likeness.models.VerificationStatus",
        "JobStatusEnum": "generation.models.JobStatus",
        "CameoPermissionEnum": "likeness.models.CameoPermissionLevel",
    },
    # The docs UI's assets ship in a wheel, so /api/docs/ works offline and without a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Generation -------------------------------------------------------------------------------
GENERATION_MAX_SECONDS = 10
# The longest prompt every backend takes (the local renderer and Runway stop at 1,000): the API
# and the create form refuse more up front instead of a draft failing later.
GENERATION_MAX_PROMPT_CHARS = 1000
GENERATION_MAX_RETRIES = int(os.environ.get("GENERATION_MAX_RETRIES", "2"))
# A job "running" longer than this is presumed orphaned (worker died) and is requeued or failed.
GENERATION_STUCK_AFTER = timedelta(seconds=int(os.environ.get("GENERATION_STUCK_AFTER", "600")))
# A worker rendering a job touches it this often; a render silent for the timeout lost its worker
# (killed, out of memory, machine gone) and is requeued by the reaper, which runs every 30 s:
# a dead worker's job runs again within about a minute and a half.
GENERATION_HEARTBEAT_SECONDS = float(os.environ.get("GENERATION_HEARTBEAT_SECONDS", "15"))
GENERATION_HEARTBEAT_TIMEOUT = timedelta(
    seconds=int(os.environ.get("GENERATION_HEARTBEAT_TIMEOUT", "60"))
)
# A job still queued after this (its message lost with a broker restart) is sent again.
GENERATION_RESEND_QUEUED_AFTER = timedelta(
    seconds=int(os.environ.get("GENERATION_RESEND_QUEUED_AFTER", "300"))
)
# 0 lets x264 use every core; benchmarks pin it to 1.
RENDER_THREADS = int(os.environ.get("RENDER_THREADS", "0"))

# Backends the router may use (dotted paths; each is still off until configured and enabled).
GENERATION_BACKENDS = [
    path.strip()
    for path in os.environ.get(
        "GENERATION_BACKENDS",
        "generation.backends.local.LocalRendererBackend,"
        "generation.backends.runway.RunwayBackend,"
        "generation.backends.veo.VeoBackend,"
        "generation.backends.luma.LumaBackend,"
        "generation.backends.fal.FalBackend,"
        "generation.backends.replicate.ReplicateBackend,"
        "generation.backends.openai_compat.OpenAICompatibleBackend,"
        "generation.backends.diffusers_gpu.DiffusersBackend",
    ).split(",")
    if path.strip()
]
# cheapest | fastest | best | pinned:<backend>; people can pick another on the create page.
GENERATION_ROUTING_POLICY = os.environ.get("GENERATION_ROUTING_POLICY", "cheapest")
# The circuit breaker: open after N consecutive failures, let a trial through after the cool-down.
GENERATION_CIRCUIT_FAILURES = int(os.environ.get("GENERATION_CIRCUIT_FAILURES", "3"))
GENERATION_CIRCUIT_COOLDOWN = timedelta(
    seconds=int(os.environ.get("GENERATION_CIRCUIT_COOLDOWN", "120"))
)
# A provider attempt not finished after this is cancelled and the next backend is tried.
GENERATION_ATTEMPT_TIMEOUT = timedelta(
    seconds=int(os.environ.get("GENERATION_ATTEMPT_TIMEOUT", "900"))
)
# Polling backoff for remote jobs: first delay, growth factor, ceiling (seconds).
GENERATION_POLL_FIRST = float(os.environ.get("GENERATION_POLL_FIRST", "2"))
GENERATION_POLL_FACTOR = float(os.environ.get("GENERATION_POLL_FACTOR", "1.5"))
GENERATION_POLL_MAX = float(os.environ.get("GENERATION_POLL_MAX", "30"))
# Health (success rate, p50/p95) is computed from this many recent attempts per backend and
# cached for this long; routing decisions read only the cached copy.
GENERATION_HEALTH_WINDOW = int(os.environ.get("GENERATION_HEALTH_WINDOW", "100"))
GENERATION_HEALTH_TTL = int(os.environ.get("GENERATION_HEALTH_TTL", "15"))
# The public address providers call back (webhooks); without it, remote jobs are polled only.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")

# --- Feed ------------------------------------------------------------------------------------
# For You candidate pools are shared by all viewers for this long (0: never cached).
FOR_YOU_POOL_SECONDS = int(os.environ.get("FOR_YOU_POOL_SECONDS", "5"))
FOR_YOU_POOL_SIZE = int(os.environ.get("FOR_YOU_POOL_SIZE", "400"))
# Each process also keeps its own copy of the pools and clip payloads this long
# (feed/localcache.py): no Redis round trip for them; another process's change shows here at
# most this much later (this process's own changes at once).
FOR_YOU_LOCAL_SECONDS = float(os.environ.get("FOR_YOU_LOCAL_SECONDS", "2"))

# --- Credits ---------------------------------------------------------------------------------
FREE_CREDITS_PER_DAY = int(os.environ.get("FREE_CREDITS_PER_DAY", "40"))
# Share of a published clip's price paid to each opted-in cameo owner in it.
CAMEO_REVENUE_SHARE_PERCENT = int(os.environ.get("CAMEO_REVENUE_SHARE_PERCENT", "20"))
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")

# --- External prompt moderation (optional; generation/external_moderation.py) -------------------
# An OpenAI-shaped `/v1/moderations` endpoint checks prompts after the local policy passed them.
# Off unless a key is set. Fail-open by default: when the endpoint is down the local policy alone
# decides (logged); EXTERNAL_MODERATION_FAIL_CLOSED=true refuses prompts instead.
EXTERNAL_MODERATION_API_KEY = os.environ.get("EXTERNAL_MODERATION_API_KEY", "")
EXTERNAL_MODERATION_BASE_URL = os.environ.get(
    "EXTERNAL_MODERATION_BASE_URL", "https://api.openai.com/v1"
)
EXTERNAL_MODERATION_MODEL = os.environ.get("EXTERNAL_MODERATION_MODEL", "omni-moderation-latest")
EXTERNAL_MODERATION_TIMEOUT = float(os.environ.get("EXTERNAL_MODERATION_TIMEOUT", "5"))
EXTERNAL_MODERATION_FAIL_CLOSED = env_bool("EXTERNAL_MODERATION_FAIL_CLOSED", False)

# --- Cameos ----------------------------------------------------------------------------------
CAMEO_MAX_UPLOAD_BYTES = int(os.environ.get("CAMEO_MAX_UPLOAD_BYTES", str(50 * 1024**2)))
# After automatic checks that failed, a new recording may start this much later (no moderator
# needed); after a moderator's rejection, CAMEO_RETRY_COOLDOWN applies.
CAMEO_RECHECK_COOLDOWN = timedelta(
    seconds=int(os.environ.get("CAMEO_RECHECK_COOLDOWN_SECONDS", "30"))
)
CAMEO_RETRY_COOLDOWN = timedelta(
    seconds=int(os.environ.get("CAMEO_RETRY_COOLDOWN_SECONDS", str(24 * 3600)))
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Provenance (C2PA) --------------------------------------------------------------------------
# Paths to the PEM certificate chain (leaf first) and its private key that sign every clip.
# Unset: a self-signed development chain is generated once under C2PA_DEV_DIR.
C2PA_SIGN_CERT = os.environ.get("C2PA_SIGN_CERT", "")
C2PA_PRIVATE_KEY = os.environ.get("C2PA_PRIVATE_KEY", "")
C2PA_DEV_DIR = Path(os.environ.get("C2PA_DEV_DIR", VAR_DIR / "c2pa"))
PROVENANCE_CHECK_MAX_BYTES = int(os.environ.get("PROVENANCE_CHECK_MAX_BYTES", str(200 * 1024**2)))

# --- Output moderation (moderation/) -------------------------------------------------------------
# Every finished clip's sampled frames go through NudeNet's detector before it becomes a draft; a
# detection of a blocking class at or above its threshold blocks the job for a moderator.
# OUTPUT_MODERATION_BLOCK_CLASSES: NudeNet labels, each optionally with its own threshold
# ("FEMALE_BREAST_EXPOSED:0.6").
OUTPUT_MODERATION_BLOCK_CLASSES = env_list(
    "OUTPUT_MODERATION_BLOCK_CLASSES",
    "FEMALE_GENITALIA_EXPOSED,MALE_GENITALIA_EXPOSED,FEMALE_BREAST_EXPOSED,BUTTOCKS_EXPOSED,"
    "ANUS_EXPOSED",
)
OUTPUT_MODERATION_THRESHOLD = float(os.environ.get("OUTPUT_MODERATION_THRESHOLD", "0.5"))
OUTPUT_MODERATION_SAMPLES_PER_SECOND = float(
    os.environ.get("OUTPUT_MODERATION_SAMPLES_PER_SECOND", "1")
)
# onnxruntime threads per inference (0: one per core); render workers already run one per core.
OUTPUT_MODERATION_THREADS = int(os.environ.get("OUTPUT_MODERATION_THREADS", "1"))

# --- Security (production) --------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers, probes and Prometheus talk plain HTTP to the process itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"


def _media_origins() -> list[str]:
    """Where clips and posters come from when they are not on this host (S3, a CDN)."""
    from urllib.parse import urlsplit

    origins = env_list("CSP_MEDIA_ORIGINS")
    for url in (os.environ.get("S3_ENDPOINT_URL", ""), os.environ.get("S3_PUBLIC_DOMAIN", "")):
        if url:
            parts = urlsplit(url if "://" in url else f"https://{url}")
            origins.append(f"{parts.scheme}://{parts.netloc}")
    if USE_S3 and not os.environ.get("S3_ENDPOINT_URL"):
        origins.append("https://*.amazonaws.com")
    return origins


# No inline scripts anywhere: pages load their JavaScript from /static/ and pass data with
# json_script (a non-executable JSON block).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_media_origins()],
        "media-src": ["'self'", "blob:", *_media_origins()],
        "connect-src": ["'self'", *_media_origins()],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Multipart bodies over their URL's limit are refused (413) from Content-Length, before anything
# is read or written out (config/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "config.uploads.BodyLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Operations: logs, metrics, Sentry --------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line (time, level, logger, message, request_id, …).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
LOG_REQUESTS = env_bool("LOG_REQUESTS", LOG_FORMAT == "json")
METRICS_CACHE_SECONDS = float(os.environ.get("METRICS_CACHE_SECONDS", "10"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
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

SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from config.observability import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        release=os.environ.get("SENTRY_RELEASE", f"reverie@{VERSION}"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
