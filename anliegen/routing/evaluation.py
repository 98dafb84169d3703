"""How well does repeat-contact matching find the earlier case a customer comes back about?

A generator builds a labelled example set: customers with two or three concerns each (the demo
generator's concerns plus look-alike distractors such as a mobile outage next to a router fault,
or new bank details next to a double charge), in German, Danish and English; each concern has a
first contact and zero to three later contacts written as paraphrases — new mails with new
wording, and call notes taken at reception (sometimes in German for a Danish or English caller).
Every contact after the customer's first is a query against the customer's earlier cases; the
label says which concern it is about, or that it is a new concern.

`anliegen evaluate-repeat-contact` prints precision, recall and F1 of the matcher
(repeat.similarity with the stored threshold), counting a predicted link as right only when it
points at a case of the same concern."""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from anliegen.routing.repeat import similarity
from anliegen.tickets.demo import CONCERNS

LANGS = ("de", "da", "en")


@dataclass(frozen=True)
class Topic:
    key: str
    subject: dict[str, str]
    text: dict[str, str]
    paraphrases: dict[str, tuple[str, ...]]


# Paraphrases of the demo concerns: how a customer (or the receptionist) says it the next time.
_DEMO_PARAPHRASES: list[dict[str, tuple[str, ...]]] = [
    {"de": ("Mein Internet geht immer noch nicht, die DSL-Leuchte am Router ist rot",
            "Keine Internetverbindung mehr, Router schon mehrfach neu gestartet",
            "Der WLAN-Router hat keine Verbindung, Lampe blinkt rot"),
     "da": ("Mit internet virker stadig ikke, DSL-lampen på routeren lyser rødt",
            "Ingen internetforbindelse, routeren er genstartet flere gange",
            "Routeren har ingen forbindelse, lampen blinker rødt"),
     "en": ("My internet still does not work, the DSL light on the router is red",
            "No internet connection, I restarted the router several times",
            "The router has no connection, the light keeps flashing red")},
    {"de": ("Login in der App klappt nicht, Fehlermeldung 403",
            "Ich komme nach dem App-Update nicht in mein Konto",
            "Anmeldung in der Handy-App scheitert weiterhin mit Fehler 403"),
     "da": ("Login i appen virker ikke, fejlmeddelelse 403",
            "Jeg kan ikke komme ind på min konto efter app-opdateringen",
            "Login i mobilappen fejler stadig med fejl 403"),
     "en": ("Login in the app fails with error message 403",
            "I cannot get into my account after the app update",
            "Signing in to the mobile app still fails with error 403")},
    {"de": ("Der Zählerstand im Portal ist falsch, es sind 41.120 kWh",
            "Falsche Zählerablesung auf meinem Stromkonto",
            "Bitte den falschen Stromzählerstand korrigieren"),
     "da": ("Målerstanden i portalen er forkert, den er 41.120 kWh",
            "Forkert måleraflæsning på min elkonto",
            "Ret venligst den forkerte elmålerstand"),
     "en": ("The meter reading in the portal is wrong, it is 41,120 kWh",
            "Wrong meter reading on my electricity account",
            "Please correct the wrong electricity meter reading")},
    {"de": ("Der Monatsbeitrag wurde doppelt abgebucht, ich will mein Geld zurück",
            "Zweifache Abbuchung vom Konto, Erstattung fehlt noch",
            "Die doppelte Lastschrift von 39,99 € ist nicht erstattet"),
     "da": ("Månedsbetalingen er trukket dobbelt, jeg vil have pengene tilbage",
            "Dobbelt træk fra kontoen, tilbagebetalingen mangler stadig",
            "Det dobbelte træk på 299 kr. er ikke refunderet"),
     "en": ("The monthly fee was taken twice, I want my money back",
            "Double charge on my account, the refund is still missing",
            "The duplicate payment of £34.99 has not been refunded")},
    {"de": ("Ich möchte wissen, ob meine Kündigung angekommen ist",
            "Bestätigung der Vertragskündigung fehlt",
            "Habe gekündigt und keine schriftliche Bestätigung bekommen"),
     "da": ("Jeg vil gerne vide, om min opsigelse er modtaget",
            "Bekræftelse på opsigelse af abonnementet mangler",
            "Har opsagt og ikke fået en skriftlig bekræftelse"),
     "en": ("I want to know whether my cancellation arrived",
            "Confirmation of the contract cancellation is missing",
            "I cancelled and have not received a written confirmation")},
    {"de": ("Die Rechnung ist viel zu hoch, ich verstehe die Posten nicht",
            "Bitte die letzte Rechnung aufschlüsseln, Betrag fast doppelt",
            "Unklare Posten auf der Rechnung, Erklärung reicht nicht"),
     "da": ("Regningen er alt for høj, jeg forstår ikke posterne",
            "Specificer venligst den seneste regning, beløbet er næsten dobbelt",
            "Uklare poster på regningen, forklaringen er ikke nok"),
     "en": ("The invoice is far too high, I do not understand the items",
            "Please itemise the last invoice, the amount is almost double",
            "Unclear items on the invoice, the explanation is not enough")},
    {"de": ("Beschwerde: wieder ewig in der Warteschleife gehangen",
            "Ärgert sich über die lange Wartezeit an der Hotline",
            "Keine Antwort auf die Beschwerde über die Warteschleife"),
     "da": ("Klage: ventede igen længe i telefonkøen",
            "Er utilfreds med den lange ventetid på hotlinen",
            "Intet svar på klagen over telefonkøen"),
     "en": ("Complaint: on hold for ages again",
            "Annoyed about the long waiting time on the hotline",
            "No answer to the complaint about the phone queue")},
    {"de": ("Möchte den Techniker noch einmal loben",
            "Lob an den freundlichen Servicetechniker",
            "Dank an den Techniker für den Einsatz"),
     "da": ("Vil gerne rose teknikeren igen",
            "Ros til den venlige servicetekniker",
            "Tak til teknikeren for besøget"),
     "en": ("Wants to praise the technician again",
            "Praise for the friendly service technician",
            "Thanks to the technician for the visit")},
]

