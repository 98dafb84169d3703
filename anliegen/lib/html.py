"""HTML sanitising and HTML → text, shared by mail, portal, replies and docs."""

import html as html_lib
import re

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul", "font", "center", "small", "big", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "*": {"dir", "lang"},
}
URL_SCHEMES = {"http", "https", "mailto", "cid", "tel"}


def sanitise_html(value: str) -> str:
    """Keep formatting, drop scripts, styles, event handlers and dangerous URLs."""
    return nh3.clean(
        value, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", strip_comments=True,
        clean_content_tags={"script", "style", "title", "head"},
    )


_BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6]|/blockquote|/pre|/table|hr)\b[^>]*>", re.I)
_LI = re.compile(r"<\s*li\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_DROP = re.compile(r"<(script|style|head|title)\b.*?</\1\s*>", re.I | re.S)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_LINES = re.compile(r"\n\s*\n\s*\n+")


def html_to_text(value: str) -> str:
    """Readable plain text from HTML: block elements become line breaks, entities decoded."""
    text = _DROP.sub("", value)
    text = _BLOCK.sub("\n", text)
    text = _LI.sub("\n- ", text)
    text = _TAG.sub("", text)
    text = html_lib.unescape(text)
    text = _SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    return _LINES.sub("\n\n", "\n".join(lines)).strip()
