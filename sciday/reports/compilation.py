"""The national compilation of accepted summary reports: DOCX, PDF and XLSX.

The renderers work on plain dataclasses (`Compilation`, `UnitChapter`); only
`compilation_from_reports` (at the end) reads a department's accepted reports into them. The
background job that stores the three files is `sciday.reports.tasks_compilation`.

- `build_docx_and_pdf`: one pass over the chapters feeds both writers, the DOCX
  (`sciday.reports.compilation_docx`, python-docx, streamed part by part into the package) and
  the PDF (`sciday.reports.compilation_pdf`, fpdf2, written in parts joined at the end), with
  the same content: a title page, the summary tables, then one chapter per unit with its facts,
  figures, narrative sections and photos. `build_docx` and `build_pdf` write one of the two.
- `build_xlsx`: openpyxl in write-only mode (rows streamed to the file): every unit's figures,
  and the sums by province and by unit kind.

Photos (`ReducedPhotos`) are reduced by a pool of `PHOTO_THREADS` threads ahead of the
chapters being written (Pillow decodes and encodes without holding the GIL, so this runs on the
second core while the main thread lays out text): each is opened in turn, decoded at a reduced
scale (JPEG draft mode), turned upright, reduced to at most `PHOTO_MAX_PX` on its long side and
written as a JPEG file that both documents use as it is. No photo is held in memory.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from PIL import Image, ImageOps

from sciday.reports.compilation_docx import DocxWriter
from sciday.reports.compilation_pdf import PdfWriter

# Long side of a photo: about 200 dpi across the type area.
PHOTO_MAX_PX = 1200
PHOTO_QUALITY = 85
PHOTO_THREADS = 2

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


def all_sums(compilation: Compilation) -> dict[str, dict[str, Any]]:
    """The summary tables' figures: by province, by unit kind, and the totals."""
    return {
        "province": sums_by(compilation, "province"),
        "unit_kind_label": sums_by(compilation, "unit_kind_label"),
        "total": totals(compilation),
    }


# --- Photos -------------------------------------------------------------------------------------


def reduce_photo(source: PhotoSource, path: Path) -> tuple[int, int] | None:
    """Write the photo upright as a JPEG of at most PHOTO_MAX_PX at `path`; return its pixel
    size, or None if it cannot be read as a picture."""
    try:
        opened = open(source, "rb") if isinstance(source, str | Path) else source()  # noqa: SIM115
        with opened as stream, Image.open(stream) as image:
            width, height = image.size
            scale = PHOTO_MAX_PX / max(width, height, 1)
            if scale < 1:  # JPEG: decode at the smallest scale that still covers the target
                image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
            ImageOps.exif_transpose(image, in_place=True)
            picture = image if image.mode == "RGB" else image.convert("RGB")
            picture.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX), reducing_gap=2.0)
            picture.save(path, "JPEG", quality=PHOTO_QUALITY)
            return picture.size
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


class ReducedPhotos:
    """The compilation's photos, reduced in the background in chapter order (see the module
    docstring); `get(i)` waits for chapter i's and returns [(file, (width, height))]."""

    def __init__(self, compilation: Compilation, workdir: Path, *, threads: int = PHOTO_THREADS):
        self.pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="photos")
        self.futures: list[list[Future[tuple[int, int] | None]]] = []
        self.paths: list[list[Path]] = []
        for i, chapter in enumerate(compilation.chapters):
            paths = [workdir / f"photo-{i}-{j}.jpeg" for j in range(len(chapter.photos))]
            self.paths.append(paths)
            self.futures.append(
                [
                    self.pool.submit(reduce_photo, source, path)
                    for source, path in zip(chapter.photos, paths, strict=True)
                ]
            )

    def get(self, index: int) -> list[tuple[Path, tuple[int, int]]]:
        found = []
        for future, path in zip(self.futures[index], self.paths[index], strict=True):
            size = future.result()
            if size is not None:  # an unreadable photo is left out; the chapter still prints
                found.append((path, size))
        return found

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


# --- DOCX and PDF -------------------------------------------------------------------------------