_EXTRA_TOPICS = [
    Topic("moving",
          {"de": "Umzug in eine neue Wohnung", "da": "Flytning til ny adresse", "en": "Moving house"},
          {"de": "Ich ziehe zum 1. des Monats um. Bitte stellen Sie meinen Anschluss auf die neue Adresse um.",
           "da": "Jeg flytter den 1. i måneden. Flyt venligst min forbindelse til den nye adresse.",
           "en": "I am moving on the 1st of the month. Please move my connection to the new address."},
          {"de": ("Anschluss zur neuen Adresse mitnehmen, Umzug steht bevor", "Adressänderung wegen Umzug",
                  "Wann wird die Leitung in der neuen Wohnung geschaltet?"),
           "da": ("Flyt forbindelsen med til den nye adresse", "Adresseændring på grund af flytning",
                  "Hvornår bliver linjen tændt i den nye lejlighed?"),
           "en": ("Take the connection to the new address", "Change of address because of the move",
                  "When will the line be switched on in the new flat?")}),
    Topic("bank",
          {"de": "Neue Bankverbindung", "da": "Nye bankoplysninger", "en": "New bank details"},
          {"de": "Ich habe ein neues Konto. Bitte buchen Sie ab sofort von der neuen IBAN ab.",
           "da": "Jeg har fået en ny konto. Træk venligst beløbet fra det nye kontonummer fremover.",
           "en": "I have a new bank account. Please take the payments from the new account from now on."},
          {"de": ("Lastschrift bitte auf das neue Konto umstellen", "IBAN geändert, Abbuchung anpassen",
                  "Neue Kontodaten für den Monatsbeitrag hinterlegen"),
           "da": ("Flyt venligst betalingen til den nye konto", "Kontonummer ændret, ret trækket",
                  "Registrer nye kontooplysninger til månedsbetalingen"),
           "en": ("Please switch the direct debit to the new account", "Account number changed, update the debit",
                  "Store new bank details for the monthly fee")}),
    Topic("mobile",
          {"de": "Kein Handynetz zu Hause", "da": "Ingen mobildækning derhjemme", "en": "No mobile signal at home"},
          {"de": "Seit einer Woche habe ich in meiner Wohnung kein Mobilfunknetz mehr, Telefonieren geht nicht.",
           "da": "I en uge har jeg ikke haft mobildækning i min lejlighed, jeg kan ikke ringe.",
           "en": "For a week I have had no mobile signal in my flat, I cannot make calls."},
          {"de": ("Handy hat zu Hause keinen Empfang", "Mobilfunkstörung in der Wohnung, keine Anrufe möglich",
                  "Immer noch kein Netz auf dem Smartphone"),
           "da": ("Mobilen har ingen dækning derhjemme", "Mobilnedbrud i lejligheden, kan ikke ringe",
                  "Stadig ingen dækning på smartphonen"),
           "en": ("The phone has no reception at home", "Mobile outage in the flat, no calls possible",
                  "Still no signal on the smartphone")}),
    Topic("tariff",
          {"de": "Wechsel in einen günstigeren Tarif", "da": "Skift til et billigere abonnement",
           "en": "Switch to a cheaper plan"},
          {"de": "Ich möchte in einen günstigeren Tarif mit weniger Datenvolumen wechseln.",
           "da": "Jeg vil gerne skifte til et billigere abonnement med mindre data.",
           "en": "I would like to switch to a cheaper plan with less data."},
          {"de": ("Tarifwechsel in einen kleineren Tarif", "Günstigeres Paket mit weniger Daten gewünscht",
                  "Wann wird der neue, billigere Tarif aktiv?"),
           "da": ("Skift til et mindre abonnement", "Ønsker en billigere pakke med mindre data",
                  "Hvornår bliver det nye, billigere abonnement aktivt?"),
           "en": ("Change to a smaller plan", "Wants a cheaper package with less data",
                  "When will the new, cheaper plan be active?")}),
]


