"""The German and Danish catalogues: complete, placeholder-safe, compiled, and actually used."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from anliegen import testing
from anliegen.accounts.actions import update_preferences

LOCALE = Path(__file__).resolve().parents[2] / "locale"
TRANSLATED = ["de", "da"]

# %(name)s with optional flags/width, bare %s / %d, and str.format-style {name}.
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]"
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]"
    r"|\{[A-Za-z_][A-Za-z0-9_]*\}"
)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """A small reader for the catalogues makemessages writes: no obsolete entries, one header."""
    entries: list[Entry] = []
    current = Entry()
    key: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, key
        if key is not None:
            entries.append(current)
        current, key = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if key is not None:
                finish()
            current.fuzzy = "fuzzy" in [flag.strip() for flag in line[2:].split(",")]
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
        if match:
            keyword, index, literal = match.group(1), match.group(2), match.group(3)
            if keyword in ("msgctxt", "msgid") and key is not None and key[0] not in ("msgctxt",):
                finish()
            key = (keyword, int(index) if index is not None else 0)
            current.line = current.line or number
            text = ast.literal_eval(literal)
        elif line.startswith('"') and key is not None:
            text = ast.literal_eval(line)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        keyword, index = key
        if keyword == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + text
        elif keyword == "msgid":
            current.msgid += text
        elif keyword == "msgid_plural":
            current.msgid_plural += text
        else:
            current.msgstr[index] = current.msgstr.get(index, "") + text
    finish()
    return entries


def placeholders(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Named placeholders may be reordered or repeated; positional ones must keep their order."""
    found = PLACEHOLDER.findall(text)
    named = frozenset(p for p in found if p.startswith(("%(", "{")))
    positional = tuple(p for p in found if not p.startswith(("%(", "{")))
    return named, positional


def messages(language: str) -> list[Entry]:
    return [e for e in parse_po(LOCALE / language / "LC_MESSAGES" / "django.po") if e.msgid]


