"""The mail parser's modules are split along interfaces: no import circles, no private name
of one module used by another, and the pure parser imports neither Django nor the rest of
the mail app."""

import ast
from pathlib import Path

import anliegen.mail

MAIL = Path(anliegen.mail.__file__).parent
PARSER = ("parsed", "charsets", "headers", "mimewalk", "parse")


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, imported names) for every import in a file, also those inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
    return found


def _app_modules() -> list[Path]:
    return [p for p in MAIL.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


def test_it_imports_no_private_name_of_another_mail_module():
    crossings = [
        f"{path.relative_to(MAIL)}: from {module} import {name}"
        for path in _app_modules()
        for module, names in _imports(path)
        if module.startswith("anliegen.mail.")
        for name in names
        if name.startswith("_")
    ]
    assert crossings == []


def test_the_parser_modules_import_each_other_one_way_only():
    graph = {
        name: {m.removeprefix("anliegen.mail.") for m, _names in _imports(MAIL / f"{name}.py")}
        & set(PARSER)
        for name in PARSER
    }
    # Each module may import only those listed before it.
    for position, name in enumerate(PARSER):
        assert graph[name] <= set(PARSER[:position]), f"{name} imports {graph[name] - set(PARSER[:position])}"


def test_the_parser_is_pure():
    for name in PARSER:
        outside = [m for m, _names in _imports(MAIL / f"{name}.py")
                   if m.split(".")[0] == "django"
                   or (m.startswith("anliegen.") and not m.startswith(("anliegen.lib.", "anliegen.mail.")))
                   or (m.startswith("anliegen.mail.") and m.removeprefix("anliegen.mail.") not in PARSER)]
        assert outside == [], f"{name} imports {outside}"
