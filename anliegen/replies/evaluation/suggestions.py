"""Top-3 accuracy of suggested replies on mails paired with the reply an agent would pick.

The labelled mails are split per reply: every other mail is a training "pick", the rest are
held out and never seen in training. Reported twice: cold start (no picks at all, text
similarity only) and after learning from the training picks.
"""

from __future__ import annotations

from dataclasses import dataclass

from anliegen.replies.catalogue import CATALOGUE
from anliegen.replies.evaluation.suggestion_mails import MAILS
from anliegen.replies.suggestions import Ranker, ReplyDoc, descriptions, top_k_accuracy, train


@dataclass(frozen=True)
class Result:
    replies: int
    train: int
    test: int
    bare_top1: float
    bare_top3: float
    bare_learned_top1: float
    bare_learned_top3: float
    cold_top1: float
    cold_top3: float
    learned_top1: float
    learned_top3: float


def catalogue_docs(keywords: bool = True) -> tuple[list[ReplyDoc], dict[str, int]]:
    ids = {entry.key: i + 1 for i, entry in enumerate(CATALOGUE)}
    docs = [ReplyDoc(ids[e.key], "\n".join([e.name, e.group, e.keywords if keywords else "", *e.texts.values()]))
            for e in CATALOGUE]
    return docs, ids


def split() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    _docs, ids = catalogue_docs()
    seen: dict[str, int] = {}
    training, held_out = [], []
    for key, _language, text in MAILS:
        n = seen[key] = seen.get(key, 0) + 1
        (training if n % 2 else held_out).append((text, ids[key]))
    return training, held_out


def evaluate() -> Result:
    docs, ids = catalogue_docs()
    bare_docs = catalogue_docs(keywords=False)[0]
    training, held_out = split()
    full = descriptions([(ids[e.key], [e.name, e.keywords, *e.texts.values()]) for e in CATALOGUE])
    bare_descriptions = descriptions([(ids[e.key], [e.name, *e.texts.values()]) for e in CATALOGUE])
    bare, bare_learned = Ranker(bare_docs), Ranker(bare_docs, train(training, bare_descriptions))
    cold, learned = Ranker(docs), Ranker(docs, train(training, full))
    return Result(len(docs), len(training), len(held_out),
                  top_k_accuracy(bare, held_out, 1), top_k_accuracy(bare, held_out, 3),
                  top_k_accuracy(bare_learned, held_out, 1), top_k_accuracy(bare_learned, held_out, 3),
                  top_k_accuracy(cold, held_out, 1), top_k_accuracy(cold, held_out, 3),
                  top_k_accuracy(learned, held_out, 1), top_k_accuracy(learned, held_out, 3))


def format_result(r: Result) -> str:
    rows = [
        ("reply texts only, cold start (no picks)", r.bare_top1, r.bare_top3),
        ("reply texts only, after learning picks", r.bare_learned_top1, r.bare_learned_top3),
        ("texts + 'when to use' keywords, cold start", r.cold_top1, r.cold_top3),
        ("texts + keywords, after learning picks", r.learned_top1, r.learned_top3),
    ]
    lines = [f"{r.replies} standard replies; {r.train} training picks; {r.test} held-out mails (de/da/en)",
             f"{'':<44}{'top-1':>7}{'top-3':>8}"]
    lines += [f"{label:<44}{top1:>7.1%}{top3:>8.1%}" for label, top1, top3 in rows]
    return "\n".join(lines)
