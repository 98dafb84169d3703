"""Quality-Care: a customer who has been with us for years and whose case is a complaint or a
repeat contact gets a personal callback from second level within a target time.

The case is tagged "quality-care", moved to second level (the Second Level team, so its members
can see it) and a callback of kind "quality_care" is booked through the phone app's action. If
booking fails (phone app missing, no second-level team, ...) the flag stays with the reason and
the worker tries again."""

import datetime
import logging
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team
from anliegen.lib import readcache
from anliegen.routing.models import QualityCare, RoutingSettings
from anliegen.routing.repeat import contact_count, second_level_team_for
from anliegen.routing.rules import years_between
from anliegen.tickets import actions
from anliegen.tickets.models import LEVEL_ORDER, Level, Message, MessageKind, Ticket

log = logging.getLogger(__name__)
QUALITY_CARE_TAG = "quality-care"
COMPLAINT_TAGS = {"complaint", "beschwerde", "klage"}


def is_complaint(ticket: Ticket, settings: RoutingSettings) -> bool:
    if COMPLAINT_TAGS & set(ticket.tags.values_list("name", flat=True)):
        return True
    texts = [ticket.subject, *Message.objects.filter(ticket=ticket, kind=MessageKind.INBOUND)
             .values_list("text", flat=True)[:3]]
    haystack = " ".join(texts).lower()
    return any(re.search(r"(?<!\w)" + re.escape(word), haystack) for word in settings.complaint_word_list)


def _long_standing(ticket: Ticket, settings: RoutingSettings) -> bool:
    years = years_between(ticket.customer.customer_since, timezone.localdate())
    return years is not None and years >= settings.quality_care_years


def reason_for(ticket: Ticket, settings: RoutingSettings) -> str | None:
    """Why the case is Quality-Care, or None if it is not."""
    years = years_between(ticket.customer.customer_since, timezone.localdate())
    if years is None or years < settings.quality_care_years:
        return None
    if is_complaint(ticket, settings):
        return _("Customer for %(years)d years with a complaint.") % {"years": int(years)}
    count = contact_count(ticket)
    if count >= 2 and not _sibling_flagged(ticket):
        return _("Customer for %(years)d years, contacted us %(count)s times about this concern.") % {
            "years": int(years), "count": count}
    return None


def _sibling_flagged(ticket: Ticket) -> bool:
    """Another case about the same concern already has its Quality-Care callback."""
    from anliegen.routing.models import ContactLink

    repeat_ids = ContactLink.objects.filter(ticket=ticket).values("repeat_id")
    siblings = ContactLink.objects.filter(repeat_id__in=repeat_ids).exclude(ticket=ticket).values("ticket_id")
    return QualityCare.objects.filter(ticket_id__in=siblings).exists()


def surely_not_quality_care(ticket: Ticket) -> bool:
    """True when check_quality_care (not reopening) would surely do nothing, known without a
    query: the case is not active, or its customer (already read) is not long-standing."""
    if not ticket.is_active:
        return True
    settings = readcache.peek("routing.settings")
    return settings is not None and Ticket.customer.is_cached(ticket) and not _long_standing(ticket, settings)


def check_quality_care(ticket: Ticket, *, now: datetime.datetime | None = None,
                       reopening: bool = False) -> QualityCare | None:
    """Flag the case and book the callback if it qualifies and is not flagged yet. `reopening`:
    a customer message is reopening the (still solved) case right now."""
    if not ticket.is_active and not reopening:
        return None
    settings = RoutingSettings.load()
    # Most customers are not long-standing: that answer needs no query, so it comes first.
    if not _long_standing(ticket, settings) or QualityCare.objects.filter(ticket=ticket).exists():
        return None
    reason = reason_for(ticket, settings)
    if reason is None:
        return None
    now = now or timezone.now()
    flag = QualityCare.objects.create(ticket=ticket, reason=reason, flagged_at=now)
    actions.tag_ticket(ticket=ticket, add=[QUALITY_CARE_TAG], actor=None, actor_label="routing")
    book_quality_care_callback(flag, settings=settings, now=now)
    return flag


def callback_due(ticket: Ticket, settings: RoutingSettings, now: datetime.datetime) -> datetime.datetime:
    """The target counted in business hours of the case's SLA calendar when it has one."""
    from anliegen.routing.sla.compute import business_calendar, policy_for

    policy = policy_for(ticket, settings)
    if policy is not None:
        return business_calendar(policy.calendar).add(now, settings.quality_care_hours * 60)
    return now + datetime.timedelta(hours=settings.quality_care_hours)


def book_quality_care_callback(flag: QualityCare, *, settings: RoutingSettings | None = None,
                               now: datetime.datetime | None = None) -> bool:
    settings = settings or RoutingSettings.load()
    now = now or timezone.now()
    ticket = Ticket.objects.select_related("customer").get(pk=flag.ticket_id)
    confidential = Team.objects.filter(pk=ticket.team_id, confidential=True).exists()
    second = second_level_team_for(ticket)
    try:
        from anliegen.phone.actions import book_callback
    except ImportError:
        return _booking_failed(flag, _("The phone app cannot book callbacks yet."))
    if second is None and not confidential:
        return _booking_failed(flag, _("There is no second-level team to call the customer back."))
    due = max(callback_due(ticket, settings, now), timezone.now() + datetime.timedelta(minutes=5))
    try:
        if LEVEL_ORDER.index(Level(ticket.level)) < LEVEL_ORDER.index(Level.SECOND):
            actions.escalate_ticket(ticket=ticket, level=Level.SECOND, team=second, actor=None, actor_label="routing",
                                    reason=_("Quality-Care: %(reason)s") % {"reason": flag.reason})
        elif second is not None and ticket.team_id != second.pk and ticket.level == Level.SECOND:
            actions.move_to_team(ticket=ticket, team=second, actor=None, actor_label="routing",
                                 reason=_("Quality-Care: %(reason)s") % {"reason": flag.reason})
        # A confidential case keeps its team: the callback is its members' to make.
        callback = book_callback(ticket=ticket, due_at=due, team=None,
                                 note=_("Quality-Care: %(reason)s") % {"reason": flag.reason},
                                 kind="quality_care", actor=None, actor_label="routing")
    except actions.ActionError as exc:
        return _booking_failed(flag, str(exc))
    QualityCare.objects.filter(pk=flag.pk).update(callback_ref=callback.pk, callback_due_at=due, booking_error="")
    flag.callback_ref, flag.callback_due_at, flag.booking_error = callback.pk, due, ""
    return True


def _booking_failed(flag: QualityCare, message: str) -> bool:
    QualityCare.objects.filter(pk=flag.pk).update(booking_error=message[:300])
    flag.booking_error = message[:300]
    log.warning("Quality-Care callback for case %s not booked: %s", flag.ticket_id, message)
    return False


def retry_bookings(*, now: datetime.datetime | None = None, limit: int = 100) -> int:
    """Book the callbacks that could not be booked before (worker)."""
    done = 0
    for flag in QualityCare.objects.filter(callback_ref__isnull=True).select_related("ticket")[:limit]:
        if not flag.ticket.is_active:
            continue
        try:
            from django.db import transaction

            with transaction.atomic():
                done += book_quality_care_callback(flag, now=now)
        except Exception:
            log.exception("Quality-Care booking failed for case %s", flag.ticket_id)
    return done
