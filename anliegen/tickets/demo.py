"""Realistic demo data: the service department of a telecom and energy provider with
reception, two support teams, second level and the lead; customers writing in German,
Danish and English by e-mail, phone and the portal.

`generate_concern` is also used by benchmarks and evaluations that need realistic text."""

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from django.utils import timezone

from anliegen.accounts.actions import create_staff, create_team
from anliegen.accounts.models import Role, Team, TeamKind, User
from anliegen.customers.actions import create_customer
from anliegen.customers.models import Customer, Organisation
from anliegen.tickets import actions
from anliegen.tickets.models import Channel, Priority, Status, Ticket

DEMO_PASSWORD = "anliegen-demo"

TEAMS = [
    ("Empfang", "empfang", TeamKind.RECEPTION, False),
    ("Technischer Support", "technischer-support", TeamKind.SUPPORT, False),
    ("Kaufmännischer Support", "kaufmaennischer-support", TeamKind.SUPPORT, False),
    ("Second Level", "second-level", TeamKind.SECOND_LEVEL, False),
    ("Leitung", "leitung", TeamKind.LEAD, False),
    ("Leistungsfälle Gesundheit", "leistungsfaelle", TeamKind.SUPPORT, True),
]

# (username, display name, languages, team slugs)
AGENTS = [
    ("petra", "Petra Wagner", ["de", "en"], ["empfang"]),
    ("mads", "Mads Jensen", ["da", "de", "en"], ["empfang"]),
    ("anna", "Anna Schmidt", ["de", "en"], ["technischer-support"]),
    ("jonas", "Jonas Becker", ["de"], ["technischer-support"]),
    ("sofie", "Sofie Nielsen", ["da", "en"], ["technischer-support"]),
    ("lukas", "Lukas Hoffmann", ["de", "en"], ["technischer-support"]),
    ("mia", "Mia Fischer", ["de", "en"], ["kaufmaennischer-support"]),
    ("freja", "Freja Larsen", ["da", "de"], ["kaufmaennischer-support"]),
    ("tom", "Tom Walker", ["en", "de"], ["kaufmaennischer-support", "leistungsfaelle"]),
    ("katrin", "Katrin Weber", ["de", "en"], ["second-level", "leistungsfaelle"]),
    ("henrik", "Henrik Madsen", ["da", "de", "en"], ["second-level"]),
]
LEAD = ("lena", "Lena Braun", ["de", "da", "en"], ["leitung"])

FIRST_NAMES = {
    "de": ["Erika", "Klaus", "Sabine", "Jürgen", "Monika", "Stefan", "Ursula", "Thomas", "Andrea", "Michael",
           "Birgit", "Frank", "Claudia", "Peter", "Heike", "Wolfgang", "Anja", "Matthias", "Julia", "Dieter"],
    "da": ["Jens", "Mette", "Søren", "Hanne", "Lars", "Kirsten", "Niels", "Anne", "Rasmus", "Lone",
           "Morten", "Camilla", "Jesper", "Line", "Mikkel", "Pia"],
    "en": ["James", "Emma", "Oliver", "Sophie", "Harry", "Chloe", "George", "Amelia", "Jack", "Grace",
           "Daniel", "Lucy"],
}
LAST_NAMES = {
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
           "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann"],
    "da": ["Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
           "Rasmussen", "Jørgensen", "Petersen", "Madsen"],
    "en": ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Evans",
           "Thomas", "Roberts", "Walker"],
}
DOMAINS = {"de": ["web.de", "gmx.de", "t-online.de", "posteo.de"], "da": ["mail.dk", "jubii.dk", "gmail.com"],
           "en": ["gmail.com", "outlook.com", "btinternet.com"]}


@dataclass(frozen=True)
class Concern:
    team: str  # team slug
    subject: dict[str, str]
    text: dict[str, str]
    follow_up: dict[str, str]
    reply: dict[str, str]
    tags: tuple[str, ...] = ()


