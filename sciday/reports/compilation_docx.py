"""The DOCX of the national compilation: python-docx content, written part by part.

A title page, the summary tables (figures summed by province and by unit kind), then one
chapter per unit: its heading, its facts, its figures, its narrative sections and its photos
scaled to the type area; page numbers in the footer. Chinese text is set in 仿宋 (body) and
黑体 (headings) through the east-Asian font attribute (`w:eastAsia`), which Word uses for CJK
characters; where those fonts are missing (LibreOffice on Linux) an installed CJK font is used.

python-docx builds a whole document in memory (about 200 kB of lxml tree per chapter with its
tables), so the writer never holds more than `DOCX_BATCH` chapters: each batch is built in a
fresh python-docx document made from the same skeleton (styles, footer, section), and its body
is serialised straight into the `word/document.xml` of the output package, which is streamed
into the ZIP. The photos are not python-docx image parts: each is a drawing whose relationship
id (`rIdPhotoN`) and media file (`word/media/photoN.jpeg`, stored without compression: a JPEG
does not deflate) are added to the package when the body is complete.
"""

from __future__ import annotations

import gc
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.shared import Emu, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
DOCX_BATCH = 50  # chapters held in one python-docx document before its body is written out

_DOCUMENT = "word/document.xml"
_RELS = "word/_rels/document.xml.rels"
_TYPES = "[Content_Types].xml"
_JPEG_DEFAULT = b'<Default Extension="jpeg" ContentType="image/jpeg"/>'


