"""Writes to accounts: creating staff and teams, memberships."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify

from anliegen.accounts.models import Membership, Role, Team, TeamKind, User


@transaction.atomic
def create_team(*, name: str, kind: str = TeamKind.SUPPORT, confidential: bool = False,
                default_language: str = "de", email: str = "", slug: str = "", phone_region: str = "") -> Team:
    return Team.objects.create(
        name=name, slug=slug or slugify(name), kind=kind, confidential=confidential,
        default_language=default_language, email=email, phone_region=phone_region,
    )


@transaction.atomic
def create_staff(*, username: str, password: str | None, role: str = Role.AGENT,
                 display_name: str = "", email: str = "", languages: Iterable[str] = ("de",),
                 teams: Iterable[Team] = ()) -> User:
    user = User(username=username, role=role, display_name=display_name, email=email,
                languages=list(languages), is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    for team in teams:
        add_member(team=team, user=user)
    return user


@transaction.atomic
def add_member(*, team: Team, user: User, is_team_lead: bool = False) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        team=team, user=user, defaults={"is_team_lead": is_team_lead}
    )
    user.__dict__.pop("_member_team_ids", None)  # tickets.access reads the teams anew
    return membership


@transaction.atomic
def update_preferences(*, user: User, ui_language: str, availability: str) -> User:
    user.ui_language = ui_language
    user.availability = availability
    user.save(update_fields=["ui_language", "availability"])
    return user