def topics() -> list[Topic]:
    demo = [Topic(f"demo{i}", c.subject, c.text, _DEMO_PARAPHRASES[i]) for i, c in enumerate(CONCERNS)]
    return demo + _EXTRA_TOPICS


_MAIL_OPEN = {"de": ["Guten Tag,", "Hallo,", "Sehr geehrte Damen und Herren,"],
              "da": ["Hej,", "Kære kundeservice,", "Goddag,"], "en": ["Hello,", "Dear team,", "Hi,"]}
_MAIL_CHASE = {"de": ["Ich habe schon einmal geschrieben.", "Bitte kümmern Sie sich endlich darum.",
                      "Leider hat sich nichts getan.", ""],
               "da": ["Jeg har skrevet før.", "Tag jer venligst af det nu.", "Der er desværre ikke sket noget.", ""],
               "en": ["I have written before.", "Please finally take care of this.",
                      "Unfortunately nothing has happened.", ""]}
_MAIL_CLOSE = {"de": ["Viele Grüße", "Mit freundlichen Grüßen"], "da": ["Med venlig hilsen", "Hilsen"],
               "en": ["Best regards", "Kind regards"]}
_CALL = {"de": ["Kunde ruft an: {p}.", "Anruf der Kundin: {p}.", "Rückruf erbeten, {p}."],
         "da": ["Kunden ringer: {p}.", "Opkald fra kunden: {p}.", "Ønsker at blive ringet op, {p}."],
         "en": ["Customer calls: {p}.", "Call from the customer: {p}.", "Asks for a call back, {p}."]}
_CALL_CHASE = {"de": ["Meldet sich zum wiederholten Mal.", "Ist verärgert.", ""],
               "da": ["Henvender sig igen.", "Er utilfreds.", ""], "en": ["Contacts us again.", "Is upset.", ""]}