def _set_fonts(target: Any, east_asia: str, *, size: float | None = None) -> None:
    """Set the Latin and east-Asian fonts of a style or run, dropping theme fonts (which win)."""
    font = target.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    r_pr = target.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, r_fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(theme), None)
    r_fonts.set(qn("w:ascii"), LATIN_FONT)
    r_fonts.set(qn("w:hAnsi"), LATIN_FONT)
    r_fonts.set(qn("w:eastAsia"), east_asia)
    r_fonts.set(qn("w:hint"), "eastAsia")
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _setup_styles(document: DocxDocument) -> None:
    styles = document.styles
    _set_fonts(styles["Normal"], BODY_FONT, size=14)
    styles["Normal"].paragraph_format.line_spacing = 1.3
    for name, size in (("Title", 26), ("Heading 1", 18), ("Heading 2", 15)):
        style = styles[name]
        _set_fonts(style, HEADING_FONT, size=size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.bold = name != "Title"
    # The default template draws a blue rule under the title.
    p_pr = styles["Title"].element.pPr
    if p_pr is not None and p_pr.find(qn("w:pBdr")) is not None:
        p_pr.remove(p_pr.find(qn("w:pBdr")))


def _add_page_number(paragraph: Paragraph) -> None:
    """Append "— PAGE —" as a field that Word and LibreOffice update."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
            if kind == "separate":
                placeholder = OxmlElement("w:t")
                placeholder.text = "1"
                run._r.append(placeholder)
    paragraph.add_run(" —")


def _skeleton() -> bytes:
    """The package every batch starts from: styles, the footer with page numbers, no body."""
    document = Document()
    _setup_styles(document)
    _add_page_number(document.sections[0].footer.paragraphs[0])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _figures_table(
    document: DocxDocument, header: list[str], rows: Iterable[Sequence[Any]]
) -> None:
    rows = list(rows)
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = table._cells  # one flat list: far faster than table.cell(i, j) on large tables
    width = len(header)
    for j, text in enumerate(header):
        cells[j].text = str(text)
        for run in cells[j].paragraphs[0].runs:
            run.bold = True
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            cells[i * width + j].text = str(value)


class DocxWriter:
    """Streams the compilation into a DOCX package.

    `front_matter(...)` once, `chapter(...)` for each unit in order, `finish()` at the end;
    `out` must stay open until then.
    """

    def __init__(self, out: IO[bytes], *, batch: int | None = None) -> None:
        self.skeleton = _skeleton()
        self.batch = max(1, batch or DOCX_BATCH)
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        with zipfile.ZipFile(io.BytesIO(self.skeleton)) as source:
            self.entries = {name: source.read(name) for name in source.namelist()}
        for name, data in self.entries.items():
            if name == _TYPES and _JPEG_DEFAULT not in data and b'Extension="jpeg"' not in data:
                data = data.replace(b"</Types>", _JPEG_DEFAULT + b"</Types>")
            if name not in (_DOCUMENT, _RELS):
                self.zip.writestr(name, data)
        xml = self.entries[_DOCUMENT]
        body_start = xml.index(b"<w:body>") + len(b"<w:body>")
        self.tail = xml[xml.rindex(b"<w:sectPr") :]  # the section (page size, footer), </body>
        self.body = self.zip.open(_DOCUMENT, "w", force_zip64=True)
        self.body.write(xml[:body_start])
        self.photos: list[Path] = []
        self.document: DocxDocument | None = None
        self.in_batch = 0
        self.first_chapter = True
        section = Document(io.BytesIO(self.skeleton)).sections[0]
        page_width, page_height = section.page_width or 0, section.page_height or 0
        left, right = section.left_margin or 0, section.right_margin or 0
        top, bottom = section.top_margin or 0, section.bottom_margin or 0
        self.max_cx = int(page_width - left - right)
        self.max_cy = int((page_height - top - bottom) * 0.6)

    # -- Batches --

    def _current(self) -> DocxDocument:
        if self.document is None:
            self.document = Document(io.BytesIO(self.skeleton))
            styles = self.document.styles
            self.h1 = styles["Heading 1"].style_id
            self.h2 = styles["Heading 2"].style_id
        return self.document

    def _flush(self) -> None:
        if self.document is None:
            return
        sect_pr = qn("w:sectPr")
        for child in self.document.element.body.iterchildren():
            if child.tag != sect_pr:
                self.body.write(etree.tostring(child, encoding="UTF-8"))
        self.document = None
        self.in_batch = 0
        # A python-docx document is a cycle (package <-> parts) holding its lxml trees, which the
        # collector does not weigh: without a collection here the batches' trees pile up (about
        # 60 kB per chapter, 90 MB for 1,500), with it the writer stays flat.
        gc.collect()

    def _heading(self, text: str, style_id: str) -> Paragraph:
        """A paragraph of the given style id (`add_heading` looks the style up by name, slowly)."""
        paragraph = self._current().add_paragraph(text)
        paragraph._p.style = style_id
        return paragraph

    def _photo(self, path: Path, size: tuple[int, int]) -> None:
        document = self._current()
        self.photos.append(path)
        number = len(self.photos)
        width, height = size
        cx = self.max_cx
        cy = int(cx * height / width)
        if cy > self.max_cy:
            cy = self.max_cy
            cx = int(cy * width / height)
        inline = CT_Inline.new_pic_inline(
            number, f"rIdPhoto{number}", f"photo{number}.jpeg", Emu(cx), Emu(cy)
        )
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run()._r.add_drawing(inline)

    # -- Content --

    def front_matter(self, front: dict[str, Any]) -> None:
        """The title page and the summary tables (`front`: see `compilation.front_matter`)."""
        document = self._current()
        for _i in range(6):
            document.add_paragraph()
        for text in front["titles"]:
            document.add_paragraph(text, style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
        for text in front["lines"]:
            document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self._heading(front["summary"], self.h1)
        for table in front["tables"]:
            self._heading(table["caption"], self.h2)
            _figures_table(document, table["header"], table["rows"])
        self.first_chapter = False

    def chapter(
        self,
        *,
        title: str,
        facts: str,
        figures: Sequence[tuple[str, Any]],
        sections: Sequence[tuple[str, list[str]]],
        photos: Sequence[tuple[Path, tuple[int, int]]],
    ) -> None:
        document = self._current()
        heading = self._heading(title, self.h1)
        if not self.first_chapter:
            heading.paragraph_format.page_break_before = True
        self.first_chapter = False
        document.add_paragraph(facts)
        _figures_table(document, [_("Figure"), _("Value")], figures)
        for section_heading, paragraphs in sections:
            self._heading(section_heading, self.h2)
            for text in paragraphs:
                document.add_paragraph(text).paragraph_format.first_line_indent = Pt(28)
        if photos:
            self._heading(_("Selected photos"), self.h2)
            for path, size in photos:
                self._photo(path, size)
        self.in_batch += 1
        if self.in_batch >= self.batch:
            self._flush()

    def finish(self) -> None:
        """Write the rest of the body, the relationships and the photos; close the package."""
        self._flush()
        self.body.write(self.tail)
        self.body.close()
        rels = self.entries[_RELS]
        photo_rels = "".join(
            f'<Relationship Id="rIdPhoto{n}" Type="{RT.IMAGE}" Target="media/photo{n}.jpeg"/>'
            for n in range(1, len(self.photos) + 1)
        ).encode()
        self.zip.writestr(
            _RELS, rels.replace(b"</Relationships>", photo_rels + b"</Relationships>")
        )
        for n, path in enumerate(self.photos, start=1):
            self.zip.write(path, f"word/media/photo{n}.jpeg", compress_type=zipfile.ZIP_STORED)
        self.zip.close()

    def abort(self) -> None:
        """Close the package after a failure (what was written is discarded by the caller)."""
        if not self.body.closed:
            self.body.close()
        self.zip.close()