def header(language: str) -> str:
    first = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")[0]
    assert first.msgid == ""
    return first.msgstr[0]


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_has_the_right_catalogue_header(language):
    text = header(language)
    assert f"Language: {language}\n" in text
    assert "Content-Type: text/plain; charset=UTF-8\n" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in text


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_translates_every_message_keeping_placeholders(language):
    entries = messages(language)
    assert len(entries) > 800  # the whole interface, not a stub catalogue
    problems = []
    for e in entries:
        where = f"{language} line {e.line} {e.msgid!r}"
        if e.fuzzy:
            problems.append(f"{where}: still fuzzy")
        sources = {0: e.msgid, 1: e.msgid_plural} if e.msgid_plural else {0: e.msgid}
        if set(e.msgstr) != set(sources):
            problems.append(f"{where}: forms {sorted(e.msgstr)} instead of {sorted(sources)}")
            continue
        for index, source in sources.items():
            target = e.msgstr[index]
            if not target.strip():
                problems.append(f"{where}: empty msgstr[{index}]")
            elif placeholders(target) != placeholders(source):
                problems.append(
                    f"{where}: placeholders {placeholders(target)} != {placeholders(source)}"
                )
            elif target.startswith("\n") != source.startswith("\n") or target.endswith(
                "\n"
            ) != source.endswith("\n"):
                problems.append(f"{where}: leading/trailing newline differs")
            for tag in re.findall(r"</?[a-z]+\b", source):
                if tag not in target:
                    problems.append(f"{where}: lost HTML {tag}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_ships_compiled_catalogues_matching_the_po_files(language):
    """The .mo files are committed; a stale one would show old or missing text."""
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in messages(language):
        if e.msgid_plural:
            for n, index in ((1, 0), (2, 1)):
                if compiled.ngettext(e.msgid, e.msgid_plural, n) != e.msgstr[index]:
                    stale.append(e.msgid)
        elif compiled.gettext(e.msgid) != e.msgstr[0]:
            stale.append(e.msgid)
    assert not stale, (
        f"{language}: .mo out of date for {stale[:10]} — run `anliegen compilemessages`"
    )


def test_it_reads_a_small_catalogue(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n\n'
        '#, python-format\nmsgid "Case %(number)s"\nmsgstr "Fall %(number)s"\n\n'
        '#, fuzzy\nmsgid "Long "\n"text"\nmsgstr ""\n"Langer "\n"Text"\n\n'
        'msgid "%(n)s case"\nmsgid_plural "%(n)s cases"\nmsgstr[0] "%(n)s Fall"\nmsgstr[1] "%(n)s Fälle"\n',
        encoding="utf-8",
    )
    header_entry, case, long, plural = parse_po(po)
    assert header_entry.msgstr == {0: "Language: de\n"}
    assert (case.msgid, case.msgstr, case.fuzzy) == (
        "Case %(number)s",
        {0: "Fall %(number)s"},
        False,
    )
    assert (long.msgid, long.msgstr, long.fuzzy) == ("Long text", {0: "Langer Text"}, True)
    assert plural.msgid_plural == "%(n)s cases"
    assert plural.msgstr == {0: "%(n)s Fall", 1: "%(n)s Fälle"}
    assert placeholders("%(n)s of %s and %d, {name}") == (
        frozenset({"%(n)s", "{name}"}),
        ("%s", "%d"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "language", "words", "absent"),
    [
        (
            "de-DE,de;q=0.9",
            "de",
            ["Anmelden", "Benutzername", "Passwort", "im Kundenportal anmelden"],
            "User name",
        ),
        (
            "da-DK,da;q=0.9,en;q=0.5",
            "da",
            ["Log ind", "Brugernavn", "Adgangskode", "log ind på kundeportalen"],
            "User name",
        ),
        (
            "en-GB,en;q=0.9",
            "en",
            ["Sign in", "User name", "Password", "sign in to the customer portal"],
            "Benutzername",
        ),
    ],
)
def test_it_shows_the_sign_in_page_in_the_browser_language(client, accept, language, words, absent):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    page = response.content.decode()
    for word in words:
        assert word in page, f"{word!r} missing for {accept}"
    assert absent not in page


def test_it_shows_a_staff_member_their_own_language_over_the_browser(client, world):
    user = update_preferences(
        user=world.agent, ui_language="da", availability=world.agent.availability
    )
    world.agent.refresh_from_db()
    assert world.agent.ui_language == "da"
    client.login(username=user.username, password=testing.PASSWORD)

    response = client.get("/mine/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    assert response.status_code == 200
    assert response["Content-Language"] == "da"
    page = response.content.decode()
    for word in ["Mine sager", "Køer", "Log ud", "Søg i sager og beskeder"]:
        assert word in page, f"{word!r} missing"
    for word in ["Meine Fälle", "Warteschlangen", "Abmelden", "My cases"]:
        assert word not in page, f"{word!r} shown to a Danish-speaking agent"


def test_it_follows_the_browser_when_the_staff_member_chose_none(client, world):
    update_preferences(user=world.agent, ui_language="", availability=world.agent.availability)
    client.login(username="anna", password=testing.PASSWORD)

    response = client.get("/mine/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Meine Fälle" in page
    assert "Warteschlangen" in page


@pytest.mark.parametrize("language, expected", [("de", "– bitte wählen –"), ("da", "– vælg –")])
def test_it_translates_the_empty_choice_of_select_fields(language, expected):
    """Django's own label for a select's empty choice has no German translation; Anliegen's
    catalogue supplies one (and keeps the Danish short like the German)."""
    from django import forms
    from django.db.models.fields import BLANK_CHOICE_LABEL
    from django.utils import translation

    from anliegen.routing.models import Rule

    class RuleForm(forms.ModelForm):
        class Meta:
            model = Rule
            fields = ["channel"]

    with translation.override(language):
        assert str(BLANK_CHOICE_LABEL) == expected
        assert expected in str(RuleForm()["channel"])
