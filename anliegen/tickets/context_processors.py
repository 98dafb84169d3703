from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from anliegen.accounts.models import Team
from anliegen.tickets import hooks
from anliegen.tickets.access import visible_teams


def _links(user: Any) -> list[tuple[hooks.NavEntry, str, str]]:
    """The side bar's entries the user may see, with their URLs; one whose URL is missing is
    left out rather than breaking every page."""
    result = []
    for entry in hooks.nav_entries(user):
        try:
            url = reverse(entry.url_name)
            badge = reverse(entry.badge_url_name) if entry.badge_url_name else ""
        except NoReverseMatch:
            continue
        result.append((entry, url, badge))
    return result


def navigation(request: HttpRequest) -> dict[str, object]:
    """The feature apps' side-bar links (hooks.register_nav), read when a page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_links": lambda: _links(user)}


def bulk_links(user: Any) -> list[tuple[hooks.BulkAction, str]]:
    """The queue's bulk-action buttons the user may use, with their URLs."""
    result = []
    for action in hooks.bulk_actions(user):
        try:
            result.append((action, reverse(action.url_name)))
        except NoReverseMatch:
            continue
    return result


def teams(request: HttpRequest) -> dict[str, object]:
    """The teams whose queues the signed-in staff member may open, for the side bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_teams": lambda: list(visible_teams(user)), "Team": Team}
