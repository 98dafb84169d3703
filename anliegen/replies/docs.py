"""Process documentation: Markdown rendered safely, and the difference between versions."""

import difflib

import markdown
from django.utils.safestring import SafeString, mark_safe

from anliegen.lib.html import sanitise_html


def render_markdown(body: str) -> SafeString:
    """Markdown → HTML with scripts, styles, event handlers and javascript: links removed."""
    html = markdown.markdown(body, extensions=["tables", "sane_lists", "fenced_code"], output_format="html")
    return mark_safe(sanitise_html(html))  # noqa: S308 - sanitised just above


def diff_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(kind, line) with kind "+", "-", " " or "@" for a unified diff of two versions."""
    out: list[tuple[str, str]] = []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        out.append((line[:1] if line[:1] in "+-@" else " ", line[1:] if line[:1] in "+- " else line))
    return out