@dataclass
class Contact:
    customer: int
    topic: str
    channel: str  # "email" or "phone"
    text: str  # subject and text as the matcher sees them


@dataclass
class Example:
    query: Contact
    earlier: list[Contact]

    @property
    def gold(self) -> bool:
        return any(c.topic == self.query.topic for c in self.earlier)


def _first(topic: Topic, lang: str, rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.7:
        return "email", f"{topic.subject[lang]} {topic.text[lang]}"
    note = rng.choice(_CALL[lang]).format(p=topic.paraphrases[lang][0])
    return "phone", f"{note[:80]} {note}"


def _again(topic: Topic, lang: str, rng: random.Random) -> tuple[str, str]:
    phrase = rng.choice(topic.paraphrases[lang])
    if rng.random() < 0.5:
        body = " ".join(x for x in [rng.choice(_MAIL_OPEN[lang]), phrase + ".", rng.choice(_MAIL_CHASE[lang]),
                                    rng.choice(_MAIL_CLOSE[lang])] if x)
        subject = phrase if rng.random() < 0.5 else topic.subject[lang]
        return "email", f"{subject} {body}"
    # Reception writes the call note; for a Danish or English caller sometimes in German.
    note_lang = "de" if lang != "de" and rng.random() < 0.15 else lang
    phrase = rng.choice(topic.paraphrases[note_lang])
    note = " ".join(x for x in [rng.choice(_CALL[note_lang]).format(p=phrase), rng.choice(_CALL_CHASE[note_lang])] if x)
    return "phone", f"{note[:80]} {note}"


def generate(seed: int = 7, customers: int = 200) -> list[Example]:
    """The labelled examples: one per contact after each customer's first."""
    rng = random.Random(seed)
    bank = topics()
    examples: list[Example] = []
    for customer in range(customers):
        lang = rng.choices(LANGS, weights=[6, 3, 2])[0]
        chosen = rng.sample(bank, rng.choice([2, 2, 3]))
        # (topic, is_first) events: each topic's first contact precedes its follow-ups.
        queue: list[list[tuple[Topic, bool]]] = [[(t, True)] + [(t, False)] * rng.randint(0, 3) for t in chosen]
        history: list[Contact] = []
        while any(queue):
            lane = rng.choice([q for q in queue if q])
            topic, first = lane.pop(0)
            channel, text = (_first if first else _again)(topic, lang, rng)
            contact = Contact(customer, topic.key, channel, text)
            if history:
                examples.append(Example(contact, list(history)))
            history.append(contact)
    return examples


@dataclass
class Scores:
    examples: int
    positives: int
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_all(examples: Sequence[Example]) -> list[list[float]]:
    """The matcher's score of each query against each earlier contact (computed once)."""
    return [similarity(e.query.text, [c.text for c in e.earlier]) for e in examples]


def evaluate(examples: Sequence[Example], threshold: float,
             scores: Sequence[Sequence[float]] | None = None) -> Scores:
    scores = scores if scores is not None else score_all(examples)
    tp = fp = fn = 0
    for example, row in zip(examples, scores, strict=True):
        best = max(range(len(row)), key=lambda i: row[i])
        predicted = example.earlier[best] if row[best] >= threshold else None
        if predicted is not None and predicted.topic == example.query.topic:
            tp += 1
        elif predicted is not None:
            fp += 1
            if example.gold:
                fn += 1  # the right case was there but another was chosen
        elif example.gold:
            fn += 1
    return Scores(len(examples), sum(e.gold for e in examples), tp, fp, fn)


def best_threshold(examples: Sequence[Example]) -> tuple[float, Scores]:
    """The threshold with the best F1 on these examples (tune on one seed, measure on another)."""
    scores = score_all(examples)
    best: tuple[float, Scores] | None = None
    for step in range(2, 80):
        threshold = step / 100
        result = evaluate(examples, threshold, scores)
        if best is None or result.f1 > best[1].f1:
            best = (threshold, result)
    assert best is not None
    return best
