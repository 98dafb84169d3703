"""Routing pages: rules (with the dry run), SLA calendars and policies with the cases due soon,
the weekly second-level review, and the case panel. Thin: parse, check, one action, render."""

import csv
import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anliegen.accounts.models import Team, TeamKind, User
from anliegen.routing import actions, engine
from anliegen.routing.forms import (
    CalendarForm,
    DryRunForm,
    PolicyForm,
    ReviewOutcomeForm,
    RoutingSettingsForm,
    RuleForm,
    SkillsForm,
    TeamRoutingForm,
)
from anliegen.routing.models import (
    AgentSkill,
    BusinessCalendarConfig,
    CaseSLA,
    ContactLink,
    QualityCare,
    RepeatContact,
    ReviewOutcome,
    RoutingSettings,
    Rule,
    SLAPolicy,
    TeamRouting,
)
from anliegen.routing.rules import check_rules
from anliegen.routing.sla.compute import state_of
from anliegen.tickets import history
from anliegen.tickets.access import access_panel_ticket, access_ticket, visible_tickets
from anliegen.tickets.permissions import can_manage, role_required
from anliegen.tickets.actions import ActionError
from anliegen.tickets.models import ACTIVE_STATUSES, Event, Level, MessageKind, Ticket


# --- Rules ----------------------------------------------------------------------------------


def _rules_context(**extra: Any) -> dict[str, Any]:
    rules = list(Rule.objects.select_related("team", "set_team", "set_assignee", "organisation"))
    teams = list(Team.objects.all())
    configs = {c.team_id: c for c in TeamRouting.objects.all()}
    team_forms = [(team, TeamRoutingForm(prefix=f"t{team.pk}", initial={
        "mode": configs[team.pk].mode if team.pk in configs else "manual",
        "match_language": configs[team.pk].match_language if team.pk in configs else True,
        "match_skills": configs[team.pk].match_skills if team.pk in configs else False})) for team in teams]
    skills: dict[int, list[str]] = {}
    for user_id, name in AgentSkill.objects.values_list("user_id", "name"):
        skills.setdefault(user_id, []).append(name)
    agents = [(u, ", ".join(skills.get(u.pk, []))) for u in User.objects.filter(is_active=True, skills__isnull=False)
              .distinct()]
    context = {"rules": rules, "problems": check_rules(rules), "team_forms": team_forms,
               "settings_form": RoutingSettingsForm(instance=RoutingSettings.load()),
               "skills_form": SkillsForm(), "agent_skills": agents, "dry_form": DryRunForm()}
    context.update(extra)
    return context


@role_required("lead")
def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "routing/rules.html", _rules_context())


def _rule_data(form: RuleForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in actions.RULE_FIELDS if name in form.cleaned_data}


@role_required("lead")
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk) if pk else None
    if request.method == "POST":
        form = RuleForm(request.POST, instance=rule)
        if form.is_valid():
            try:
                saved = actions.save_rule(rule=rule, data=_rule_data(form))
            except ActionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Rule %(pos)s was saved.") % {"pos": saved.position})
                return redirect("routing:rules")
        return render(request, "routing/rule_form.html", {"form": form, "rule": rule}, status=400)
    return render(request, "routing/rule_form.html", {"form": RuleForm(instance=rule), "rule": rule})


@role_required("lead")
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actions.delete_rule(rule=get_object_or_404(Rule, pk=pk))
    messages.success(request, _("The rule was deleted."))
    return redirect("routing:rules")


@role_required("lead")
@require_POST
def rule_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    actions.move_rule(rule=get_object_or_404(Rule, pk=pk), direction=-1 if direction == "up" else 1)
    return redirect("routing:rules")


@role_required("lead")
def dry_run(request: HttpRequest) -> HttpResponse:
    form = DryRunForm(request.GET or None)
    results, first, ticket = [], None, None
    if form.is_valid():
        try:
            ticket = access_ticket(request.user, form.cleaned_data["number"])
        except Http404:
            form.add_error("number", _("There is no case %(number)s that you can see.")
                           % {"number": form.cleaned_data["number"]})
        else:
            results, first = engine.dry_run(ticket)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "routing/dry_run.html", {"form": form, "results": results, "first": first,
                                                     "ticket": ticket}, status=status)


@role_required("lead")
@require_POST
def team_routing(request: HttpRequest, team_pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_pk)
    form = TeamRoutingForm(request.POST, prefix=f"t{team.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose how %(team)s assigns cases.") % {"team": team})
        return redirect("routing:rules")
    actions.configure_team_routing(team=team, **form.cleaned_data)
    messages.success(request, _("Assignment for %(team)s was saved.") % {"team": team})
    return redirect("routing:rules")


@role_required("lead")
@require_POST
def skills(request: HttpRequest) -> HttpResponse:
    form = SkillsForm(request.POST)
    if not form.is_valid():
        return render(request, "routing/rules.html", _rules_context(skills_form=form), status=400)
    actions.set_agent_skills(user=form.cleaned_data["user"], skills=form.cleaned_data["skills"].split(","))
    messages.success(request, _("Skills of %(user)s were saved.") % {"user": form.cleaned_data["user"]})
    return redirect("routing:rules")


