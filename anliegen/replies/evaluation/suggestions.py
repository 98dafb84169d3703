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
    bare_top3: float
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
    training, held_out = split()
    bare = Ranker(catalogue_docs(keywords=False)[0])
    cold = Ranker(docs)
    learned = Ranker(docs, train(training, descriptions(
        [(ids[e.key], [e.name, e.keywords, *e.texts.values()]) for e in CATALOGUE])))
    return Result(len(docs), len(training), len(held_out), top_k_accuracy(bare, held_out, 3),
                  top_k_accuracy(cold, held_out, 1), top_k_accuracy(cold, held_out, 3),
                  top_k_accuracy(learned, held_out, 1), top_k_accuracy(learned, held_out, 3))


def format_result(r: Result) -> str:
    return "\n".join([
        f"{r.replies} standard replies; {r.train} training picks; {r.test} held-out mails (de/da/en)",
        "                                            top-1    top-3",
        f"cold start, reply texts only (no keywords)          {r.bare_top3:>6.1%}",
        f"cold start: texts + 'when to use' keywords  {r.cold_top1:>6.1%}  {r.cold_top3:>6.1%}",
        f"after learning from the training picks     {r.learned_top1:>6.1%}  {r.learned_top3:>6.1%}",
    ])
