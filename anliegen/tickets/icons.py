"""The icons Anliegen shows, as inline SVG shipped with the app (emoji render as empty boxes
on many Linux desktops). 16×16 strokes in the text colour; drawn for Anliegen."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_PATHS = {
    "lock": '<rect x="3" y="7" width="10" height="7" rx="1.5"/><path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2"/>',
    "mail": '<rect x="2" y="3.5" width="12" height="9" rx="1.5"/><path d="M2.5 4.5 8 9l5.5-4.5"/>',
    "phone": '<path d="M4.5 2.5h2l1 3-1.5 1a7 7 0 0 0 3.5 3.5l1-1.5 3 1v2a1.5 1.5 0 0 1-1.5 1.5A10.5 10.5 0 0 1 3 '
             '4a1.5 1.5 0 0 1 1.5-1.5z"/>',
    "globe": '<circle cx="8" cy="8" r="6"/><path d="M2 8h12M8 2c2 2 2 10 0 12M8 2c-2 2-2 10 0 12"/>',
    "form": '<rect x="3" y="2" width="10" height="12" rx="1.5"/><path d="M5.5 5.5h5M5.5 8h5M5.5 10.5h3"/>',
    "bell": '<path d="M4 11V7.5a4 4 0 0 1 8 0V11l1 1.5H3z"/><path d="M6.5 14a1.5 1.5 0 0 0 3 0"/>',
    "warning": '<path d="M8 2.5 14 13H2z"/><path d="M8 6.5v3M8 11.2v.3"/>',
    "check": '<path d="m3 8.5 3 3 7-7"/>',
    "cross": '<path d="m4 4 8 8M12 4l-8 8"/>',
}


def icon(name: str, label: str = "") -> SafeString:
    """An inline SVG icon; with a label it is announced (and shown as a tooltip), else hidden
    from screen readers because the text beside it says the same."""
    paths = _PATHS[name]
    if label:
        aria = f' role="img" aria-label="{escape(label)}"'
        title = f"<title>{escape(label)}</title>"
    else:
        aria, title = ' aria-hidden="true"', ""
    return mark_safe(
        f'<svg class="icon icon-{name}" width="16" height="16" viewBox="0 0 16 16" fill="none" '
        f'stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"{aria}>'
        f"{title}{paths}</svg>")


def names() -> list[str]:
    return list(_PATHS)
