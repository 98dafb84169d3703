"""The arrows point inward: lib ← accounts ← customers ← tickets ← every feature app.
Checked on the import statements of the application's modules (tests and migrations aside)."""

import ast
from pathlib import Path

import anliegen

PACKAGE = Path(anliegen.__file__).resolve().parent
GROUND = ["lib", "runtime", "accounts", "customers", "tickets"]
# What each part of the ground may import from Anliegen (beyond itself).
ALLOWED = {
    "lib": set(),
    "runtime": {"lib"},
    "accounts": {"lib", "runtime"},
    "customers": {"lib", "runtime", "accounts"},
    "tickets": {"lib", "runtime", "accounts", "customers"},
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "anliegen" and len(parts) > 1:
                found.add(parts[1])
    return found


def _modules(part: str) -> list[Path]:
    return [p for p in (PACKAGE / part).rglob("*.py")
            if "tests" not in p.parts and "migrations" not in p.parts and "management" not in p.parts]


def test_the_ground_imports_only_what_lies_below_it():
    problems = []
    for part in GROUND:
        for path in _modules(part):
            for imported in _imports(path) - {part} - ALLOWED[part]:
                if (PACKAGE / imported).is_dir() or (PACKAGE / f"{imported}.py").exists():
                    if imported in {"settings", "testing"}:
                        continue
                    problems.append(f"{path.relative_to(PACKAGE)} imports anliegen.{imported}")
    assert problems == []


def test_lib_keeps_no_models_and_reads_none():
    for path in _modules("lib"):
        text = path.read_text(encoding="utf-8")
        assert "models import" not in text.replace("django.db import models", ""), path
