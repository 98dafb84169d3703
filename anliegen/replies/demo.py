"""Demo data for standard replies: the catalogue (incl. polite declines) in de/da/en, macros,
signatures for teams and a few agents, three process docs, and picks for suggestions."""

from __future__ import annotations

import random

from anliegen.accounts.models import Team, User
from anliegen.replies import actions, suggestions
from anliegen.replies.catalogue import CATALOGUE
from anliegen.replies.models import StandardReply
from anliegen.tickets.models import Status, Ticket

DOCS = [
    ("Doppelte Abbuchungen erstatten", ["kaufmaennischer-support"], """Wenn eine Kundin oder ein Kunde meldet, dass ein Betrag **zweimal** abgebucht wurde:

1. Im Abrechnungssystem prüfen, ob wirklich zwei Buchungen mit gleichem Betrag und Datum vorliegen.
2. Erstattung im Zahlungsportal anlegen (Grund: *Doppelbuchung*), Betrag und Buchungsnummer in einer
   internen Notiz festhalten.
3. Mit dem Makro **Erstattung zugesagt** antworten – der Fall wird dabei gelöst und getaggt.

Bei mehr als zehn gleichartigen Fällen am Tag: die Leitung informieren (möglicher Massenfehler).

| Betrag | wer gibt frei |
| --- | --- |
| bis 100 € | Agent |
| über 100 € | Teamleitung |
"""),
    ("Störungen und Leitungstests", ["technischer-support", "empfang"], """- Zuerst die **Störungskarte** prüfen: ist die Region betroffen, den Standardtext
  *Bekannte Störung in Ihrer Region* verwenden und den Fall mit `stoerung` taggen.
- Sonst Leitungstest starten und *Router neu starten und Kabel prüfen* senden.
- Nach zwei erfolglosen Versuchen: an den Second Level eskalieren (Grund angeben).

Gutschriften gibt es erst ab 24 Stunden Ausfall; kürzere Störungen mit der Ablehnung
*keine Gutschrift bei kurzer Störung* beantworten – freundlich und mit Dank für die Geduld.
"""),
    ("Unberechtigte Forderungen höflich ablehnen", ["kaufmaennischer-support", "second-level"],
     """Eine Ablehnung ist eine Antwort, kein Abschluss des Gesprächs:

1. **Danken** und zeigen, dass die Forderung geprüft wurde.
2. Den **Grund** in einem Satz nennen (Frist, Vertragsbedingung) – ohne Paragraphen.
3. **Eine Alternative** anbieten (Lastschrift, anderer Tarif, Garantieservice).

Die Standardantworten der Kategorie *Polite decline* sind für diese Fälle da. Bei langjährigen
Kundinnen und Kunden vorher die Teamleitung fragen (Quality Care).
"""),
]

MACROS = [
    # name, reply key, status, priority, team slug, add tags
    ("Erstattung zugesagt", "double_charge", Status.SOLVED, None, "", ["erstattung"]),
    ("Störung bekannt", "outage", Status.PENDING, None, "", ["stoerung"]),
    ("Kündigung bestätigen", "cancellation", Status.SOLVED, None, "", ["kuendigung"]),
    ("Wartezeit: Rückruf zusagen", "waiting", Status.PENDING, 3, "second-level", ["rueckruf"]),
    ("Mahngebühr ablehnen", "decline_fee", Status.SOLVED, None, "", ["abgelehnt"]),
]

# The agent's signature closes the letter; the team's adds how to reach the team.
AGENT_SIGNATURES = {
    "de": "Freundliche Grüße\n{{ agent.name }}",
    "da": "Med venlig hilsen\n{{ agent.name }}",
    "en": "Kind regards\n{{ agent.name }}",
}
TEAM_SIGNATURES = {
    "de": "{{ team.name }} · Kundenservice · Vorgang {{ case.number }}",
    "da": "{{ team.name }} · Kundeservice · Sag {{ case.number }}",
    "en": "{{ team.name }} · Customer service · Case {{ case.number }}",
}


def populate(rng: random.Random) -> None:
    lead = User.objects.filter(username="lena").first() or User.objects.filter(role__in=["lead", "admin"]).first()
    if lead is None:
        return
    teams = {t.slug: t for t in Team.objects.all()}
    docs = {}
    for title, slugs, body in DOCS:
        doc = actions.save_doc(actor=lead, title=title, body=body, teams=[teams[s] for s in slugs if s in teams],
                               note="Erste Fassung")
        docs[title] = doc
    # A second version, so the history has something to show.
    first = docs[DOCS[0][0]]
    actions.save_doc(actor=lead, doc=first, title=first.title, teams=list(first.teams.all()),
                     body=first.body.replace("zehn gleichartigen", "fünf gleichartigen"),
                     note="Schwelle für Massenfehler auf fünf Fälle gesenkt")
    doc_for = {"double_charge": docs[DOCS[0][0]], "outage": docs[DOCS[1][0]], "router": docs[DOCS[1][0]],
               "decline_compensation": docs[DOCS[1][0]]}
    replies: dict[str, StandardReply] = {}
    for entry in CATALOGUE:
        doc = doc_for.get(entry.key) or (docs[DOCS[2][0]] if entry.category == "decline" else None)
        replies[entry.key] = actions.save_reply(
            actor=lead, name=entry.name, group=entry.group, category=entry.category, keywords=entry.keywords,
            doc=doc, variants=entry.texts)
    for name, key, status, priority, slug, tags in MACROS:
        actions.save_macro(actor=lead, name=name, reply=replies[key], status=status, priority=priority,
                           team=teams.get(slug) if slug else None, add_tags=tags)
    for team in teams.values():
        for language, text in TEAM_SIGNATURES.items():
            actions.save_signature(actor=lead, team=team, language=language, text=text)
    for agent in User.objects.filter(is_active=True):
        for language, text in AGENT_SIGNATURES.items():
            actions.save_signature(actor=agent, user=agent, language=language, text=text)
    _seed_picks(rng, replies)


def _seed_picks(rng: random.Random, replies: dict[str, StandardReply]) -> None:
    """Demo cases already answered are 'picks' of the reply that fits their concern, so the
    suggestions have learnt something when the demo starts."""
    by_subject_word = {"Router": "router", "Routeren": "router", "App": "password", "appen": "password",
                       "Stromzähler": "meter", "Elmåleren": "meter", "meter": "meter", "doppelt": "double_charge",
                       "to gange": "double_charge", "twice": "double_charge", "Kündigung": "cancellation",
                       "Opsigelse": "cancellation", "Cancelling": "cancellation", "Rechnung": "invoice",
                       "Regningen": "invoice", "Invoice": "invoice", "Wartezeit": "waiting", "ventetiden": "waiting",
                       "waiting": "waiting", "Lob": "praise", "Ros": "praise", "Praise": "praise"}
    tickets = Ticket.objects.exclude(first_response_at=None).select_related("assignee").order_by("id")[:300]
    for ticket in tickets:
        key = next((k for word, k in by_subject_word.items() if word in ticket.subject), None)
        if key and rng.random() < 0.8:
            actions.record_pick(reply=replies[key], ticket=ticket, user=ticket.assignee,
                                language=ticket.language, via="picker")
    suggestions.retrain()
