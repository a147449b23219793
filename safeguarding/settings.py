"""Settings for the safeguarding reviews service.

One module, read from the environment (django-environ). Every default is safe for the
embedded demo (`make run`); production must set SECRET_KEY and turn DEBUG off, and then
refuses to start with unsafe values. See .env.example for every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
DEMO_MODE = env.bool("DEMO_MODE", default=False)
if DEMO_MODE and not DEBUG:
    # The demo lets anyone skip the second factor: never where the service is deployed.
    raise ImproperlyConfigured(
        "DEMO_MODE lets sign-ins skip the second factor: it is allowed only with DEBUG on "
        "(make run), never in production."
    )

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105
    # With DEBUG off and no key, management commands that need no key (migrations, checks)
    # still run, but nothing can serve: the web (wsgi.py) and the Celery worker
    # (celery.py) refuse to start, and Django refuses any use of the empty key.
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production: use 50+ random characters.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = env.str("SERVICE_NAME", default="Safeguarding practice reviews")
# The e-mail address of the team that runs the service (its administrators). Given where
# the service sends someone to them (a manager's security notice, an invitation, the
# accessibility statement, the footer); with none, those say "the administrators of ..."
# with no address, as partnerships had to before.
SERVICE_CONTACT_EMAIL = env.str(
    "SERVICE_CONTACT_EMAIL", default="support@demo.example" if DEMO_MODE else ""
)

INSTALLED_APPS = [
    "safeguarding.apps.SafeguardingConfig",
    "notifications.apps.NotificationsConfig",
    "rapid_reviews.apps.RapidReviewsConfig",
    "lcspr.apps.LcsprConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_htmx",
    "django_filters",
    "django_celery_beat",
    # Sign-in security (ADR 0007): second factor, lockout, Content Security Policy.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "safeguarding.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "safeguarding.middleware.SessionActivityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "safeguarding.middleware.PrivateResponsesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safeguarding.middleware.TwoFactorRequiredMiddleware",
    # Records a signed-in person's refused request for a case page (ADR 0005 addendum).
    "safeguarding.middleware.RefusedCaseRequestsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a lockout into the "account locked" page.
    "axes.middleware.AxesMiddleware",
]

if DEMO_MODE:
    # The service's 404 and 500 pages, not Django's technical ones, in the demo too.
    # Innermost but for django-axes (which must be last), so the page it puts in place
    # goes out through every other middleware: headers, cookies, caching rules.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
        "safeguarding.middleware.DemoErrorPagesMiddleware",
    )

ROOT_URLCONF = "safeguarding.urls"
WSGI_APPLICATION = "safeguarding.wsgi.application"

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
                "safeguarding.context_processors.service",
            ],
            # `full_date` and `short_date` in every template: one rule for dates.
            "builtins": ["safeguarding.templatetags.dates"],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite file for the embedded demo; PostgreSQL (postgres://…) for tests and production.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the in-process worker read while one writes;
    # IMMEDIATE transactions avoid "database is locked" on upgrade from read to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sessions ------------------------------------------------------------
AUTH_USER_MODEL = "safeguarding.User"
LOGIN_URL = "safeguarding:sign-in"
LOGIN_REDIRECT_URL = "safeguarding:home"
LOGOUT_REDIRECT_URL = "safeguarding:signed-out"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not the person's own name or the first part of their e-mail address, in any form.
    {"NAME": "safeguarding.passwords.OwnNameValidator"},
]
# Inactivity expiry: the session's age restarts with activity. It is written back at most
# once a minute (safeguarding.middleware.SessionActivityMiddleware), not on every request:
# a page view then costs no database write, and the expiry is never more than a minute
# (well inside the two-minute warning) earlier than the page's own countdown.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_TIMEOUT_WARNING_SECONDS = env.int("SESSION_TIMEOUT_WARNING_SECONDS", default=2 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# "Saved" and similar messages are kept in the session on the server, not in a cookie of
# their own: they can name a case, and the cookies page lists only the session and CSRF.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# django-axes checks every sign-in attempt first and refuses locked-out ones.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Two-factor authentication (django-otp) and lockout (django-axes) ------------------
# Every member of a partnership or region and every administrator signs in with a TOTP
# authenticator app (or a single-use recovery code). DEMO_MODE lets a demo session skip
# the second factor with a button; it must never be on in production.
OTP_TOTP_ISSUER = SERVICE_NAME
# No page shows a person's authenticator secret or recovery codes to anyone else (the
# administration site shows what is set up and resets it: safeguarding/admin.py).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Failed codes slow the next attempt down exponentially (per device), but not the first few
# in a row (a typo, a code that changed while it was typed): those cost no wait
# (safeguarding/two_factor.py). With a factor of 1, the 4th wrong code in a row makes the
# next wait 8 seconds, then 16, 32 … ; a right code starts the count again.
TWO_FACTOR_UNTIMED_FAILURES = 3
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
# Setting up a first authenticator with only a password needs a code e-mailed to the
# person first (safeguarding/two_factor.py): valid 10 minutes, one e-mail a minute.
OTP_EMAIL_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
OTP_EMAIL_TOKEN_VALIDITY = 10 * 60
OTP_EMAIL_COOLDOWN_DURATION = 60
OTP_EMAIL_SUBJECT = f"Your set-up code for {SERVICE_NAME}"
OTP_EMAIL_BODY_TEMPLATE_PATH = "safeguarding/email/set_up_code.txt"
OTP_EMAIL_BODY_HTML_TEMPLATE_PATH = "safeguarding/email/set_up_code.html"
TWO_FACTOR_RECOVERY_CODES = 10
# Lock an e-mail address from one IP address after this many failed sign-ins.
AXES_FAILURE_LIMIT = env.int("LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Against one address trying a few passwords on every account (password spraying): that
# many failed sign-ins from one address, whatever the accounts, within AXES_COOLOFF_TIME
# refuse further sign-ins from it. High enough for an office behind one address.
ADDRESS_FAILURE_LIMIT = env.int("LOCKOUT_ADDRESS_FAILURES", default=50)
AXES_USERNAME_FORM_FIELD = "username"  # our sign-in form's e-mail field
AXES_USERNAME_CALLABLE = "safeguarding.account_views.axes_username"
AXES_LOCKOUT_CALLABLE = "safeguarding.account_views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # the audit trail already records every sign-in
# axes' own administration pages are not registered: deleting an attempt there ended a
# lockout unaudited. A person's lockouts are seen and ended, audited, on their user page
# (safeguarding/lockouts.py).
AXES_ENABLE_ADMIN = False
# The number of reverse proxies in front of the service that each append the address they
# received a request from to X-Forwarded-For (0: the service is reached directly, and the
# header, which a client can forge, is ignored). The audit trail and the sign-in lockout
# take the client's address from it (safeguarding.audit.client_ip).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "safeguarding.audit.client_ip"

# --- Security headers (production values unless DEBUG) ---------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp 4): no inline script or style anywhere; the QR code
# for two-factor set-up is an SVG data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
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
    },
}
# Browser features the service never uses (safeguarding.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
# The service is in English only, so the translation machinery is off: with it on, every
# {% translate %} and form label walks a chain of message catalogues, a sixth of the time
# of a page (bench/README.md). Texts stay marked for translation, so turning it back on
# with catalogues (Welsh, say) needs no code change. Dates still use en-GB formats.
USE_I18N = False
USE_TZ = True

# --- Static files: GOV.UK Frontend comes from node_modules, never from the repo --------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files are never served from a URL (no MEDIA_URL route): only through views that
# check permission and audit the download. Largest upload accepted, in bytes.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Case records are reviewed for deletion this many years after their stage closed
# (a local data-protection decision; the retention report lists what is past it).
RETENTION_YEARS = env.int("RETENTION_YEARS", default=25)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Forms ----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.14.0"

# --- E-mail ---------------------------------------------------------------------------
# Default: every message is written as a file into EMAIL_FILE_PATH (the local outbox).
# Production: EMAIL_URL=smtp://user:password@host:587/?tls=True
globals().update(env.email_url("EMAIL_URL", default="filemail://"))
EMAIL_FILE_PATH = Path(env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "outbox")))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="reviews@safeguarding.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------
# Default: kombu's filesystem transport under var/broker (no Redis needed for the demo).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport, with messages written whole before they are queued.
    CELERY_BROKER_TRANSPORT = "safeguarding.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "staging_folder": str(BROKER_DIR / "staging"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Reminders (issue 6) ----------------------------------------------------------------
# Reminders go out only on working days, between these hours (local time, 24-hour clock).
REMINDER_TIME_ZONE = env.str("REMINDER_TIME_ZONE", default="Europe/London")
REMINDER_OFFICE_HOURS_START = env.int("REMINDER_OFFICE_HOURS_START", default=8)
REMINDER_OFFICE_HOURS_END = env.int("REMINDER_OFFICE_HOURS_END", default=18)
# How often beat runs the sweep (seconds): every minute in the demo, else every 10 minutes.
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=60 if DEMO_MODE else 600)
# A reminder still waiting this long after it was queued is queued again by the next sweep.
REMINDER_REQUEUE_AFTER_SECONDS = env.int("REMINDER_REQUEUE_AFTER_SECONDS", default=300)
# Celery queue of the send tasks (workers must consume it; "celery" is the default queue).
REMINDER_QUEUE = env.str("REMINDER_QUEUE", default="celery")
REMINDER_SEND_MAX_RETRIES = env.int("REMINDER_SEND_MAX_RETRIES", default=8)
# Exponential back-off of a failed send: this many seconds, doubling, at most 10 minutes.
REMINDER_RETRY_BACKOFF_SECONDS = env.int("REMINDER_RETRY_BACKOFF_SECONDS", default=5)
# Never wait forever on a mail server that accepts the connection and then stalls.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- Logging: one JSON object per line on stdout ---------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {"refusals": {"()": "safeguarding.logging_filters.RefusalsWithoutTraceback"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"filters": ["refusals"]},  # a 403 or 404 is one line, no traceback
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},  # lockouts only; sign-ins are in the audit trail
        # WeasyPrint's font subsetting logs every glyph list at INFO: about 95 lines a PDF.
        "fontTools": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "django.server": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}

ADMINS = [("Service team", a) for a in env.list("ADMIN_EMAILS", default=[])]
# Error reports (the e-mails to ADMINS, and any reporter) never carry what was posted or
# the values in the code's frames: a form about a child holds special category data.
DEFAULT_EXCEPTION_REPORTER_FILTER = "safeguarding.error_reports.NoCaseDataFilter"
