"""The agent workspace: queues, the case view and its forms. Views are thin: parse, access,
one action, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anliegen.accounts.models import Team, User
from anliegen.tickets import actions, hooks, queues
from anliegen.tickets.access import access_ticket, can_see_team, visible_teams, visible_tickets
from anliegen.tickets.forms import EscalateForm, MergeForm, NoteForm, ReplyForm, TagsForm, TicketFieldsForm
from anliegen.tickets.models import Attachment, Level, Message, Priority, Status, Ticket
from anliegen.tickets.search import search_tickets
from anliegen.tickets.storage import path_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("tickets:mine")


def _queue_response(request: HttpRequest, tickets, *, title: str, team: Team | None = None) -> HttpResponse:
    filters = queues.Filters.from_query(request.GET)
    result = queues.page(filters.apply(tickets, request.user), request.GET.get("after", ""))
    context = {
        "title": title, "team": team, "page": result, "filters": filters,
        "statuses": Status.choices, "priorities": Priority.choices, "levels": Level.choices,
        "query_without_cursor": _without(request, "after"),
    }
    template = "tickets/_queue_rows.html" if request.htmx and request.GET.get("partial") else "tickets/queue.html"
    return render(request, template, context)


def _without(request: HttpRequest, key: str) -> str:
    query = request.GET.copy()
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


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    result = None
    if query:
        result = queues.page(search_tickets(visible_tickets(request.user), query), request.GET.get("after", ""))
    return render(request, "tickets/search.html", {"search_query": query, "page": result,
                                                    "query_without_cursor": _without(request, "after")})


def _case_context(request: HttpRequest, ticket: Ticket, **forms) -> dict:
    user: User = request.user
    conversation = (
        Message.objects.filter(ticket=ticket).select_related("author_user", "author_customer")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    teams = list(visible_teams(user)) if not user.is_lead else list(Team.objects.all())
    if ticket.team not in teams:
        teams.append(ticket.team)
    assignees = User.objects.filter(is_active=True, memberships__team=ticket.team).distinct()
    customer_cases = (
        visible_tickets(user).filter(customer=ticket.customer).exclude(pk=ticket.pk)
        .order_by("-created_at")[:20]
    )
    context = {
        "ticket": ticket,
        "conversation": conversation,
        "events": ticket.events.select_related("actor").order_by("-created_at", "-id")[:50],
        "customer_cases": customer_cases,
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "fields_form": forms.get("fields_form") or TicketFieldsForm(
            teams=teams, assignees=assignees,
            initial={"status": ticket.status, "priority": ticket.priority, "team": str(ticket.team_id),
                     "assignee": str(ticket.assignee_id or "")}),
        "escalate_form": forms.get("escalate_form") or EscalateForm(initial={"level": ticket.level}),
        "tags_form": forms.get("tags_form") or TagsForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "tag_names": [t.name for t in ticket.tags.all()],
        "panels": hooks.panels(),
    }
    return context


@login_required
def case(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    return render(request, "tickets/case.html", _case_context(request, ticket))


def _redisplay(request: HttpRequest, ticket: Ticket, status: int = 400, **forms) -> HttpResponse:
    return render(request, "tickets/case.html", _case_context(request, ticket, **forms), status=status)


@login_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number, log=False)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _redisplay(request, ticket, reply_form=form)
    try:
        actions.add_reply(ticket=ticket, author=request.user, text=form.cleaned_data["text"],
                          attachments=form.cleaned_data["attachments"], status=form.cleaned_data["status"] or None)
    except (actions.ActionError, ValueError) as exc:
        form.add_error(None, str(exc))
        return _redisplay(request, ticket, reply_form=form)
    messages.success(request, _("Your reply was sent."))
    return redirect("tickets:case", number=ticket.number)


@login_required
@require_POST
def note(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number, log=False)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _redisplay(request, ticket, note_form=form)
    actions.add_note(ticket=ticket, author=request.user, text=form.cleaned_data["text"])
    messages.success(request, _("Your note was saved."))
    return redirect("tickets:case", number=ticket.number)


@login_required
@require_POST
def update_fields(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user
    ticket = access_ticket(user, number, log=False)
    teams = list(Team.objects.all()) if user.is_lead else list(visible_teams(user)) + [ticket.team]
    assignees = User.objects.filter(is_active=True, memberships__team=ticket.team).distinct()
    form = TicketFieldsForm(request.POST, teams=teams, assignees=list(assignees) + [user])
    if not form.is_valid():
        return _redisplay(request, ticket, fields_form=form)
    data = form.cleaned_data
    try:
        actions.set_status(ticket=ticket, status=data["status"], actor=user)
        actions.set_priority(ticket=ticket, priority=data["priority"], actor=user)
        assignee = User.objects.filter(pk=data["assignee"]).first() if data["assignee"] else None
        actions.assign_ticket(ticket=ticket, assignee=assignee, actor=user)
        team = Team.objects.get(pk=data["team"])
        actions.move_to_team(ticket=ticket, team=team, actor=user)
    except actions.ActionError as exc:
        form.add_error(None, str(exc))
        return _redisplay(request, ticket, fields_form=form)
    messages.success(request, _("The case was updated."))
    if not visible_tickets(user).filter(pk=ticket.pk).exists():
        return redirect("tickets:mine")
    return redirect("tickets:case", number=ticket.number)


@login_required
@require_POST
def escalate(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number, log=False)
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
def tags(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number, log=False)
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
    ticket = access_ticket(request.user, number, log=False)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _redisplay(request, ticket, merge_form=form)
    try:
        target = access_ticket(request.user, form.cleaned_data["target"], log=False)
    except Http404:
        form.add_error("target", _("There is no case %(number)s that you can see.")
                       % {"number": form.cleaned_data["target"]})
        return _redisplay(request, ticket, merge_form=form)
    try:
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
    access_ticket(request.user, item.message.ticket_id, log=False)
    path = path_for(item.sha256)
    if not path.exists():
        raise Http404("The file is missing from storage")
    inline = item.content_type.startswith("image/") and item.content_type != "image/svg+xml"
    return FileResponse(path.open("rb"), as_attachment=not inline, filename=item.filename,
                        content_type=item.content_type if inline else "application/octet-stream")
