"""Official documents (GB/T 9704-2012, 党政机关公文格式) as PDF, drawn by WeasyPrint.

One renderer for every official document the site prints: the campaign notice and the
commendation notice (通报) both build a `sciday.campaigns.document.OfficialDocument` and call
`render_official_pdf(doc)`. The print template `core/officialdoc/print.html` draws the document;
the style sheet is built here because its numbers come from the standard:

- A4, 天头 37 mm, 订口 28 mm, type area 156 × 225 mm (so 26 mm right and 35 mm bottom);
- 22 lines of 28 characters of 3号 (16 pt) 仿宋: a line is 225/22 mm high, and a character
  advances 156/28 mm, slightly less than 16 pt, so the letters are set 0.073 mm tighter;
- page numbers "— 1 —" in 4号 (14 pt) Song, 7 mm below the type area, on the right of odd
  pages and the left of even pages, one character in from the edge of the type area;
- the 版记 (抄送, 印发) sits at the bottom of the last page: it is a CSS footnote, which
  WeasyPrint places at the foot of the page where its call (the end of the text) falls, and its
  last rule then coincides with the bottom of the type area, as the standard asks.

Fonts are local families from the NOTICE_FONTS setting (see `document.notice_fonts`). WeasyPrint
fetches nothing from outside: `LocalOnlyFetcher` refuses every URL but data: URIs and files
inside the static directories. Importing WeasyPrint takes a second or two: views import this
module inside the function that renders.
"""

from __future__ import annotations

import mimetypes
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PRINT_TEMPLATE = "core/officialdoc/print.html"

# --- Geometry (millimetres unless stated) -----------------------------------------------------
PAGE_MARGINS = (37, 26, 35, 28)  # top, right, bottom, left (天头 and 订口 from the standard)
TYPE_WIDTH, TYPE_HEIGHT = 156, 225
LINES, CHARS = 22, 28
LINE = TYPE_HEIGHT / LINES  # 10.227 mm
CHAR = TYPE_WIDTH / CHARS  # 5.571 mm
PT = 25.4 / 72
BODY_PT = 16  # 3号
SMALL_PT = 14  # 4号 (版记, page numbers)
TITLE_PT = 22  # 2号
RED = "#e60012"  # red elements (发文机关标志, the red rule)


def _mm(value: float) -> str:
    return f"{value:.3f}mm"


def print_css(fonts: dict[str, str], *, level3_bold: bool = False) -> str:
    """Return the print style sheet for the given font-family stacks (keys of NOTICE_FONTS)."""
    # Negative: 28 characters across 156 mm (a hair less, so rounding never drops one).
    tracking = CHAR - BODY_PT * PT - 0.005
    small_tracking = CHAR * SMALL_PT / BODY_PT - SMALL_PT * PT
    indent = 2 * CHAR
    number = f"""
    content: "— " counter(page) " —";
    font-family: {fonts["song"]};
    font-size: {SMALL_PT}pt;
    line-height: 1;
    vertical-align: top;
    padding-top: {_mm(7 - SMALL_PT * PT / 2)};
    """
    top, right, bottom, left = PAGE_MARGINS
    return f"""
@page {{
  size: A4;
  margin: {top}mm {right}mm {bottom}mm {left}mm;
  @footnote {{ margin: 0; padding: 0; }}
}}
@page :right {{ @bottom-right {{ {number} text-align: right; padding-right: {SMALL_PT}pt; }} }}
@page :left {{ @bottom-left {{ {number} text-align: left; padding-left: {SMALL_PT}pt; }} }}
html {{ color: #000; }}
body {{ margin: 0; }}
.gw {{
  font-family: {fonts["fangsong"]};
  font-size: {BODY_PT}pt;
  line-height: {_mm(LINE)};
  letter-spacing: {_mm(tracking)};
  text-align: justify;
}}
p, h1, h2 {{ margin: 0; padding: 0; }}

/* 版头: issuers (stacked, each justified to the widest) with 文件, the number, the red rule */
.gw-head {{ text-align: center; }}
.gw-mark {{
  margin: 35mm auto 0; border-collapse: collapse; color: {RED};
  font-family: {fonts["xbs"]}; font-weight: 700; letter-spacing: 0;
}}
.gw-mark td {{ padding: 0; vertical-align: middle; }}
.gw-issuer {{
  font-size: 40pt; line-height: 1.25; text-align: justify; text-align-last: justify;
}}
.gw-wenjian {{ font-size: 52pt; line-height: 1; padding-left: 4mm !important; }}
.gw-number {{ margin-top: {_mm(2 * LINE)}; text-align: center; }}
.gw-red-rule {{ margin-top: 4mm; border-top: 0.6mm solid {RED}; height: 0; }}

/* 主体 */
.gw-title {{
  margin-top: {_mm(2 * LINE)}; font-family: {fonts["xbs"]}; font-weight: 700;
  font-size: {TITLE_PT}pt; line-height: {_mm(1.25 * LINE)}; letter-spacing: 0; text-align: center;
}}
.gw-title-line {{ display: block; }}
.gw-recipients {{ margin-top: {_mm(LINE)}; }}
.gw-body p, .gw-attachments p, .gw-annotation {{ text-indent: {_mm(indent)}; }}
.gw-h1 {{
  font-family: {fonts["heiti"]}; font-weight: 400; font-size: {BODY_PT}pt;
  text-indent: {_mm(indent)}; break-after: avoid;
}}
/* Run-in headings set in another font keep to the line grid: a line-height of 1 keeps their
   inline boxes inside the paragraph's line, whatever the font's ascent and descent. */
.gw-h2, .gw-h3, .gw-h4 {{ line-height: 1; }}
.gw-h2 {{ font-family: {fonts["kaiti"]}; }}
.gw-h3 {{ font-weight: {700 if level3_bold else 400}; }}
.gw-contact-dept {{ break-after: avoid; }}
.gw-attachments {{ margin-top: {_mm(LINE)}; }}

/* 署名 and 成文日期: the date starts two characters right of the issuers and ends two
   characters in from the right (the block shrinks to its widest line). */
.gw-signature {{
  float: right; margin: {_mm(LINE)} {_mm(2 * CHAR)} 0 0; text-align: left; break-inside: avoid;
  white-space: nowrap;
}}
.gw-date {{ padding-left: {_mm(2 * CHAR)}; }}
.gw-annotation {{ clear: both; }}

/* 版记: a footnote at the foot of the last page, between full-width rules */
.gw-imprint {{
  float: footnote; footnote-display: block;
  font-size: {SMALL_PT}pt; letter-spacing: {_mm(small_tracking)};
  border-top: 0.35mm solid #000; border-bottom: 0.35mm solid #000; text-align: left;
}}
/* WeasyPrint always makes a footnote marker: an empty line of no height here. */
.gw-imprint {{ line-height: 0; }}
.gw-imprint::footnote-marker {{ content: none; font-size: 0; line-height: 0; }}
.gw-imprint table {{ line-height: {_mm(LINE)}; }}
::footnote-call {{ content: none; }}
.gw-copy-to {{ width: 100%; border-collapse: collapse; border-bottom: 0.25mm solid #000; }}
.gw-copy-to td {{ padding: 0; vertical-align: top; }}
.gw-copy-to td:first-child {{ width: 1%; padding-left: {SMALL_PT}pt; white-space: nowrap; }}
.gw-copy-to td:last-child {{ padding-right: {SMALL_PT}pt; text-align: justify; }}
.gw-printed {{ width: 100%; border-collapse: collapse; white-space: nowrap; }}
.gw-printed td {{ padding: 0 {SMALL_PT}pt; }}
.gw-printed-on {{ text-align: right; }}
"""


