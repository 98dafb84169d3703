"""Accuracy of `detect_language` on German (GermEval 2017), Danish (LCC sentences) and the
English samples written for Anliegen, split into short (< 40 characters) and long texts.

Short texts are the natural short ones of each set plus, for every long text, its first words
up to 39 characters — what a one-line mail ("Hvor er min refusion?") looks like to the model.
Texts that differ only in digits are counted once.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from anliegen.lib.language import SHORT_TEXT, detect_language

HERE = Path(__file__).resolve().parent
ENGLISH = HERE / "english_samples.txt"


def corpora_dir() -> Path:
    """The shared test corpora (see anliegen.lib.corpora)."""
    from anliegen.lib.corpora import corpora_dir as shared

    return shared()


def _german(root: Path) -> list[str]:
    tree = ET.parse(root / "tone" / "germeval2017" / "dev.xml")
    return [t for doc in tree.getroot().iter("Document") if (t := (doc.findtext("text") or "").strip())]


def _danish(root: Path) -> list[str]:
    texts: list[str] = []
    folder = root / "tone" / "danish" / "lcc-sentiment"
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            texts += [t for row in csv.DictReader(fh) if (t := (row.get("text") or "").strip())]
    return texts


def _english() -> list[str]:
    lines = ENGLISH.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def first_words(text: str, limit: int = SHORT_TEXT - 1) -> str:
    out = ""
    for word in text.split():
        if len(out) + len(word) + 1 > limit:
            break
        out = f"{out} {word}".strip()
    return out


def _unique(texts: list[str]) -> list[str]:
    """Each text once, counting texts that differ only in digits as one (news boilerplate such
    as "Publiceret: 19. November 2010 13:30" would otherwise fill the short set)."""
    seen: set[str] = set()
    out = []
    for text in texts:
        key = re.sub(r"\d", "0", text.lower())
        if key not in seen:
            seen.add(key)
            out.append(text)
    return out


def samples(root: Path | None = None) -> dict[str, list[str]]:
    root = root or corpora_dir()
    return {"de": _german(root), "da": _danish(root), "en": _english()}


@dataclass
class Cell:
    total: int = 0
    correct: int = 0
    confusions: Counter[str] = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def evaluate(root: Path | None = None, limit: int | None = None) -> dict[tuple[str, str], Cell]:
    """{(language, "short"|"long"): Cell}."""
    table: dict[tuple[str, str], Cell] = {}
    for language, texts in samples(root).items():
        texts = texts[:limit] if limit else texts
        short = [t for t in texts if len(t) < SHORT_TEXT]
        long = [t for t in texts if len(t) >= SHORT_TEXT]
        short += [cut for t in long if len(cut := first_words(t)) >= 3]
        for size, group in (("short", _unique(short)), ("long", _unique(long))):
            cell = table.setdefault((language, size), Cell())
            for text in group:
                found = detect_language(text).language
                cell.total += 1
                cell.correct += found == language
                if found != language:
                    cell.confusions[found or "none"] += 1
    return table


def format_table(table: dict[tuple[str, str], Cell]) -> str:
    lines = ["language  size    texts  accuracy  most common mistakes",
             "--------  -----  ------  --------  --------------------"]
    for (language, size), cell in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1] != "short")):
        mistakes = ", ".join(f"{k} {v}" for k, v in cell.confusions.most_common(3))
        lines.append(f"{language:<8}  {size:<5}  {cell.total:>6}  {cell.accuracy:>7.1%}  {mistakes}")
    for size in ("short", "long"):
        cells = [c for (_lang, s), c in table.items() if s == size]
        total = sum(c.total for c in cells)
        correct = sum(c.correct for c in cells)
        lines.append(f"{'all':<8}  {size:<5}  {total:>6}  {correct / total if total else 0:>7.1%}")
    return "\n".join(lines)
