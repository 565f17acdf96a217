"""Official-document layout (GB/T 9704-2012, 党政机关公文格式) as data a template can draw.

The HTML notice page, the PDF renderer and the commendation notice (通报表扬) all build a
`OfficialDocument` and hand it to their template; nothing here knows about HTML. The parts:

- 版头: issuer names (lead first, stacked, 文件 to the right), the document number, the red rule;
- 主体: the title broken into balanced lines, the recipients ending with a full-width colon, the
  body parsed into headings (一、 / （一） / 1. / （1）) and paragraphs, the contacts section,
  attachments, the signature and date, the annotation (附注);
- 版记: 抄送, the printing office and the printing date ("2023年4月26日印发").

Fonts are families from the NOTICE_FONTS setting (keys xbs, fangsong, kaiti, heiti), local fonts
only: a deployment with the licensed 方正小标宋 and 仿宋_GB2312 names them there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings

# --- Dates and numbers ------------------------------------------------------------------------

_CN_DIGITS = "零一二三四五六七八九"


def cn_date(value: date | None) -> str:
    """Return a date as GB/T 9704 writes it: Arabic numerals, no leading zeros (2023年4月26日)."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def cn_numeral(number: int) -> str:
    """Return 1..99 in Chinese numerals as headings use them: 一, 十, 十一, 二十三."""
    if not 0 < number < 100:
        raise ValueError(number)
    tens, ones = divmod(number, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else _CN_DIGITS[tens]) + "十"
    if ones:
        text += _CN_DIGITS[ones]
    return text


# 发文字号 [7.2.5]: agency code, year in 六角括号 (U+3014/U+3015), serial without leading zeros, 号.
DOC_NUMBER_RE = re.compile(
    r"^(?P<agency>[^\s〔〕\[\]()（）]+)〔(?P<year>\d{4})〕(?P<serial>[1-9]\d*)号$"
)


@dataclass(frozen=True)
class DocNumber:
    agency: str
    year: int
    serial: int


def parse_doc_number(value: str) -> DocNumber | None:
    """Return the parts of a well-formed document number such as 科协发宣字〔2023〕13号, or None."""
    match = DOC_NUMBER_RE.match((value or "").strip())
    if not match:
        return None
    return DocNumber(match["agency"], int(match["year"]), int(match["serial"]))


# --- Body -------------------------------------------------------------------------------------

_CN_NUM = "一二三四五六七八九十百零"
_HEADING_PATTERNS = [
    (1, re.compile(rf"^(?P<marker>[{_CN_NUM}]+、)\s*(?P<text>.*)$")),
    (2, re.compile(rf"^(?P<marker>[（(]\s*[{_CN_NUM}]+\s*[)）])\s*(?P<text>.*)$")),
    (3, re.compile(r"^(?P<marker>\d+[.．])\s*(?P<text>.*)$")),
    (4, re.compile(r"^(?P<marker>[（(]\s*\d+\s*[)）])\s*(?P<text>.*)$")),
]
# A heading that runs into its paragraph ends at the first full stop: （一）标题。正文……
_RUN_IN_END = re.compile(r"^(?P<head>.+?[。．])(?P<rest>.+)$")


@dataclass(frozen=True)
class Block:
    """One line of the body: a paragraph (level 0) or a heading of level 1-4.

    For a heading, `marker` is its number as written (一、, （一）, 1., （1）), `text` its words and
    `rest` the paragraph text that runs on after the heading's first full stop (levels 2-4).
    `kind` is "p", "h1".."h4", or "contacts" for the place where the contacts section goes.
    """

    kind: str
    text: str = ""
    marker: str = ""
    rest: str = ""

    @property
    def level(self) -> int:
        return int(self.kind[1]) if self.kind.startswith("h") else 0

    @property
    def heading(self) -> str:
        return f"{self.marker}{self.text}"


def _normalize_marker(marker: str) -> str:
    """Write half-width brackets in heading numbers full-width, as the standard does."""
    inner = marker.strip("()（） ")
    if marker[0] in "(（" and inner and inner[0] in _CN_NUM:
        return f"（{inner}）"
    if marker[0] in "(（":
        return f"（{inner}）"
    return marker.replace("．", ".")