CONCERNS = [
    Concern("technischer-support",
            {"de": "Router verbindet sich nicht mehr", "da": "Routeren forbinder ikke længere",
             "en": "Router no longer connects"},
            {"de": "Guten Tag,\nseit gestern Abend blinkt die DSL-Lampe an meinem Router rot und ich habe kein Internet. "
                   "Ich habe den Router schon zweimal neu gestartet.\nViele Grüße",
             "da": "Hej,\nsiden i går aftes blinker DSL-lampen rødt på min router, og jeg har intet internet. "
                   "Jeg har allerede genstartet den to gange.\nMed venlig hilsen",
             "en": "Hello,\nsince last night the DSL light on my router has been blinking red and I have no internet. "
                   "I have restarted the router twice already.\nBest regards"},
            {"de": "Das Problem besteht leider immer noch, der Router blinkt weiter rot.",
             "da": "Problemet er desværre stadig der, routeren blinker stadig rødt.",
             "en": "Unfortunately the problem is still there, the router keeps blinking red."},
            {"de": "Vielen Dank für Ihre Nachricht. Bitte prüfen Sie, ob das DSL-Kabel fest in der TAE-Dose steckt. "
                   "Wir haben außerdem einen Leitungstest gestartet.",
             "da": "Tak for din besked. Kontroller venligst, at DSL-kablet sidder fast i stikket. "
                   "Vi har også startet en linjetest.",
             "en": "Thank you for your message. Please check that the DSL cable is firmly plugged in. "
                   "We have also started a line test."},
            ("internet", "router")),
    Concern("technischer-support",
            {"de": "Anmeldung in der App schlägt fehl", "da": "Kan ikke logge ind i appen",
             "en": "Cannot log in to the app"},
            {"de": "Hallo, ich kann mich seit dem Update nicht mehr in der App anmelden. Es kommt immer 'Fehler 403'.",
             "da": "Hej, efter opdateringen kan jeg ikke længere logge ind i appen. Der står altid 'fejl 403'.",
             "en": "Hi, since the update I can no longer log in to the app. It always says 'error 403'."},
            {"de": "Ich habe die App neu installiert, der Fehler bleibt.",
             "da": "Jeg har geninstalleret appen, men fejlen er der stadig.",
             "en": "I reinstalled the app, the error remains."},
            {"de": "Bitte setzen Sie Ihr Passwort über 'Passwort vergessen' zurück; danach sollte die Anmeldung wieder gehen.",
             "da": "Nulstil venligst din adgangskode via 'Glemt adgangskode'; derefter bør du kunne logge ind igen.",
             "en": "Please reset your password via 'Forgot password'; after that you should be able to log in again."},
            ("app", "login")),
    Concern("technischer-support",
            {"de": "Stromzähler zeigt falschen Stand", "da": "Elmåleren viser forkert aflæsning",
             "en": "Electricity meter shows a wrong reading"},
            {"de": "Sehr geehrte Damen und Herren,\nin meinem Kundenportal steht ein Zählerstand von 48.120 kWh, "
                   "tatsächlich sind es 41.120 kWh. Foto anbei.",
             "da": "Kære kundeservice,\ni min kundeportal står der en målerstand på 48.120 kWh, men den er faktisk 41.120 kWh.",
             "en": "Dear customer service,\nmy customer portal shows a meter reading of 48,120 kWh, but it is actually 41,120 kWh."},
            {"de": "Können Sie mir bitte sagen, wann der Zählerstand korrigiert wird?",
             "da": "Kan I fortælle mig, hvornår målerstanden bliver rettet?",
             "en": "Could you tell me when the reading will be corrected?"},
            {"de": "Danke für das Foto. Wir haben den Zählerstand korrigiert; die Rechnung wird neu erstellt.",
             "da": "Tak for billedet. Vi har rettet målerstanden; regningen bliver lavet om.",
             "en": "Thanks for the photo. We have corrected the reading; the bill will be reissued."},
            ("zaehler",)),
    Concern("kaufmaennischer-support",
            {"de": "Betrag doppelt abgebucht", "da": "Beløbet er trukket to gange", "en": "Charged twice"},
            {"de": "Guten Tag,\nauf meinem Kontoauszug sehe ich, dass der Monatsbeitrag von 39,99 € zweimal abgebucht wurde. "
                   "Bitte erstatten Sie mir den doppelten Betrag.",
             "da": "Hej,\npå min kontoudskrift kan jeg se, at månedsbetalingen på 299 kr. er trukket to gange. "
                   "Refunder venligst det dobbelte beløb.",
             "en": "Hello,\nmy bank statement shows the monthly fee of £34.99 was taken twice. Please refund the duplicate."},
            {"de": "Ich warte immer noch auf die Rückerstattung. Das ist jetzt schon das dritte Mal, dass ich schreibe!",
             "da": "Jeg venter stadig på tilbagebetalingen. Det er tredje gang, jeg skriver!",
             "en": "I am still waiting for the refund. This is the third time I am writing!"},
            {"de": "Entschuldigen Sie bitte die doppelte Abbuchung. Der Betrag wird innerhalb von 5 Werktagen erstattet.",
             "da": "Vi beklager den dobbelte trækning. Beløbet bliver refunderet inden for 5 hverdage.",
             "en": "We apologise for the double charge. The amount will be refunded within 5 working days."},
            ("zahlung", "erstattung")),
    Concern("kaufmaennischer-support",
            {"de": "Kündigung meines Vertrags", "da": "Opsigelse af mit abonnement", "en": "Cancelling my contract"},
            {"de": "Hiermit kündige ich meinen Vertrag zum nächstmöglichen Zeitpunkt. Bitte bestätigen Sie die Kündigung schriftlich.",
             "da": "Jeg opsiger hermed mit abonnement hurtigst muligt. Bekræft venligst opsigelsen skriftligt.",
             "en": "I hereby cancel my contract at the earliest possible date. Please confirm the cancellation in writing."},
            {"de": "Ich habe noch keine Bestätigung der Kündigung erhalten.",
             "da": "Jeg har endnu ikke modtaget en bekræftelse på opsigelsen.",
             "en": "I have not yet received a confirmation of the cancellation."},
            {"de": "Wir bestätigen die Kündigung zum 31. des Folgemonats. Schade, dass Sie gehen.",
             "da": "Vi bekræfter opsigelsen pr. den 31. i næste måned. Vi er kede af, at du forlader os.",
             "en": "We confirm the cancellation as of the end of next month. We are sorry to see you go."},
            ("kuendigung",)),
    Concern("kaufmaennischer-support",
            {"de": "Rechnung nicht nachvollziehbar", "da": "Regningen er ikke til at forstå", "en": "Invoice unclear"},
            {"de": "Meine letzte Rechnung ist fast doppelt so hoch wie sonst. Welche Posten sind das?",
             "da": "Min seneste regning er næsten dobbelt så høj som normalt. Hvilke poster er det?",
             "en": "My last invoice is almost twice as high as usual. What are these items?"},
            {"de": "Die Erklärung hilft mir nicht weiter, ich möchte eine Aufschlüsselung.",
             "da": "Forklaringen hjælper mig ikke, jeg vil gerne have en specifikation.",
             "en": "The explanation does not help, I would like an itemised breakdown."},
            {"de": "Die höhere Rechnung ergibt sich aus der Jahresabrechnung. Eine Aufschlüsselung finden Sie im Anhang.",
             "da": "Den højere regning skyldes årsopgørelsen. Du finder en specifikation i vedhæftningen.",
             "en": "The higher amount comes from the annual statement. You will find a breakdown attached."},
            ("rechnung",)),
    Concern("kaufmaennischer-support",
            {"de": "Beschwerde über die Wartezeit", "da": "Klage over ventetiden", "en": "Complaint about waiting time"},
            {"de": "Ich bin seit 8 Jahren Kunde und habe gestern 45 Minuten in der Warteschleife gehangen. So geht das nicht!",
             "da": "Jeg har været kunde i 8 år og ventede i går 45 minutter i telefonkøen. Det er ikke i orden!",
             "en": "I have been a customer for 8 years and yesterday I was on hold for 45 minutes. This is unacceptable!"},
            {"de": "Ich habe bis heute keine Antwort auf meine Beschwerde bekommen.",
             "da": "Jeg har stadig ikke fået svar på min klage.",
             "en": "I still have not received an answer to my complaint."},
            {"de": "Es tut uns sehr leid, dass Sie so lange warten mussten. Wir rufen Sie gern persönlich zurück.",
             "da": "Vi beklager meget, at du måtte vente så længe. Vi ringer gerne personligt tilbage.",
             "en": "We are very sorry you had to wait so long. We would be glad to call you back personally."},
            ("beschwerde", "complaint")),
    Concern("technischer-support",
            {"de": "Lob für den Techniker", "da": "Ros til teknikeren", "en": "Praise for the technician"},
            {"de": "Ich möchte mich ausdrücklich bei Ihrem Techniker Herrn Krause bedanken, der heute sehr freundlich war.",
             "da": "Jeg vil gerne takke jeres tekniker, som var meget venlig i dag.",
             "en": "I would like to thank your technician who was very friendly today."},
            {"de": "Bitte geben Sie das Lob weiter.", "da": "Giv venligst rosen videre.", "en": "Please pass on the praise."},
            {"de": "Vielen Dank für Ihr Lob, wir geben es gern an das Team weiter!",
             "da": "Mange tak for rosen, vi giver den gerne videre til teamet!",
             "en": "Thank you very much, we will gladly pass this on to the team!"},
            ("lob", "praise")),
]


