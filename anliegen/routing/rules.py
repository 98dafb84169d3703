"""The rules engine's pure part: the facts of a case, evaluating a rule condition by condition
(what the dry run shows), and checking a rule set for rules that loop or undo each other.
Applying the actions is in engine.py; this module does not write."""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from anliegen.routing.models import Rule


@dataclass
class CaseFacts:
    channel: str
    team_id: int | None
    team_name: str
    mailbox: str
    sender_domain: str
    language: str
    subject: str
    body: str
    customer_years: float | None
    organisation_id: int | None
    organisation_name: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class ConditionResult:
    label: str
    expected: str
    actual: str
    matched: bool


@dataclass
class RuleResult:
    rule: Rule
    conditions: list[ConditionResult]

    @property
    def matched(self) -> bool:
        return all(c.matched for c in self.conditions)


def split_list(text: str) -> list[str]:
    return [part.strip().lower() for part in text.split(",") if part.strip()]


def _contains_any(text: str, words: list[str]) -> list[str]:
    haystack = text.lower()
    return [w for w in words if re.search(r"(?<!\w)" + re.escape(w), haystack)]


def years_between(since: datetime.date | None, today: datetime.date) -> float | None:
    if since is None:
        return None
    return (today - since).days / 365.25


def evaluate(rule: Rule, facts: CaseFacts) -> RuleResult:
    """Every condition the rule sets, with what it expects, what the case has, and whether it holds."""
    results: list[ConditionResult] = []
    if rule.channel:
        results.append(ConditionResult(_("channel"), rule.get_channel_display(), facts.channel,
                                       facts.channel == rule.channel))
    if rule.team_id:
        results.append(ConditionResult(_("team"), str(rule.team), facts.team_name, facts.team_id == rule.team_id))
    if rule.mailbox:
        results.append(ConditionResult(_("mailbox"), rule.mailbox, facts.mailbox or "—",
                                       facts.mailbox.lower() == rule.mailbox.strip().lower()))
    if rule.sender_domain:
        domains = split_list(rule.sender_domain)
        actual = facts.sender_domain.lower()
        hit = any(actual == d or actual.endswith("." + d) for d in domains)
        results.append(ConditionResult(_("sender domain"), ", ".join(domains), actual or "—", hit))
    if rule.language:
        results.append(ConditionResult(_("language"), rule.language, facts.language or "—",
                                       facts.language == rule.language))
    if rule.subject_words:
        found = _contains_any(facts.subject, split_list(rule.subject_words))
        results.append(ConditionResult(_("words in subject"), rule.subject_words,
                                       ", ".join(found) if found else _("none of them"), bool(found)))
    if rule.body_words:
        found = _contains_any(facts.body, split_list(rule.body_words))
        results.append(ConditionResult(_("words in text"), rule.body_words,
                                       ", ".join(found) if found else _("none of them"), bool(found)))
    if rule.min_customer_years is not None:
        years = facts.customer_years
        results.append(ConditionResult(
            _("years as a customer"), f"≥ {rule.min_customer_years}",
            f"{years:.1f}" if years is not None else _("unknown"),
            years is not None and years >= rule.min_customer_years))
    if rule.organisation_id:
        results.append(ConditionResult(_("organisation"), str(rule.organisation), facts.organisation_name or "—",
                                       facts.organisation_id == rule.organisation_id))
    return RuleResult(rule=rule, conditions=results)


# --- Validation: loops and rules that undo each other ------------------------------------------

_CONDITION_FIELDS = ["channel", "mailbox", "sender_domain", "language", "subject_words", "body_words",
                     "min_customer_years", "organisation_id"]
_ACTION_FIELDS = [("set_team_id", _("team")), ("set_priority", _("priority")), ("set_level", _("level")),
                  ("set_assignee_id", _("assignee"))]


def _norm(rule: Rule, name: str) -> object:
    value = getattr(rule, name)
    if isinstance(value, str):
        return ",".join(sorted(split_list(value))) if "," in value or name.endswith("words") else value.strip().lower()
    return value


