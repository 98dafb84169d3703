"""Reception's call form, the callbacks list, the case panels and the customer's journey.
Thin views: parse, access, one action, render."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anliegen.accounts.models import Team, User
from anliegen.customers.actions import find_customer_by_phone, phone_region_of_user
from anliegen.phone import actions, journey
from anliegen.phone.access import (
    access_callback,
    access_customer,
    booked_callbacks,
    callable_cases,
    logged_calls,
    visible_callbacks,
)
from anliegen.phone.forms import CallbackForm, LogCallForm, OutcomeForm, local_input_value, parse_number
from anliegen.phone.models import Callback, CallbackOutcome, CallbackStatus
from anliegen.tickets import hooks, permissions
from anliegen.tickets.access import access_panel_ticket, can_see_customer, log_access, visible_tickets
from anliegen.tickets.actions import ActionError

DUE_SOON = datetime.timedelta(minutes=30)


# --- Logging a call --------------------------------------------------------------------------


def _caller_context(user: User, raw: str, form: LogCallForm | None = None) -> dict[str, Any]:
    """What the number identifies: nothing yet, a malformed number, a known customer (with the
    open cases the call may go to), or an unknown number (a new customer will be created)."""
    context: dict[str, Any] = {"raw_number": raw, "form": form, "customer": None, "cases": [], "problem": "",
                               "e164": ""}
    digits = sum(ch.isdigit() for ch in raw)
    if digits == 0 and not (form is not None and form.is_bound):
        context["state"] = "empty"
        return context
    e164, problem = parse_number(raw, phone_region_of_user(user))
    if problem:
        # While the number is still being typed, a gentle hint; after submitting, the error.
        bound = form is not None and form.is_bound
        context["state"] = "invalid" if bound or digits >= 11 else "typing"
        context["problem"] = problem
        return context
    context["e164"] = e164
    customer = find_customer_by_phone(e164)
    if customer is None:
        context["state"] = "unknown"
        context["language_guess"] = actions.language_for_number(e164)
        return context
    # Who the caller is shows only to staff who may see the customer (one rule with the API);
    # reception still puts the call on the right customer and picks among their open cases.
    visible = can_see_customer(user, customer)
    context.update(state="known" if visible else "known_hidden", customer=customer if visible else None,
                   cases=list(callable_cases(user, customer)[:20]), journey_visible=visible)
    return context


def _preset_team(request: HttpRequest, form: LogCallForm) -> Any:
    """Whose business hours the callback presets follow: the team chosen (on a form sent back),
    else the site's hours."""
    if form.is_bound and (form.data.get("team") or "").isdigit():
        return Team.objects.filter(pk=int(form.data["team"])).first()
    return None


def _log_call_context(request: HttpRequest, form: LogCallForm) -> dict[str, Any]:
    raw = form.data.get("number", "") if form.is_bound else ""
    selected_case = (form.data.get("case") or "new") if form.is_bound else "new"
    now = timezone.now()
    return {"form": form, "caller": _caller_context(request.user, raw, form if form.is_bound else None),
            "selected_case": selected_case, "min_time": local_input_value(now),
            "callback_presets": callback_presets(now, _preset_team(request, form))}


def callback_presets(now: datetime.datetime, team: Any = None) -> list[tuple[str, str]]:
    """Quick choices for "call back at", as values for a datetime-local field, each inside the
    team's business hours (tickets.hooks.next_open): "in 1 hour" at 17:30 offers the next
    opening instead, and the label says when that is."""
    soon = now.replace(second=0, microsecond=0)
    tomorrow = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
    wanted = [(_("in 1 hour"), soon + datetime.timedelta(hours=1)), (_("in 2 hours"), soon + datetime.timedelta(hours=2))]
    presets: list[tuple[str, str]] = []
    opening = hooks.opening_for(team)
    for label, moment in wanted:
        at = opening(moment)
        if at != moment:
            label = _("next opening, %(when)s") % {"when": actions.format_when(at)}
        value = local_input_value(at)
        if all(v != value for _l, v in presets):
            presets.append((label, value))
    # The next working day's first opening (9:00 when no hours are known).
    first = opening(tomorrow)
    morning = first if first != tomorrow else tomorrow.replace(hour=9)
    value = local_input_value(morning)
    if all(v != value for _l, v in presets):
        presets.append((_("next working day, %(when)s") % {"when": actions.format_when(morning)}, value))
    return presets


def next_try(team: Any, moment: datetime.datetime, opening: Any = None) -> datetime.datetime:
    """A suggested time for another try: two hours on, inside the team's business hours
    (opening: hooks.opening_for(team), when the caller has it already)."""
    return (opening or hooks.opening_for(team))(moment + datetime.timedelta(hours=2))


