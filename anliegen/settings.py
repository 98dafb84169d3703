"""Anliegen's settings: every value comes from the environment, with a default that runs.

With nothing configured Anliegen runs on an embedded SQLite database in ./data.
In production (ANLIEGEN_ENV=production) it refuses to start with the default secret key.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting. A value that is neither (a typo such as "ture") stops the start
    instead of silently meaning "no"."""
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/true/yes/on or 0/false/no/off, not {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    """A list given as words separated by commas or spaces."""
    return [item for item in env(name, default).replace(",", " ").split() if item]


ENVIRONMENT = env("ANLIEGEN_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEFAULT_SECRET = "anliegen-development-secret-do-not-use-in-production"
SECRET_KEY = env("ANLIEGEN_SECRET_KEY", DEFAULT_SECRET)
if PRODUCTION and SECRET_KEY == DEFAULT_SECRET:
    raise ImproperlyConfigured(
        "ANLIEGEN_SECRET_KEY is left at its default; set a long random secret for production."
    )
DEBUG = env_bool("ANLIEGEN_DEBUG", not PRODUCTION)

DATA_DIR = Path(env("ANLIEGEN_DATA_DIR", str(Path.cwd() / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
ALLOWED_HOSTS = [h.strip() for h in env("ANLIEGEN_ALLOWED_HOSTS", "*" if not PRODUCTION else "").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("ANLIEGEN_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]
SITE_URL = env("ANLIEGEN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "anliegen.runtime",
    "anliegen.accounts",
    "anliegen.customers",
    "anliegen.tickets",
    "anliegen.mail",
    "anliegen.phone",
    "anliegen.portal",
    "anliegen.routing",
    "anliegen.replies",
    # After the apps whose hooks route and assign: it tells people of the outcome.
    "anliegen.notifications",
    "anliegen.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "anliegen.accounts.middleware.SessionIdleMiddleware",
    "anliegen.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "anliegen.lib.errors.NotFoundMiddleware",
]

ROOT_URLCONF = "anliegen.urls"
ASGI_APPLICATION = "anliegen.asgi.application"
WSGI_APPLICATION = "anliegen.wsgi.application"

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
                "anliegen.tickets.context_processors.teams",
                "anliegen.tickets.context_processors.navigation",
            ],
        },
    }
]
# Form widgets through Jinja2 (Django ships the same widget templates for it): the case view
# renders a dozen fields, and Jinja2 renders them in a fraction of the template engine's time.
FORM_RENDERER = "django.forms.renderers.Jinja2"

DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'anliegen.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("ANLIEGEN_DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker write while the web server reads.
        # Wait for a lock from the very first statement: switching to WAL itself needs one, and
        # a process starting while another writes must wait, not fail its start-up checks.
        "timeout": 20,
        "init_command": "PRAGMA busy_timeout=20000; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": env("ANLIEGEN_TEST_SQLITE", "") or None}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_int("ANLIEGEN_DB_POOL", 1):
    # A pool of open connections: under ASGI each request runs in a thread of its own, so a
    # persistent connection would not be reused, and opening one costs a few milliseconds.
    # ANLIEGEN_DB_POOL=0 turns it off (e.g. behind PgBouncer); its size per process is
    # ANLIEGEN_DB_POOL_MAX.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": env_int("ANLIEGEN_DB_POOL_MAX", 10), "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "tickets:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("de", _("German")), ("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("ANLIEGEN_TIME_ZONE", "Europe/Berlin")
# Dates and times as the department writes them, in every interface language (an English UI
# in a German or Danish department still shows 01.12.2026 14:30, not 12/01/2026 2:30 p.m.).
# Django date-format characters, see anliegen/formats.
DATE_ORDER_FORMAT = env("ANLIEGEN_DATE_FORMAT", "d.m.Y")
CLOCK_FORMAT = env("ANLIEGEN_TIME_FORMAT", "H:i")
FORMAT_MODULE_PATH = ["anliegen.formats"]
# The country a phone number typed without its country code is read in, unless the team says otherwise.
PHONE_REGION = env("ANLIEGEN_PHONE_REGION", "DE").upper()
# How long reception still sees a case it logged a call on, and the callbacks it booked.
RECEPTION_FOLLOW_DAYS = env_int("ANLIEGEN_RECEPTION_FOLLOW_DAYS", 14, minimum=0)

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Attachments are stored content-addressed below this folder.
ATTACHMENT_DIR = Path(env("ANLIEGEN_ATTACHMENT_DIR", str(DATA_DIR / "attachments")))
ATTACHMENT_MAX_BYTES = env_int("ANLIEGEN_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENT_BLOCKED_EXTENSIONS = {
    e.strip().lower()
    for e in env(
        "ANLIEGEN_ATTACHMENT_BLOCKED_EXTENSIONS",
        # programs, scripts and shortcuts Windows runs when opened (names are normalised first,
        # see tickets.storage.checked_name)
        "exe,bat,cmd,com,scr,pif,cpl,msi,msp,msc,dll,js,jse,vbs,vbe,wsf,wsh,ws,hta,ps1,psm1,"
        "jar,lnk,url,scf,reg,inf,chm,application,gadget,appx,appxbundle,msix,xll,iqy,settingcontent-ms",
    ).split(",")
    if e.strip()
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Mail
DEFAULT_FROM_EMAIL = env("ANLIEGEN_FROM_EMAIL", "service@anliegen.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Outgoing mail through Django's mailers (MAILERS replaces EMAIL_BACKEND/EMAIL_HOST/... in
# Django 6.1). The SMTP options apply to the SMTP backend only; other backends take none.
email_backend = env(
    "ANLIEGEN_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
smtp_options = {
    "host": env("ANLIEGEN_SMTP_HOST", "127.0.0.1"),
    "port": env_int("ANLIEGEN_SMTP_PORT", 25),
    "username": env("ANLIEGEN_SMTP_USER"),
    "password": env("ANLIEGEN_SMTP_PASSWORD"),
    "use_tls": env_bool("ANLIEGEN_SMTP_STARTTLS"),
    "timeout": env_int("ANLIEGEN_SMTP_TIMEOUT", 30),
}
MAILERS = {"default": {"BACKEND": email_backend, "OPTIONS": smtp_options if "smtp" in email_backend else {}}}
MAIL_DOMAIN = env("ANLIEGEN_MAIL_DOMAIN", DEFAULT_FROM_EMAIL.rpartition("@")[2] or "anliegen.example")
MAIL_MAX_BYTES = env_int("ANLIEGEN_MAIL_MAX_BYTES", 40 * 1024 * 1024)
MAIL_POLL_SECONDS = env_int("ANLIEGEN_MAIL_POLL_SECONDS", 60)
MAIL_SEND_MAX_ATTEMPTS = env_int("ANLIEGEN_MAIL_SEND_MAX_ATTEMPTS", 8)
MAIL_SEND_RETRY_SECONDS = env_int("ANLIEGEN_MAIL_SEND_RETRY_SECONDS", 60)
MAIL_SEND_SECONDS = env_int("ANLIEGEN_MAIL_SEND_SECONDS", 60)
MAIL_IMAP_BATCH = env_int("ANLIEGEN_MAIL_IMAP_BATCH", 50)
MAIL_IMAP_TIMEOUT = env_int("ANLIEGEN_MAIL_IMAP_TIMEOUT", 60)
# More than MAIL_LOOP_MAX mails from one address within the window are treated as a mail loop.
MAIL_LOOP_MAX = env_int("ANLIEGEN_MAIL_LOOP_MAX", 20)
MAIL_LOOP_WINDOW_MINUTES = env_int("ANLIEGEN_MAIL_LOOP_WINDOW_MINUTES", 10)
# Team (slug) for mail that arrives without a mailbox; empty: the first support team.
MAIL_DEFAULT_TEAM = env("ANLIEGEN_MAIL_DEFAULT_TEAM")

# Portal and web form (read through anliegen.portal.conf).
# Team (slug) for concerns from the portal and the web form; empty: the first support team.
PORTAL_TEAM = env("ANLIEGEN_PORTAL_TEAM").strip()
PORTAL_LINK_MINUTES = env_int("ANLIEGEN_PORTAL_LINK_MINUTES", 30, minimum=1)
# Sign-in links that may be requested for one address (and from one IP, times four) per hour.
PORTAL_LINKS_PER_HOUR = env_int("ANLIEGEN_PORTAL_LINKS_PER_HOUR", 5, minimum=1)
WEBFORM_PER_HOUR = env_int("ANLIEGEN_WEBFORM_PER_HOUR", 10, minimum=1)
# The largest web-form submission (text and attachments together), refused before it is read.
WEBFORM_MAX_BYTES = env_int("ANLIEGEN_WEBFORM_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)
# The largest body of the other anonymous forms (staff and portal sign-in).
SIGN_IN_MAX_BYTES = 64 * 1024
# Confirmation mails of the web form to one address per hour (more submissions still open cases).
WEBFORM_CONFIRMATIONS_PER_HOUR = env_int("ANLIEGEN_WEBFORM_CONFIRMATIONS_PER_HOUR", 3, minimum=0)
# How long the sign-in link under a reply on a portal case works (once).
PORTAL_NOTICE_LINK_HOURS = env_int("ANLIEGEN_PORTAL_NOTICE_LINK_HOURS", 72, minimum=1)
# A person needs at least this long to fill the web form; faster is a robot.
WEBFORM_MIN_SECONDS = env_int("ANLIEGEN_WEBFORM_MIN_SECONDS", 3, minimum=0)
# Sites allowed to embed the web form in a frame (CSP frame-ancestors sources).
WEBFORM_FRAME_ANCESTORS = env_list("ANLIEGEN_WEBFORM_FRAME_ANCESTORS", "'self'")
# The reverse proxies in front of `anliegen serve` (addresses or networks). Only a request
# that arrives from one of them may say, in X-Forwarded-For/-Proto (or CLIENT_IP_HEADER), whom
# it is for; from anywhere else those headers are ignored and the connection's address counts
# (rate limits, login throttling). Empty: no proxy is trusted, not even one on loopback.
TRUSTED_PROXIES = env_list("ANLIEGEN_TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"ANLIEGEN_TRUSTED_PROXIES must list IP addresses or networks, not {_proxy!r}"
        ) from exc
# Behind a reverse proxy that passes the client's address in a header of its own (e.g.
# X-Real-IP), that header; read only on requests from TRUSTED_PROXIES.
CLIENT_IP_HEADER = env("ANLIEGEN_CLIENT_IP_HEADER").strip()
if CLIENT_IP_HEADER and not TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "ANLIEGEN_CLIENT_IP_HEADER is read only from trusted proxies: "
        "set ANLIEGEN_TRUSTED_PROXIES to the address of the proxy in front of Anliegen."
    )

# Staff sign-in throttling: this many failed sign-ins within the window pause signing in for
# the account name (known or not) or for the address they came from, until the window has
# passed or an administrator lifts the pause (`anliegen unlock-sign-in`).
LOGIN_FAILURES_PER_ACCOUNT = env_int("ANLIEGEN_LOGIN_FAILURES_PER_ACCOUNT", 8, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("ANLIEGEN_LOGIN_FAILURES_PER_ADDRESS", 40, minimum=1)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("ANLIEGEN_LOGIN_FAILURE_WINDOW_MINUTES", 15, minimum=1)

CASE_NUMBER_PREFIX = "A"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
# A session (staff and portal) ends after this long without a request.
SESSION_IDLE_MINUTES = env_int("ANLIEGEN_SESSION_IDLE_MINUTES", 8 * 60, minimum=5)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:", "cid:"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "script-src": ["'self'"],
    "frame-ancestors": ["'self'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("ANLIEGEN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
