"""The national compilation of accepted summary reports: DOCX, PDF and XLSX.

The renderers work on plain dataclasses (`Compilation`, `UnitChapter`), so that the task that
produces a department's compilation only has to read its accepted reports into them; nothing
here touches the database.

- `build_docx`: python-docx. A title page, the summary tables (figures summed by province and
  by unit kind), then one chapter per unit: its heading, its figures, its narrative sections
  and its photos scaled to the width of the type area; page numbers in the footer. Chinese
  text is set in 仿宋 (body) and 黑体 (headings) through the east-Asian font attribute
  (`w:eastAsia`), which Word uses for CJK characters; where those fonts are missing
  (LibreOffice on Linux) CJK glyphs fall back to an installed CJK font (Noto CJK).
- `build_pdf`: the DOCX converted by LibreOffice headless (one layout for both files), in a
  temporary directory with its own user profile and a timeout.
- `build_xlsx`: openpyxl in write-only mode (rows streamed to the file): every unit's figures,
  and the sums by province and by unit kind.

Photos are not held in memory together: each one is opened in turn, reduced by Pillow to at
most `PHOTO_MAX_PX` pixels on its long side, written as a JPEG to a temporary directory, and
put in the package as a part that reads its file only when the DOCX is saved. python-docx's
own `add_picture` is not used because it keeps every image's bytes and compares each new one
with all earlier ones (quadratic for a thousand photos).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.shared import Emu, Pt, RGBColor
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from PIL import Image, ImageOps

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
PHOTO_MAX_PX = 1600  # long side of a photo in the DOCX (about 300 dpi across the type area)
PHOTO_QUALITY = 85
PDF_TIMEOUT = 600  # seconds LibreOffice may take to convert a compilation
# Installed fonts LibreOffice uses for 仿宋 and 黑体 where those are missing (as on Debian):
# without them fontconfig would pick any CJK font (AR PL UKai, a 楷体) for the body.
FALLBACK_FONTS = {BODY_FONT: "Noto Serif CJK SC", HEADING_FONT: "Noto Sans CJK SC"}

# A photo: a path, or a callable that opens it (e.g. `lambda: storage.open(name)`).
PhotoSource = Path | str | Callable[[], IO[bytes]]
Progress = Callable[[int, int], None]


@dataclass
class UnitChapter:
    """One unit's accepted report, as the compilation prints it."""

    unit_name: str
    unit_kind_label: str
    province: str
    figures: dict[str, int]
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, text)
    photos: list[PhotoSource] = field(default_factory=list)
    submitted_at: datetime | None = None
    late: bool = False


@dataclass
class Compilation:
    """A department's compilation: its campaign, the figures' labels (in order), its chapters."""

    campaign_title: str
    department_name: str
    figure_labels: dict[str, str]  # figure key -> label, in the order of the columns
    chapters: list[UnitChapter]


# --- Sums ---------------------------------------------------------------------------------------


def sums_by(compilation: Compilation, attribute: str) -> dict[str, dict[str, int]]:
    """Return {group: {figure key: sum}} by `attribute` of the chapters, groups in first-seen
    order (the caller orders the chapters); a missing figure counts as 0."""
    sums: dict[str, dict[str, int]] = {}
    for chapter in compilation.chapters:
        group = sums.setdefault(
            getattr(chapter, attribute), dict.fromkeys(compilation.figure_labels, 0)
        )
        for key in compilation.figure_labels:
            group[key] += int(chapter.figures.get(key) or 0)
    return sums


def totals(compilation: Compilation) -> dict[str, int]:
    """Return {figure key: sum over every chapter}."""
    return {
        key: sum(int(c.figures.get(key) or 0) for c in compilation.chapters)
        for key in compilation.figure_labels
    }


# --- DOCX ---------------------------------------------------------------------------------------


class _SpooledImagePart(Part):
    """An image part whose bytes stay in a file until the package is written."""

    def __init__(self, partname: PackURI, content_type: str, path: Path) -> None:
        super().__init__(partname, content_type)
        self._path = path

    @property
    def blob(self) -> bytes:
        return self._path.read_bytes()


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


def _figures_table(document: DocxDocument, header: list[str], rows: Iterable[list[Any]]) -> None:
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