@login_required
@require_http_methods(["GET", "POST"])
def log_call(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    if request.method != "POST":
        return render(request, "phone/log_call.html", _log_call_context(request, LogCallForm(user=user)))
    form = LogCallForm(request.POST, user=user)
    if form.is_valid():
        data = form.cleaned_data
        new_caller = None
        if form.caller is None:
            new_caller = actions.NewCaller(name=data["name"], email=data["email"] or "", language=data["language"])
        try:
            result = actions.log_call(
                actor=user, number=form.e164, text=data["note"], customer=form.caller, new_caller=new_caller,
                ticket=form.ticket, team=data["team"], assignee=data["assignee_user"], subject=data["subject"],
                priority=data["priority"], callback_at=data["callback_at"], callback_note=data["callback_note"],
                summary=data["summary"],
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _success_text(result))
            if visible_tickets(user).filter(pk=result.ticket.pk).exists() and "open" in request.POST:
                return redirect("tickets:case", number=result.ticket.number)
            return redirect("phone:log_call")
    return render(request, "phone/log_call.html", _log_call_context(request, form), status=400)


def _success_text(result: actions.LoggedCall) -> str:
    ticket = result.ticket
    if result.created_ticket:
        text = _("Call logged as new case %(number)s for %(customer)s, handed to %(team)s.")
    else:
        text = _("Call added to case %(number)s of %(customer)s (%(team)s).")
    text = text % {"number": ticket.number, "customer": result.customer, "team": ticket.team}
    if ticket.assignee_id:
        text += " " + _("Assigned to %(agent)s.") % {"agent": ticket.assignee}
    if result.created_customer:
        text += " " + _("New customer created.")
    if result.callback:
        text += " " + _("Callback booked for %(when)s.") % {"when": actions.format_when(result.callback.due_at)}
    return text


@login_required
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """htmx: who is calling? Re-rendered as the number is typed."""
    context = _caller_context(request.user, request.GET.get("number", ""))
    context["selected_case"] = "new"
    return render(request, "phone/_caller.html", {"caller": context, "selected_case": "new"})


@login_required
@require_GET
def my_calls(request: HttpRequest) -> HttpResponse:
    """What this person logged at reception and the callbacks they booked, for the follow
    period (settings.RECEPTION_FOLLOW_DAYS): the cases stay readable to them so long."""
    user: User = request.user
    calls = list(logged_calls(user).filter(ticket__in=visible_tickets(user))
                 .select_related("ticket", "ticket__team", "ticket__customer").order_by("-created_at", "-id")[:200])
    booked = list(booked_callbacks(user).filter(ticket__in=visible_tickets(user))
                  .select_related("ticket", "ticket__customer", "team", "agent").order_by("-created_at", "-id")[:200])
    return render(request, "phone/my_calls.html", {"calls": calls, "booked": booked,
                                                   "days": settings.RECEPTION_FOLLOW_DAYS})


# --- Callbacks -------------------------------------------------------------------------------


def _decorate(callbacks: list[Callback], now: datetime.datetime) -> list[Callback]:
    openings: dict[int, Any] = {}
    for cb in callbacks:
        if cb.team_id not in openings:
            openings[cb.team_id] = hooks.opening_for(cb.team)
        cb.overdue = cb.is_open and cb.due_at <= now  # type: ignore[attr-defined]
        cb.due_soon = cb.is_open and now < cb.due_at <= now + DUE_SOON  # type: ignore[attr-defined]
        cb.retry_value = local_input_value(  # type: ignore[attr-defined]
            next_try(cb.team, max(now, cb.due_at), openings[cb.team_id]))
    return callbacks


@login_required
@require_GET
def callbacks(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    scope = request.GET.get("scope", "teams")
    rows = visible_callbacks(user).filter(status=CallbackStatus.OPEN)
    if scope == "mine":
        rows = rows.filter(agent=user)
    elif scope != "all":
        scope = "teams"
        rows = rows.filter(Q(team__in=user.memberships.values("team_id")) | Q(agent=user))
    rows = rows.select_related("ticket", "ticket__customer", "team", "agent").order_by("due_at", "id")
    now = timezone.now()
    items = _decorate(list(rows[:500]), now)
    return render(request, "phone/callbacks.html", {
        "callbacks": items, "scope": scope, "now": now, "view": "row",
        "overdue_count": sum(1 for c in items if c.overdue),  # type: ignore[attr-defined]
    })


@login_required
@require_POST
def callback_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user
    callback = access_callback(user, pk, write=True)
    form = OutcomeForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == "cancel":
                actions.cancel_callback(callback=callback, actor=user, reason=data["note"])
            else:
                # The row's time field only counts for "try again"; "no answer" books nothing more.
                retry_at = data["retry_at"] if data["outcome"] == CallbackOutcome.RETRY else None
                actions.record_callback_outcome(callback=callback, outcome=data["outcome"], note=data["note"],
                                                actor=user, retry_at=retry_at)
        except ActionError as exc:
            error = str(exc)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    view = request.POST.get("view", "row")
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("The callback was updated."))
        if view == "panel":
            return redirect("tickets:case", number=callback.ticket.number)
        return redirect("phone:callbacks")
    status = 400 if error else 200
    if view == "panel":
        return _panel(request, callback.ticket, error=error, status=status)
    callback.refresh_from_db()
    follow_up = Callback.objects.filter(previous=callback).first()
    now = timezone.now()
    return render(request, "phone/_callback_row.html", {
        "cb": _decorate([callback], now)[0], "error": error, "view": "row",
        "follow_up": _decorate([follow_up], now)[0] if follow_up else None,
    }, status=status)


def _agents_for(ticket: Any) -> list[User]:
    return list(User.objects.filter(is_active=True, memberships__team_id=ticket.team_id).distinct())


def _panel(request: HttpRequest, ticket: Any, *, form: CallbackForm | None = None, error: str = "",
           status: int = 200) -> HttpResponse:
    now = timezone.now()
    rows = list(Callback.objects.filter(ticket=ticket).select_related("team", "agent", "done_by")
                .order_by("-status", "due_at")[:20])
    open_rows = _decorate([c for c in rows if c.is_open], now)
    done_rows = [c for c in rows if not c.is_open][:5]
    if form is None:
        default_due = hooks.next_open(ticket.team, (now + datetime.timedelta(hours=2)).replace(second=0, microsecond=0))
        form = CallbackForm(agents=_agents_for(ticket), initial={"due_at": timezone.localtime(default_due)})
    return render(request, "phone/_case_callbacks.html", {
        "ticket": ticket, "open_callbacks": open_rows, "done_callbacks": done_rows, "form": form,
        "error": error, "view": "panel", "phone": ticket.customer.phones.order_by("id").first(),
        "min_time": local_input_value(now), "can_change": permissions.can_change_ticket(request.user, ticket),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_callbacks(request: HttpRequest, number: str) -> HttpResponse:
    """Case panel: the case's callbacks and a form to book one."""
    user: User = request.user
    ticket = access_panel_ticket(request, number)
    if request.method != "POST":
        return _panel(request, ticket)
    form = CallbackForm(request.POST, agents=_agents_for(ticket))
    if form.is_valid():
        data = form.cleaned_data
        try:
            callback = actions.book_callback(ticket=ticket, due_at=data["due_at"], agent=data["agent_user"],
                                             note=data["note"], reminder_at=data["reminder_at"], actor=user)
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            if not request.htmx:
                messages.success(request, _("Callback booked for %(when)s.")
                                 % {"when": actions.format_when(callback.due_at)})
                return redirect("tickets:case", number=ticket.number)
            return _panel(request, ticket)
    if not request.htmx:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("tickets:case", number=ticket.number)
    return _panel(request, ticket, form=form, status=400)


# --- The customer's journey ------------------------------------------------------------------


def _log_reads(user: User, page: journey.Page, *, via: str, skip: int | None = None) -> None:
    """The journey shows messages of several cases: each of them counts as read."""
    shown = {e.ticket.pk: e.ticket for e in page.entries if e.ticket.pk != skip}
    for ticket in shown.values():
        log_access(ticket, via=via, user=user)


@login_required
@require_GET
def journey_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer, cases = access_customer(request.user, customer_id)
    with_notes = request.GET.get("notes") == "1"
    page = journey.timeline(cases, before=journey.parse_cursor(request.GET.get("before", "")),
                            with_notes=with_notes)
    _log_reads(request.user, page, via="journey")
    return render(request, "phone/journey.html", {
        "customer": customer, "page": page, "with_notes": with_notes, "summary": journey.summary(cases),
        "phones": list(customer.phones.all()), "emails": list(customer.emails.all()),
    })


@login_required
@require_GET
def journey_panel(request: HttpRequest, number: str) -> HttpResponse:
    """Case panel: the customer's latest contacts on every channel, linking the full journey."""
    ticket = access_panel_ticket(request, number)
    cases = visible_tickets(request.user).filter(customer_id=ticket.customer_id)
    page = journey.timeline(cases, limit=5)
    _log_reads(request.user, page, via="journey", skip=ticket.pk)  # the case view logs its own read
    return render(request, "phone/_journey_panel.html", {
        "ticket": ticket, "page": page, "summary": journey.summary(cases),
        "journey_url": reverse("phone:journey", args=[ticket.customer_id]),
    })
