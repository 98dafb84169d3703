"""anliegen import-mail PATH...: store .eml files, folders of them, mbox files and maildir
folders through the same ingest as live mail (idempotent: importing twice adds nothing).

For archives: a progress bar with mails/s and the time left; Ctrl-C stops after the batch being
stored is rolled back (everything before it is kept), and the same command run again resumes,
skipping every mail it stored before (one query per batch finds them, before any parsing)."""

import mailbox
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from anliegen.accounts.models import Team
from anliegen.mail.ingest import QUARANTINED, ingest_mails
from anliegen.mail.models import Mailbox, Outcome, Source


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


_HEADER_RE = re.compile(rb"^(?:From |[!-9;-~]{1,76}:)")
_MAIL_SUFFIXES = {".eml", ".mbox", ".msg", ".mail", ".box"}
_NOT_MAIL_SUFFIXES = {".yml", ".yaml", ".json", ".md", ".rst", ".py", ".pyc", ".csv", ".xml", ".pdf", ".zip"}


def _looks_like_mail(path: Path) -> bool:
    """In a folder, only files that start like a mail (a header line or an mbox "From "
    line) are read; README, licences, YAML and JSON next to the mails are skipped."""
    if path.suffix.lower() in _MAIL_SUFFIXES:
        return True
    if path.suffix.lower() in _NOT_MAIL_SUFFIXES:
        return False
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\r\n")
    return bool(_HEADER_RE.match(head))


def _looks_like_mbox(path: Path) -> bool:
    if path.suffix.lower() == ".mbox":
        return True
    if path.suffix.lower() == ".eml":
        return False
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


class MailSource:
    """One thing to read mails from (a file, an mbox, a maildir) and how many it holds."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path, self.kind = path, kind
        self._box: mailbox.Mailbox | None = None

    def box(self) -> mailbox.Mailbox:
        if self._box is None:
            self._box = (mailbox.Maildir(self.path, factory=None, create=False) if self.kind == "maildir"
                         else mailbox.mbox(self.path, factory=None, create=False))
        return self._box

    def count(self) -> int:
        return 1 if self.kind == "file" else len(self.box())

    def mails(self) -> Iterator[tuple[str, bytes]]:
        if self.kind == "file":
            yield str(self.path), self.path.read_bytes()
            return
        box = self.box()
        for key in box.iterkeys():
            yield f"{self.path}#{key}", box.get_bytes(key)


def collect(paths: list[Path], skipped: list[Path] | None = None) -> list[MailSource]:
    """What to read. A path named on the command line is always read (an unreadable file ends
    in the quarantine); inside folders, files that are clearly not mail are left out."""
    skipped = [] if skipped is None else skipped
    sources: list[MailSource] = []
    for path in paths:
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        if _is_maildir(path):
            sources.append(MailSource(path, "maildir"))
        elif path.is_dir():
            for child in sorted(path.iterdir()):
                if child.name.startswith("."):
                    continue
                if child.is_dir() and not _is_maildir(child):
                    sources.extend(collect([child], skipped))
                elif _is_maildir(child):
                    sources.append(MailSource(child, "maildir"))
                elif child.is_file() and not _looks_like_mail(child):
                    skipped.append(child)
                elif child.is_file():
                    sources.append(MailSource(child, "mbox" if _looks_like_mbox(child) else "file"))
        else:
            sources.append(MailSource(path, "mbox" if _looks_like_mbox(path) else "file"))
    return sources


class Command(BaseCommand):
    help = "Import mail from .eml files, folders of .eml files, mbox files and maildir folders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--team", help="slug of the team that gets the new cases")
        parser.add_argument("--mailbox", help="name of the mailbox the mail counts as received by")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--batch", type=int, default=100,
                            help="mails stored per transaction (default 100; 1 commits each mail)")

    def handle(self, *args: Any, **options: Any) -> None:
        team = None
        if options["team"]:
            team = Team.objects.filter(slug=options["team"]).first()
            if team is None:
                raise CommandError(f"There is no team with the slug {options['team']!r}.")
        box = None
        if options["mailbox"]:
            box = Mailbox.objects.filter(name=options["mailbox"]).first()
            if box is None:
                raise CommandError(f"There is no mailbox named {options['mailbox']!r}.")
        skipped: list[Path] = []
        sources = collect(options["paths"], skipped)
        try:
            total = sum(s.count() for s in sources)
        except (OSError, mailbox.Error) as exc:
            raise CommandError(f"Cannot read the mail: {exc}") from exc
        counts: Counter[str] = Counter()
        unreadable: list[str] = []
        size = max(1, options["batch"])
        started = time.monotonic()
        interrupted = False
        with tqdm(total=total, unit="mail", disable=options["no_progress"] or None,
                  file=self.stderr._out) as bar:  # noqa: SLF001 - tqdm wants a plain stream

            def store(chunk: list[bytes]) -> None:
                results = ingest_mails(chunk, source=Source.IMPORT, mailbox=box, team=team,
                                       each=lambda _result: bar.update(1))
                # Counted once the batch has committed: an interrupted batch counts for nothing.
                for result in results:
                    counts[result.outcome if result.stored or result.quarantined else "seen"] += 1

            try:
                self._import(sources, size, store, unreadable)
            except KeyboardInterrupt:
                interrupted = True  # the batch being stored was rolled back; the earlier ones are kept
        self._summary(total, counts, unreadable, skipped, seconds=time.monotonic() - started)
        if interrupted:
            raise CommandError(f"Interrupted after {sum(counts.values())} of {total} mails. What was stored is "
                               "kept; run the same command again to continue (mails imported before are "
                               "skipped).", returncode=130)

    def _import(self, sources: list[MailSource], size: int, store: Callable[[list[bytes]], None],
                unreadable: list[str]) -> None:
        for source in sources:
            # Mails are stored in batches (one transaction each), never across two sources.
            batch: list[bytes] = []
            try:
                for _name, raw in source.mails():
                    batch.append(raw)
                    if len(batch) >= size:
                        chunk, batch = batch, []
                        store(chunk)
            except (OSError, mailbox.Error) as exc:
                unreadable.append(f"{source.path}: {exc}")
            try:  # what was read before the end (or before a read error)
                if batch:
                    store(batch)
            except (OSError, mailbox.Error) as exc:
                unreadable.append(f"{source.path}: {exc}")

    def _summary(self, total: int, counts: Counter[str], unreadable: list[str], skipped: list[Path],
                 seconds: float) -> None:
        rows = [
            ("new cases", counts[Outcome.CREATED]),
            ("added to cases", counts[Outcome.APPENDED]),
            ("bounces", counts[Outcome.BOUNCE]),
            ("automatic mail", counts[Outcome.AUTOMATIC]),
            ("mail loops", counts[Outcome.IGNORED_LOOP]),
            ("duplicates", counts[Outcome.DUPLICATE] + counts["seen"]),
            ("quarantined", counts[QUARANTINED]),
        ]
        self.stdout.write(f"Imported {total} mails:")
        for label, value in rows:
            self.stdout.write(f"  {label:<15} {value}")
        handled = sum(counts.values())
        rate = handled / seconds if seconds > 0 else 0.0
        self.stdout.write(f"{handled} mails handled in {seconds:.1f} s ({rate:.1f} mails/s).")
        for line in unreadable:
            self.stderr.write(f"Could not read {line}")
        if skipped:
            self.stdout.write(f"Skipped {len(skipped)} files that are not mail, e.g. {skipped[0]}")
