"""Fast bulk seeding of Anliegen's tables for the workspace benchmark (PostgreSQL COPY).

Cases are added newest first: the first 10,000 are the last weeks of a department that takes
about 550 cases a day; growing to 100,000 and 1,000,000 adds older history (mostly closed,
plus a backlog of old open cases), so the set of active cases per team stays "a few thousand"
as it would in a real department. About five messages per case, one customer per five cases.

The search column (tickets_message.search) is filled as tickets.search.index_message would:
to_tsvector(<language config>, subject + text). The message texts are built from a small set
of templates plus the author's name, so each template's vector is computed by PostgreSQL once
and the name's lexemes are appended with shifted positions (tsvector input merges duplicates)."""

from __future__ import annotations

import datetime
import json
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

from bench.mails import CONCERNS, FIRST_NAMES, LANGUAGE_WEIGHTS, LANGUAGES, MORE

CASES_PER_DAY = 550
ACTIVE_PER_TEAM = 2000
BULK_TABLES = [
    "customers_customer",
    "customers_customeremail",
    "tickets_ticket",
    "tickets_message",
    "tickets_event",
]
PG_CONFIG = {"de": "german", "da": "danish", "en": "english"}
SYLLABLES = [
    "bra",
    "ko",
    "wal",
    "mer",
    "sen",
    "lin",
    "gar",
    "tho",
    "ve",
    "dor",
    "ska",
    "rup",
    "fen",
    "hol",
    "mik",
    "tra",
    "vos",
    "bel",
    "quin",
    "zar",
    "pel",
    "nor",
    "gru",
    "dal",
    "sti",
    "fal",
    "ber",
    "kin",
    "lo",
    "mas",
    "ret",
    "sul",
    "tam",
    "wen",
    "yor",
    "ha",
    "jo",
    "lek",
    "mon",
    "pra",
    "rin",
    "sel",
    "tor",
    "ul",
    "vik",
    "wie",
    "bro",
    "cal",
    "dre",
    "ek",
    "fro",
    "gin",
    "hus",
    "ib",
    "kar",
    "lud",
    "mor",
    "nis",
    "ost",
    "pim",
]
NOTE = {
    "de": "Rücksprache mit der Fachabteilung gehalten.",
    "da": "Talt med fagafdelingen.",
    "en": "Checked with the specialist department.",
}
BENCH_PASSWORD = "bench-password-1"
SUPPORT_TEAMS = ["technischer-support", "kaufmaennischer-support"]
OTHER_TEAMS = ["empfang", "second-level", "leistungsfaelle"]