def document_fonts() -> dict[str, str]:
    """Return the font stacks of NOTICE_FONTS, plus `song` for page numbers (the 小标宋 stack)."""
    from sciday.campaigns.document import notice_fonts

    fonts = notice_fonts()
    return {**fonts, "song": fonts["xbs"]}


def print_html(doc: Any, *, fonts: dict[str, str] | None = None) -> str:
    """Return the document as the HTML WeasyPrint lays out (style sheet included)."""
    fonts = fonts or document_fonts()
    css = print_css(fonts, level3_bold=getattr(settings, "NOTICE_LEVEL3_BOLD", False))
    copy_to = (doc.copy_to or "").strip()
    if copy_to and not copy_to.endswith("。"):
        copy_to += "。"  # the last recipient of a copy ends with a full stop
    # The font stacks are stripped of everything but names, quotes and commas (notice_fonts).
    context = {
        "doc": doc,
        "css": mark_safe(css),  # noqa: S308
        "copy_to": copy_to,
        "issuer_lines": issuer_lines(doc.issuers),
    }
    return render_to_string(PRINT_TEMPLATE, context)


def _width(text: str) -> float:
    """Return the width of `text` in characters: half-width letters and digits count half."""
    return sum(0.5 if char.isascii() else 1 for char in text)


def issuer_lines(issuers: list[str]) -> list[tuple[str, str, str]]:
    """Return (head, last character, letter spacing) for each issuer name of the 发文机关标志.

    Joint issuers are stacked and spread to the width of the longest name (分散对齐). WeasyPrint
    does not justify text without spaces, so the spread is a letter spacing set on every
    character but the last.
    """
    widest = max((_width(name) for name in issuers), default=0)
    lines = []
    for name in issuers:
        gaps = len(name) - 1
        spacing = (widest - _width(name)) / gaps if gaps > 0 else 0
        lines.append((name[:-1], name[-1:], f"{spacing:.3f}em"))
    return lines


def render_official_pdf(doc: Any, *, fonts: dict[str, str] | None = None) -> bytes:
    """Return the official document `doc` (an OfficialDocument) laid out as PDF bytes."""
    return html_to_pdf(print_html(doc, fonts=fonts))


def html_to_pdf(html: str) -> bytes:
    """Return `html` printed to PDF, fetching nothing but data: URIs and local static files."""
    pdf = HTML(string=html, base_url=None, url_fetcher=LocalOnlyFetcher()).write_pdf()
    assert pdf is not None
    return pdf


# --- Fetching ---------------------------------------------------------------------------------


class RefusedURL(ValueError):
    """The PDF renderer never fetches this URL (network, or a file outside the static dirs)."""


@cache
def static_roots() -> tuple[Path, ...]:
    """Return the directories whose files a print template may use (static files)."""
    from django.contrib.staticfiles import finders

    roots: list[Path] = []
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location))
    return tuple(root.resolve() for root in roots)


class LocalOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that refuses everything but data: URIs and local static files."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1)

    def fetch(self, url: str, headers: Any = None) -> Any:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            inside = any(path.is_relative_to(root) for root in static_roots())
            if inside and path.is_file():
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, path.read_bytes(), {"Content-Type": content_type}, status=200
                )
        raise RefusedURL(f"The PDF renderer does not fetch {url}")
