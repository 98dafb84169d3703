"""anliegen import-mail: .eml files, folders, mbox and maildir, with a summary; idempotent."""

import mailbox
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from anliegen.mail.models import InboundMail, Mailbox, Quarantine
from anliegen.mail.tests.rawmail import make_raw
from anliegen.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    # The attachment store lives in pytest's tmp_path (conftest); keep the mails apart from it.
    folder = tmp_path / "import"
    folder.mkdir()
    return folder


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_mail", *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def _summary(output: str) -> dict[str, int]:
    rows = {}
    for line in output.splitlines()[1:]:
        if not line.startswith("  "):
            continue
        label, _sep, value = line.strip().rpartition(" ")
        rows[label.strip()] = int(value)
    return rows


def test_it_imports_eml_files_and_folders(world, folder: Path):
    mails = folder / "mails"
    mails.mkdir()
    (mails / "a.eml").write_bytes(make_raw(subject="Eins", message_id="eins@example.org"))
    (mails / "b.eml").write_bytes(make_raw(subject="Re: Eins", in_reply_to="eins@example.org"))
    (mails / ".hidden.eml").write_bytes(make_raw(subject="versteckt"))
    single = folder / "c.eml"
    single.write_bytes(make_raw(subject="Drei"))
    (mails / "broken.eml").write_bytes(b"\x00\x00 nothing readable")
    (mails / "README.md").write_text("# Mails from the old helpdesk\n")
    (mails / "expected.yml").write_text("from: erika@example.org\nsubject: Eins\n")
    (mails / "LICENSE").write_text("Copyright (c) 2002 somebody\n")

    output = run(str(mails), str(single))

    assert output.startswith("Imported 4 mails:")
    assert _summary(output) == {"new cases": 2, "added to cases": 1, "bounces": 0, "automatic mail": 0,
                                "mail loops": 0, "duplicates": 0, "quarantined": 1}
    assert InboundMail.objects.count() == 3 and Quarantine.objects.count() == 1
    assert "Skipped 3 files that are not mail" in output
    assert set(Ticket.objects.filter(inbound_mails__isnull=False).values_list("subject", flat=True)) == {"Eins", "Drei"}


def test_it_counts_automatic_mail_in_the_summary(world, folder: Path):
    (folder / "a.eml").write_bytes(make_raw(subject="Abwesenheitsnotiz: Rechnung"))
    (folder / "b.eml").write_bytes(make_raw(subject="Rechnung"))
    cases = Ticket.objects.count()
    summary = _summary(run(str(folder)))
    assert summary["automatic mail"] == 1 and summary["new cases"] == 1
    assert Ticket.objects.count() == cases + 1


def test_it_imports_nothing_twice(world, folder: Path):
    (folder / "a.eml").write_bytes(make_raw())
    run(str(folder))
    output = run(str(folder))
    assert _summary(output)["duplicates"] == 1 and _summary(output)["new cases"] == 0
    assert InboundMail.objects.count() == 1


def test_it_imports_an_mbox(world, folder: Path):
    path = folder / "archive.mbox"
    box = mailbox.mbox(path)
    for n in range(3):
        box.add(make_raw(subject=f"Archiv {n}"))
    box.flush()
    box.close()

    output = run(str(path))
    assert _summary(output)["new cases"] == 3
    assert Ticket.objects.filter(subject__startswith="Archiv").count() == 3


def test_it_imports_a_maildir(world, folder: Path):
    path = folder / "Maildir"
    box = mailbox.Maildir(path, create=True)
    box.add(make_raw(subject="Aus dem Maildir", message_id="md-1@example.org"))
    box.add(make_raw(subject="AW: Aus dem Maildir", in_reply_to="md-1@example.org"))
    output = run(str(folder))  # found inside a folder, too
    summary = _summary(output)
    assert summary["new cases"] + summary["added to cases"] == 2
    # maildir order is arbitrary: if the reply came first, its case was joined to the original's
    original = Ticket.objects.get(subject="Aus dem Maildir", merged_into__isnull=True)
    assert original.messages.count() == 2


def test_it_gives_new_cases_to_the_team_asked_for(world, folder: Path):
    (folder / "a.eml").write_bytes(make_raw(subject="Für den Vertrieb"))
    run(str(folder), "--team", world.commercial.slug)
    assert Ticket.objects.get(subject="Für den Vertrieb").team == world.commercial


def test_it_counts_mail_against_a_mailbox(world, folder: Path):
    box = Mailbox.objects.create(name="Vertrieb", team=world.commercial, address="vertrieb@anliegen.example")
    (folder / "a.eml").write_bytes(make_raw(subject="Über das Postfach"))
    run(str(folder), "--mailbox", "Vertrieb")
    inbound = InboundMail.objects.get()
    assert inbound.mailbox == box and inbound.source == "import" and inbound.ticket.team == world.commercial


def test_it_refuses_an_unknown_team_or_path(world, folder: Path):
    with pytest.raises(CommandError, match="no team"):
        run(str(folder), "--team", "nope")
    with pytest.raises(CommandError, match="does not exist"):
        run(str(folder / "missing"))
    assert InboundMail.objects.count() == 0


def test_it_resumes_an_interrupted_import_without_duplicates(world, folder: Path, monkeypatch):
    from anliegen.mail import ingest
    from anliegen.mail.management.commands import import_mail

    path = folder / "archive.mbox"
    box = mailbox.mbox(path)
    for n in range(5):
        box.add(make_raw(sender=f"kunde{n}@example.net", subject=f"Archiv {n}"))
    box.flush()
    box.close()
    stored = []

    def ctrl_c_in_the_second_batch(chunk, *, each, **kwargs):
        def each_then_stop(result):
            stored.append(result)
            each(result)
            if len(stored) == 3:
                raise KeyboardInterrupt  # inside the second batch's transaction
        return ingest.ingest_mails(chunk, each=each_then_stop, **kwargs)

    monkeypatch.setattr(import_mail, "ingest_mails", ctrl_c_in_the_second_batch)
    out = StringIO()
    with pytest.raises(CommandError, match="Interrupted after 2 of 5 mails") as stopped:
        call_command("import_mail", str(path), "--batch", "2", "--no-progress", stdout=out, stderr=StringIO())
    assert stopped.value.returncode == 130
    assert _summary(out.getvalue())["new cases"] == 2
    assert InboundMail.objects.count() == 2  # the interrupted batch was rolled back whole

    monkeypatch.undo()
    output = run(str(path), "--batch", "2")
    summary = _summary(output)
    assert (summary["duplicates"], summary["new cases"]) == (2, 3)
    assert InboundMail.objects.count() == 5 and Ticket.objects.filter(subject__startswith="Archiv").count() == 5
    assert "mails handled in" in output