def generate_concern(rng: random.Random, language: str | None = None) -> tuple[Concern, str]:
    language = language or rng.choices(["de", "da", "en"], weights=[6, 3, 2])[0]
    return rng.choice(CONCERNS), language


@contextmanager
def clock(at: datetime.datetime) -> Iterator[None]:
    """Let the actions stamp the demo history at a past moment instead of now."""
    with mock.patch("anliegen.tickets.actions._now", return_value=at):
        yield


def _create_staff_and_teams() -> tuple[dict[str, Team], list[User], User]:
    teams = {slug: create_team(name=name, slug=slug, kind=kind, confidential=confidential,
                               default_language="de", email=f"{slug}@anliegen.example")
             for name, slug, kind, confidential in TEAMS}
    agents = [
        create_staff(username=u, password=DEMO_PASSWORD, display_name=n, email=f"{u}@anliegen.example",
                     languages=langs, teams=[teams[s] for s in slugs])
        for u, n, langs, slugs in AGENTS
    ]
    u, n, langs, slugs = LEAD
    lead = create_staff(username=u, password=DEMO_PASSWORD, role=Role.LEAD, display_name=n,
                        email=f"{u}@anliegen.example", languages=langs, teams=[teams[s] for s in slugs])
    create_staff(username="admin", password=DEMO_PASSWORD, role=Role.ADMIN, display_name="Admin",
                 email="admin@anliegen.example", languages=["de", "en"])
    return teams, agents, lead


