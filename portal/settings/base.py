"""Settings for every environment; production is this file plus environment variables.

Each integration is one block below, switched on by its variable. With no environment
at all the portal refuses to start without DJANGO_SECRET_KEY: use portal.settings.dev
for local work (``make run`` does).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_str
from portal.languages import LANGUAGES as PORTAL_LANGUAGES
from portal.languages import register_extra_languages

register_extra_languages()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Set it to a long random value in the "
        "environment (see .env.example), or run with portal.settings.dev locally."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal",
    "grants",
    "applications",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "portal.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.PortalCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before the second-factor gate: an expired session signs in afresh.
    "portal.accounts.middleware.SessionLifetimeMiddleware",
    "portal.accounts.middleware.SecondFactorMiddleware",
    # After authentication and messages: records refusals of signed-in people.
    "portal.audit.PermissionDeniedAuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.PrivateCacheMiddleware",
    # Inside the CSP middleware: a stored page gets a fresh nonce on every visit.
    "portal.page_cache.PublicPageCacheMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so that lockouts answer before any view runs.
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
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: embedded SQLite by default, PostgreSQL (or any dj-database-url URL) via
# DATABASE_URL. SQLite has no row locks, so writers take the lock at BEGIN.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("PORTAL_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "applications:portal_home"
LOGOUT_REDIRECT_URL = "/"

# Repeated failed logins: lock the pair of account and address, not the account alone,
# so nobody can lock a panelist out from elsewhere. Counts live in the database.
AXES_FAILURE_LIMIT = env_int("PORTAL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PORTAL_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_IPWARE_PROXY_COUNT = env_int("PORTAL_PROXY_COUNT", 0)
AXES_VERBOSE = False

# Second factor (django-otp): TOTP apps and single-use backup codes.
# Shown in authenticator apps: kept neutral, because a phone may be seen by others.
OTP_TOTP_ISSUER = "City account"
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# Languages and time
LANGUAGE_CODE = "en"
LANGUAGES = PORTAL_LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = PORTAL_LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = PORTAL_LANGUAGES

# Static files: hashed and compressed, served by whitenoise.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("PORTAL_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# S3 media storage: on when AWS_STORAGE_BUCKET_NAME is set. Credentials come from the
# usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables (read by boto3). Files are
# private and reached only through short-lived signed URLs.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as BotoConfig

    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 300),
            "file_overwrite": False,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
            # A slow or absent S3 fails well inside a web request's time, so the
            # person gets a kind message instead of a timed-out page.
            "client_config": BotoConfig(
                s3={"addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None},
                connect_timeout=env_int("AWS_S3_CONNECT_TIMEOUT", 5),
                read_timeout=env_int("AWS_S3_READ_TIMEOUT", 15),
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        },
    }

# Cache: local memory by default, Redis (Django's own backend) via REDIS_URL.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks: run immediately by default; PORTAL_TASKS_BACKEND=database queues
# them for `manage.py db_worker`.
if env_str("PORTAL_TASKS_BACKEND", "immediate") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Email: printed to the console by default, SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "grants@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Stripe: empty keys mean manual payment methods only.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
# The old signing secret, accepted too while a webhook secret is being rolled.
STRIPE_WEBHOOK_SECRET_PREVIOUS = env_str("STRIPE_WEBHOOK_SECRET_PREVIOUS")
# Empty means Stripe's own API; tests point it at a local fake.
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
STRIPE_TIMEOUT_SECONDS = env_int("STRIPE_TIMEOUT_SECONDS", 30)
STRIPE_LIVEMODE = STRIPE_SECRET_KEY.startswith("sk_live_")

# Security headers and cookies. Production defaults are strict; dev.py relaxes them.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", True)
SESSION_COOKIE_HTTPONLY = True
# Staff, finance, chairs and panelists: signed out after this many minutes without a
# request, and this many hours after signing in (portal.accounts.middleware).
PORTAL_SESSION_IDLE_MINUTES = env_int("PORTAL_SESSION_IDLE_MINUTES", 30)
PORTAL_SESSION_MAX_HOURS = env_int("PORTAL_SESSION_MAX_HOURS", 12)

# Rate limits (portal.ratelimit), counted in the shared cache so they hold across
# processes: "scope=count/period" pairs, e.g. PORTAL_RATE_LIMITS="signup=20/h".
PORTAL_RATE_LIMITS = {
    "signup": "10/h",  # per address
    "resend_confirmation": "5/h",  # per address
    "password_reset": "5/h",  # per address
    "two_factor": "10/15m",  # per account, on top of django-otp's own throttle
    "upload": "60/h",  # per account
    "search": "30/m",  # per address
    "export": "20/h",  # per account
}
PORTAL_RATE_LIMITS.update(
    dict(item.split("=", 1) for item in env_list("PORTAL_RATE_LIMITS"))
)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# Content-Security-Policy (django-csp 4). The public site and portal get the strict
# policy; portal.middleware relaxes it for the Wagtail admin, whose editor injects
# inline scripts and styles and previews pages in a frame.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Wagtail
WAGTAIL_SITE_NAME = env_str("PORTAL_SITE_NAME", "Survivor-Led Grants")
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILEMBEDS_FINDERS = []
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "xlsx", "ods", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_PASSWORD_RESET_ENABLED = True

# Portal
PORTAL_QUICK_EXIT_URL = env_str("PORTAL_QUICK_EXIT_URL", "https://www.weather.gov/")
PORTAL_OPEN_DATA_PREFIX = env_str("PORTAL_OPEN_DATA_PREFIX", "360G-minneapolis")

# Survivor hiring and progress reports. The wage floor offered on new commitments is
# the Minneapolis minimum wage (2026); staff can change it on each commitment.
PORTAL_WAGE_FLOOR = env_str("PORTAL_WAGE_FLOOR", "16.37")
PORTAL_REPORT_EVERY_MONTHS = env_int("PORTAL_REPORT_EVERY_MONTHS", 3)
PORTAL_REPORT_DUE_DAYS = env_int("PORTAL_REPORT_DUE_DAYS", 30)
PORTAL_REPORT_REMINDER_DAYS = env_int("PORTAL_REPORT_REMINDER_DAYS", 14)
# Days a grantee has, at the least, to send a returned report again.
PORTAL_REPORT_RETURN_DAYS = env_int("PORTAL_REPORT_RETURN_DAYS", 21)

# Retention, in days: `manage.py purge_expired` (daily) removes what is older.
# Declined, withdrawn and ineligible applications lose their answers and files this
# long after the decision; drafts nobody touched are deleted; report narratives go
# this long after the grant ends (the counts stay); audit entries are deleted.
PORTAL_RETAIN_DECLINED_DAYS = env_int("PORTAL_RETAIN_DECLINED_DAYS", 3 * 365)
PORTAL_RETAIN_DRAFT_DAYS = env_int("PORTAL_RETAIN_DRAFT_DAYS", 365)
PORTAL_RETAIN_REPORT_DAYS = env_int("PORTAL_RETAIN_REPORT_DAYS", 7 * 365)
PORTAL_RETAIN_AUDIT_DAYS = env_int("PORTAL_RETAIN_AUDIT_DAYS", 7 * 365)
PORTAL_RETAIN_INVITATION_DAYS = env_int("PORTAL_RETAIN_INVITATION_DAYS", 90)
PORTAL_RETAIN_DATA_EXPORT_DAYS = env_int("PORTAL_RETAIN_DATA_EXPORT_DAYS", 7)
# Every erasure is also appended to this file (ids only, no personal data), kept
# apart from the database, so `make restore` can apply it again to an older backup.
PORTAL_ERASURE_LOG = env_str(
    "PORTAL_ERASURE_LOG", str(BASE_DIR / "var" / "erasure-log.jsonl")
)

# Open data (360Giving and a Candid-style CSV): who publishes, under which licence.
PORTAL_FUNDER_NAME = env_str("PORTAL_FUNDER_NAME", "City of Minneapolis")
PORTAL_FUNDER_ORG_ID = env_str("PORTAL_FUNDER_ORG_ID", PORTAL_OPEN_DATA_PREFIX)
PORTAL_FUNDER_ADDRESS = env_str(
    "PORTAL_FUNDER_ADDRESS", "350 South 5th Street, Minneapolis, MN 55415"
)
PORTAL_OPEN_DATA_LICENSE = env_str(
    "PORTAL_OPEN_DATA_LICENSE", "https://creativecommons.org/licenses/by/4.0/"
)
PORTAL_OPEN_DATA_PUBLISHER_NAME = env_str(
    "PORTAL_OPEN_DATA_PUBLISHER_NAME", PORTAL_FUNDER_NAME
)
PORTAL_OPEN_DATA_PUBLISHER_URL = env_str(
    "PORTAL_OPEN_DATA_PUBLISHER_URL", "https://www.minneapolismn.gov/"
)
# The month the funder's fiscal year starts (1 = January, the City's calendar year).
PORTAL_FISCAL_YEAR_START_MONTH = env_int("PORTAL_FISCAL_YEAR_START_MONTH", 1)
# How long anonymous visitors may be served a stored copy of a public page, in seconds
# (0 turns it off). Publishing and every public change start afresh at once.
PORTAL_PUBLIC_PAGE_CACHE_SECONDS = env_int("PORTAL_PUBLIC_PAGE_CACHE_SECONDS", 300)
# How long the public /funded/ figures are cached, in seconds (changes clear it).
PORTAL_PUBLIC_FIGURES_CACHE_SECONDS = env_int(
    "PORTAL_PUBLIC_FIGURES_CACHE_SECONDS", 900
)

# Logs go to standard output as JSON lines (UTC, request id) unless
# PORTAL_LOG_FORMAT=text; portal.logging says what may be written in them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "portal.logging.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env_str("PORTAL_LOG_FORMAT", "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("PORTAL_LOG_LEVEL", "INFO")},
}