@role_required("lead")
def agent_skills(request: HttpRequest, user_pk: int) -> HttpResponse:
    """The skills section of an agent's page on the staff screen (accounts.hooks)."""
    person = get_object_or_404(User, pk=user_pk)
    saved = False
    if request.method == "POST":
        names = actions.set_agent_skills(user=person, skills=request.POST.get("skills", "")[:500].split(","))
        saved = True
    else:
        names = list(AgentSkill.objects.filter(user=person).order_by("name").values_list("name", flat=True))
    return render(request, "routing/_agent_skills.html", {"person": person, "skills": ", ".join(names),
                                                          "saved": saved})


@role_required("lead")
@require_POST
def routing_settings(request: HttpRequest) -> HttpResponse:
    form = RoutingSettingsForm(request.POST, instance=RoutingSettings.load())
    if form.is_valid():
        try:
            actions.update_routing_settings(data={k: form.cleaned_data[k] for k in form.Meta.fields})
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("routing:rules")
    return render(request, "routing/rules.html", _rules_context(settings_form=form), status=400)


# --- SLA ------------------------------------------------------------------------------------


@login_required
def sla(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    horizon = now + datetime.timedelta(hours=_hours(request.GET.get("hours", "8")))
    tickets = visible_tickets(request.user).filter(status__in=("new", "open"))
    rows = (CaseSLA.objects.filter(ticket__in=tickets, policy__isnull=False)
            .filter(Q(first_response_due__lte=horizon, ticket__first_response_at__isnull=True)
                    | Q(resolution_due__lte=horizon))
            .select_related("ticket", "ticket__team", "ticket__assignee", "policy")
            .order_by("resolution_due")[:300])
    items = []
    for row in rows:
        state = state_of(row, row.ticket, now)
        due = min([d for d in (row.first_response_due if row.ticket.first_response_at is None else None,
                               row.resolution_due) if d], default=None)
        items.append({"sla": row, "ticket": row.ticket, "state": state, "due": due,
                      "breached": "breached" in state.values()})
    items.sort(key=lambda i: (not i["breached"], i["due"] or now))
    context = {"items": items, "hours": _hours(request.GET.get("hours", "8")), "now": now}
    if can_manage(request.user):
        context.update(calendars=BusinessCalendarConfig.objects.all(),
                       policies=SLAPolicy.objects.select_related("calendar", "team"))
    return render(request, "routing/sla.html", context)


def _hours(text: str) -> int:
    return int(text) if text.isdigit() and 0 < int(text) <= 24 * 14 else 8


@role_required("lead")
def calendar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendarConfig, pk=pk) if pk else None
    if request.method == "POST":
        form = CalendarForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.save_calendar(calendar=calendar, name=data["name"], country=data["country"],
                                      subdivision=data["subdivision"], hours_text=data["hours"],
                                      timezone_name=data["timezone"], include_optional=data["include_optional"],
                                      closed_dates=data["closed_dates"])
            except ActionError as exc:
                form.add_error("hours" if "hour" in str(exc) or "Line" in str(exc) else None, str(exc))
            else:
                messages.success(request, _("The calendar was saved."))
                return redirect("routing:sla")
        return render(request, "routing/calendar_form.html", {"form": form, "calendar": calendar}, status=400)
    form = CalendarForm.for_calendar(calendar) if calendar else CalendarForm()
    return render(request, "routing/calendar_form.html", {"form": form, "calendar": calendar})


@role_required("lead")
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy = get_object_or_404(SLAPolicy, pk=pk) if pk else None
    if request.method == "POST":
        form = PolicyForm(request.POST, instance=policy)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in PolicyForm.Meta.fields}
            data["first_response_minutes"] = int(form.cleaned_data["first_response_hours"] * 60)
            data["resolution_minutes"] = int(form.cleaned_data["resolution_hours"] * 60)
            try:
                actions.save_policy(policy=policy, data=data)
            except ActionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The SLA policy was saved."))
                return redirect("routing:sla")
        return render(request, "routing/policy_form.html", {"form": form, "policy": policy}, status=400)
    return render(request, "routing/policy_form.html", {"form": PolicyForm(instance=policy), "policy": policy})


# --- The case panel ---------------------------------------------------------------------------