class _Photos:
    """Reduces photos to JPEG files in a temporary directory and places them in the DOCX."""

    def __init__(self, document: DocxDocument, workdir: Path) -> None:
        self.document = document
        self.workdir = workdir
        self.count = 0
        self.next_shape_id = document.part.next_id
        section = document.sections[0]
        page_width, page_height = section.page_width or 0, section.page_height or 0
        left, right = section.left_margin or 0, section.right_margin or 0
        top, bottom = section.top_margin or 0, section.bottom_margin or 0
        self.max_cx = int(page_width - left - right)
        self.max_cy = int((page_height - top - bottom) * 0.6)

    def _reduce(self, source: PhotoSource, path: Path) -> tuple[int, int] | None:
        """Write the photo as a JPEG at `path`; return its pixel size, or None if unreadable."""
        try:
            opened = open(source, "rb") if isinstance(source, str | Path) else source()  # noqa: SIM115
            with opened as stream, Image.open(stream) as image:
                image.draft("RGB", (PHOTO_MAX_PX, PHOTO_MAX_PX))  # JPEG: decode at reduced scale
                ImageOps.exif_transpose(image, in_place=True)
                picture = image if image.mode == "RGB" else image.convert("RGB")
                picture.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
                picture.save(path, "JPEG", quality=PHOTO_QUALITY, optimize=True)
                return picture.size
        except (OSError, ValueError, Image.DecompressionBombError):
            return None

    def add(self, source: PhotoSource) -> bool:
        """Add the photo in a paragraph of its own; return False if it could not be read."""
        self.count += 1
        path = self.workdir / f"image{self.count}.jpeg"
        size = self._reduce(source, path)
        if size is None:
            return False
        width, height = size
        cx = self.max_cx
        cy = int(cx * height / width)
        if cy > self.max_cy:
            cy = self.max_cy
            cx = int(cy * width / height)
        part = _SpooledImagePart(PackURI(f"/word/media/{path.name}"), "image/jpeg", path)
        r_id = self.document.part.relate_to(part, RT.IMAGE)
        inline = CT_Inline.new_pic_inline(self.next_shape_id, r_id, path.name, Emu(cx), Emu(cy))
        self.next_shape_id += 1
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run()._r.add_drawing(inline)
        return True


def _heading(document: DocxDocument, text: str, style_id: str) -> Paragraph:
    """Add a paragraph of the given style id: python-docx's `add_heading` looks the style up
    by name each time, which dominates the run time of a compilation of a thousand units."""
    paragraph = document.add_paragraph(text)
    paragraph._p.style = style_id
    return paragraph


def _format_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def build_docx(compilation: Compilation, out: IO[bytes], progress: Progress | None = None) -> None:
    """Write the compilation as a DOCX to `out`; call `progress(done, total)` per chapter."""
    labels = compilation.figure_labels
    total = len(compilation.chapters)
    document = Document()
    _setup_styles(document)
    h1, h2 = document.styles["Heading 1"].style_id, document.styles["Heading 2"].style_id
    section = document.sections[0]
    _add_page_number(section.footer.paragraphs[0])

    # Title page.
    for _i in range(6):
        document.add_paragraph()
    title = document.add_paragraph(compilation.campaign_title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph(_("Compilation of summary reports"), style="Title")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (
        compilation.department_name,
        _("%(count)s reports") % {"count": total},
        timezone.localdate().strftime("%Y-%m-%d"),
    ):
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # Summary tables.
    _heading(document, _("Summary of figures"), h1)
    header_figures = list(labels.values())
    sums_total = totals(compilation)
    for attribute, caption in (
        ("province", _("By province")),
        ("unit_kind_label", _("By unit kind")),
    ):
        _heading(document, caption, h2)
        groups = sums_by(compilation, attribute)
        rows = [[group, *values.values()] for group, values in groups.items()]
        rows.append([_("Total"), *sums_total.values()])
        first = _("Province") if attribute == "province" else _("Unit kind")
        _figures_table(document, [first, *header_figures], rows)

    # One chapter per unit, each starting on a new page.
    label_kind, label_province = _("Unit kind"), _("Province")
    label_submitted = _("Submitted at")
    photos_dir = Path(tempfile.mkdtemp(prefix="sciday-compilation-"))
    try:
        photos = _Photos(document, photos_dir)
        for done, chapter in enumerate(compilation.chapters, start=1):
            title_p = _heading(document, chapter.unit_name, h1)
            title_p.paragraph_format.page_break_before = True
            facts = [
                f"{label_kind}：{chapter.unit_kind_label}",
                f"{label_province}：{chapter.province}",
                f"{label_submitted}：{_format_time(chapter.submitted_at)}",
            ]
            if chapter.late:
                facts.append(_("Submitted late"))
            document.add_paragraph("　".join(facts))
            _figures_table(
                document,
                [_("Figure"), _("Value")],
                ([label, int(chapter.figures.get(key) or 0)] for key, label in labels.items()),
            )
            for heading, text in chapter.sections:
                lines = [line.strip() for line in text.splitlines() if line.strip()]
                if not lines:  # a section the unit left empty
                    continue
                _heading(document, heading, h2)
                for line in lines:
                    paragraph = document.add_paragraph(line)
                    paragraph.paragraph_format.first_line_indent = Pt(28)
            if chapter.photos:
                _heading(document, _("Selected photos"), h2)
                for source in chapter.photos:
                    photos.add(source)
            if progress is not None:
                progress(done, total)
        document.save(out)
    finally:
        shutil.rmtree(photos_dir, ignore_errors=True)


# --- PDF ----------------------------------------------------------------------------------------


class ConversionError(RuntimeError):
    """LibreOffice could not convert the DOCX (missing, timed out, or failed)."""


def soffice_path() -> str | None:
    """Return the LibreOffice executable, or None if it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _fontconfig(directory: Path) -> Path:
    """Write a fontconfig file: the system's, plus FALLBACK_FONTS after their families."""
    aliases = "".join(
        f'<alias binding="same"><family>{family}</family>'
        f"<accept><family>{fallback}</family></accept></alias>"
        for family, fallback in FALLBACK_FONTS.items()
    )
    path = directory / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"{aliases}</fontconfig>",
        encoding="utf-8",
    )
    return path


