"""Rich text that people write (an activity's description): one sanitizer, one allow-list.

Every rich-text field is cleaned on write by `richtext_clean` and stored clean, so templates may
render the stored value with `|safe` and nothing else. The cleaning is nh3 (the Rust `ammonia`
sanitizer, built on an HTML5 parser): anything outside the allow-list below is dropped, the text
inside an unknown tag is kept, and `<script>`/`<style>` go with their content.

Allowed (`TAGS`, `ATTRIBUTES`):
- paragraphs and line breaks: p, br (and div, which the Trix editor writes for paragraphs and
  which is stored as p);
- emphasis: strong, em, u, s (also b, i, del, which are stored as strong, em, s);
- headings h2–h4 (h1 is the page's own title; an h1 in the input is stored as h2);
- lists ul, ol, li; blockquote;
- links `a href` with only http, https and mailto addresses (or relative ones), always given
  `rel="noopener noreferrer nofollow"`;
- simple tables: table, caption, thead, tbody, tr, th, td, with colspan/rowspan.
No images (pictures come from the resource library), no style, class or id attributes, no event
handlers, no comments.

Plain text is accepted too (the API, a spreadsheet import, descriptions written before the
editor): text without any tag becomes paragraphs, a blank line between two of them and a single
line break as `<br>`. So `richtext_clean` is the one function any writer calls, whatever it
holds. It is cheap: a regex probe and one pass of nh3 with a prebuilt cleaner (about 10 µs for a
short description), fine for a 100,000-row import.
"""

from __future__ import annotations

import re
from html import unescape

import nh3
from django.utils.html import escape, strip_tags

TAGS = frozenset(
    {
        "p",
        "br",
        "div",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "del",
        "h1",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ATTRIBUTES = {"a": {"href"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Tags removed with everything inside them (the rest keep their text when dropped).
DROP_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "svg", "math", "noscript"}
)
# Synonyms, stored as the allowed form. Safe as plain replacements: after nh3 these tags carry
# no attributes, so their exact spelling is known.
_RENAMES = {
    "div": "p",
    "b": "strong",
    "i": "em",
    "del": "s",
    "h1": "h2",
}
_RENAME_RE = re.compile(r"<(/?)(div|b|i|del|h1)>")

_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=set(DROP_WITH_CONTENT),
    attributes={tag: set(attrs) for tag, attrs in ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)
# Anything that an HTML parser would read as markup: a tag, an end tag, a comment or a doctype.
_MARKUP_RE = re.compile(r"<(?:[A-Za-z]|/[A-Za-z]|!)")
_BLANK_LINE_RE = re.compile(r"\n[ \t\u3000]*\n+")
_EMPTY_P_RE = re.compile(r"<p>(?:\s|&nbsp;|<br>)*</p>")
# Block elements: outside them, text and inline tags are gathered into paragraphs.
_BLOCKS = frozenset({"p", "h2", "h3", "h4", "ul", "ol", "blockquote", "table"})
_TOKEN_RE = re.compile(r"<(/?)([a-z0-9]+)[^>]*>|[^<]+")


def looks_like_html(value: str) -> bool:
    """Does `value` hold markup (a tag, an end tag, a comment), rather than plain text?"""
    return _MARKUP_RE.search(value) is not None


def richtext_from_plain(text: str) -> str:
    """Turn plain text into paragraphs: blank lines separate them, single line breaks stay."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    paragraphs = [p.strip() for p in _BLANK_LINE_RE.split(text)]
    return "".join(
        "<p>" + escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs if p.strip()
    )


def richtext_sanitize(html: str) -> str:
    """Return `html` reduced to the allow-list (see the module docstring), synonyms renamed."""
    cleaned = _CLEANER.clean(html)
    renamed = _RENAME_RE.sub(lambda m: f"<{m[1]}{_RENAMES[m[2]]}>", cleaned)
    if renamed != cleaned:
        # A renamed div may now be a p inside a p: a second pass lets the parser close it.
        cleaned = _CLEANER.clean(renamed)
    return _EMPTY_P_RE.sub("", _split_paragraphs(_wrap_loose_text(cleaned))).strip()


def _split_paragraphs(html: str) -> str:
    """Make paragraphs of line breaks: two or more `<br>` directly inside a p end it and start
    another (an editor's blank line); `<br>`s at the start or end of a p are dropped."""
    parts = [m[0] for m in _TOKEN_RE.finditer(html)]
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part == "<br>" and stack and stack[-1] == "p":
            j, breaks = i, 0
            while j < len(parts) and (parts[j] == "<br>" or not parts[j].strip()):
                breaks += parts[j] == "<br>"
                j += 1
            at_start = out and out[-1] == "<p>"
            at_end = j < len(parts) and parts[j] == "</p>"
            if at_start or at_end:
                pass
            elif breaks >= 2:
                out.append("</p><p>")
            else:
                out.extend(parts[i:j])
            i = j
            continue
        match = _TOKEN_RE.fullmatch(part)
        if match and match[2] and match[2] != "br":
            if match[1]:
                if stack:
                    stack.pop()
            else:
                stack.append(match[2])
        out.append(part)
        i += 1
    return "".join(out)


def _wrap_loose_text(html: str) -> str:
    """Put text and inline tags that stand outside any block into paragraphs.

    Such loose text comes from input mixing plain lines with markup; there, as in plain text, a
    blank line separates paragraphs and a line break is kept. `html` is nh3's output: well
    formed, lower-case tags, so a depth count over the tags is exact.
    """
    out: list[str] = []
    run: list[str] = []
    depth = 0

    def flush() -> None:
        text = "".join(run)
        run.clear()
        if not text.strip():
            return
        for part in _BLANK_LINE_RE.split(text.replace("\r\n", "\n").strip()):
            if part.strip():
                out.append("<p>" + part.strip().replace("\n", "<br>") + "</p>")

    for match in _TOKEN_RE.finditer(html):
        tag = match[2]
        if tag in _BLOCKS:
            if depth == 0 and not match[1]:
                flush()
            depth += -1 if match[1] else 1
            out.append(match[0])
        elif depth == 0:
            run.append(match[0])
        else:
            out.append(match[0])
    flush()
    return "".join(out)


def richtext_clean(value: str | None) -> str:
    """Return the stored form of a rich-text field: sanitized HTML, or plain text as paragraphs.

    The one function every writer calls (services, API, spreadsheet import). Idempotent:
    cleaning a cleaned value returns it unchanged.
    """
    if not value or not value.strip():
        return ""
    if looks_like_html(value):
        return richtext_sanitize(value)
    return richtext_from_plain(value)


def richtext_to_text(html: str) -> str:
    """The text of stored rich text, without tags, for the search index and summaries."""
    if not html:
        return ""
    spaced = re.sub(r"<(?:br|/p|/li|/h[2-4]|/blockquote|/tr|/td|/th|/caption)>", "\n", html)
    text = strip_tags(spaced)
    # strip_tags leaves entities as they are; the index wants the characters.
    return re.sub(r"\n{2,}", "\n", unescape(text)).strip()
