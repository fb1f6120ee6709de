"""Läsrum settings: one module, read from the environment through backend.env.

Development defaults are safe and need no services (SQLite, django-q2's ORM broker, SMS recorded,
console e-mail). Production sets DJANGO_DEBUG=0 and must then give DJANGO_SECRET_KEY.
The README has a table of every variable.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from backend.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_country_codes,
    parse_duration_list,
    parse_message_limits,
    parse_quiet_hours,
    parse_throttle_rates,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", True)
if DEBUG:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")  # no default: production must set it
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "axes",
    "django_q",
    "booking",
    "notifications",
    "feeds",
    "web",
    "staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "backend.errors.ApiProblemMiddleware",  # /api/: 413 before the body is read; problem+json always
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

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
                "backend.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lasrum.sqlite3'}")
# Lets several test runs share one machine without sharing a test database.
TEST_DB_SUFFIX = env_str("LASRUM_TEST_DB", "")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue instead of
    # deadlocking on a lock upgrade; WAL lets readers go on while one writes. With the busy
    # timeout, the embedded default is as safe under concurrent bookings as PostgreSQL.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Tests use a file, not Django's in-memory database: an in-memory database never waits on
    # a lock, so a concurrency test against it would prove nothing.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test{TEST_DB_SUFFIX}.sqlite3")}
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["TEST"] = {"NAME": f"test_lasrum{TEST_DB_SUFFIX}"}
    # A kept connection that the server dropped (restart, failover, pg_terminate_backend) is
    # noticed at the start of the next request and replaced, instead of failing it with a 500
    # (with DB_POOL, Django turns this into the pool's check of each connection it hands out).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django 5's psycopg connection pool per process (it needs CONN_MAX_AGE=0), and server-side
    # parameter binding; both off by default, measured in bench/booking_rush.py (README).
    if env_bool("DB_POOL", False):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env_int("DB_POOL_MIN", 2),
            "max_size": env_int("DB_POOL_MAX", 10),
            "timeout": 10,
        }
    if env_bool("DB_SERVER_SIDE_BINDING", False):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and queue ------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lasrum"}}
# Several deployments (or a bench) sharing one Redis keep apart by key prefix and cluster name.
CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX", "")

Q_CLUSTER = {
    "name": env_str("Q_CLUSTER_NAME", "lasrum"),
    "workers": env_int("Q_WORKERS", 2),
    "timeout": 50,  # below retry, so a slow task is killed before it is handed out again
    "retry": 120,
    "max_attempts": 3,
    "catch_up": False,  # replaying missed schedule slots would send duplicates
    "scheduler": True,
    "guard_cycle": 5,
    "label": "Kö",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 1

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/konto/logga-in/"
LOGIN_REDIRECT_URL = "/personal/"
LOGOUT_REDIRECT_URL = "/"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
# One lock per username and address together: locking each alone lets five bad passwords from
# the TLS proxy's (or a school's) address lock every colleague out. The address is the one
# backend.client_ip vouches for (NUM_PROXIES), as for every other limit.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "backend.client_ip.client_ip_or_none"
AXES_LOCKOUT_CALLABLE = "staff.lockout.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Stockholm")
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security -------------------------------------------------------------------------------
SECURE = env_bool("DJANGO_SECURE", False)

# Keys for personal data at rest (backend/crypto.py): Fernet keys, newest first, comma-separated
# (`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`),
# and a separate key for the digests that find a row by its contact. Development derives both
# from the development SECRET_KEY; production must set them.
if DEBUG:
    import base64 as _base64
    import hashlib as _hashlib

    _dev_key = _base64.urlsafe_b64encode(_hashlib.sha256(b"lasrum-fields:" + SECRET_KEY.encode()).digest())
    FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", _dev_key.decode("ascii"))
    CONTACT_HASH_KEY = env_str("CONTACT_HASH_KEY", "dev-only-contact-hash:" + SECRET_KEY)
else:
    FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
    CONTACT_HASH_KEY = env_str("CONTACT_HASH_KEY")
    if not FIELD_ENCRYPTION_KEYS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set")

if SECURE:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/worker$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "") or [PUBLIC_BASE_URL]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "backend.errors.csrf_failure"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 64 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

from corsheaders.defaults import default_headers as corsheaders_default_headers  # noqa: E402

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "")
CORS_URLS_REGEX = r"^/(api|feeds)/.*$"
# A booking tool on another origin retries POST /api/v1/bookings/ safely with this header.
CORS_ALLOW_HEADERS = (*corsheaders_default_headers, "idempotency-key")

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- API ------------------------------------------------------------------------------------
# How many reverse proxies in front of the web nodes add to X-Forwarded-For (1 behind the TLS
# proxy of compose.yaml). 0 trusts no header: the socket's address is the client's.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
API_THROTTLE_RATES = parse_throttle_rates(
    env_str("API_THROTTLE_RATES", "anon=120/min,user=1200/min,booking=20/min")
)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "booking.api.authentication.TokenAuthentication",  # digests, not rest_framework.authtoken
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "booking.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": (
        ["booking.api.throttles.AnonRateThrottle", "booking.api.throttles.UserRateThrottle"]
        if API_THROTTLE_RATES
        else []
    ),
    "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "booking": None, **API_THROTTLE_RATES},
    "DEFAULT_PARSER_CLASSES": [
        "backend.parsers.JSONParser",  # a body nested too deep is a 400, not a RecursionError
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Läsrum API",
    "DESCRIPTION": "Booking of reading-promotion events in Swedish public libraries (v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's problem+json error responses, once (backend/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.schema.problem_responses",
    ],
}

# /healthz/worker answers 503 when no queue worker wrote its heartbeat (every minute) within this.
WORKER_STALE_AFTER = parse_duration_list(env_str("WORKER_STALE_AFTER", "2m"))[0]

# --- Booking rules --------------------------------------------------------------------------
OFFER_CLAIM_HOURS = env_int("OFFER_CLAIM_HOURS", 24)
OFFER_LATEST_BEFORE_START_HOURS = env_int("OFFER_LATEST_BEFORE_START_HOURS", 2)
IDEMPOTENCY_TTL_HOURS = env_int("IDEMPOTENCY_TTL_HOURS", 24)
CANCELLED_IN_FEED_DAYS = env_int("CANCELLED_IN_FEED_DAYS", 30)
RETENTION_DAYS_AFTER_EVENT = env_int("RETENTION_DAYS_AFTER_EVENT", 90)
REGION_DATA_FILE = env_str("REGION_DATA_FILE", str(BASE_DIR / "booking" / "data" / "sormland.json"))
DEMO_DATA_FILE = env_str("DEMO_DATA_FILE", str(BASE_DIR / "booking" / "data" / "sormland_demo.json"))

# --- Notifications --------------------------------------------------------------------------
SMS_BACKEND = env_str("SMS_BACKEND", "console")  # console | twilio
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = env_str("TWILIO_FROM", "Lasrum")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID", "")
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL", "")
TWILIO_REGION = env_str("TWILIO_REGION", "")
TWILIO_EDGE = env_str("TWILIO_EDGE", "")
SMS_VALIDITY_SECONDS = env_int("SMS_VALIDITY_SECONDS", 3600)
SMS_MAX_ATTEMPTS = env_int("SMS_MAX_ATTEMPTS", 5)
REMINDER_OFFSETS = parse_duration_list(env_str("REMINDER_OFFSETS", "24h,2h"))
SMS_QUIET_HOURS = parse_quiet_hours(env_str("SMS_QUIET_HOURS", "21:00-08:00"))
DEFAULT_COUNTRY_CODE = env_str("DEFAULT_PHONE_REGION", "SE")
# Countries (ISO codes) whose numbers may get SMS: nobody can pump SMS to premium ranges abroad
# on the region's account (booking.validation.phone_sms_country_allowed).
SMS_ALLOWED_COUNTRIES = parse_country_codes(env_str("SMS_ALLOWED_COUNTRIES", "SE,NO,DK,FI,IS,AX"))
# At most this many messages a stranger can cause (confirmations, waitlist and lost-link
# messages: notifications.limits) to one address or number per window; over it the row is
# written suppressed ("recipient_limit"), the booking itself is never refused.
RECIPIENT_MESSAGE_LIMIT = parse_message_limits(env_str("RECIPIENT_MESSAGE_LIMIT", "3/h,10/day"))

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "notifications.console_mail.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Läsrum <noreply@lasrum.localhost>")

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Paths with manage, calendar and private-feed tokens are logged with the token replaced.
    "filters": {"redact_tokens": {"()": "backend.logs.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default handlers (set up before these) would print unfiltered lines.
        "django": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # The development server's request lines, through the same filter.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
