"""repeat.similarity keeps n-gram counts of earlier cases and runs its sums through map/sum:
its scores must be exactly (bit for bit) those of the plain loop it replaced, which is kept
here as the reference."""

import math
import random
from collections import Counter
from collections.abc import Sequence

from anliegen.routing import evaluation, repeat


def reference_ngrams(doc: str) -> Counter[str]:
    grams: Counter[str] = Counter()
    for word in doc.split():
        padded = f" {word} "
        for n in range(3, 6):
            if len(padded) <= n:
                grams[padded] += 1
                continue
            for i in range(len(padded) - n + 1):
                grams[padded[i:i + n]] += 1
    return grams


def reference_similarity(query: str, candidates: Sequence[str]) -> list[float]:
    if not candidates:
        return []
    docs = [" ".join(repeat.tokens(query)), *(" ".join(repeat.tokens(c)) for c in candidates)]
    if not any(docs[1:]) or not docs[0]:
        return [0.0] * len(candidates)
    counts = [reference_ngrams(d) for d in docs]
    document_frequency: Counter[str] = Counter()
    for grams in counts:
        document_frequency.update(grams.keys())
    n_docs = len(docs)
    idf = {g: math.log((1 + n_docs) / (1 + df)) + 1 for g, df in document_frequency.items()}
    vectors = []
    for grams in counts:
        weights = {g: (1 + math.log(c)) * idf[g] for g, c in grams.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({g: w / norm for g, w in weights.items()})
    query_vector = vectors[0]
    query_set = set(docs[0].split())
    scores = []
    for doc, vector in zip(docs[1:], vectors[1:], strict=True):
        cos = sum(w * vector.get(g, 0.0) for g, w in query_vector.items())
        other = set(doc.split())
        jaccard = len(query_set & other) / len(query_set | other) if query_set | other else 0.0
        scores.append(float(0.8 * cos + 0.2 * jaccard))
    return scores


def test_the_ngrams_are_counted_in_the_same_order() -> None:
    for doc in ["", "a", "ab abc abcd abcde abcdef", "zählerstand målerstand router router"]:
        assert list(repeat._char_ngrams(doc).items()) == list(reference_ngrams(doc).items())


def test_scores_are_exactly_those_of_the_plain_loop() -> None:
    examples = evaluation.generate(seed=7, customers=60)
    pairs = [(e.query.text, [c.text for c in e.earlier]) for e in examples]
    rng = random.Random(3)
    words = ("Router Internet DSL-Lampe rot kein Zählerstand falsch Rechnung doppelt abgebucht Konto Umzug "
             "app login fejl 403 målerstand the meter reading wrong a bb ccc äöü ß ø å").split()

    def text() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(0, 300)))

    pairs += [(text(), [text() for _ in range(rng.randint(0, 20))]) for _ in range(60)]
    pairs += [("", ["router"]), ("der die das", ["und"]), ("router", []), ("router", ["", "der"])]
    for query, candidates in pairs:
        expected = reference_similarity(query, candidates)
        assert repeat.similarity(query, candidates) == expected
        assert repeat.similarity(query, candidates) == expected  # again, from the kept counts


def test_the_kept_counts_stay_bounded() -> None:
    for i in range(repeat._DOC_CACHE_SIZE + 50):
        repeat.similarity("router rot", [f"router {i}"])
    assert len(repeat._DOC_CACHE) <= repeat._DOC_CACHE_SIZE
