"""API routes of the notifications app: the caller's notifications and marking them read.
Mounted by anliegen.api at /api/notifications."""

import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from anliegen.notifications import access, actions
from anliegen.notifications.models import describe

router = Router(tags=["notifications"])
PAGE = 100


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    case: str | None
    created_at: datetime.datetime
    read: bool


class NotificationList(Schema):
    unread: int
    items: list[NotificationOut]


class ReadIn(Schema):
    ids: list[int] | None = None  # none given: all of the caller's notifications


class ReadOut(Schema):
    marked: int
    unread: int


@router.get("", response=NotificationList)
def list_notifications(request: HttpRequest, unread: bool = False):
    """The caller's newest notifications (100), unread first if asked with ?unread=true."""
    rows = access.visible_notifications(request.user).select_related("ticket", "actor")
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return {"unread": access.unread_count(request.user), "items": [
        {"id": r.pk, "kind": r.kind, "text": describe(r), "case": r.ticket.number if r.ticket else None,
         "created_at": r.created_at, "read": r.read_at is not None} for r in rows[:PAGE]]}


@router.post("/read", response=ReadOut)
def mark_read(request: HttpRequest, payload: ReadIn):
    """Mark the given notifications (or all) read; ids that are not the caller's are ignored."""
    ids = None
    if payload.ids is not None:
        ids = list(access.visible_notifications(request.user).filter(pk__in=payload.ids[:1000])
                   .values_list("pk", flat=True))
    marked = actions.mark_read(user=request.user, ids=ids)
    return {"marked": marked, "unread": access.unread_count(request.user)}