def parse_line(line: str) -> Block:
    """Return the block for one body line."""
    line = line.strip()
    for level, pattern in _HEADING_PATTERNS:
        match = pattern.match(line)
        if not match:
            continue
        text, rest = match["text"], ""
        run_in = _RUN_IN_END.match(text)
        if run_in:
            text, rest = run_in["head"], run_in["rest"]
        return Block(
            kind=f"h{level}", marker=_normalize_marker(match["marker"]), text=text, rest=rest
        )
    return Block(kind="p", text=line)


def parse_body(body: str) -> list[Block]:
    """Return the body's blocks, one per non-empty line."""
    return [parse_line(line) for line in (body or "").splitlines() if line.strip()]


CONTACTS_HEADING = "联系方式"


def place_contacts(blocks: list[Block], *, has_contacts: bool) -> list[Block]:
    """Return the blocks with a `contacts` block where the contacts section goes.

    The contact lines are drawn from the campaign's contact data, not typed in the body. They go
    at the end of the level-1 section whose heading says 联系方式; when the body has no such
    heading, one is added as the next level-1 section.
    """
    if not has_contacts:
        return blocks
    blocks = list(blocks)
    for index, block in enumerate(blocks):
        if block.level == 1 and CONTACTS_HEADING in block.text:
            end = index + 1
            while end < len(blocks) and blocks[end].level != 1:
                end += 1
            blocks.insert(end, Block(kind="contacts"))
            return blocks
    number = sum(1 for block in blocks if block.level == 1) + 1
    blocks.append(Block(kind="h1", marker=f"{cn_numeral(number)}、", text=CONTACTS_HEADING))
    blocks.append(Block(kind="contacts"))
    return blocks


# --- Title ------------------------------------------------------------------------------------

TITLE_LINE_CHARS = 20  # 2号 characters across a 156 mm type area, with room to breathe


def _break_points(title: str) -> dict[int, int]:
    """Return {position: cost} where the title may break: 0 between words, 4 inside a phrase.

    Never inside quotation or title marks, nor between two digits or Latin letters.
    """
    points: dict[int, int] = {}
    depth = 0
    for index, char in enumerate(title):
        if char in "“《（(「":
            if depth == 0:
                points[index] = 0
            depth += 1
            continue
        if char in "”》）)」":
            depth = max(depth - 1, 0)
            if depth == 0:
                points[index + 1] = 0
            continue
        if depth or index == 0:
            continue
        before = title[index - 1]
        if char == " " or before == " ":
            points[index + (char == " ")] = 0
        elif before.isascii() and char.isascii():
            continue
        else:
            points.setdefault(index, 4)
        for word in ("关于", "的通知", "的通报", "的决定", "的意见"):
            if title.startswith(word, index):
                points[index] = 0
        if index >= 2 and title.startswith("关于", index - 2):
            points[index] = 0
    return {p: c for p, c in points.items() if 0 < p < len(title)}