def surname(n: int) -> str:
    """A made-up surname, unique for n < 216,000: the rare words searched for."""
    k = len(SYLLABLES)
    n = (n * 7919) % (k**3)  # scatter neighbours
    return (SYLLABLES[n // (k * k)] + SYLLABLES[(n // k) % k] + SYLLABLES[n % k]).capitalize()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


_POS = re.compile(r":(\d+)")


def _shift(vector: str, offset: int) -> str:
    return _POS.sub(lambda m: f":{int(m.group(1)) + offset}", vector)


@dataclass
class World:
    """Staff and teams (made with Anliegen's own actions) and what the loader needs of them."""

    teams: dict[str, int] = field(default_factory=dict)
    members: dict[str, list[int]] = field(default_factory=dict)
    agent_names: dict[int, str] = field(default_factory=dict)
    agents: list[str] = field(default_factory=list)  # bench agent usernames (for the load)
    leads: list[str] = field(default_factory=list)


def create_world(agents: int = 32) -> World:
    from django.contrib.auth.hashers import make_password

    from anliegen.accounts.actions import add_member, create_team
    from anliegen.accounts.models import Role, User
    from anliegen.tickets.demo import AGENTS, LEAD, TEAMS

    world = World()
    teams = {}
    for name, slug, kind, confidential in TEAMS:
        teams[slug] = create_team(
            name=name,
            slug=slug,
            kind=kind,
            confidential=confidential,
            default_language="de",
            email=f"{slug}@anliegen.example",
        )
        world.teams[slug] = teams[slug].pk
        world.members[slug] = []
    password = make_password(BENCH_PASSWORD)  # hashed once; every bench login uses it

    def staff(username: str, display: str, role: str, slugs: list[str]) -> User:
        user = User.objects.create(
            username=username,
            display_name=display,
            role=role,
            password=password,
            email=f"{username}@anliegen.example",
            languages=["de", "en"],
        )
        for slug in slugs:
            add_member(team=teams[slug], user=user)
            world.members[slug].append(user.pk)
        world.agent_names[user.pk] = display
        return user

    for username, display, _langs, slugs in AGENTS:
        staff(username, display, Role.AGENT, slugs)
    staff(LEAD[0], LEAD[1], Role.LEAD, LEAD[3])
    for i in range(agents):
        slug = SUPPORT_TEAMS[i % 2]
        first = FIRST_NAMES["de"][i % len(FIRST_NAMES["de"])]
        world.agents.append(
            staff(f"agent{i:02d}", f"{first} {surname(900000 + i)}", Role.AGENT, [slug]).username
        )
        world.leads.append(staff(f"lead{i:02d}", f"Lead {i}", Role.LEAD, ["leitung"]).username)
    return world


def load_world() -> World:
    """The World of a database seeded before (for --reuse)."""
    from anliegen.accounts.models import Membership, Team, User

    world = World()
    for team in Team.objects.all():
        world.teams[team.slug] = team.pk
        world.members[team.slug] = []
    for m in Membership.objects.select_related("team"):
        world.members[m.team.slug].append(m.user_id)
    for user in User.objects.order_by("username"):
        world.agent_names[user.pk] = user.display_name
        if user.username.startswith("agent"):
            world.agents.append(user.username)
        elif user.username.startswith("lead") and user.username[4:].isdigit():
            world.leads.append(user.username)
    return world


class Vectors:
    """tsvector texts of the templates and the names, computed by PostgreSQL once each."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.templates: dict[tuple[int, str, str, int], tuple[str, str]] = {}
        docs = []
        for ci, concern in enumerate(CONCERNS):
            for lang in LANGUAGES:
                subject = concern["subject"][lang]
                bodies = {
                    "text": [concern["text"][lang]],
                    "follow_up": [concern["follow_up"][lang]],
                    "reply": [concern["reply"][lang]],
                    "more": MORE[lang],
                    "note": [NOTE[lang]],
                }
                for part, texts in bodies.items():
                    for vi, body in enumerate(texts):
                        docs.append(((ci, lang, part, vi), body, f"{subject}\n{body}"))
        rows = conn.execute(
            "SELECT i, to_tsvector(c::regconfig, d)::text FROM unnest(%s::int[], %s::text[], %s::text[]) AS x(i, c, d)",
            [
                list(range(len(docs))),
                [PG_CONFIG[k[1]] for k, _b, _d in docs],
                [d for _k, _b, d in docs],
            ],
        ).fetchall()
        by_index = dict(rows)
        for i, (key, body, _doc) in enumerate(docs):
            self.templates[key] = (body, by_index[i])

    def names(self, names: list[tuple[str, str]]) -> list[str]:
        """(name, language) pairs → shifted tsvector texts (positions after any template's)."""
        if not names:
            return []
        rows = self.conn.execute(
            "SELECT i, to_tsvector(c::regconfig, n)::text FROM unnest(%s::int[], %s::text[], %s::text[]) AS x(i, c, n)",
            [
                list(range(len(names))),
                [PG_CONFIG[lang] for _n, lang in names],
                [n for n, _l in names],
            ],
        ).fetchall()
        by_index = dict(rows)
        return [_shift(by_index[i], 1000) for i in range(len(names))]


class Copier:
    """Buffer COPY rows and send them in large chunks."""

    def __init__(self, cursor: Any, table: str, columns: list[str]) -> None:
        self.ctx = cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")
        self.copy = self.ctx.__enter__()
        self.buf: list[str] = []
        self.size = 0
        self.rows = 0

    def row(self, *values: Any) -> None:
        line = "\t".join(
            "\\N" if v is None else v if isinstance(v, str) else str(v) for v in values
        )
        self.buf.append(line)
        self.size += len(line)
        self.rows += 1
        if self.size > 4_000_000:
            self.flush()

    def flush(self) -> None:
        if self.buf:
            self.copy.write("\n".join(self.buf) + "\n")
            self.buf, self.size = [], 0

    def close(self) -> None:
        self.flush()
        self.ctx.__exit__(None, None, None)


def _ts(moment: datetime.datetime) -> str:
    return moment.isoformat()


def _drop_indexes(conn: Any) -> list[str]:
    rows = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' AND i.tablename = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [BULK_TABLES],
    ).fetchall()
    for name, _definition in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def grow(database_url: str, world: World, *, have: int, want: int, seed: int = 1) -> dict[str, Any]:
    """Add cases have+1 .. want (older than those there), their messages, events, customers."""
    import psycopg

    rng = random.Random(seed * 1_000_003 + have)
    started = time.perf_counter()
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        vectors = Vectors(conn)
        agent_vectors = dict(
            zip(
                world.agent_names,
                vectors.names([(n, "de") for n in world.agent_names.values()]),
                strict=True,
            )
        )
        customers_have = conn.execute("SELECT count(*) FROM customers_customer").fetchone()[0]
        customers_want = max(1, want // 5)
        active_now = dict(
            conn.execute(
                "SELECT team_id, count(*) FROM tickets_ticket WHERE status IN ('new','open','pending') GROUP BY team_id"
            ).fetchall()
        )
        indexes = _drop_indexes(conn) if want - have > 50_000 else []
        cur = conn.cursor()

        # Customers (ids continue), one address each.
        languages = {}
        new_customers = []
        for cid in range(customers_have + 1, customers_want + 1):
            lang = rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
            first = rng.choice(FIRST_NAMES[lang])
            new_customers.append((cid, f"{first} {surname(cid)}", lang))
        copier = Copier(
            cur,
            "customers_customer",
            ["id", "name", "preferred_language", "customer_since", "created_at", "organisation_id"],
        )
        for cid, name, lang in new_customers:
            copier.row(
                cid,
                name,
                lang,
                (now - datetime.timedelta(days=rng.randint(30, 5000))).date().isoformat(),
                _ts(now - datetime.timedelta(days=rng.randint(1, 3000))),
                None,
            )
        copier.close()
        copier = Copier(
            cur, "customers_customeremail", ["id", "address", "is_primary", "customer_id"]
        )
        for cid, name, _lang in new_customers:
            copier.row(cid, f"{name.lower().replace(' ', '.')}.{cid}@example.net", "t", cid)
        copier.close()
        # Names and languages of all customers the new cases may use.
        name_vectors: dict[int, str] = {}
        all_customers = conn.execute(
            "SELECT id, name, preferred_language FROM customers_customer"
        ).fetchall()
        for cid, _name, lang in all_customers:
            languages[cid] = lang
        for i in range(0, len(all_customers), 50_000):
            chunk = all_customers[i : i + 50_000]
            for (cid, _n, _l), vector in zip(
                chunk, vectors.names([(n, lang) for _c, n, lang in chunk]), strict=True
            ):
                name_vectors[cid] = vector
        names = {cid: n for cid, n, _l in all_customers}

        # How many active cases each team still gets in this step.
        team_share = [(slug, 0.4) for slug in SUPPORT_TEAMS] + [
            (slug, 0.2 / 3) for slug in OTHER_TEAMS
        ]
        step_cases = want - have
        active_left = {}
        for slug, share in team_share:
            tid = world.teams[slug]
            target = min(ACTIVE_PER_TEAM, int(0.3 * share * want))
            active_left[tid] = max(0, target - active_now.get(tid, 0))
        team_cases = {world.teams[slug]: share * step_cases for slug, share in team_share}

        message_id = conn.execute("SELECT coalesce(max(id), 0) FROM tickets_message").fetchone()[0]
        event_id = conn.execute("SELECT coalesce(max(id), 0) FROM tickets_event").fetchone()[0]
        # One connection per table: a connection carries one COPY at a time.
        extra_conns = [psycopg.connect(database_url, autocommit=True) for _ in range(2)]
        for c in extra_conns:
            c.execute("SET session_replication_role = replica")
        tickets = Copier(
            cur,
            "tickets_ticket",
            [
                "id",
                "subject",
                "status",
                "priority",
                "level",
                "channel",
                "language",
                "created_at",
                "updated_at",
                "last_activity_at",
                "first_response_at",
                "solved_at",
                "closed_at",
                "message_count",
                "assignee_id",
                "customer_id",
                "merged_into_id",
                "team_id",
            ],
        )
        messages = Copier(
            extra_conns[0].cursor(),
            "tickets_message",
            [
                "id",
                "kind",
                "channel",
                "sender",
                "subject",
                "text",
                "html",
                "language",
                "message_id",
                "created_at",
                "meta",
                "author_customer_id",
                "author_user_id",
                "ticket_id",
                "search",
            ],
        )
        events = Copier(
            extra_conns[1].cursor(),
            "tickets_event",
            [
                "id",
                "actor_label",
                "kind",
                "field",
                "before",
                "after",
                "reason",
                "created_at",
                "actor_id",
                "ticket_id",
            ],
        )
        slugs_by_id = {v: k for k, v in world.teams.items()}
        team_ids = [world.teams[s] for s, _ in team_share]
        weights = [w for _, w in team_share]
        escaped = {k: (_escape(body), vector) for k, (body, vector) in vectors.templates.items()}
        for k in range(have, want):
            tid = have + 1 + (k - have)
            team = rng.choices(team_ids, weights=weights)[0]
            remaining = max(1.0, team_cases[team])
            team_cases[team] -= 1
            active = active_left[team] > 0 and rng.random() < active_left[team] / remaining
            customer = rng.randint(1, customers_want)
            lang = languages[customer]
            ci = rng.randrange(len(CONCERNS))
            subject = CONCERNS[ci]["subject"][lang]
            created = now - datetime.timedelta(
                seconds=int(k * 86400 / CASES_PER_DAY) + rng.randint(0, 3600)
            )
            members = [m for m in world.members[slugs_by_id[team]]] or [None]
            if active:
                active_left[team] -= 1
                status = rng.choices(["new", "open", "pending"], weights=[2, 5, 3])[0]
                level = rng.choices(["first", "second", "lead"], weights=[94, 5, 1])[0]
                assignee = rng.choice(members) if status != "new" and rng.random() < 0.8 else None
                n_messages = 1 if status == "new" else rng.randint(2, 6)
                last = min(now, created + datetime.timedelta(hours=rng.randint(1, 240)))
            else:
                status = "closed" if rng.random() < 0.9 else "solved"
                level = rng.choices(["first", "second", "lead"], weights=[90, 9, 1])[0]
                assignee = rng.choice(members)
                n_messages = rng.randint(3, 7)
                last = min(now, created + datetime.timedelta(hours=rng.randint(2, 24 * 10)))
            span = max(1, int((last - created).total_seconds()))
            stamps = sorted(
                created + datetime.timedelta(seconds=rng.randint(0, span))
                for _ in range(n_messages - 1)
            )
            stamps = [created, *stamps]
            first_response = None
            for j, at in enumerate(stamps):
                message_id += 1
                if j == 0:
                    kind, part, vi = "inbound", "text", 0
                elif j % 2 == 1:
                    kind, part, vi = "reply", "reply", 0
                elif j == 2:
                    kind, part, vi = "inbound", "follow_up", 0
                else:
                    kind, part, vi = "inbound", "more", rng.randrange(len(MORE[lang]))
                if kind == "reply" and j == n_messages - 1 and rng.random() < 0.2:
                    kind, part, vi = "note", "note", 0
                body, vector = escaped[(ci, lang, part, vi)]
                if kind == "inbound":
                    author_c, author_u, who = customer, None, names[customer]
                    extra = name_vectors[customer]
                else:
                    author_u = assignee or (members[0] if members[0] else None)
                    author_c, who = None, world.agent_names.get(author_u, "")
                    extra = agent_vectors.get(author_u, "")
                    if kind == "reply" and first_response is None:
                        first_response = at
                messages.row(
                    message_id,
                    kind,
                    "email",
                    _escape(who),
                    _escape(subject) if j == 0 else "",
                    f"{body}\\n\\n{_escape(who)}",
                    "",
                    lang,
                    f"m{message_id}@bench.example" if j == 0 else "",
                    _ts(at),
                    "{}",
                    author_c,
                    author_u,
                    tid,
                    f"{vector} {extra}",
                )
            event_id += 1
            events.row(
                event_id,
                "mail",
                "created",
                "",
                None,
                json.dumps({"team": team, "channel": "email"}),
                "",
                _ts(created),
                None,
                tid,
            )
            if status in ("solved", "closed"):
                event_id += 1
                events.row(
                    event_id,
                    "",
                    "status",
                    "status",
                    '"open"',
                    json.dumps(status),
                    "",
                    _ts(last),
                    assignee,
                    tid,
                )
            tickets.row(
                tid,
                _escape(subject),
                status,
                rng.choices([1, 2, 3, 4], weights=[2, 6, 2, 1])[0],
                level,
                "email",
                lang,
                _ts(created),
                _ts(last),
                _ts(last),
                _ts(first_response) if first_response else None,
                _ts(last) if status in ("solved", "closed") else None,
                _ts(last) if status == "closed" else None,
                n_messages,
                assignee,
                customer,
                None,
                team,
            )
        for c in (tickets, messages, events):
            c.close()
        for c in extra_conns:
            c.close()
        loaded = time.perf_counter() - started
        for definition in indexes:
            conn.execute(definition)
        for table, column in (
            ("tickets_ticket", "id"),
            ("tickets_message", "id"),
            ("tickets_event", "id"),
            ("customers_customer", "id"),
            ("customers_customeremail", "id"),
        ):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"(SELECT coalesce(max({column}), 1) FROM {table}))"
            )
        conn.execute("SET session_replication_role = origin")
        for table in BULK_TABLES:
            conn.execute(f"VACUUM ANALYZE {table}")
    return {
        "cases": want,
        "added": want - have,
        "seconds": round(time.perf_counter() - started, 1),
        "load_seconds": round(loaded, 1),
        "messages": message_id,
    }