@login_required
def panel(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_panel_ticket(request, number)
    now = timezone.now()
    row = CaseSLA.objects.filter(ticket=ticket).select_related("policy").first()
    link = ContactLink.objects.filter(ticket=ticket).order_by("-at").first()
    contacts = list(ContactLink.objects.filter(repeat_id=link.repeat_id).select_related("ticket")) if link else []
    return render(request, "routing/_panel.html", {
        "ticket": ticket, "sla": row, "state": state_of(row, ticket, now) if row and row.policy else None,
        "contacts": contacts, "quality_care": QualityCare.objects.filter(ticket=ticket).first(),
        "assignment": ticket.events.filter(kind="assigned", actor_label="routing").order_by("-id").first(),
    })


# --- Weekly second-level review ------------------------------------------------------------------


def review_rows(user: User) -> list[dict[str, Any]]:
    now = timezone.now()
    flagged = set(QualityCare.objects.values_list("ticket_id", flat=True))
    tickets = list(
        visible_tickets(user).filter(status__in=ACTIVE_STATUSES)
        .filter(Q(level__in=[Level.SECOND, Level.LEAD]) | Q(team__kind=TeamKind.SECOND_LEVEL) | Q(pk__in=flagged))
        .select_related("customer", "team", "assignee")
        .annotate(inbound=Count("messages", filter=Q(messages__kind=MessageKind.INBOUND)))
        .order_by("created_at")[:500])
    ids = [t.pk for t in tickets]
    repeat_of: dict[int, int] = {}
    for ticket_id, repeat_id in ContactLink.objects.filter(ticket_id__in=ids).values_list("ticket_id", "repeat_id"):
        repeat_of[ticket_id] = repeat_id
    counts: dict[int, int] = {}
    for repeat in RepeatContact.objects.filter(pk__in=set(repeat_of.values())).prefetch_related("contacts"):
        counts[repeat.pk] = len(repeat.contacts.all())
    last_events: dict[int, Event] = {}
    for event in (Event.objects.filter(ticket_id__in=ids).select_related("actor")
                  .order_by("ticket_id", "-created_at", "-id")):
        last_events.setdefault(event.ticket_id, event)
    from anliegen.routing.models import ReviewEntry

    next_steps: dict[int, str] = {}
    for entry in ReviewEntry.objects.filter(ticket_id__in=ids).order_by("ticket_id", "-created_at", "-id"):
        next_steps.setdefault(entry.ticket_id, entry.next_step)
    qc = {q.ticket_id: q for q in QualityCare.objects.filter(ticket_id__in=ids)}
    # The last step in the reader's language, as the case's history says it (names, not ids).
    steps = {row.event.ticket_id: row for row in history.describe(last_events.values())}
    rows = []
    for ticket in tickets:
        event = last_events.get(ticket.pk)
        repeat_id = repeat_of.get(ticket.pk)
        next_step = next_steps.get(ticket.pk) or ""
        if not next_step and ticket.pk in qc and qc[ticket.pk].callback_due_at:
            next_step = _("Quality-Care callback by %(when)s") % {
                "when": date_format(timezone.localtime(qc[ticket.pk].callback_due_at), "SHORT_DATETIME_FORMAT")}
        rows.append({
            "ticket": ticket, "age_days": (now - ticket.created_at).days,
            "contacts": counts.get(repeat_id, 0) if repeat_id else ticket.inbound,
            "last_step": _describe(steps[ticket.pk]) if event else "",
            "last_step_at": event.created_at if event else None,
            "next_step": next_step, "quality_care": ticket.pk in qc,
        })
    return rows


def _describe(row: history.HistoryRow) -> str:
    text = str(row.label)
    if row.show_change:
        text += f": {row.before} → {row.after}"
    if row.event.reason:
        text += f" ({row.event.reason.splitlines()[0][:120]})"
    return f"{row.actor}: {text}" if row.actor else text


@role_required("second_level")
def review(request: HttpRequest) -> HttpResponse:
    rows = review_rows(request.user)
    if request.GET.get("format") == "csv":
        return _review_csv(rows)
    for row in rows:
        row["form"] = ReviewOutcomeForm(prefix=f"r{row['ticket'].pk}")
    return render(request, "routing/review.html", {"rows": rows, "now": timezone.now()})


def _review_csv(rows: list[dict[str, Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="second-level-review.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Case"), _("Subject"), _("Customer"), _("Team"), _("Level"), _("Assignee"), _("Age (days)"),
                     _("Contacts"), _("Quality-Care"), _("Last step"), _("Last step at"), _("Next step")])
    for row in rows:
        t: Ticket = row["ticket"]
        writer.writerow([t.number, _csv_safe(t.subject), _csv_safe(str(t.customer)), t.team.name,
                         t.get_level_display(), str(t.assignee or ""), row["age_days"], row["contacts"],
                         _("yes") if row["quality_care"] else "", _csv_safe(row["last_step"]),
                         row["last_step_at"].isoformat() if row["last_step_at"] else "",
                         _csv_safe(row["next_step"])])
    return response


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@role_required("second_level")
@require_POST
def review_outcome(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number, write=True)
    form = ReviewOutcomeForm(request.POST, prefix=f"r{ticket.pk}")
    if not form.is_valid():
        messages.error(request, _("%(number)s: choose an outcome.") % {"number": ticket.number})
        return redirect("routing:review")
    try:
        actions.record_review_outcome(ticket=ticket, author=request.user, **form.cleaned_data)
    except ActionError as exc:
        messages.error(request, f"{ticket.number}: {exc}")
        return redirect("routing:review")
    if form.cleaned_data["outcome"] == ReviewOutcome.BACK:
        ticket.refresh_from_db(fields=["team", "level"])
        messages.success(request, _("%(number)s is back at first level, with %(team)s.")
                         % {"number": ticket.number, "team": ticket.team})
    else:
        messages.success(request, _("The outcome for %(number)s was recorded.") % {"number": ticket.number})
    return redirect("routing:review")