def _make_customers(rng: random.Random, count: int) -> list[Customer]:
    organisations = [Organisation.objects.create(name=n, domain=d) for n, d in [
        ("Bäckerei Sonnenschein GmbH", "sonnenschein-baeckerei.de"), ("Tømrer Hansen ApS", "toemrerhansen.dk"),
        ("Brightside Ltd", "brightside.co.uk")]]
    customers = []
    used: set[str] = set()
    for i in range(count):
        language = rng.choices(["de", "da", "en"], weights=[6, 3, 2])[0]
        first, last = rng.choice(FIRST_NAMES[language]), rng.choice(LAST_NAMES[language])
        local = f"{first}.{last}".lower().replace("ü", "ue").replace("ö", "oe").replace("ä", "ae") \
            .replace("ø", "oe").replace("æ", "ae").replace("å", "aa").replace("ß", "ss")
        address = f"{local}@{rng.choice(DOMAINS[language])}"
        while address in used:
            address = f"{local}{rng.randint(2, 999)}@{rng.choice(DOMAINS[language])}"
        used.add(address)
        region = {"de": "+49", "da": "+45", "en": "+44"}[language]
        phone = {"+49": f"+4930{rng.randint(1000000, 9999999)}", "+45": f"+45{rng.randint(20000000, 99999999)}",
                 "+44": f"+447700{rng.randint(100000, 999999)}"}[region]
        since = datetime.date.today() - datetime.timedelta(days=rng.randint(30, 365 * 15))
        org = organisations[i % 3] if i < 12 else None
        customers.append(create_customer(name=f"{first} {last}", emails=[address], phones=[phone],
                                         preferred_language=language, customer_since=since, organisation=org))
    return customers


