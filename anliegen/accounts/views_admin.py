"""The administrator's screens for staff and teams: a department is set up without a shell.
Thin: parse, check, one action, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anliegen.accounts import hooks
from anliegen.accounts.actions import AccountError, save_staff, save_team
from anliegen.accounts.forms import StaffForm, TeamForm
from anliegen.accounts.models import Team, User
from anliegen.accounts.permissions import role_required


@role_required("admin")
def staff_list(request: HttpRequest) -> HttpResponse:
    people = User.objects.prefetch_related("teams").order_by("-is_active", "username")
    return render(request, "accounts/staff_list.html", {"people": people})


def _panels(person: User) -> list[tuple[hooks.StaffPanel, str]]:
    result = []
    for panel in hooks.staff_panels():
        try:
            result.append((panel, reverse(panel.url_name, args=[person.pk])))
        except NoReverseMatch:
            continue
    return result


def _invite_link(request: HttpRequest, person: User) -> str:
    path = reverse("accounts:set_password", args=[urlsafe_base64_encode(force_bytes(person.pk)),
                                                  default_token_generator.make_token(person)])
    return request.build_absolute_uri(path)


@role_required("admin")
def staff_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    person = get_object_or_404(User, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = StaffForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = save_staff(actor=request.user, user=person, username=data["username"],
                                   display_name=data["display_name"], email=data["email"], role=data["role"],
                                   languages=data["languages"], teams=data["teams"],
                                   max_open_cases=data["max_open_cases"], is_active=data["is_active"],
                                   password=data["password"])
            except AccountError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(name)s was saved.") % {"name": saved})
                if person is None and not data["password"]:
                    request.session["invite_link"] = _invite_link(request, saved)
                return redirect("accounts:staff_edit", pk=saved.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"role": "agent", "is_active": True, "languages": ["de"]}
        if person is not None:
            initial = {"username": person.username, "display_name": person.display_name, "email": person.email,
                       "role": person.role, "teams": list(person.teams.all()), "languages": person.languages,
                       "max_open_cases": person.max_open_cases, "is_active": person.is_active}
        form, status = StaffForm(initial=initial), 200
    return render(request, "accounts/staff_form.html", {
        "form": form, "person": person, "panels": _panels(person) if person else [],
        "invite_link": request.session.pop("invite_link", "") if person else "",
    }, status=status)


@role_required("admin")
@require_POST
def staff_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """A link with which the person sets their own password (a new invitation, or after a lost one)."""
    person = get_object_or_404(User, pk=pk)
    if not person.is_active:
        messages.error(request, _("%(name)s is deactivated; activate them first.") % {"name": person})
    else:
        request.session["invite_link"] = _invite_link(request, person)
    return redirect("accounts:staff_edit", pk=person.pk)


@role_required("admin")
def team_list(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.annotate(member_count=Count("memberships", filter=Q(memberships__user__is_active=True)))
    return render(request, "accounts/team_list.html", {"teams": teams.order_by("name")})


@role_required("admin")
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = TeamForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = save_team(team=team, **data)
            except AccountError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The team %(name)s was saved.") % {"name": saved})
                return redirect("accounts:team_edit", pk=saved.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"default_language": "de"}
        if team is not None:
            memberships = list(team.memberships.all())
            initial = {"name": team.name, "kind": team.kind, "confidential": team.confidential,
                       "default_language": team.default_language, "email": team.email,
                       "phone_region": team.phone_region,
                       "members": [m.user_id for m in memberships],
                       "team_leads": [m.user_id for m in memberships if m.is_team_lead]}
        form, status = TeamForm(initial=initial), 200
    return render(request, "accounts/team_form.html", {"form": form, "team": team}, status=status)
