"""The agent workspace: queues (live, with bulk changes), the case view and its forms, the
collision notice, the new-case form and the lead's view. Views are thin: parse, access, one
action, render."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from anliegen.accounts.models import Team, User
from anliegen.tickets import actions, dashboard, history, hooks, mentions, permissions, presence, queues
from anliegen.tickets.access import (
    access_ticket,
    can_see_team,
    changeable_tickets_by_number,
    member_team_ids,
    read_token,
    visible_teams,
    visible_tickets,
)
from anliegen.tickets.context_processors import bulk_links
from anliegen.tickets.forms import (
    BulkForm,
    EscalateForm,
    MergeForm,
    NewCaseForm,
    NoteForm,
    ReplyForm,
    TagsForm,
    TicketFieldsForm,
)
from anliegen.tickets.models import Attachment, Channel, Level, Message, Priority, Status, Ticket, parse_number
from anliegen.customers.actions import phone_region_of_user
from anliegen.tickets.search import case_for_number, search_tickets
from anliegen.tickets.storage import path_for

CUSTOMER_CASES_SHOWN = 20
# Image types a browser shows in <img> and never runs (not SVG, which may carry script).
SHOWN_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("tickets:mine")


# --- Queues ------------------------------------------------------------------------------------

def _teammates(user: User, team: Team | None = None) -> QuerySet[User]:
    """Whom cases in this queue can be given to: the team's members (or those of all the user's teams)."""
    people = User.objects.filter(is_active=True)
    if team is not None:
        return people.filter(memberships__team=team).distinct()
    return people.filter(memberships__team__in=visible_teams(user)).distinct()


def _queue_response(request: HttpRequest, tickets: QuerySet[Ticket], *, title: str,
                    team: Team | None = None) -> HttpResponse:
    user: User = request.user
    filters = queues.Filters.from_query(request.GET)
    if request.GET.get("live"):
        # The live poll: only cases newer than the newest row the page shows (see anliegen.js).
        rows = _with_cursors(queues.newer(filters.apply(tickets, user), request.GET.get("since", "")))
        if not rows:
            return HttpResponse(status=204)
        return render(request, "tickets/_queue_rows.html", {"rows": rows, "selectable": True})
    cursor = request.GET.get("after", "")
    result = queues.page(filters.apply(tickets, user, status=False), cursor, size=queues.PAGE_SIZE,
                         split_statuses=filters.statuses, load=queues.load_rows)
    rows = _with_cursors(result.tickets)
    if request.htmx and request.GET.get("partial"):
        return render(request, "tickets/_queue_rows.html", {"rows": rows, "selectable": True})
    teammates = list(_teammates(user, team))
    teams = list(visible_teams(user))
    counts = queues.status_counts(tickets)
    context = {
        "title": title, "team": team, "page": result, "rows": rows, "filters": filters,
        "selectable": True, "statuses": Status.choices, "priorities": Priority.choices, "levels": Level.choices,
        "count_links": [(c, filters.query(status=c.status)) for c in counts], "teammates": teammates,
        "query_without_cursor": _without(request, "after"),
        "live": not cursor,
        "live_query": _without(request, "after", "live", "since", "partial"),
        "live_since": queues.encode_position(timezone.now(), 0),
        "bulk_form": BulkForm(teams=Team.objects.all(), assignees=teammates, own_team_ids=member_team_ids(user)),
        "nav_teams": teams,  # the side bar's list (tickets.context_processors), read once
        "quick_filters": filters.quick_filters(),
        "bulk_actions": bulk_links(user),  # feature apps' buttons (hooks.register_bulk_action)
    }
    return render(request, "tickets/queue.html", context)


def _with_cursors(rows: list[Ticket]) -> list[Ticket]:
    """Give each row its keyset position; the live poll asks for what is newer than the top one."""
    for ticket in rows:
        ticket.queue_cursor = queues.encode_cursor(ticket)  # type: ignore[attr-defined]
    return rows


def _without(request: HttpRequest, *keys: str) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return _queue_response(request, visible_tickets(request.user).filter(assignee=request.user),
                           title=_("My cases"))


@login_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    if not can_see_team(request.user, team):
        raise Http404("No such queue")
    return _queue_response(request, Ticket.objects.filter(team=team), title=team.name, team=team)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Change every ticked case of a queue the same way, one case at a time through the actions."""
    user: User = request.user
    back = _safe_next(request, reverse("tickets:mine"))
    form = BulkForm(request.POST, teams=Team.objects.all(), assignees=_teammates(user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    tickets, refused = changeable_tickets_by_number(user, data["tickets"])
    assignee_choice = data["assignee"]
    assignee = user if assignee_choice == "me" else (
        User.objects.filter(pk=int(assignee_choice)).first() if assignee_choice.isdigit() else None)
    # Any team: a misrouted case is handed to the team it belongs to, whether or not it is one's own.
    team = Team.objects.filter(pk=int(data["team"])).first() if data["team"] else None
    outcome = actions.update_tickets(
        tickets=tickets, actor=user, status=data["status"], priority=data["priority"],
        assign=bool(assignee_choice), assignee=assignee, team=team, add_tag=data["add_tag"],
    )
    _bulk_messages(request, outcome, refused)
    if team is not None and outcome.changed:
        gone = len(outcome.changed) - visible_tickets(user).filter(
            pk__in=[parse_number(n) for n in outcome.changed]).count()
        if gone:
            messages.info(request, ngettext(
                "%(count)d case is now with %(team)s; you are not a member, so you can no longer see it.",
                "%(count)d cases are now with %(team)s; you are not a member, so you can no longer see them.",
                gone) % {"count": gone, "team": team})
    return redirect(back)


def _bulk_messages(request: HttpRequest, outcome: actions.BulkOutcome, refused: list[str]) -> None:
    changed = len(outcome.changed)
    if changed:
        messages.success(request, ngettext("%(count)d case changed.", "%(count)d cases changed.", changed)
                         % {"count": changed})
    if outcome.unchanged:
        count = len(outcome.unchanged)
        messages.info(request, ngettext("%(count)d case already was like that.",
                                        "%(count)d cases already were like that.", count) % {"count": count})
    if refused:
        messages.error(request, ngettext(
            "%(count)d case was refused: it does not exist or you may not see it (%(numbers)s).",
            "%(count)d cases were refused: they do not exist or you may not see them (%(numbers)s).",
            len(refused)) % {"count": len(refused), "numbers": ", ".join(refused[:10])})
    for number, reason in outcome.failed:
        messages.error(request, _("%(number)s was not changed: %(reason)s") % {"number": number, "reason": reason})
    if not changed and not outcome.unchanged and not refused and not outcome.failed:
        messages.info(request, _("No case changed."))


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    result = None
    if query:
        region = phone_region_of_user(request.user)
        target = None if request.GET.get("after") else case_for_number(visible_tickets(request.user), query,
                                                                        region=region)
        if target is not None:
            return redirect("tickets:case", number=target.number)
        result = queues.page(search_tickets(visible_tickets(request.user), query, region=region),
                             request.GET.get("after", ""), load=queues.load_rows)
    return render(request, "tickets/search.html", {
        "search_query": query, "page": result, "rows": result.tickets if result else [],
        "query_without_cursor": _without(request, "after"),
    })


# --- The case view -------------------------------------------------------------------------

def _case_context(request: HttpRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    user: User = request.user
    conversation = (
        Message.objects.filter(ticket=ticket).select_related("author_user", "author_customer")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    nav_teams = list(visible_teams(user))
    # All of the customer's cases the agent may see, whatever channel they came through.
    customer_cases = list(
        visible_tickets(user).filter(customer=ticket.customer).select_related("team")
        .order_by("-created_at", "-id")[: CUSTOMER_CASES_SHOWN + 1]
    )
    events = list(ticket.events.select_related("actor").order_by("-created_at", "-id")[:50])
    context = {
        "ticket": ticket,
        "nav_teams": nav_teams,  # the side bar's list (tickets.context_processors), read once
        "conversation": conversation,
        "history": history.describe(events),
        "customer_cases": customer_cases[:CUSTOMER_CASES_SHOWN],
        "customer_cases_more": len(customer_cases) > CUSTOMER_CASES_SHOWN,
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "reply_seen": presence.newest_seen(ticket),
        "note_form": forms.get("note_form") or NoteForm(),
        "fields_form": forms.get("fields_form") or TicketFieldsForm(
            teams=Team.objects.all(), assignees=_assignee_choices(ticket, user),
            own_team_ids=member_team_ids(user),
            initial={"status": ticket.status, "priority": ticket.priority, "team": str(ticket.team_id),
                     "assignee": str(ticket.assignee_id or "")}),
        "escalate_form": forms.get("escalate_form") or EscalateForm(initial={"level": ticket.level}),
        "tags_form": forms.get("tags_form") or TagsForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "merge_target": forms.get("merge_target"),
        "tag_names": [t.name for t in ticket.tags.all()],
        "panels": _panels(ticket, read_token(user, ticket)),
        "can_change": permissions.can_change_ticket(user, ticket),
        "reply_delivery": hooks.delivery_for(ticket),
        "heartbeat_seconds": presence.HEARTBEAT_SECONDS,
        "attachment_limit_mb": max(1, settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)),
    }
    return context


def _panels(ticket: Ticket, token: str) -> list[tuple[hooks.Panel, str]]:
    """Feature apps' side panels with their URLs; one whose URL is missing is left out rather
    than breaking the case view. The token tells a panel that this page's read is logged."""
    result = []
    query = urlencode({"read": token})
    for panel in hooks.panels():
        try:
            result.append((panel, f"{reverse(panel.url_name, args=[ticket.number])}?{query}"))
        except NoReverseMatch:
            continue
    return result


@login_required
@require_GET
def case(request: HttpRequest, number: str) -> HttpResponse:
    try:
        ticket = access_ticket(request.user, number)
    except Http404:
        return render(request, "tickets/not_found.html", {"number": number[:30]}, status=404)
    hooks.fire("ticket_viewed", ticket=ticket, user=request.user)
    return render(request, "tickets/case.html", _case_context(request, ticket))


@login_required
@require_GET
def colleagues(request: HttpRequest, number: str) -> HttpResponse:
    """Completion for @mentions in the note box: colleagues who may see this case."""
    ticket = access_ticket(request.user, number, log=False)
    people = mentions.colleagues(ticket, query=request.GET.get("q", "")[:60])
    return JsonResponse({"people": [{"username": p.username, "name": str(p)} for p in people
                                    if p.pk != request.user.pk]})


def _redisplay(request: HttpRequest, ticket: Ticket, status: int = 400, **forms: Any) -> HttpResponse:
    return render(request, "tickets/case.html", _case_context(request, ticket, **forms), status=status)


@login_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number, write=True)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        form.refresh_token()
        return _redisplay(request, ticket, reply_form=form)
    seen = form.cleaned_data["seen"]
    newer = presence.newer_messages(ticket, request.user, seen) if seen is not None else []
    if newer:
        # The customer wrote again, or a colleague answered, while this reply was being written:
        # the agent reads it first; sending again (now having seen it) sends.
        context = _case_context(request, ticket, reply_form=form)
        context.update(collision=newer, collision_files=bool(form.cleaned_data["attachments"]))
        return render(request, "tickets/case.html", context, status=409)
    try:
        _message, created = actions.add_reply_once(
            ticket=ticket, author=request.user, form_token=form.cleaned_data["form_token"],
            text=form.cleaned_data["text"], attachments=form.cleaned_data["attachments"],
            status=form.cleaned_data["status"] or None)
    except (actions.ActionError, ValueError) as exc:
        form.add_error(None, str(exc))
        return _redisplay(request, ticket, reply_form=form)
    actions.note_presence(ticket=ticket, user=request.user, typing=False)
    if created:
        messages.success(request, _reply_outcome(_message))
    else:
        messages.info(request, _("This reply had already been sent; it was stored once."))
    return redirect("tickets:case", number=ticket.number)


def _reply_outcome(message: Message) -> str:
    """What happened to a reply just stored, as add_reply recorded it."""
    delivery = (message.meta or {}).get("delivery") or {}
    if message.channel == Channel.EMAIL:
        return _("Your reply was stored and is being sent by e-mail to %(address)s.") % {
            "address": delivery.get("to") or message.ticket.customer.primary_email}
    return _("Your reply was stored. It is visible in the portal only: the customer has no e-mail address.")


@login_required
@require_POST
def note(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number, write=True)
    form = NoteForm(request.POST)
    if not form.is_valid():
        form.refresh_token()
        return _redisplay(request, ticket, note_form=form)
    _message, created = actions.add_note_once(ticket=ticket, author=request.user,
                                              form_token=form.cleaned_data["form_token"],
                                              text=form.cleaned_data["text"])
    if created:
        messages.success(request, _("Your note was saved."))
    else:
        messages.info(request, _("This note had already been saved; it was stored once."))
    return redirect("tickets:case", number=ticket.number)


@login_required
@require_POST
def heartbeat(request: HttpRequest, number: str) -> HttpResponse:
    """The case view's heartbeat (and typing signal); answers with who else is here."""
    ticket = access_ticket(request.user, number, log=False)  # presence, not a read of the content
    typing = True if request.POST.get("typing") == "1" else None
    actions.note_presence(ticket=ticket, user=request.user, typing=typing)
    seen = request.POST.get("seen", "")
    newer = presence.newer_messages(ticket, request.user, int(seen)) if seen.isdigit() else []
    return render(request, "tickets/_presence.html", {"notices": presence.others_here(ticket, request.user),
                                                      "newer": newer})


def _assignee_choices(ticket: Ticket, user: User) -> list[User]:
    """Whom the case view offers: the active members of the case's team, the current assignee
    (so that saving other fields keeps them) and the user if a lead. change_ticket decides."""
    people = list(User.objects.filter(is_active=True, memberships__team_id=ticket.team_id).distinct())
    for extra in (ticket.assignee, user if user.is_lead else None):
        if extra is not None and all(p.pk != extra.pk for p in people):
            people.append(extra)
    return people


@login_required
@require_POST
def update_fields(request: HttpRequest, number: str) -> HttpResponse:
    """The case view's field form: status, priority, team and assignee in one change_ticket."""
    user: User = request.user
    ticket = access_ticket(user, number, write=True)
    # Any team: a misrouted case goes to the team it belongs to, whether or not it is one's own.
    teams = list(Team.objects.all())
    form = TicketFieldsForm(request.POST, teams=teams, assignees=_assignee_choices(ticket, user))
    if not form.is_valid():
        return _redisplay(request, ticket, fields_form=form)
    data = form.cleaned_data
    before_team = ticket.team_id
    try:
        team = next(t for t in teams if str(t.pk) == data["team"])
        actions.change_ticket(
            ticket=ticket, actor=user, status=data["status"], priority=data["priority"], team=team,
            assignee=User.objects.filter(pk=data["assignee"]).first() if data["assignee"] else None,
        )
    except actions.ActionError as exc:
        form.add_error(None, str(exc))
        return _redisplay(request, ticket, fields_form=form)
    still_visible = visible_tickets(user).filter(pk=ticket.pk).exists()
    if team.pk == before_team:
        messages.success(request, _("The case was updated."))
    elif not still_visible:
        messages.success(request, _("%(number)s was moved to %(team)s. You are not a member of %(team)s, so you "
                                    "can no longer see the case.") % {"number": ticket.number, "team": team})
        return redirect("tickets:mine")
    elif team.pk in member_team_ids(user):
        messages.success(request, _("%(number)s was moved to %(team)s; you still see it as a member of %(team)s.")
                         % {"number": ticket.number, "team": team})
    else:
        messages.success(request, _("%(number)s was moved to %(team)s.") % {"number": ticket.number, "team": team})
    return redirect("tickets:case", number=ticket.number)


@login_required
@require_POST
def escalate(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number, write=True)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        return _redisplay(request, ticket, escalate_form=form)
    try:
        actions.escalate_ticket(ticket=ticket, level=form.cleaned_data["level"],
                                reason=form.cleaned_data["reason"], actor=request.user)
    except actions.ActionError as exc:
        form.add_error(None, str(exc))
        return _redisplay(request, ticket, escalate_form=form)
    messages.success(request, _("The case was escalated."))
    return redirect("tickets:case", number=ticket.number)


@login_required
@require_POST
def subject(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number, write=True)
    try:
        actions.set_subject(ticket=ticket, subject=request.POST.get("subject", ""), actor=request.user)
    except actions.ActionError as exc:
        context = _case_context(request, ticket)
        context["subject_error"] = str(exc)
        return render(request, "tickets/case.html", context, status=400)
    messages.success(request, _("The subject was changed."))
    return redirect("tickets:case", number=ticket.number)


@login_required
@require_POST
def tags(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number, write=True)
    form = TagsForm(request.POST)
    if not form.is_valid():
        return _redisplay(request, ticket, tags_form=form)
    split = lambda v: [t for t in (v or "").split(",") if t.strip()]  # noqa: E731
    actions.tag_ticket(ticket=ticket, add=split(form.cleaned_data["add"]),
                       remove=split(form.cleaned_data["remove"]), actor=request.user)
    return redirect("tickets:case", number=ticket.number)


@login_required
@require_POST
def merge(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number, write=True)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _redisplay(request, ticket, merge_form=form)
    try:
        target = access_ticket(request.user, form.cleaned_data["target"], write=True)
    except (Http404, PermissionDenied):
        form.add_error("target", _("There is no case %(number)s that you can see.")
                       % {"number": form.cleaned_data["target"]})
        return _redisplay(request, ticket, merge_form=form)
    try:
        if not form.cleaned_data["confirmed"]:
            # First step: show which case, of which customer, the messages would join.
            actions.check_merge(source=ticket, target=target)
            confirm = MergeForm(initial={"target": target.number, "confirmed": True})
            return _redisplay(request, ticket, status=200, merge_form=confirm, merge_target=target)
        actions.merge_tickets(source=ticket, target=target, actor=request.user)
    except actions.ActionError as exc:
        form.add_error("target", str(exc))
        return _redisplay(request, ticket, merge_form=form)
    messages.success(request, _("%(source)s was merged into %(target)s.")
                     % {"source": ticket.number, "target": target.number})
    return redirect("tickets:case", number=target.number)


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Attachment.objects.select_related("message"), pk=pk)
    access_ticket(request.user, item.message.ticket_id, via="attachment")
    path = path_for(item.sha256)
    if not path.exists():
        raise Http404("The file is missing from storage")
    # Always a download, never a page of ours: an image keeps its type so the case view's <img>
    # shows it (nosniff holds the browser to that type), anything else is plain bytes.
    image = item.content_type in SHOWN_IMAGE_TYPES
    return FileResponse(path.open("rb"), as_attachment=True, filename=item.filename,
                        content_type=item.content_type if image else "application/octet-stream")


# --- New case and the lead's view -------------------------------------------------------------

@login_required
def new_case(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    teams = list(Team.objects.filter(permissions.handover_team_filter(user)).order_by("name"))
    if request.method != "POST":
        initial = {"team": str(teams[0].pk)} if len(teams) == 1 else {}
        return render(request, "tickets/new_case.html", {"form": NewCaseForm(teams=teams, initial=initial)})
    form = NewCaseForm(request.POST, teams=teams)
    if form.is_valid():
        data = form.cleaned_data
        team = next(t for t in teams if str(t.pk) == data["team"])
        try:
            ticket, created = actions.create_ticket_once(
                form_token=data["form_token"], customer_email=data["customer_email"],
                customer_name=data["customer_name"], team=team, subject=data["subject"], text=data["text"],
                channel=data["channel"], priority=data["priority"], actor=user)
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            if created:
                messages.success(request, _("Case %(number)s was opened.") % {"number": ticket.number})
            else:
                messages.info(request, _("This case had already been opened; it was stored once."))
            if not visible_tickets(user).filter(pk=ticket.pk).exists():
                return redirect("tickets:mine")
            return redirect("tickets:case", number=ticket.number)
    form.refresh_token()
    return render(request, "tickets/new_case.html", {"form": form}, status=400)


@permissions.role_required("lead")
def lead(request: HttpRequest) -> HttpResponse:
    teams = list(visible_teams(request.user))
    return render(request, "tickets/lead.html", {"overview": dashboard.cached_lead_overview(),
                                                "cache_seconds": dashboard.CACHE_SECONDS, "nav_teams": teams,
                                                "queue_ids": {t.pk for t in teams}})