def _format_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _content(compilation: Compilation, chapter: UnitChapter) -> dict[str, Any]:
    """What a chapter prints, apart from its photos: the same for the DOCX and the PDF."""
    kind, province, submitted = _("Unit kind"), _("Province"), _("Submitted at")
    facts = [
        f"{kind}：{chapter.unit_kind_label}",
        f"{province}：{chapter.province}",
        f"{submitted}：{_format_time(chapter.submitted_at)}",
    ]
    if chapter.late:
        facts.append(_("Submitted late"))
    sections = []
    for heading, text in chapter.sections:
        paragraphs = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if paragraphs:  # a section the unit left empty prints nothing
            sections.append((heading, paragraphs))
    return {
        "title": chapter.unit_name,
        "facts": "　".join(facts),
        "figures": [
            (label, number(chapter.figures.get(key)))
            for key, label in compilation.figure_labels.items()
        ],
        "sections": sections,
    }


def front_matter(compilation: Compilation) -> dict[str, Any]:
    """The title page and the summary tables, as both documents print them."""
    sums = all_sums(compilation)
    labels = list(compilation.figure_labels.values())
    subtitle = _("Compilation of summary reports")
    tables = []
    for caption, first, groups in (
        (_("By province"), _("Province"), sums["province"]),
        (_("By unit kind"), _("Unit kind"), sums["unit_kind_label"]),
    ):
        rows = [[group, *values.values()] for group, values in groups.items()]
        rows.append([_("Total"), *sums["total"].values()])
        tables.append({"caption": caption, "header": [first, *labels], "rows": rows})
    return {
        "title": f"{compilation.campaign_title} {subtitle}",
        "titles": [compilation.campaign_title, subtitle],
        "lines": [
            compilation.department_name,
            _("%(count)s reports") % {"count": len(compilation.chapters)},
            timezone.localdate().strftime("%Y-%m-%d"),
        ],
        "summary": _("Summary of figures"),
        "tables": tables,
    }


def build_docx_and_pdf(
    compilation: Compilation,
    docx_out: IO[bytes] | None,
    pdf_out: IO[bytes] | None,
    progress: Progress | None = None,
) -> int:
    """Write the compilation as a DOCX to `docx_out` and as a PDF to `pdf_out` (either may be
    None); call `progress(done, total)` after each chapter; return the PDF's number of pages
    (0 without a PDF)."""
    total = len(compilation.chapters)
    work = Path(tempfile.mkdtemp(prefix="sciday-compilation-"))
    photos = ReducedPhotos(compilation, work)
    docx: DocxWriter | None = None
    pdf: PdfWriter | None = None
    try:
        if pdf_out is not None:
            labels = {
                "figure": _("Figure"),
                "value": _("Value"),
                "photos": _("Selected photos"),
            }
            pdf = PdfWriter(work, labels)
        if docx_out is not None:
            docx = DocxWriter(docx_out)
        front = front_matter(compilation)
        for writer in (docx, pdf):
            if writer is not None:
                writer.front_matter(front)
        for index, chapter in enumerate(compilation.chapters):
            content = _content(compilation, chapter)
            reduced = photos.get(index)
            for writer in (docx, pdf):
                if writer is not None:
                    writer.chapter(**content, photos=reduced)
            if progress is not None:
                progress(index + 1, total)
        if docx is not None:
            docx.finish()
            docx = None
        pages = pdf.finish(pdf_out) if pdf is not None and pdf_out is not None else 0
        pdf = None
        return pages
    finally:
        photos.close()
        if docx is not None:
            docx.abort()
        if pdf is not None:
            pdf.abort()
        shutil.rmtree(work, ignore_errors=True)


def build_docx(compilation: Compilation, out: IO[bytes], progress: Progress | None = None) -> None:
    """Write the compilation as a DOCX to `out`."""
    build_docx_and_pdf(compilation, out, None, progress)


def build_pdf(compilation: Compilation, out: IO[bytes], progress: Progress | None = None) -> int:
    """Write the compilation as a PDF to `out`; return its number of pages."""
    return build_docx_and_pdf(compilation, None, out, progress)


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