def populate(*, customers: int = 300, cases: int = 400, seed: int = 42) -> dict[str, int]:
    rng = random.Random(seed)
    teams, agents, lead = _create_staff_and_teams()
    people = _make_customers(rng, customers)
    members = {slug: [a for a in agents if a.memberships.filter(team=team).exists()] for slug, team in teams.items()}
    by_team = {team.pk: members[slug] for slug, team in teams.items()}
    now = timezone.now()
    created = 0
    for _ in range(cases):
        customer = rng.choice(people)
        concern, language = generate_concern(rng, customer.preferred_language)
        team = teams[concern.team]
        channel = rng.choices([Channel.EMAIL, Channel.PHONE, Channel.PORTAL], weights=[6, 3, 2])[0]
        start = now - datetime.timedelta(minutes=rng.randint(30, 60 * 24 * 45))
        with clock(start):
            if channel == Channel.PHONE:
                receptionist = rng.choice(members["empfang"])
                ticket = actions.create_ticket(
                    subject=concern.subject[language], customer=customer, team=team, channel=channel,
                    text=concern.text[language], language=language, tags=concern.tags, actor=receptionist,
                    recorded_by=receptionist, sender=customer.phones.values_list("number", flat=True).first() or "",
                    meta={"call": {"taken_by": receptionist.pk, "taken_by_name": str(receptionist), "summary": ""}},
                )
            else:
                ticket = actions.create_ticket(
                    subject=concern.subject[language], customer=customer, team=team, channel=channel,
                    text=concern.text[language], language=language, tags=concern.tags,
                    sender=customer.primary_email,
                )
        # Routing may already have handed the case on (repeat contact: second level), so its
        # agent comes from the team it is in now; a lead may work a case in any team.
        ticket.refresh_from_db(fields=["team"])
        _work_case(rng, ticket, concern, language, by_team.get(ticket.team_id) or [lead], start, now)
        created += 1
    # A few cases with the confidential health team and at second level / the lead.
    for customer in rng.sample(people, 5):
        with clock(now - datetime.timedelta(days=rng.randint(1, 20))):
            actions.create_ticket(
                subject={"de": "Kostenübernahme Therapie", "da": "Dækning af behandling", "en": "Therapy cost cover"}[
                    customer.preferred_language or "de"],
                customer=customer, team=teams["leistungsfaelle"], channel=Channel.EMAIL,
                text="Bitte prüfen Sie die Kostenübernahme für meine Behandlung.", language="de")
    return {"teams": len(teams), "agents": len(agents), "customers": len(people), "cases": created + 5}


def _work_case(rng: random.Random, ticket: Ticket, concern: Concern, language: str, team_agents: list[User],
               start: datetime.datetime, now: datetime.datetime) -> None:
    """Give the case a plausible life: assignment, replies, follow-ups, escalation, solution."""
    agent = rng.choice(team_agents)
    step = start
    stage = rng.random()

    def later(max_minutes: int) -> datetime.datetime:
        nonlocal step
        step = min(now, step + datetime.timedelta(minutes=rng.randint(5, max_minutes)))
        return step

    if stage < 0.15:
        return  # new and untouched
    with clock(later(120)):
        actions.assign_ticket(ticket=ticket, assignee=agent, actor=agent)
    with clock(later(600)):
        actions.add_reply(ticket=ticket, author=agent, text=concern.reply[language])
    if stage < 0.35:
        return
    with clock(later(60 * 24)):
        actions.add_customer_message(ticket=ticket, customer=ticket.customer, text=concern.follow_up[language],
                                     channel=ticket.channel if ticket.channel != Channel.PHONE else Channel.EMAIL,
                                     language=language)
    if stage < 0.5:
        return
    if stage < 0.6:
        with clock(later(240)):
            actions.add_note(ticket=ticket, author=agent, text="Rücksprache mit der Fachabteilung gehalten.")
            actions.set_priority(ticket=ticket, priority=Priority.HIGH, actor=agent)
            actions.escalate_ticket(ticket=ticket, reason="Kunde meldet sich wiederholt ohne Lösung.", actor=agent)
        return
    if stage < 0.63:
        with clock(later(240)):
            actions.escalate_ticket(ticket=ticket, level="lead", reason="Alle Optionen des Teams ausgeschöpft.",
                                    actor=agent)
        return
    with clock(later(60 * 8)):
        actions.add_reply(ticket=ticket, author=agent, text=concern.reply[language], status=Status.SOLVED)
    if stage > 0.85:
        with clock(later(60 * 24 * 3)):
            actions.set_status(ticket=ticket, status=Status.CLOSED, actor=None, actor_label="system")
