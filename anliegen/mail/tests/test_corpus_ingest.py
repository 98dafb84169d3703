"""Every real mail of the SpamAssassin, CPython, Zammad and django-helpdesk corpora goes through the whole ingest path
and becomes a stored mail or a quarantine entry; none is lost, none is stored twice."""

import hashlib
from pathlib import Path

import pytest

from anliegen.mail.ingest import ingest_mail
from anliegen.lib.corpora import corpora_dir
from anliegen.mail.models import InboundMail, Outcome, Quarantine
from anliegen.testing import make_team
from anliegen.tickets.models import Message, Ticket

CORPORA = corpora_dir() / "mail"


def _corpus() -> list[Path]:
    files = sorted((CORPORA / "spamassassin").rglob("*.txt"))
    files += sorted((CORPORA / "cpython").glob("msg_*.txt"))
    # The small hard cases, too: broken charsets, bounces, signed mail, uuencode.
    files += sorted((CORPORA / "zammad").glob("mail*.box"))
    files += sorted((CORPORA / "django-helpdesk").glob("*.eml"))
    return files


@pytest.mark.django_db
def test_it_stores_every_corpus_mail_once():
    files = _corpus()
    if len(files) < 3900:
        pytest.skip(f"corpus not found at {CORPORA}")
    make_team("Posteingang")
    raws = [f.read_bytes() for f in files]
    distinct = {hashlib.sha256(r).hexdigest() for r in raws}

    outcomes: dict[str, int] = {}
    for raw in raws:
        result = ingest_mail(raw, source="import")
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1

    stored = set(InboundMail.objects.values_list("content_hash", flat=True))
    quarantined = set(Quarantine.objects.values_list("raw_sha256", flat=True))
    assert not stored & quarantined
    assert stored | quarantined == distinct  # every distinct mail is somewhere, exactly once
    assert InboundMail.objects.count() + Quarantine.objects.count() == len(distinct)
    created = InboundMail.objects.filter(outcome=Outcome.CREATED).count()
    assert created == Ticket.objects.count()
    assert Message.objects.filter(kind="inbound").count() == InboundMail.objects.filter(
        outcome__in=[Outcome.CREATED, Outcome.APPENDED]).count()
    print(f"\ncorpus: {len(raws)} files, {len(distinct)} distinct; outcomes {outcomes}; "
          f"cases {Ticket.objects.count()}, quarantined {Quarantine.objects.count()}")
    from django.db.models import Count
    print("threaded by:", dict(InboundMail.objects.filter(outcome=Outcome.APPENDED).values_list("threaded_by")
                               .annotate(n=Count("id")).values_list("threaded_by", "n")))
    reasons = list(Quarantine.objects.values_list("reason", flat=True))
    print("quarantine reasons:", sorted(set(reasons)))

    counts = (InboundMail.objects.count(), Quarantine.objects.count(), Ticket.objects.count(),
              Message.objects.count())
    again = {ingest_mail(raw, source="import").stored for raw in raws}
    assert again == {False}
    assert (InboundMail.objects.count(), Quarantine.objects.count(), Ticket.objects.count(),
            Message.objects.count()) == counts
