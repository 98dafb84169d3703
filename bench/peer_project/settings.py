"""A minimal Django project around django-helpdesk 2.6.1, for the side-by-side benchmark only.

Runs in bench/.peer (its own virtualenv, Django 5.2); the database comes from PEER_DATABASE_URL."""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy  # noqa: F401  (helpdesk settings import it early)

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "peer-benchmark-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
SITE_ID = 1
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "peer_project.timing.ServerTiming",  # benchmark-only: Server-Timing header
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "peer_project.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
_url = os.environ.get("PEER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anliegen_bench_peer")
_user_host, _name = _url.split("://", 1)[1].rsplit("/", 1)
_user, _hostport = _user_host.split("@")
_host, _port = _hostport.split(":")
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _name,
        "USER": _user,
        "HOST": _host,
        "PORT": _port,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Europe/Berlin"
STATIC_URL = "/static/"
MEDIA_ROOT = str(BASE_DIR.parent / "results" / "peer-media")
LOGIN_URL = "/helpdesk/login/"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
HELPDESK_TEAMS_MODE_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
