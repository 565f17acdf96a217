"""The national compilation of accepted summary reports: DOCX, PDF and XLSX.

The renderers work on plain dataclasses (`Compilation`, `UnitChapter`); only
`compilation_from_reports` (at the end) reads a department's accepted reports into them. The
background job that stores the three files is `sciday.reports.tasks_compilation`.

- `build_docx`: python-docx. A title page, the summary tables (figures summed by province and
  by unit kind), then one chapter per unit: its heading, its figures, its narrative sections
  and its photos scaled to the width of the type area; page numbers in the footer. Chinese
  text is set in 仿宋 (body) and 黑体 (headings) through the east-Asian font attribute
  (`w:eastAsia`), which Word uses for CJK characters; where those fonts are missing
  (LibreOffice on Linux) CJK glyphs fall back to an installed CJK font (Noto CJK).
- `build_pdf` / `build_docx_and_pdf`: the DOCX converted by LibreOffice headless (one layout
  for both files), in a temporary directory with its own user profile and a timeout, in parts
  of `PDF_BATCH` chapters (page numbers continued, parts joined with pypdfium2), so that one
  LibreOffice never lays out a thousand chapters at once.
- `build_xlsx`: openpyxl in write-only mode (rows streamed to the file): every unit's figures,
  and the sums by province and by unit kind.

Photos are not held in memory together: each one is opened in turn, reduced by Pillow to at
most `PHOTO_MAX_PX` pixels on its long side, written as a JPEG to a temporary directory, and
put in the package as a part that reads its file only when the DOCX is saved. python-docx's
own `add_picture` is not used because it keeps every image's bytes and compares each new one
with all earlier ones (quadratic for a thousand photos).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pypdfium2
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
# Long side of a photo: about 200 dpi across the type area (at 1,600 px LibreOffice held
# 7.7 MB per photo of a part decoded).
PHOTO_MAX_PX = 1200
PHOTO_QUALITY = 85
PDF_TIMEOUT = 600  # seconds LibreOffice may take to convert one part of a compilation
PDF_BATCH = 60  # chapters per LibreOffice conversion: it keeps a part's photos decoded at once
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
    figures: dict[str, int | float]
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


def number(value: Any) -> int | float:
    """A figure as printed: whole numbers as int, decimals (volunteer hours) to 2 places."""
    if value is None or isinstance(value, bool):
        return 0
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 2)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def sums_by(compilation: Compilation, attribute: str) -> dict[str, dict[str, int | float]]:
    """Return {group: {figure key: sum}} by `attribute` of the chapters, groups in first-seen
    order (the caller orders the chapters); a missing figure counts as 0."""
    sums: dict[str, dict[str, int | float]] = {}
    for chapter in compilation.chapters:
        group = sums.setdefault(
            getattr(chapter, attribute), dict.fromkeys(compilation.figure_labels, 0)
        )
        for key in compilation.figure_labels:
            group[key] = number(group[key] + number(chapter.figures.get(key)))
    return sums


def totals(compilation: Compilation) -> dict[str, int | float]:
    """Return {figure key: sum over every chapter}."""
    return {
        key: number(sum(number(c.figures.get(key)) for c in compilation.chapters))
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

    def __init__(
        self,
        document: DocxDocument,
        workdir: Path,
        prefix: str = "",
        cache: dict[Any, tuple[Path, tuple[int, int]] | None] | None = None,
    ) -> None:
        self.document = document
        self.workdir = workdir
        self.prefix = prefix
        self.cache = cache  # (chapter, photo) -> reduced file and size: reduced once per job
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

    def add(self, source: PhotoSource, key: Any = None) -> bool:
        """Add the photo in a paragraph of its own; return False if it could not be read."""
        self.count += 1
        if self.cache is not None and key in self.cache:
            found = self.cache[key]
            if found is None:
                return False
            path, size = found
        else:
            path = self.workdir / f"{self.prefix}image{self.count}.jpeg"
            reduced = self._reduce(source, path)
            if self.cache is not None:
                self.cache[key] = None if reduced is None else (path, reduced)
            if reduced is None:
                return False
            size = reduced
        width, height = size
        cx = self.max_cx
        cy = int(cx * height / width)
        if cy > self.max_cy:
            cy = self.max_cy
            cx = int(cy * width / height)
        media = PackURI(f"/word/media/image{self.count}.jpeg")
        part = _SpooledImagePart(media, "image/jpeg", path)
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
    total = len(compilation.chapters)
    photos_dir = Path(tempfile.mkdtemp(prefix="sciday-compilation-"))
    try:
        document = _document(
            compilation, range(total), photos_dir, progress=progress, front_matter=True
        )
        document.save(out)
    finally:
        shutil.rmtree(photos_dir, ignore_errors=True)


def set_first_page_number(document: DocxDocument, number: int) -> None:
    """Start the page numbers of the document's first section at `number`."""
    sect_pr = document.sections[0]._sectPr
    pg = sect_pr.find(qn("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        sect_pr.append(pg)
    pg.set(qn("w:start"), str(number))


def _document(
    compilation: Compilation,
    indexes: range,
    photos_dir: Path,
    *,
    progress: Progress | None,
    front_matter: bool,
    cache: dict | None = None,
) -> DocxDocument:
    """Return a DOCX document of the chapters `indexes`, preceded by the title page and the
    summary tables when `front_matter`; photos are spooled to `photos_dir` (kept until saved)."""
    labels = compilation.figure_labels
    total = len(compilation.chapters)
    document = Document()
    _setup_styles(document)
    h1, h2 = document.styles["Heading 1"].style_id, document.styles["Heading 2"].style_id
    section = document.sections[0]
    _add_page_number(section.footer.paragraphs[0])
    if front_matter:
        _front_matter(document, compilation, h1, h2)
    label_kind, label_province = _("Unit kind"), _("Province")
    label_submitted = _("Submitted at")
    photos = _Photos(document, photos_dir, prefix=f"c{indexes.start}-", cache=cache)
    for index in indexes:
        chapter = compilation.chapters[index]
        title_p = _heading(document, chapter.unit_name, h1)
        if front_matter or index != indexes.start:
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
            ([label, number(chapter.figures.get(key))] for key, label in labels.items()),
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
            for j, source in enumerate(chapter.photos):
                photos.add(source, key=(index, j))
        if progress is not None:
            progress(index + 1, total)
    return document


def _front_matter(document: DocxDocument, compilation: Compilation, h1: str, h2: str) -> None:
    total = len(compilation.chapters)
    labels = compilation.figure_labels
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


class _Conversion:
    """One LibreOffice headless conversion of a DOCX file to PDF, running in the background.

    LibreOffice runs in a directory of its own with its own user profile, so that conversions
    never share (or lock) a profile with another process, and is killed after `timeout`. Its
    fontconfig file adds FALLBACK_FONTS (an installed 仿宋 or 黑体 still comes first).
    """

    def __init__(self, docx_path: Path, work: Path, *, timeout: int) -> None:
        executable = soffice_path()
        if executable is None:
            raise ConversionError("LibreOffice (soffice) is not installed")
        work.mkdir(parents=True, exist_ok=True)
        self.timeout = timeout
        self.pdf = work / "out" / (docx_path.stem + ".pdf")
        command = [
            executable,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "out"),
            str(docx_path),
        ]
        env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(work))}
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=work,
            env=env,
            start_new_session=True,
        )
        self.started = time.monotonic()

    def wait(self) -> Path:
        """Wait for the PDF; return its path. ConversionError if LibreOffice failed."""
        remaining = max(1.0, self.timeout - (time.monotonic() - self.started))
        try:
            _out, err = self.process.communicate(timeout=remaining)
        except subprocess.TimeoutExpired as exc:
            self.kill()
            raise ConversionError(f"LibreOffice took more than {self.timeout} s") from exc
        if self.process.returncode != 0:
            raise ConversionError(err.decode(errors="replace")[-500:])
        if not self.pdf.exists():
            raise ConversionError("LibreOffice wrote no PDF")
        return self.pdf

    def kill(self) -> None:
        """Kill LibreOffice (and its children) if it still runs."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.communicate()


def docx_to_pdf(docx_path: Path, out: IO[bytes], *, timeout: int = PDF_TIMEOUT) -> None:
    """Convert a DOCX file to PDF with LibreOffice headless, writing the PDF to `out`."""
    with tempfile.TemporaryDirectory(prefix="sciday-soffice-") as tmp:
        work = Path(tmp)
        source = work / "compilation.docx"
        shutil.copyfile(docx_path, source)
        conversion = _Conversion(source, work, timeout=timeout)
        try:
            pdf = conversion.wait()
        finally:
            conversion.kill()
        with pdf.open("rb") as stream:
            shutil.copyfileobj(stream, out)


def _pdf_pages(path: Path) -> int:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def _merge_pdfs(paths: list[Path], out: IO[bytes]) -> None:
    merged = pypdfium2.PdfDocument.new()
    try:
        for path in paths:
            part = pypdfium2.PdfDocument(str(path))
            try:
                merged.import_pages(part)
            finally:
                part.close()
        merged.save(out)
    finally:
        merged.close()


def build_docx_and_pdf(
    compilation: Compilation,
    docx_out: IO[bytes] | None,
    pdf_out: IO[bytes],
    progress: Progress | None = None,
    *,
    batch: int = PDF_BATCH,
    timeout: int = PDF_TIMEOUT,
) -> None:
    """Write the compilation as a PDF to `pdf_out` (and as one DOCX to `docx_out` if given).

    One LibreOffice conversion of 1,500 chapters takes ~700 MB, so the PDF is made in parts of
    `batch` chapters: each part is a DOCX that LibreOffice converts while the next part is
    built here; each part's page numbers start after the previous part's last page
    (`w:pgNumType w:start`); the parts are then joined with pypdfium2. Photos are reduced once
    and reused by the parts and the whole DOCX. `progress(done, total)` counts the chapters
    converted; `timeout` is per part.
    """
    total = len(compilation.chapters)
    batch = max(1, batch)
    parts = [range(i, min(i + batch, total)) for i in range(0, total, batch)] or [range(0)]
    with tempfile.TemporaryDirectory(prefix="sciday-compilation-") as tmp:
        work = Path(tmp)
        photos_dir = work / "photos"
        photos_dir.mkdir()
        cache: dict[Any, tuple[Path, tuple[int, int]] | None] = {}
        running: tuple[_Conversion, range] | None = None
        pages = 0
        pdfs: list[Path] = []
        try:
            for k, indexes in enumerate(parts):
                document = _document(
                    compilation,
                    indexes,
                    photos_dir,
                    progress=None,
                    front_matter=k == 0,
                    cache=cache,
                )
                if running is not None:
                    pages += _finish(running, pdfs, progress, total)
                    running = None
                set_first_page_number(document, pages + 1)
                docx_path = work / f"part{k:03d}.docx"
                document.save(str(docx_path))
                del document
                running = (_Conversion(docx_path, work / f"soffice{k}", timeout=timeout), indexes)
            if docx_out is not None:  # built while LibreOffice converts the last part
                whole = _document(
                    compilation,
                    range(total),
                    photos_dir,
                    progress=None,
                    front_matter=True,
                    cache=cache,
                )
                whole.save(docx_out)
                del whole
            if running is not None:
                pages += _finish(running, pdfs, progress, total)
                running = None
        finally:
            if running is not None:
                running[0].kill()
        _merge_pdfs(pdfs, pdf_out)


def _finish(
    running: tuple[_Conversion, range], pdfs: list[Path], progress: Progress | None, total: int
) -> int:
    """Wait for a part's conversion; return its number of pages."""
    conversion, indexes = running
    pdf = conversion.wait()
    pdfs.append(pdf)
    if progress is not None:
        progress(indexes.stop, total)
    return _pdf_pages(pdf)


