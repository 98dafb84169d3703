"""HTML sanitising and HTML → text, shared by mail, portal, replies and docs."""

import html as html_lib
import re
from html.parser import HTMLParser

import nh3

# Formatting that mail and documents need; no scripts, styles, forms or event handlers.
ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"font", "center"}
ALLOWED_ATTRIBUTES = {
    "*": {"lang", "dir", "title", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "valign", "width"},
    "th": {"colspan", "rowspan", "valign", "width"},
    "table": {"width", "border", "cellpadding", "cellspacing"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type"},
}
# cid: inline images of a mail; data: images pasted into mails.
URL_SCHEMES = {"http", "https", "mailto", "tel", "cid", "data"}


def sanitise_html(value: str) -> str:
    """Keep formatting, drop scripts, styles, event handlers and dangerous URLs."""
    if not value:
        return ""
    try:
        return nh3.clean(
            value, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer nofollow", strip_comments=True,
            clean_content_tags={"script", "style", "template", "noscript"},
        ).strip()
    except Exception:  # never lose the text over the markup
        return html_lib.escape(html_to_text(value))


_BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr main nav ol p "
    "pre section summary table tbody thead tfoot ul caption".split()
)
# Elements that start a new line but, unlike paragraphs, add no blank line.
_LINE_TAGS = frozenset({"li", "tr", "dt", "dd", "option"})
_PRE_SPACE = "\ue000"  # protects <pre> indentation from the line stripping
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript", "xml"})
_WS_RE = re.compile(r"[ \t\r\n\f\v]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "br" or tag in _LINE_TAGS:
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "pre":
                self.pre += 1
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            if self.skip:
                self.skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "pre" and self.pre:
                self.pre -= 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            data = data.replace(" ", _PRE_SPACE)
        else:
            data = _WS_RE.sub(" ", data)
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable plain text from HTML: no script/style, line breaks at blocks."""
    if not markup:
        return ""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # noqa: BLE001 - HTMLParser is lenient, but be sure
        return html_lib.unescape(re.sub(r"<[^>]*>", " ", markup))
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [line.strip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip().replace(_PRE_SPACE, " ")
