from django.core.management import call_command

from anliegen.accounts.models import Team, User
from anliegen.customers.models import Customer
from anliegen.tickets.models import Message, Ticket


def test_it_fills_an_empty_database_once(db, capsys):
    call_command("demo", customers=25, cases=40)
    output = capsys.readouterr().out
    assert "lena" in output and "anliegen-demo" in output
    assert set(Team.objects.values_list("slug", flat=True)) >= {
        "empfang", "technischer-support", "kaufmaennischer-support", "second-level", "leitung"}
    assert User.objects.filter(role="agent").count() == 11
    assert User.objects.filter(username="lena", role="lead").exists()
    assert Customer.objects.count() >= 25
    assert Ticket.objects.count() >= 40
    assert set(Ticket.objects.values_list("language", flat=True)) >= {"de", "da", "en"}
    assert set(Ticket.objects.values_list("channel", flat=True)) >= {"email", "phone", "portal"}
    assert Message.objects.filter(kind="reply").exists()
    call_command("demo", customers=25, cases=40)
    assert "already has users" in capsys.readouterr().out
    assert Ticket.objects.count() < 80
