"""anliegen demo adds mailboxes, a mail thread, automatic mail, an unmatched bounce and quarantine entries
through the real ingest."""

import pytest
from django.core.management import call_command

from anliegen.mail.models import InboundMail, Mailbox, Outcome, Quarantine

pytestmark = pytest.mark.django_db


def test_it_adds_mail_demo_data(capsys):
    call_command("demo", "--customers", "20", "--cases", "10")
    assert Mailbox.objects.count() == 2
    assert InboundMail.objects.filter(outcome=Outcome.APPENDED).count() == 1
    assert InboundMail.objects.filter(outcome=Outcome.AUTOMATIC).count() == 1  # the out-of-office reply
    assert InboundMail.objects.filter(outcome=Outcome.BOUNCE, ticket__isnull=True).count() == 1
    assert Quarantine.objects.filter(resolved_at__isnull=True).count() == 2
