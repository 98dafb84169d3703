"""Demo data of the notifications app: teams sparring on hard cases. A first-level agent asks
second level (or the lead) in an internal note with @name, the colleague answers with
@name too; some questions are still open, so "Mentioned" and the counters have something
to show for katrin, lena and others."""

import random

from anliegen.accounts.models import User
from anliegen.tickets import actions
from anliegen.tickets.access import visible_tickets
from anliegen.tickets.models import ACTIVE_STATUSES, Level, Priority, Ticket

QUESTIONS = {
    "de": ["@{to} der Kunde schreibt zum dritten Mal, unsere Standardlösung hat nicht geholfen. "
           "Hast du so etwas schon gesehen?",
           "@{to} kannst du kurz draufschauen? Ich vermute ein Problem auf unserer Seite, nicht beim Kunden."],
    "da": ["@{to} kunden skriver for tredje gang, og standardløsningen hjalp ikke. Har du set det før?",
           "@{to} kan du kigge på den? Jeg tror, fejlen ligger hos os."],
    "en": ["@{to} third message from this customer, the standard fix did not help. Seen this before?",
           "@{to} could you have a look? I suspect the fault is on our side."],
}
ANSWERS = {
    "de": "@{to} ja, das hatten wir letzten Monat. Erst das Protokoll prüfen, dann den Zugang neu anlegen; "
          "ich übernehme, falls es nicht reicht.",
    "da": "@{to} ja, det så vi sidste måned. Tjek loggen først og opret adgangen igen; jeg tager over, hvis det "
          "ikke er nok.",
    "en": "@{to} yes, we had that last month. Check the log first, then recreate the access; I'll take over if "
          "that is not enough.",
}
# Pairs that share cases: tom (commercial) and katrin (second level) both work the health
# claims; the lead sees every team; teammates ask each other too.
PAIRS = [("tom", "katrin"), ("anna", "lena"), ("katrin", "lena"), ("henrik", "lena"), ("sofie", "anna"),
         ("mia", "freja"), ("jonas", "lukas"), ("freja", "lena")]


def _hard_cases(asker: User, answerer: User, rng: random.Random) -> list[Ticket]:
    """Open cases both may see, the hard ones (second level, high priority) first."""
    shared = (visible_tickets(asker).filter(status__in=ACTIVE_STATUSES)
              .filter(pk__in=visible_tickets(answerer).values("pk")).select_related("customer"))
    hard = list(shared.filter(level__in=[Level.SECOND, Level.LEAD])[:20]) or \
        list(shared.filter(priority__gte=Priority.HIGH)[:20]) or list(shared[:20])
    rng.shuffle(hard)
    return hard


def populate(rng: random.Random) -> None:
    people = {u.username: u for u in User.objects.filter(username__in={n for p in PAIRS for n in p}, is_active=True)}
    for index, (asks, answers) in enumerate(PAIRS):
        asker, answerer = people.get(asks), people.get(answers)
        if asker is None or answerer is None:
            continue
        for number, ticket in enumerate(_hard_cases(asker, answerer, rng)[:2]):
            language = ticket.language if ticket.language in QUESTIONS else "de"
            question = rng.choice(QUESTIONS[language]).format(to=answerer.username)
            actions.add_note(ticket=ticket, author=asker, text=question)
            # Every other question has been answered; the rest wait in "Mentioned".
            if (index + number) % 2 == 0:
                actions.add_note(ticket=ticket, author=answerer, text=ANSWERS[language].format(to=asker.username))
