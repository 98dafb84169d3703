"""Work done inside the peer's virtualenv (django-helpdesk 2.6.1, Django 5.2), called by
bench/peer.py:

    python peer_project/peer_tasks.py setup USERNAMES PASSWORD OUT   queues and staff users
    python peer_project/peer_tasks.py ingest FOLDER OUT                feed the benchmark mails

The mail import is django-helpdesk's own: helpdesk.email.extract_email_metadata, the function
its local-mailbox importer (process_queue) calls for each message file."""

import json
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_project.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.utils import encoding  # noqa: E402
from helpdesk.email import extract_email_metadata  # noqa: E402
from helpdesk.exceptions import DeleteIgnoredTicketException, IgnoreTicketException  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

TEAMS = [
    "empfang",
    "technischer-support",
    "kaufmaennischer-support",
    "second-level",
    "leitung",
    "leistungsfaelle",
]
SUPPORT_TEAMS = ["technischer-support", "kaufmaennischer-support"]


def setup(usernames: list[str], password: str) -> dict:
    queues = {}
    for slug in TEAMS:
        queue, _ = Queue.objects.get_or_create(
            slug=slug,
            defaults={
                "title": slug.replace("-", " ").title(),
                "email_address": f"{slug}@peer.example",
                "allow_email_submission": True,
            },
        )
        queues[slug] = queue.pk
    hashed = make_password(password)
    users = {}
    for name in usernames:
        user, _ = User.objects.get_or_create(
            username=name,
            defaults={"password": hashed, "is_staff": True, "email": f"{name}@peer.example"},
        )
        users[name] = user.pk
    return {"queues": queues, "users": users}


def ingest(folder: Path) -> dict:
    logger = logging.getLogger("peer.ingest")
    queue = Queue.objects.get(slug="technischer-support")
    index = json.loads((folder / "index.json").read_text())
    times, failed = [], 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for item in index:
        raw = (folder / item["file"]).read_bytes()
        t0 = time.perf_counter()
        try:
            # As helpdesk.email.process_queue reads a local mailbox file.
            extract_email_metadata(
                message=encoding.force_str(raw, errors="replace"), queue=queue, logger=logger
            )
        except (IgnoreTicketException, DeleteIgnoredTicketException):
            pass
        except Exception:  # noqa: BLE001 - count what the peer cannot take, go on
            failed += 1
        times.append(time.perf_counter() - t0)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    case_of = {}
    for mid, ticket_id in FollowUp.objects.exclude(message_id=None).values_list(
        "message_id", "ticket_id"
    ):
        case_of.setdefault(mid.strip("<>"), ticket_id)
    merged = dict(Ticket.objects.exclude(merged_to=None).values_list("id", "merged_to_id"))

    def final(ticket_id):
        seen = set()
        while ticket_id in merged and ticket_id not in seen:
            seen.add(ticket_id)
            ticket_id = merged[ticket_id]
        return ticket_id

    position = {item["message_id"]: i for i, item in enumerate(index) if item["message_id"]}
    replies = [item for item in index if item["original"] in position]
    right = early = early_right = 0
    for item in replies:
        ok = case_of.get(item["message_id"]) is not None and final(
            case_of.get(item["message_id"])
        ) == final(case_of.get(item["original"]))
        right += ok
        if position[item["message_id"]] < position[item["original"]]:
            early += 1
            early_right += ok
    return {
        "mails": len(index),
        "cpu_seconds": cpu,
        "seconds": seconds,
        "times": times,
        "failed": failed,
        "replies": len(replies),
        "threaded_right": right,
        "early_replies": early,
        "early_threaded_right": early_right,
    }


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        Path(sys.argv[4]).write_text(json.dumps(setup(json.loads(sys.argv[2]), sys.argv[3])))
    elif sys.argv[1] == "ingest":
        # The peer prints to stdout while importing; the result goes to a file.
        Path(sys.argv[3]).write_text(json.dumps(ingest(Path(sys.argv[2]))))
