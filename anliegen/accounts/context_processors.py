from django.http import HttpRequest

from anliegen.accounts.models import Team


def navigation(request: HttpRequest) -> dict[str, object]:
    """The teams whose queues the signed-in staff member may open, for the side bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from anliegen.tickets.access import visible_teams

    return {"nav_teams": lambda: list(visible_teams(user)), "Team": Team}