def split_title(title: str, max_chars: int = TITLE_LINE_CHARS) -> list[str]:
    """Break a long title into lines between words, as even in length as possible."""
    title = " ".join((title or "").split())
    if len(title) <= max_chars:
        return [title] if title else []
    points = _break_points(title)
    ordered = sorted(points)
    lines_needed = -(-len(title) // max_chars)
    best: tuple[float, list[int]] | None = None

    def consider(cuts: list[int]) -> None:
        nonlocal best
        bounds = [0, *cuts, len(title)]
        lengths = [bounds[i + 1] - bounds[i] for i in range(len(bounds) - 1)]
        score = max(lengths) - min(lengths) + sum(points[c] for c in cuts)
        score += 100 * sum(1 for n in lengths if n > max_chars + 2)
        if best is None or score < best[0]:
            best = (score, cuts)

    if lines_needed == 2:
        for point in ordered:
            consider([point])
    else:
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                consider([first, second])
    if best is None:  # no break point at all: cut evenly
        size = -(-len(title) // lines_needed)
        return [title[i : i + size] for i in range(0, len(title), size)]
    bounds = [0, *best[1], len(title)]
    return [title[bounds[i] : bounds[i + 1]].strip() for i in range(len(bounds) - 1)]


# --- Contacts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactSection:
    department: str
    lines: list[tuple[str, str]]


def contact_section(contact: Any) -> ContactSection:
    """Return a department's contact lines (label, value), labels spaced as in the notice."""
    lines = [("联系人", contact.people), ("联系电话", contact.phone)]
    if contact.fax:
        lines.append(("传　　真", contact.fax))
    if contact.email:
        lines.append(("电子邮箱", contact.email))
    if contact.address:
        address = contact.address + (f"（{contact.postcode}）" if contact.postcode else "")
        lines.append(("地　　址", address))
    return ContactSection(department=str(contact.department), lines=lines)


# --- The document -----------------------------------------------------------------------------


@dataclass
class OfficialDocument:
    issuers: list[str]
    doc_number: str
    title_lines: list[str]
    recipients: str
    blocks: list[Block]
    contacts: list[ContactSection] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    signature_date: str = ""
    annotation: str = ""
    copy_to: str = ""
    printed_by: str = ""
    printed_on: str = ""

    @property
    def title(self) -> str:
        return "".join(self.title_lines)


def recipients_line(recipients: str) -> str:
    """Return the 主送机关 line, ending with one full-width colon."""
    text = " ".join((recipients or "").split()).rstrip("：:")
    return f"{text}：" if text else ""


def attachment_lines(note: str) -> list[str]:
    """Return 附件说明 lines: 附件：name, numbered when there are several."""
    names = [line.strip() for line in (note or "").splitlines() if line.strip()]
    names = [re.sub(r"^(附件[:：]\s*|\d+[.．]\s*)", "", name) for name in names]
    if len(names) == 1:
        return [f"附件：{names[0]}"]
    return [("附件：" if i == 1 else "　　　") + f"{i}.{name}" for i, name in enumerate(names, 1)]


def notice_document(campaign: Any, contacts: list[Any] | None = None) -> OfficialDocument:
    """Return the campaign's notice as an official document ready to draw."""
    contacts = list(campaign.contacts.all()) if contacts is None else contacts
    blocks = place_contacts(parse_body(campaign.body), has_contacts=bool(contacts))
    printed_on = cn_date(campaign.printed_on)
    return OfficialDocument(
        issuers=[name for name in campaign.issuers if name],
        doc_number=campaign.doc_number,
        title_lines=split_title(campaign.doc_title),
        recipients=recipients_line(campaign.recipients),
        blocks=blocks,
        contacts=[contact_section(contact) for contact in contacts],
        attachments=attachment_lines(campaign.attachments_note),
        signature_date=cn_date(campaign.issue_date),
        annotation=campaign.annotation,
        copy_to=campaign.copy_to,
        printed_by=campaign.printed_by,
        printed_on=f"{printed_on}印发" if printed_on else "",
    )


# --- Fonts ------------------------------------------------------------------------------------

DEFAULT_FONTS = {
    # 方正小标宋 stand-in (drawn bold).
    "xbs": '"Noto Serif CJK SC", "Noto Serif SC", "Source Han Serif SC", "SimSun", serif',
    # 仿宋_GB2312 stand-in.
    "fangsong": ('"Noto Serif CJK SC", "Noto Serif SC", "Source Han Serif SC", "FangSong", serif'),
    # 楷体_GB2312 stand-in.
    "kaiti": '"AR PL UKai CN", "KaiTi", "STKaiti", "Kaiti SC", serif',
    # 黑体.
    "heiti": '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "SimHei", sans-serif',
}
_UNSAFE_FONT_CHARS = re.compile(r"[^\w\s\"',.\-\u3000-\u9fff]")


def notice_fonts() -> dict[str, str]:
    """Return the font-family stacks: NOTICE_FONTS over the defaults, stripped of unsafe text."""
    configured = getattr(settings, "NOTICE_FONTS", None) or {}
    fonts = {}
    for key, default in DEFAULT_FONTS.items():
        value = _UNSAFE_FONT_CHARS.sub("", str(configured.get(key) or "")).strip()
        fonts[key] = value or default
    return fonts


def fonts_css(selector: str = ".gw") -> str:
    """Return CSS custom properties carrying the font stacks, for a nonce'd <style> element."""
    fonts = notice_fonts()
    props = "".join(f"--gw-{key}:{value};" for key, value in fonts.items())
    bold = "700" if getattr(settings, "NOTICE_LEVEL3_BOLD", False) else "400"
    return f"{selector}{{{props}--gw-h3-weight:{bold};}}"