def _compatible(a: Rule, b: Rule) -> bool:
    """Could one case meet both rules' conditions (team aside)? Words are assumed to overlap."""
    for name in ("channel", "language", "organisation_id", "mailbox"):
        va, vb = _norm(a, name), _norm(b, name)
        if va and vb and va != vb:
            return False
    return True


def _covers(later: Rule, earlier: Rule) -> bool:
    """Does `later` match every case `earlier` matches? (each condition of later is unset or the same)"""
    if later.team_id and later.team_id != earlier.team_id and not (
            earlier.set_team_id and later.team_id == earlier.set_team_id):
        return False
    for name in _CONDITION_FIELDS:
        value = _norm(later, name)
        if value not in ("", None) and value != _norm(earlier, name):
            return False
    return True


def has_actions(rule: Rule) -> bool:
    return bool(rule.set_team_id or rule.set_priority or rule.add_tags.strip() or rule.set_level
                or rule.set_assignee_id)


def check_rules(rules: Sequence[Rule]) -> list[str]:
    """Problems in an ordered rule set, as messages for the person editing it."""
    active = [r for r in rules if r.active]
    problems: list[str] = []
    for rule in active:
        if not has_actions(rule):
            problems.append(_("Rule %(pos)s “%(name)s” does nothing: give it at least one action.")
                            % {"pos": rule.position, "name": rule.name})
        if rule.set_team_id and rule.team_id and rule.set_team_id == rule.team_id:
            problems.append(_("Rule %(pos)s “%(name)s” moves cases to the team they are already in.")
                            % {"pos": rule.position, "name": rule.name})
    problems.extend(_undoing(active))
    problems.extend(_loops(active))
    return problems


def _undoing(rules: list[Rule]) -> list[str]:
    problems = []
    for i, earlier in enumerate(rules):
        if earlier.stop_processing:
            continue
        for later in rules[i + 1:]:
            if not _covers(later, earlier):
                continue
            for name, label in _ACTION_FIELDS:
                if name == "set_team_id" and later.team_id and later.team_id == earlier.set_team_id:
                    continue  # a chain (A → B, then B → C), not an undo; loops are checked below
                a, b = getattr(earlier, name), getattr(later, name)
                if a and b and a != b:
                    problems.append(_(
                        "Rules %(a)s “%(an)s” and %(b)s “%(bn)s” conflict: every case the first sets the %(what)s "
                        "of, the second sets it differently, so the first never has an effect. Change a "
                        "condition or tick “stop after this rule” on %(a)s.")
                        % {"a": earlier.position, "an": earlier.name, "b": later.position, "bn": later.name,
                           "what": label})
    return problems


def _loops(rules: list[Rule]) -> list[str]:
    """Rules that move cases between teams in a circle (A → B by one rule, B → A by another).
    A rule without a team condition can move a case from any team."""
    movers = [r for r in rules if r.set_team_id]
    problems: list[str] = []
    seen: set[frozenset[int]] = set()

    def follows(previous: Rule, candidate: Rule) -> bool:
        return candidate.team_id in (None, previous.set_team_id) and candidate.set_team_id != previous.set_team_id

    def walk(path: list[Rule]) -> None:
        visited = {path[0].team_id} | {r.set_team_id for r in path}
        for candidate in movers:
            if candidate in path or not follows(path[-1], candidate):
                continue
            if not all(_compatible(candidate, r) for r in path):
                continue
            if candidate.set_team_id in visited:
                cycle = [*path, candidate]
                key = frozenset(r.pk or id(r) for r in cycle)
                if key in seen:
                    continue
                seen.add(key)
                steps = " → ".join(
                    _("rule %(pos)s moves it to %(team)s") % {"pos": r.position, "team": r.set_team} for r in cycle)
                problems.append(_("These rules would move a case in a circle: %(steps)s. Narrow a condition "
                                  "or remove one of the moves.") % {"steps": steps})
            elif len(path) < 8:
                walk([*path, candidate])

    for rule in movers:
        walk([rule])
    return problems
