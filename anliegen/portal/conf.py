"""The portal's own settings. Each is read from the environment here, with a default that
runs; a Django setting of the same name (without the ANLIEGEN_ prefix) wins, so tests and
deployments that configure Django directly can override it."""

import datetime
import os

from django.conf import settings


def _value(name: str, default: str) -> str:
    override = getattr(settings, name.removeprefix("ANLIEGEN_"), None)
    if override is not None:
        return str(override) if not isinstance(override, list | tuple) else " ".join(override)
    return os.environ.get(name, default)


def _int(name: str, default: int) -> int:
    try:
        return int(_value(name, str(default)))
    except ValueError:
        return default


def portal_team_slug() -> str:
    """The team new portal and web-form concerns go to; empty means the first support team."""
    return _value("ANLIEGEN_PORTAL_TEAM", "").strip()


def link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(minutes=_int("ANLIEGEN_PORTAL_LINK_MINUTES", 30))


def link_requests_per_hour() -> int:
    """Sign-in links that may be requested for one address (and from one IP, times four) per hour."""
    return _int("ANLIEGEN_PORTAL_LINKS_PER_HOUR", 5)


def webform_submissions_per_hour() -> int:
    """Web-form submissions accepted from one IP address per hour."""
    return _int("ANLIEGEN_WEBFORM_PER_HOUR", 10)


def webform_min_seconds() -> int:
    """A person needs at least this long to fill the web form; faster is a robot."""
    return _int("ANLIEGEN_WEBFORM_MIN_SECONDS", 3)


def webform_frame_ancestors() -> list[str]:
    """Origins allowed to embed the web form in an iframe (CSP frame-ancestors sources),
    e.g. ANLIEGEN_WEBFORM_FRAME_ANCESTORS="'self' https://www.example.com"."""
    raw = _value("ANLIEGEN_WEBFORM_FRAME_ANCESTORS", "'self'")
    sources = [s.strip() for s in raw.replace(",", " ").split() if s.strip()]
    return sources or ["'none'"]


def client_ip_header() -> str:
    """Behind a reverse proxy, the request header that carries the client's address (e.g.
    "X-Forwarded-For"; the last entry, the one our own proxy added, is used). Empty: the
    connection's address. Set it only when a proxy that overwrites the header is in front."""
    return _value("ANLIEGEN_CLIENT_IP_HEADER", "").strip()


FORM_MAX_AGE = datetime.timedelta(days=1)
MAX_ATTACHMENTS = 5