def docx_to_pdf(docx_path: Path, out: IO[bytes], *, timeout: int = PDF_TIMEOUT) -> None:
    """Convert a DOCX file to PDF with LibreOffice headless, writing the PDF to `out`.

    LibreOffice runs in a temporary directory with its own user profile, so that conversions
    never share (or lock) a profile with another process, and is killed after `timeout`. Its
    fontconfig file adds FALLBACK_FONTS (an installed 仿宋 or 黑体 still comes first).
    """
    executable = soffice_path()
    if executable is None:
        raise ConversionError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="sciday-soffice-") as tmp:
        work = Path(tmp)
        source = work / "compilation.docx"
        shutil.copyfile(docx_path, source)
        command = [
            executable,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(work))}
        try:
            subprocess.run(  # noqa: S603 - fixed arguments, no shell
                command, check=True, capture_output=True, timeout=timeout, cwd=work, env=env
            )
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"LibreOffice took more than {timeout} s") from exc
        except subprocess.CalledProcessError as exc:
            raise ConversionError(exc.stderr.decode(errors="replace")[-500:]) from exc
        pdf = work / "out" / "compilation.pdf"
        if not pdf.exists():
            raise ConversionError("LibreOffice wrote no PDF")
        with pdf.open("rb") as stream:
            shutil.copyfileobj(stream, out)


def build_pdf(
    compilation: Compilation,
    out: IO[bytes],
    progress: Progress | None = None,
    *,
    timeout: int = PDF_TIMEOUT,
) -> None:
    """Write the compilation as a PDF to `out`: the DOCX, converted by LibreOffice."""
    with tempfile.TemporaryDirectory(prefix="sciday-compilation-") as tmp:
        docx_path = Path(tmp) / "compilation.docx"
        with docx_path.open("wb") as stream:
            build_docx(compilation, stream, progress)
        docx_to_pdf(docx_path, out, timeout=timeout)


# --- XLSX ---------------------------------------------------------------------------------------


def build_xlsx(compilation: Compilation, out: IO[bytes]) -> None:
    """Write every unit's figures and the sums by province and unit kind as an XLSX to `out`."""
    labels = compilation.figure_labels
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet: Any, texts: list[str]) -> list[WriteOnlyCell]:
        cells = []
        for text in texts:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            cells.append(cell)
        return cells

    figures = workbook.create_sheet(_("Figures by unit"))
    figures.freeze_panes = "D2"
    figures.append(
        header(
            figures,
            [_("Unit"), _("Unit kind"), _("Province"), *labels.values(), _("Submitted late")],
        )
    )
    for chapter in compilation.chapters:
        figures.append(
            [
                chapter.unit_name,
                chapter.unit_kind_label,
                chapter.province,
                *(int(chapter.figures.get(key) or 0) for key in labels),
                _("Yes") if chapter.late else _("No"),
            ]
        )

    summary = workbook.create_sheet(_("Sums by province and unit kind"))
    summary.append(header(summary, [_("Grouped by"), _("Name"), *labels.values()]))
    for attribute, group_label in (
        ("province", _("Province")),
        ("unit_kind_label", _("Unit kind")),
    ):
        for name, values in sums_by(compilation, attribute).items():
            summary.append([group_label, name, *values.values()])
    summary.append([_("Total"), "", *totals(compilation).values()])
    workbook.save(out)
