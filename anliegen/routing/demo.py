"""Demo data for routing: calendars for Berlin and Copenhagen, SLA policies, assignment per
team, agents' skills, a few rules, and due times for the demo cases already created.

The demo cases themselves went through routing's hooks when the base demo created them, so
repeat contacts and Quality-Care flags among them are already recorded."""

import datetime
import logging
import random

from django.db.models import F
from django.utils import timezone

from anliegen.accounts.models import Team, User
from anliegen.customers.models import Customer
from anliegen.routing import actions
from anliegen.routing.models import AssignmentMode, CaseSLA, Segment
from anliegen.routing.sla.compute import recompute_sla
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.models import ACTIVE_STATUSES, Channel, Priority, Ticket

log = logging.getLogger(__name__)


def populate(rng: random.Random) -> None:
    teams = {t.slug: t for t in Team.objects.all()}
    berlin = actions.save_calendar(name="Berlin (Mo–Fr 8–18)", country="DE", subdivision="BE",
                                   hours_text="mon-fri 08:00-18:00\nsat 09:00-13:00", timezone_name="Europe/Berlin",
                                   closed_dates=[])
    actions.save_calendar(name="København (man–fre 8–17)", country="DK", hours_text="mon-fri 08:00-17:00",
                          timezone_name="Europe/Copenhagen", include_optional=True)
    actions.save_policy(data={"name": "Standard", "calendar": berlin, "first_response_minutes": 8 * 60,
                              "resolution_minutes": 40 * 60, "notify_lead": True})
    actions.save_policy(data={"name": "Dringend", "calendar": berlin, "priority": Priority.URGENT,
                              "first_response_minutes": 60, "resolution_minutes": 8 * 60, "notify_lead": True,
                              "raise_level": True})
    actions.save_policy(data={"name": "Geschäftskunden", "calendar": berlin, "segment": Segment.BUSINESS,
                              "first_response_minutes": 4 * 60, "resolution_minutes": 16 * 60, "notify_lead": True,
                              "raise_priority": True})
    if "technischer-support" in teams:
        actions.save_policy(data={"name": "Technik", "calendar": berlin, "team": teams["technischer-support"],
                                  "first_response_minutes": 4 * 60, "resolution_minutes": 24 * 60,
                                  "notify_lead": True, "raise_priority": True, "raise_level": True})
        actions.configure_team_routing(team=teams["technischer-support"], mode=AssignmentMode.LEAST_LOADED,
                                       match_language=True, match_skills=True)
    if "kaufmaennischer-support" in teams:
        actions.configure_team_routing(team=teams["kaufmaennischer-support"], mode=AssignmentMode.ROUND_ROBIN,
                                       match_language=True, match_skills=False)
        actions.save_rule(data={"name": "Kündigungen an den kaufmännischen Support",
                                "subject_words": "kündigung, opsigelse, cancel", "add_tags": "kuendigung",
                                "set_team": teams["kaufmaennischer-support"]})
    actions.save_rule(data={"name": "Beschwerden markieren", "body_words": "beschwerde, klage, unacceptable, "
                            "unzumutbar, ikke i orden", "add_tags": "complaint", "set_priority": Priority.HIGH})
    actions.save_rule(data={"name": "Geschäftskunden von Brightside", "sender_domain": "brightside.co.uk",
                            "add_tags": "business"})
    for username, skills in [("anna", ["router", "internet"]), ("jonas", ["zaehler"]), ("sofie", ["app", "login"]),
                             ("lukas", ["internet", "app"])]:
        user = User.objects.filter(username=username).first()
        if user:
            actions.set_agent_skills(user=user, skills=skills)
    _repeat_contacts(rng, teams)
    for ticket in Ticket.objects.filter(status__in=ACTIVE_STATUSES).select_related("customer"):
        try:
            recompute_sla(ticket)
        except Exception:  # demo data must not stop at one odd case
            log.exception("no SLA for demo case %s", ticket.pk)
    # Breaches that happened before the demo began are history, not work for the first worker run.
    now = timezone.now()
    CaseSLA.objects.filter(first_response_due__lt=now, first_response_breached_at__isnull=True).update(
        first_response_breached_at=F("first_response_due"))
    CaseSLA.objects.filter(resolution_due__lt=now, resolution_breached_at__isnull=True).update(
        resolution_breached_at=F("resolution_due"))


def _repeat_contacts(rng: random.Random, teams: dict[str, Team]) -> None:
    """A few customers who come back about the same concern by mail and phone (→ second level)."""
    from anliegen.routing.evaluation import _again, topics
    from anliegen.tickets.demo import clock

    team = teams.get("technischer-support") or next(iter(teams.values()), None)
    customers = list(Customer.objects.filter(preferred_language__in=["de", "da", "en"]).order_by("pk")[:60])
    if team is None or not customers:
        return
    bank = topics()
    now = timezone.now()
    for customer in rng.sample(customers, min(4, len(customers))):
        lang = customer.preferred_language
        topic = rng.choice(bank[:3])
        start = now - datetime.timedelta(days=rng.randint(6, 12))
        with clock(start):
            ticket_actions.create_ticket(subject=topic.subject[lang], customer=customer, team=team,
                                         text=topic.text[lang], language=lang)
        for n in (1, 2):
            channel, text = _again(topic, lang, rng)
            with clock(start + datetime.timedelta(days=2 * n, hours=rng.randint(1, 5))):
                ticket_actions.create_ticket(
                    subject=text[:80], customer=customer, team=team, text=text, language=lang,
                    channel=Channel.PHONE if channel == "phone" else Channel.EMAIL)