def build_pdf(
    compilation: Compilation,
    out: IO[bytes],
    progress: Progress | None = None,
    *,
    timeout: int = PDF_TIMEOUT,
    batch: int = PDF_BATCH,
) -> None:
    """Write the compilation as a PDF to `out`: DOCX parts converted by LibreOffice, joined."""
    build_docx_and_pdf(compilation, None, out, progress, batch=batch, timeout=timeout)


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
                *(number(chapter.figures.get(key)) for key in labels),
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


# --- From the database --------------------------------------------------------------------------


def _opener(storage: Any, name: str) -> Callable[[], IO[bytes]]:
    return lambda: storage.open(name, "rb")


def compilation_from_reports(campaign: Any, department: Any) -> Compilation:
    """Return the compilation of the campaign's ACCEPTED reports routed to `department`.

    Figures in the campaign's order (`figure_list`), the narrative sections, the selected photos
    (opened from storage only when the DOCX is written), ordered by province (units without a
    region, such as national societies, last) and then by unit.
    """
    from sciday.orgs.models import Region
    from sciday.reports.figures import figure_list, flatten
    from sciday.reports.models import SECTIONS, Report, Section, Status

    labels = {figure.code: figure.label for figure in figure_list(campaign)}
    reports = list(
        Report.objects.filter(campaign=campaign, department=department, status=Status.ACCEPTED)
        .select_related("unit", "unit__region")
        .prefetch_related("resources")
    )
    provinces = dict(
        Region.objects.filter(
            code__in={r.unit.province_code for r in reports if r.unit.region_id}
        ).values_list("code", "name")
    )
    national = _("National")
    section_labels = {name: str(Section(name).label) for name in SECTIONS}
    keyed = []
    for report in reports:
        unit = report.unit
        code = unit.province_code
        province = provinces.get(code or "", national)
        photos: list[PhotoSource] = [
            _opener(resource.file.storage, resource.file.name or "")
            for resource in sorted(report.resources.all(), key=lambda r: r.pk)
            if resource.kind == "photo" and resource.file
        ]
        chapter = UnitChapter(
            unit_name=unit.name,
            unit_kind_label=str(unit.get_kind_display()),
            province=province,
            figures=flatten(report.figures or {}),
            sections=[(section_labels[name], getattr(report, name)) for name in SECTIONS],
            photos=photos,
            submitted_at=report.last_submitted_at or report.submitted_at,
            late=report.is_late,
        )
        keyed.append(((code is None, code or "", unit.path), chapter))
    keyed.sort(key=lambda pair: pair[0])
    return Compilation(
        campaign_title=str(campaign),
        department_name=department.name,
        figure_labels=labels,
        chapters=[chapter for _key, chapter in keyed],
    )
