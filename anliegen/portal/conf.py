"""The portal's settings, as the portal uses them. The values come from anliegen.settings
(the environment variables ANLIEGEN_PORTAL_*, ANLIEGEN_WEBFORM_*)."""

import datetime

from django.conf import settings


def portal_team_slug() -> str:
    """The team new portal and web-form concerns go to; empty means the first support team."""
    return settings.PORTAL_TEAM.strip()


def link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.PORTAL_LINK_MINUTES)


def link_requests_per_hour() -> int:
    """Sign-in links that may be requested for one address (and from one IP, times four) per hour."""
    return settings.PORTAL_LINKS_PER_HOUR


def notice_link_lifetime() -> datetime.timedelta:
    """How long the sign-in link under a reply on a portal case works (once)."""
    return datetime.timedelta(hours=settings.PORTAL_NOTICE_LINK_HOURS)


def webform_confirmations_per_hour() -> int:
    """Confirmation mails sent to one address per hour; more submissions still open cases."""
    return settings.WEBFORM_CONFIRMATIONS_PER_HOUR


def webform_submissions_per_hour() -> int:
    """Web-form submissions accepted from one IP address per hour."""
    return settings.WEBFORM_PER_HOUR


def webform_min_seconds() -> int:
    """A person needs at least this long to fill the web form; faster is a robot."""
    return settings.WEBFORM_MIN_SECONDS


def webform_frame_ancestors() -> list[str]:
    """Origins allowed to embed the web form in an iframe (CSP frame-ancestors sources),
    e.g. ANLIEGEN_WEBFORM_FRAME_ANCESTORS="'self' https://www.example.com"."""
    raw = settings.WEBFORM_FRAME_ANCESTORS
    words = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
    sources = [s.strip() for s in words if s.strip()]
    return sources or ["'none'"]


MAX_ATTACHMENTS = 5
