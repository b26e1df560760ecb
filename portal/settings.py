"""Settings for the technology-transfer portal, read from the environment.

Development needs no variables at all: DEBUG is on, e-mail goes to the console and an embedded
PostgreSQL starts when DATABASE_URL is unset. Production sets the variables listed in README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default="SECRET_KEY" not in os.environ)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Absolute links (lib/urls.py): an explicit SITE_URL rules in production. In development links
# follow the request being served; off a request they use the address `make run` serves
# (it passes HOST and PORT through).
SITE_URL = (
    env_str("SITE_URL") or f"http://{env_str('HOST', '127.0.0.1')}:{env_str('PORT', '8000')}"
).rstrip("/")
SITE_URL_FROM_REQUEST = DEBUG or not env_str("SITE_URL")
SITE_NAME = "Tech Transfer Exchange"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_countries",
    "django_filters",
    "axes",
    "lib",
    "portal",
    "accounts",
    "listings",
    "needs",
    "bundles",
    "licensing",
    "matching",
    "advisers",
    "alerts",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "opendata",
    "analytics",
    "tasks",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lib.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lib.i18n.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "lib.urls.RequestOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.site",
            ],
        },
    },
    {
        # Plain-text e-mail (lib/mail.py): the same templates, nothing HTML-escaped.
        "NAME": "mail",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: DATABASE_URL, else the embedded PostgreSQL in .pgdata/ (never SQLite).
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    from portal.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(BASE_DIR)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("TEST_DATABASE_NAME", "test_portal")
# The planner's cost of a random page read, for every connection the site opens. PostgreSQL's
# default (4) describes spinning disks: on SSDs it prefers reading a whole table to a GIN index
# whenever a search word is common, and then reads every row's long search vector out of TOAST
# (a word in half the catalogue: 2.5 s instead of 0.1 s at 100,000 listings; docs/performance.md).
# 1.1 is the usual value for SSD and cloud storage; set DB_RANDOM_PAGE_COST=4 on spinning disks.
DB_RANDOM_PAGE_COST = float(env_str("DB_RANDOM_PAGE_COST", "1.1"))
# Read replicas (portal/replicas.py): public reads go to one of them, writes and reads inside a
# write to the primary; a client who wrote reads from the primary for REPLICA_STICKY_SECONDS;
# an unreachable replica is skipped (with a warning) for REPLICA_RETRY_SECONDS.
DATABASE_REPLICAS = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    alias = f"replica{number}"
    DATABASES[alias] = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    DATABASES[alias]["TEST"] = {"MIRROR": "default"}
    DATABASES[alias].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    DATABASE_REPLICAS.append(alias)


def planner_options(given: str = "") -> str:
    """libpq's `options` for every connection: those DATABASE_URL gave, then the planner's."""
    return f"{given} -c random_page_cost={DB_RANDOM_PAGE_COST}".strip()


for database in DATABASES.values():
    database.setdefault("OPTIONS", {})
    database["OPTIONS"]["options"] = planner_options(database["OPTIONS"].get("options", ""))
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 30)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 30)
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["portal.replicas.ReplicaRouter"]
    MIDDLEWARE.insert(1, "portal.replicas.ReplicaMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

# The cache holds throttling counts (API, sign-up) and statistics, so every app server must see
# the same one: Redis when REDIS_URL is set, else the database (its table is made by a migration
# of portal). Local memory, one per process, only for development; portal.checks warns otherwise.
CACHE_TABLE = "portal_cache"
if REDIS_URL := env_str("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
        }
    }

# Clients are told apart by the address of the connection (throttling, failed sign-ins). Behind
# N reverse proxies that each append to X-Forwarded-For, set TRUSTED_PROXY_COUNT=N: the client is
# then the N-th address from the right, the one the outermost trusted proxy saw.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# Failed-login throttling (django-axes): 5 failures per account and address, 15 minutes off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "lib.clients.client_address"

# Sign-up attempts (valid or not) per client address.
SIGNUP_THROTTLE_RATE = env_str("SIGNUP_THROTTLE_RATE", "10/hour")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]  # dates per language: 2026-12-02 / 2026年12月2日
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Conversation attachments: outside MEDIA_ROOT, never served by the web server, only through
# the licensing view that checks who asks.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads in S3-compatible object storage (needs `pip install "django-storages[s3]"`); credentials
# as boto3 reads them (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the instance role).
if AWS_STORAGE_BUCKET_NAME := env_str("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,  # images and brochures of listings are public
            "file_overwrite": False,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Uploaded images: bytes and pixels allowed before decoding is refused (decompression bombs).
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 5 * 1024 * 1024)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)

# E-mail: console in development, SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tech Transfer Exchange <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if EMAIL_HOST := env_str("EMAIL_HOST"):
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail")))

# Background work (tasks/): RQ on TASKS_REDIS_URL, run by `manage.py run_worker`; without it
# jobs run inline after commit. With a broker, lib.mail hands its messages to tasks.mail.dispatch
# (stored, then delivered by the worker at most once, retried after TASKS_RETRY_INTERVALS).
TASKS_REDIS_URL = env_str("TASKS_REDIS_URL")
TASKS_RETRY_INTERVALS = [
    int(seconds) for seconds in env_list("TASKS_RETRY_INTERVALS", "10,60,300,900,3600")
]
MAIL_DISPATCH = "tasks.mail.dispatch" if TASKS_REDIS_URL else ""
# Imports of at least this many listings refresh matching in the background (with a broker).
TASKS_BULK_THRESHOLD = env_int("TASKS_BULK_THRESHOLD", 500)

# Security: strict in production (DEBUG off), relaxed for local HTTP.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# What pages may load and run (lib.csp): only this site, no inline script or style, no
# plug-ins, never framed.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Everything goes to the console once: Django's own "django" logger would otherwise print its
# records a second time through its console handler (with DEBUG on) before they reach the root.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "concise_client_errors": {"()": "portal.logging.ConciseClientErrors"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "NOTSET", "propagate": True},
        "django.request": {"filters": ["concise_client_errors"]},
    },
}

# Regional codes used by partner databases next to ISO 3166 countries (e.g. a European patent).
COUNTRIES_OVERRIDE = {"EP": _("Europe (European patent)"), "EU": _("European Union")}

# Open data (opendata/): statistics cache and the read-only JSON API.
STATISTICS_CACHE_SECONDS = env_int("STATISTICS_CACHE_SECONDS", 15 * 60)
API_ANON_THROTTLE_RATE = env_str("API_ANON_THROTTLE_RATE", "600/hour")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["opendata.api.throttling.AnonThrottle"],
    # For any DRF throttle that identifies clients itself (AnonThrottle uses lib.clients).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tech Transfer Exchange open data API",
    "DESCRIPTION": (
        "Read-only access to published technologies, needs, organisations, the fields of "
        "technology and the statistics. Lists take the same query parameters as the HTML lists, "
        "are paged with cursors (follow `next`), carry an ETag, and are throttled for anonymous "
        "clients (HTTP 429). Errors are JSON with a 4xx status. Private figures in the statistics "
        "(users, licence requests, matches) below 3 are null."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The sidecar's Redoc, served by opendata.api.docs without its request to Redocly's CDN.
    "REDOC_DIST": "/api/docs/redoc",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TRLEnum": "listings.models.TRL.choices",
        "OfferEnum": "listings.models.Partnership.choices",
        "IPStatusEnum": "listings.models.IPStatus.choices",
    },
}
