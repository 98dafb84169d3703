"""Writes to accounts: creating staff and teams, memberships."""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from anliegen.accounts.models import (
    Membership,
    Role,
    SignInFailure,
    SignInFailureKind,
    Team,
    TeamKind,
    User,
)

log = logging.getLogger(__name__)


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
    user.__dict__.pop("_member_teams", None)  # tickets.access reads the teams anew
    return membership


@transaction.atomic
def update_preferences(*, user: User, ui_language: str, availability: str) -> User:
    user.ui_language = ui_language
    user.availability = availability
    user.save(update_fields=["ui_language", "availability"])
    return user


class AccountError(ValueError):
    """A change an administrator asked for that cannot be made; the text is for them."""


def _sync_role(user: User, role: str) -> None:
    user.role = role
    # Only administrators reach the framework's admin; createadmin's superusers stay admins.
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN


@transaction.atomic
def save_staff(*, actor: User, user: User | None = None, username: str, display_name: str, email: str,
               role: str, languages: Iterable[str], teams: Iterable[Team], max_open_cases: int | None,
               is_active: bool = True, password: str = "") -> User:
    """Create a member of staff or change one (as an administrator does on the staff screen).
    Without a password a new account has none: it is set through an invitation link."""
    if role not in Role.values:
        raise AccountError(_("Choose a role."))
    if User.objects.filter(username__iexact=username).exclude(pk=user.pk if user else None).exists():
        raise AccountError(_("The sign-in name %(name)s is taken.") % {"name": username})
    if user is not None:
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.pk == actor.pk and (not is_active or role != Role.ADMIN):
            raise AccountError(_("You cannot deactivate yourself or take away your own administrator role."))
    else:
        user = User()
        user.set_unusable_password()
    user.username, user.display_name, user.email = username, display_name, email
    user.languages = [code for code in languages]
    user.max_open_cases = max_open_cases
    user.is_active = is_active
    _sync_role(user, role)
    if password:
        user.set_password(password)
    user.save()
    wanted = {team.pk for team in teams}
    Membership.objects.filter(user=user).exclude(team_id__in=wanted).delete()
    for team_id in wanted - set(Membership.objects.filter(user=user).values_list("team_id", flat=True)):
        Membership.objects.create(user=user, team_id=team_id)
    user.__dict__.pop("_member_teams", None)
    return user


@transaction.atomic
def save_team(*, team: Team | None = None, name: str, kind: str, confidential: bool, default_language: str,
              email: str = "", phone_region: str = "", members: Iterable[User] = (),
              team_leads: Iterable[User] = ()) -> Team:
    """Create a team or change one, with its members (team leads are members too)."""
    slug = slugify(name)
    if not slug:
        raise AccountError(_("Give the team a name with letters or digits."))
    others = Team.objects.exclude(pk=team.pk if team else None)
    if others.filter(name__iexact=name).exists():
        raise AccountError(_("A team named %(name)s exists already.") % {"name": name})
    if team is None:
        base, n = slug, 2
        while Team.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        team = Team(slug=slug)
    else:
        team = Team.objects.select_for_update().get(pk=team.pk)
    team.name, team.kind, team.confidential = name, kind, confidential
    team.default_language, team.email, team.phone_region = default_language, email, phone_region
    team.save()
    leads = {u.pk for u in team_leads}
    wanted = {u.pk for u in members} | leads
    Membership.objects.filter(team=team).exclude(user_id__in=wanted).delete()
    existing = {m.user_id: m for m in Membership.objects.filter(team=team)}
    for user_id in wanted:
        membership = existing.get(user_id)
        if membership is None:
            Membership.objects.create(team=team, user_id=user_id, is_team_lead=user_id in leads)
        elif membership.is_team_lead != (user_id in leads):
            membership.is_team_lead = user_id in leads
            membership.save(update_fields=["is_team_lead"])
    return team


# --- Staff sign-in throttling -------------------------------------------------------------------

def _failure_keys(username: str, address: str) -> list[tuple[str, str, int]]:
    return [
        (SignInFailureKind.ACCOUNT, username.strip().lower()[:150], settings.LOGIN_FAILURES_PER_ACCOUNT),
        (SignInFailureKind.ADDRESS, address[:150], settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


def sign_in_paused_until(*, username: str, address: str) -> datetime.datetime | None:
    """When signing in as username from address may be tried again, or None if it may now.
    Asked before the password is checked, so a paused name learns nothing more, and answered
    alike for names that exist and names that do not."""
    window = datetime.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    now = timezone.now()
    until = None
    for kind, key, limit in _failure_keys(username, address):
        recent = list(SignInFailure.objects.filter(kind=kind, key=key, at__gt=now - window)
                      .order_by("-at").values_list("at", flat=True)[:limit])
        if len(recent) >= limit:
            # Free again when the oldest of the last `limit` failures leaves the window.
            candidate = recent[-1] + window
            until = candidate if until is None else max(until, candidate)
    return until


@transaction.atomic
def record_sign_in_failure(*, username: str, address: str) -> None:
    now = timezone.now()
    SignInFailure.objects.bulk_create(
        [SignInFailure(kind=kind, key=key, at=now) for kind, key, _limit in _failure_keys(username, address)]
    )
    SignInFailure.objects.filter(at__lt=now - datetime.timedelta(days=1)).delete()


@transaction.atomic
def clear_sign_in_failures(*, username: str = "", address: str = "", everything: bool = False) -> int:
    """Lift a pause: forget the failures of an account name, of an address, or all of them.
    A successful sign-in forgets its account's failures (not its address's)."""
    rows = SignInFailure.objects.all()
    if not everything:
        wanted = Q(pk__in=[])
        if username:
            wanted |= Q(kind=SignInFailureKind.ACCOUNT, key=username.strip().lower())
        if address:
            wanted |= Q(kind=SignInFailureKind.ADDRESS, key=address.strip())
        rows = rows.filter(wanted)
    deleted, _counts = rows.delete()
    if deleted:
        log.info("sign-in failures cleared: account=%r address=%r all=%s (%d)",
                 username, address, everything, deleted)
    return deleted


@transaction.atomic
def sign_out_everywhere(*, user: User) -> None:
    """End every session of the user, on every device (the current one included)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    log.info("user %s signed out everywhere", user.pk)
