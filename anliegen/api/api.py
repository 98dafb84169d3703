"""The REST API (django-ninja): the same actions and access checks as the workspace.

Authentication: `Authorization: Bearer anl_...` (tokens from Settings → API tokens) or the
browser session. The OpenAPI document is at /api/openapi.json."""

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest
from ninja import Path, Query
from ninja.parser import Parser
from ninja.responses import Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from anliegen import __version__
from anliegen.accounts.models import Team, User
from anliegen.api import schemas
from anliegen.api.actions import user_for_token
from anliegen.api.openapi import DocumentedAPI
from anliegen.customers.actions import get_or_create_customer_by_email
from anliegen.tickets import actions, queues
from anliegen.tickets.access import access_customer, access_ticket, visible_teams, visible_tickets
from anliegen.tickets.models import Message, Ticket
from anliegen.tickets.permissions import can_see_team
from anliegen.tickets.search import search_tickets


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class BodyRefused(ValueError):
    """A request body that is not one JSON object; the message says what is wrong."""


class JsonObjectParser(Parser):
    """Every body the API takes is one JSON object: a list, a string, a number or null is refused
    (400) instead of being read as "no fields given"."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body)
        except ValueError as exc:
            raise BodyRefused(f"The request body is not valid JSON: {exc}.") from exc
        if not isinstance(data, dict):
            raise BodyRefused("The request body must be a JSON object, e.g. {\"status\": \"open\"}.")
        return data


# Ids are 64-bit: a larger number in a path can name no row and is refused with 422.
MAX_ID = 2**63 - 1

api = DocumentedAPI(title="Anliegen API", version=__version__, auth=[TokenAuth(), django_auth],
               urls_namespace="api", docs_url=None, openapi_url="/openapi.json", parser=JsonObjectParser())


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    # django-ninja answers a body its parser refused with a generic message; say what was wrong.
    detail = str(exc.__cause__) if isinstance(exc.__cause__, BodyRefused) else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return api.create_response(request, {"detail": f"The request body is larger than {limit} MB."}, status=413)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(actions.ActionError)
def action_error(request: HttpRequest, exc: actions.ActionError):
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(ValueError)
def value_error(request: HttpRequest, exc: ValueError):
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(ValidationError)
def django_validation_error(request: HttpRequest, exc: ValidationError):
    return api.create_response(request, {"detail": "; ".join(exc.messages)}, status=400)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError):
    return api.create_response(request, {"detail": "Invalid input.", "errors": exc.errors}, status=422)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, {"detail": "Authentication required."}, status=401)


def _tag_names(ticket: Ticket) -> list[str]:
    """Tag names, as a queue page has already read them (queues.attach_tag_names) or from the case."""
    names = getattr(ticket, "tag_names", None)
    return list(names) if names is not None else [t.name for t in ticket.tags.all()]


def _case_out(ticket: Ticket) -> dict:
    return {
        "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
        "priority": ticket.priority, "level": ticket.level, "channel": ticket.channel,
        "team": ticket.team.slug, "assignee": ticket.assignee.username if ticket.assignee else None,
        "customer_id": ticket.customer_id, "tags": _tag_names(ticket),
        "language": ticket.language, "created_at": ticket.created_at,
        "last_activity_at": ticket.last_activity_at, "first_response_at": ticket.first_response_at,
        "solved_at": ticket.solved_at,
    }


def _message_out(message: Message) -> dict:
    author = message.author_user or message.author_customer or message.sender
    return {"id": message.pk, "kind": message.kind, "channel": message.channel, "author": str(author),
            "text": message.text, "language": message.language, "created_at": message.created_at,
            "attachments": [a.filename for a in message.attachments.all()]}


def _team(user: User, slug: str) -> Team:
    team = Team.objects.filter(slug=slug).first()
    if team is None or not can_see_team(user, team):
        raise actions.ActionError(f"Unknown team: {slug}")
    return team


@api.get("/teams", response=list[schemas.TeamOut], tags=["teams"])
def list_teams(request: HttpRequest):
    return list(visible_teams(request.user).order_by("name"))


@api.get("/cases", response={200: schemas.CasePage, 400: schemas.Error}, tags=["cases"])
def list_cases(request: HttpRequest, team: str = "", status: str = "active", q: str = "",
               assignee: str = "", cursor: str = ""):
    """Cases the caller may see, newest activity first, 50 a page (follow next_cursor)."""
    tickets = visible_tickets(request.user)
    if team:
        tickets = tickets.filter(team=_team(request.user, team))
    if q:
        tickets = search_tickets(tickets, q)
    filters = queues.Filters.from_query({"status": status, "assignee": assignee})
    result = queues.page(filters.apply(tickets, request.user), cursor)
    return {"items": [_case_out(t) for t in result.tickets], "next_cursor": result.next_cursor}


@api.get("/cases/{number}", response={200: schemas.CaseDetail, 404: schemas.Error}, tags=["cases"])
def get_case(request: HttpRequest, number: str):
    ticket = access_ticket(request.user, number, via="api")
    data = _case_out(ticket)
    data["messages"] = [_message_out(m) for m in ticket.messages.prefetch_related("attachments")
                        .select_related("author_user", "author_customer")]
    return data


@api.post("/cases", response={201: schemas.CaseOut, 400: schemas.Error}, tags=["cases"])
def create_case(request: HttpRequest, payload: schemas.CaseIn):
    team = _team(request.user, payload.team)
    if "@" not in payload.customer_email:
        raise actions.ActionError("customer_email is not an e-mail address.")
    customer = get_or_create_customer_by_email(address=payload.customer_email, name=payload.customer_name)
    ticket = actions.create_ticket(subject=payload.subject, customer=customer, team=team, channel=payload.channel,
                                   text=payload.text, actor=request.user, priority=payload.priority,
                                   tags=payload.tags, sender=customer.primary_email)
    return Status(201, _case_out(ticket))


@api.patch("/cases/{number}", response={200: schemas.CaseOut, 400: schemas.Error, 404: schemas.Error},
           tags=["cases"])
def update_case(request: HttpRequest, number: str, payload: schemas.CaseUpdate):
    """Change any of the fields at once: all of them, or (400, with every reason) none."""
    user = request.user
    ticket = access_ticket(user, number, write=True)
    problems = []
    team = None
    if payload.team is not None:
        team = Team.objects.filter(slug=payload.team).first()
        if team is None or not can_see_team(user, team):
            problems.append(f"Unknown team: {payload.team}")
    assignee: User | None | actions.Unchanged = actions.UNCHANGED
    if payload.assignee is not None:
        assignee = User.objects.filter(username=payload.assignee).first() if payload.assignee else None
        if payload.assignee and assignee is None:
            problems.append(f"Unknown user: {payload.assignee}")
    if problems:
        raise actions.ActionError(" ".join(problems))
    actions.change_ticket(ticket=ticket, actor=user, status=payload.status, priority=payload.priority, team=team,
                          assignee=assignee, add_tags=payload.tags_add, remove_tags=payload.tags_remove)
    ticket.refresh_from_db()
    return _case_out(ticket)


@api.post("/cases/{number}/replies", response={201: schemas.MessageOut, 400: schemas.Error, 404: schemas.Error},
          tags=["cases"])
def reply(request: HttpRequest, number: str, payload: schemas.TextIn):
    ticket = access_ticket(request.user, number, write=True)
    return Status(201, _message_out(actions.add_reply(ticket=ticket, author=request.user, text=payload.text)))


@api.post("/cases/{number}/notes", response={201: schemas.MessageOut, 400: schemas.Error, 404: schemas.Error},
          tags=["cases"])
def note(request: HttpRequest, number: str, payload: schemas.TextIn):
    ticket = access_ticket(request.user, number, write=True)
    return Status(201, _message_out(actions.add_note(ticket=ticket, author=request.user, text=payload.text)))


@api.post("/cases/{number}/escalate", response={200: schemas.CaseOut, 400: schemas.Error, 404: schemas.Error},
          tags=["cases"])
def escalate(request: HttpRequest, number: str, payload: schemas.EscalateIn):
    ticket = access_ticket(request.user, number, write=True)
    actions.escalate_ticket(ticket=ticket, reason=payload.reason, level=payload.level, actor=request.user)
    ticket.refresh_from_db()
    return _case_out(ticket)


@api.get("/customers/{customer_id}", response={200: schemas.CustomerOut, 404: schemas.Error}, tags=["customers"])
def get_customer(request: HttpRequest, customer_id: int = Path(..., ge=1, le=MAX_ID)):
    customer = access_customer(request.user, customer_id)  # one rule with the caller lookup and the journey
    return {"id": customer.pk, "name": customer.name,
            "emails": list(customer.emails.values_list("address", flat=True)),
            "phones": list(customer.phones.values_list("number", flat=True)),
            "preferred_language": customer.preferred_language, "customer_since": customer.customer_since,
            "organisation": customer.organisation.name if customer.organisation else None}


@api.get("/customers/{customer_id}/cases", response={200: list[schemas.CaseOut], 404: schemas.Error},
         tags=["customers"])
def customer_cases(request: HttpRequest, customer_id: int = Path(..., ge=1, le=MAX_ID),
                   limit: int = Query(50, ge=1, le=200)):
    tickets = (visible_tickets(request.user).filter(customer_id=customer_id)
               .select_related("team", "assignee").prefetch_related("tags").order_by("-created_at")[:limit])
    return [_case_out(t) for t in tickets]


# Feature apps' routes.
from anliegen.notifications.api import router as notifications_router  # noqa: E402

api.add_router("/notifications", notifications_router)
