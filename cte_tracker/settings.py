"""CTE Tracker settings.

Every setting that differs between a laptop demo and a district's server comes from the
environment; `.env.example` documents each variable. Helpers raise ImproperlyConfigured
on a value they cannot read, so a typo fails at start-up instead of at 2 a.m.
"""

import os
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from pathways.grades import LETTER_GRADES

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true/false), not {value!r}")


def envint(name: str, default: str, *, minimum: int = 0) -> int:
    raw = os.getenv(name, default).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_grade_scale(name: str, default: str) -> list[tuple[str, int]]:
    """A numeric-to-letter grade scale like "A+=97,A=93,...,F=0": each letter grade with the lowest numeric
    grade that earns it, from the highest letter down, ending at F=0."""
    raw = os.getenv(name, default).strip()
    try:
        scale = [(letter.strip().upper(), int(low)) for letter, low in (part.split("=") for part in raw.split(","))]
    except ValueError:
        raise ImproperlyConfigured(f"{name} must read like A=90,B=80,C=70,D=60,F=0, not {raw!r}") from None
    letters = [letter for letter, _ in scale]
    lows = [low for _, low in scale]
    if (
        any(letter not in LETTER_GRADES for letter in letters)
        or sorted(letters, key=LETTER_GRADES.index) != letters
        or len(set(letters)) != len(letters)
        or lows != sorted(lows, reverse=True)
        or len(set(lows)) != len(lows)
        or scale[-1] != ("F", 0)
        or lows[0] > 100
    ):
        raise ImproperlyConfigured(
            f"{name} must list letter grades (A+ to F) from the highest down, each with a lower minimum "
            f"from 100 down, ending with F=0, not {raw!r}"
        )
    return scale


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def env_month_day(name: str, default: str) -> tuple[int, int]:
    raw = os.getenv(name, default).strip()
    try:
        month, day = (int(part) for part in raw.split("-"))
        date(2000, month, day)  # a leap year, so 02-29 is accepted
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a month and day like 07-01, not {raw!r}") from None
    return month, day


DEBUG = envbool("DJANGO_DEBUG", "1")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DJANGO_DEBUG=0")
    SECRET_KEY = "insecure-development-key-only-for-DJANGO_DEBUG-1"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "common",
    "accounts",
    "students",
    "pathways",
    "credentials",
    "imports",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-factor sign-in: which device verified this session (django-otp), and sending those who must use one
    # to enrol or enter a code before any other page (accounts.two_factor).
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Signs out a session left idle longer than SESSION_IDLE_SECONDS.
    "accounts.middleware.IdleTimeoutMiddleware",
    # Cache-Control: no-store on everything a signed-in person is given.
    "accounts.middleware.NoStoreMiddleware",
    # Records the logged-in user on every history row written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Login throttling (django-axes): answers a locked-out login with the lockout page. Last, as axes asks.
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

ROOT_URLCONF = "cte_tracker.urls"

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
                "accounts.context_processors.role",
            ],
        },
    },
]

WSGI_APPLICATION = "cte_tracker.wsgi.application"

DATABASE_URL = os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", "60"))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL I can read: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web server and task worker) share the demo database file.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if os.getenv("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.getenv("TIME_ZONE", "America/Denver")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Login and CSRF cookies travel over HTTPS only, as a district's server runs. The laptop demo (`make run`:
# DEBUG off, plain http://127.0.0.1) turns this off, or no browser would send the login cookie back.
SECURE_COOKIES = envbool("SECURE_COOKIES", "0" if DEBUG else "1")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# HTTPS on a district's server (docs/deployment.md): plain-HTTP requests redirected, browsers told to use HTTPS only
# for SECURE_HSTS_SECONDS (start small, then a year), and, behind a reverse proxy that ends TLS, the proxy's
# X-Forwarded-Proto header trusted to say a request came over HTTPS (TLS_PROXY=1; only when the proxy sets it).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "0")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "0")
if envbool("TLS_PROXY", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz answers the proxy's and the monitor's plain-HTTP checks on the server itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 60 * 60), minimum=60)
# A session with no request for this long is signed out, however young it is (accounts.middleware).
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", str(30 * 60), minimum=60)

# Login throttling (django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one username from one address lock that
# pair out for LOGIN_COOLOFF_MINUTES, so one attacker cannot lock out a whole school behind one address. A right
# password resets the count. Behind a reverse proxy, TRUSTED_PROXY_COUNT proxies' X-Forwarded-For entries are
# trusted to give the person's own address (0: REMOTE_ADDR, the server is reached directly).
# Two-factor sign-in (an authenticator app's code after the password) is required for these roles: any of
# "coordinator", "superuser", or "all" for everyone; empty turns it off (the laptop demo does).
TWO_FACTOR_ROLES = envlist("TWO_FACTOR_ROLES", "coordinator,superuser")
_unknown_roles = set(TWO_FACTOR_ROLES) - {"coordinator", "superuser", "all"}
if _unknown_roles:
    raise ImproperlyConfigured(
        f"TWO_FACTOR_ROLES may name coordinator, superuser or all, not {', '.join(sorted(_unknown_roles))}"
    )
OTP_TOTP_ISSUER = "CTE Tracker"

AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5", minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", "15", minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# The school year starts on this month and day (07-01: 2024-25 runs 2024-07-01 to 2025-06-30).
SCHOOL_YEAR_START = env_month_day("SCHOOL_YEAR_START", "07-01")

# How a numeric course grade (0-100) reads as a letter grade: each letter with the lowest number that earns it.
NUMERIC_GRADE_SCALE = env_grade_scale(
    "NUMERIC_GRADE_SCALE", "A+=97,A=93,A-=90,B+=87,B=83,B-=80,C+=77,C=73,C-=70,D+=67,D=63,D-=60,F=0"
)

# The district's name, as the printed dashboard and the board packet head their pages with it.
DISTRICT_NAME = os.getenv("DISTRICT_NAME", "").strip() or "CTE Tracker demo district"

# Board viewers see counts from 1 to SUPPRESSION_THRESHOLD - 1 as "<N".
SUPPRESSION_THRESHOLD = envint("SUPPRESSION_THRESHOLD", "10", minimum=1)

# Uploads larger than this are refused before they are read.
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", str(50 * 1024 * 1024), minimum=1024)
# Uploads larger than this are read and checked by the task worker, with a progress bar, instead of
# inside the upload request (about 10,000 roster rows per megabyte of CSV).
IMPORT_INLINE_CHECK_BYTES = envint("IMPORT_INLINE_CHECK_BYTES", str(1024 * 1024), minimum=0)
# Uploaded import files older than this many days are deleted by `manage.py purge_import_files`; the
# batches keep their counts and problems.
IMPORT_FILE_RETENTION_DAYS = envint("IMPORT_FILE_RETENTION_DAYS", "365", minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Built board reports are cached under a key that changes with the figures (reports/published.py), so a board
# meeting's worth of viewers costs one computation. The database cache needs no other server (its table is made by
# `migrate`); CACHE_URL=redis://host:6379/0 uses Redis instead.
CACHE_URL = os.getenv("CACHE_URL", "").strip()
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"CACHE_URL must be a Redis URL like redis://127.0.0.1:6379/0, not {CACHE_URL!r}")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "common_cache",
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", "2000", minimum=10)},
    }
}
# How long a built board report is kept (it is replaced as soon as the figures change, whatever this says).
BOARD_CACHE_SECONDS = envint("BOARD_CACHE_SECONDS", "86400")
# After a change, a suppressed viewer is given the last report built (marked "figures as of HH:MM") while the task
# worker builds the new one, queued at most once per this many seconds per filter set; a stale report older than
# BOARD_STALE_LIMIT_SECONDS is built in the request instead (no worker running, say).
BOARD_REFRESH_INTERVAL_SECONDS = envint("BOARD_REFRESH_INTERVAL_SECONDS", "30")
BOARD_STALE_LIMIT_SECONDS = envint("BOARD_STALE_LIMIT_SECONDS", "900", minimum=1)

TASKS = {
    "default": {
        "BACKEND": os.getenv("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_without_traceback": {"()": "cte_tracker.log_filters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (debug only) would print every record a second time beside the root's.
        "django": {"handlers": [], "propagate": True},
        "django.request": {"filters": ["refusal_without_traceback"]},
    },
}
