"""The PDF of the national compilation, written directly with fpdf2.

The same content as the DOCX (`sciday.reports.compilation_docx`): a title page, the summary
tables by province and by unit kind, then one chapter per unit with its facts, its figures, its
narrative sections and its photos. Text is set in Noto Serif CJK SC (body) and Noto Sans CJK SC
(headings), the installed stand-ins for 仿宋 and 黑体, embedded as subsets.

Why not LibreOffice on the DOCX: laying out 1,500 chapters took LibreOffice about 40 ms of CPU
per chapter (it decodes and re-encodes every photo) plus a second of start-up per part, more
than the whole 60 s budget on two cores. fpdf2 places the reduced JPEG files as they are
(DCT pass-through, nothing decoded) and lays out a chapter in about 10 ms.

Memory stays flat: the chapters are written in parts of `PDF_BATCH`, each an FPDF document of
its own written to a file (fpdf2 holds a document's pages and images until it is written);
the parts are then joined by pypdfium2 with the page numbers continued ("— n —", centred).

Chinese line breaking (`break_lines`): a line may break between any two CJK characters but not
before a closing mark (，。、）」…) nor after an opening one (（「“), which then moves to the next
line with its neighbour; Latin words and numbers are not split unless longer than a line; lines
other than the last of a paragraph are justified by spreading the characters.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

PDF_BATCH = 200  # chapters per part: an fpdf2 document rendered by a child process
PART_TIMEOUT = 600  # seconds a part may take
PAGE_MARGINS_MM = (28, 37, 26, 35)  # left, top, right, bottom (GB/T 9704's type area)
BODY_PT, H1_PT, H2_PT, TITLE_PT, FACTS_PT, TABLE_PT = 14, 18, 15, 24, 11, 9.5
LINE_SPACING = 1.5
PT_MM = 25.4 / 72
# fontconfig names of the fonts used for the body (for 仿宋) and the headings (for 黑体).
BODY_FAMILY, HEADING_FAMILY = "Noto Serif CJK SC", "Noto Sans CJK SC"

NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉’”…—·%,.;:?!)]}>")
NO_LINE_END = frozenset("（《「『【〔〈‘“([{<")
_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:/%@#&+_\-']*|\s+|.", re.S)


class FontsMissing(RuntimeError):
    """The CJK fonts the PDF needs are not installed."""


@functools.cache
def font_file(family: str) -> tuple[str, int]:
    """Return (file, index in a collection) of the installed regular face of `family`."""
    fc_match = shutil.which("fc-match")
    if fc_match is not None:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [fc_match, "--format=%{file}|%{index}|%{family}", f"{family}:style=Regular"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        path, _sep, rest = result.stdout.partition("|")
        index, _sep, families = rest.partition("|")
        if result.returncode == 0 and family in families.split(",") and Path(path).is_file():
            return path, int(index or 0)
    raise FontsMissing(f"the font {family} is not installed (Debian: fonts-noto-cjk)")


# --- Line breaking ------------------------------------------------------------------------------


def break_lines(
    text: str, width: float, measure: Callable[[str], float], *, indent: float = 0.0
) -> list[str]:
    """Break one paragraph into lines no wider than `width`, the first `indent` narrower (see
    the module docstring)."""
    tokens: list[str] = []
    for token in _TOKENS.findall(text):
        if len(token) > 1 and not token.isspace() and measure(token) > width:
            tokens.extend(token)  # a word longer than the line is cut anywhere
        else:
            tokens.append(token)
    lines: list[str] = []
    line: list[str] = []
    used = indent
    for token in tokens:
        size = measure(token)
        if used + size > width and line and not token.isspace():
            carry: list[str] = []
            if token[0] in NO_LINE_START:  # closing marks stay with the character before them
                while len(line) > 1 and line[-1][0] in NO_LINE_START:
                    carry.insert(0, line.pop())
                if len(line) > 1:
                    carry.insert(0, line.pop())
            while len(line) > 1 and line[-1][-1] in NO_LINE_END:
                carry.insert(0, line.pop())  # an opening mark goes with what follows it
            lines.append("".join(line).rstrip())
            line = carry
            used = sum(measure(t) for t in carry)
        if token.isspace() and not line:
            continue  # no space at the start of a line
        line.append(token)
        used += size
    if line or not lines:
        lines.append("".join(line).rstrip())
    return lines


# --- The document -------------------------------------------------------------------------------


class _Document(FPDF):
    """An A4 FPDF with the two CJK fonts and "— n —" page numbers from `first_page`."""

    def __init__(self, first_page: int, fonts: dict[str, tuple[str, int]]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        left, top, right, bottom = PAGE_MARGINS_MM
        self.set_margins(left, top, right)
        self.set_auto_page_break(True, margin=bottom)
        self.first_page = first_page
        for name, (path, index) in fonts.items():
            self.add_font(name, fname=path, collection_font_number=index)
        self.set_font("body", size=BODY_PT)
        self.set_creator("sciday")
        self._widths: dict[tuple[str, float, str], float] = {}

    def footer(self) -> None:
        self.set_y(-PAGE_MARGINS_MM[3] + 14)
        self.set_font("body", size=FACTS_PT + 1)
        self.cell(0, 6, f"— {self.first_page + self.page_no() - 1} —", align=Align.C)

    def measure(self, text: str) -> float:
        key = (self.font_family, self.font_size_pt, text)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.get_string_width(text)
        return width

    @property
    def type_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    @property
    def type_height(self) -> float:
        return self.h - self.t_margin - PAGE_MARGINS_MM[3]

    def paragraph(
        self, text: str, *, size: float = BODY_PT, font: str = "body", indent: bool = True
    ) -> None:
        """Set a paragraph: broken into lines, justified but for its last line."""
        self.set_font(font, size=size)
        height = size * PT_MM * LINE_SPACING
        first = 2 * size * PT_MM if indent else 0.0  # two characters
        lines = break_lines(text, self.type_width, self.measure, indent=first)
        for k, line in enumerate(lines):
            offset = first if k == 0 else 0.0
            spacing = 0.0
            if k < len(lines) - 1 and len(line) > 1:
                gap = (self.type_width - offset - self.measure(line)) / (len(line) - 1)
                if 0 < gap < size * PT_MM * 0.5:
                    spacing = gap / PT_MM  # fpdf2 takes character spacing in points
            self.set_char_spacing(spacing)
            self.set_x(self.l_margin + offset)
            self.cell(0, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_char_spacing(0)

    def heading(self, text: str, size: float, *, space_before: float = 3) -> None:
        if self.get_y() > self.t_margin + 1:
            self.ln(space_before)
        height = size * PT_MM * 1.4
        # Keep a heading with at least two lines of what follows it.
        if self.get_y() + height + 2 * BODY_PT * PT_MM * LINE_SPACING > self.page_break_trigger:
            self.add_page()
        self.set_font("heading", size=size)
        for line in break_lines(text, self.type_width, self.measure):
            self.cell(0, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def table_of(
        self, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[float]
    ) -> None:
        self.set_font("body", size=TABLE_PT)
        heading_style = FontFace(family="heading", emphasis=None, fill_color=(235, 235, 235))
        with self.table(
            col_widths=widths,
            width=self.type_width,
            text_align=("LEFT", *(["RIGHT"] * (len(header) - 1))),
            headings_style=heading_style,
            line_height=TABLE_PT * PT_MM * 1.5,
            wrapmode=WrapMode.CHAR,
            padding=(0.8, 1.2),
        ) as table:
            first = table.row()
            for text in header:
                first.cell(str(text), align=Align.C)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(str(value))
        self.ln(2)

    def photo(self, path: Path, size: tuple[int, int]) -> None:
        width, height = size
        max_w, max_h = self.type_width, self.type_height * 0.6
        w = max_w
        h = w * height / width
        if h > max_h:
            h = max_h
            w = h * width / height
        if self.get_y() + h > self.page_break_trigger:
            self.add_page()
        self.image(str(path), x=self.l_margin + (max_w - w) / 2, y=self.get_y(), w=w, h=h)
        self.set_y(self.get_y() + h + 3)


# --- One part, in a process of its own ----------------------------------------------------------


def _front_matter(pdf: _Document, front: dict[str, Any]) -> None:
    pdf.set_title(front["title"])
    pdf.add_page()
    pdf.set_y(pdf.t_margin + 40)
    pdf.set_font("heading", size=TITLE_PT)
    for text in front["titles"]:
        for line in break_lines(text, pdf.type_width, pdf.measure):
            pdf.cell(0, TITLE_PT * PT_MM * 1.6, line, align=Align.C, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(20)
    pdf.set_font("body", size=BODY_PT + 2)
    for text in front["lines"]:
        pdf.cell(0, 10, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.add_page()
    pdf.heading(front["summary"], H1_PT, space_before=0)
    for table in front["tables"]:
        pdf.heading(table["caption"], H2_PT)
        header = table["header"]
        pdf.table_of(header, table["rows"], [2.2, *([1.0] * (len(header) - 1))])


def _chapter(pdf: _Document, chapter: dict[str, Any], labels: dict[str, str]) -> None:
    pdf.add_page()
    pdf.heading(chapter["title"], H1_PT, space_before=0)
    pdf.paragraph(chapter["facts"], size=FACTS_PT, indent=False)
    pdf.ln(2)
    pdf.table_of([labels["figure"], labels["value"]], chapter["figures"], [3, 1])
    for heading, paragraphs in chapter["sections"]:
        pdf.heading(heading, H2_PT)
        for text in paragraphs:
            pdf.paragraph(text)
    if chapter["photos"]:
        pdf.heading(labels["photos"], H2_PT)
        for path, size in chapter["photos"]:
            pdf.photo(Path(path), (int(size[0]), int(size[1])))


def render_part(spec: dict[str, Any], out: Path) -> int:
    """Write one part (a JSON-able `spec`, see `PdfWriter`) as a PDF at `out`; return its pages."""
    fonts = {name: (path, int(index)) for name, (path, index) in spec["fonts"].items()}
    pdf = _Document(first_page=int(spec["first_page"]), fonts=fonts)
    if spec.get("front"):
        _front_matter(pdf, spec["front"])
    for chapter in spec["chapters"]:
        _chapter(pdf, chapter, spec["labels"])
    pdf.output(str(out))
    return pdf.pages_count


def main(argv: list[str]) -> int:
    """`python -m sciday.reports.compilation_pdf SPEC.json OUT.pdf`: print the page count."""
    spec_path, out = Path(argv[0]), Path(argv[1])
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    print(render_part(spec, out))
    return 0


# --- The writer (in the job's process) ----------------------------------------------------------


class PdfError(RuntimeError):
    """A part could not be rendered, or the parts could not be joined."""


class PdfWriter:
    """Writes the compilation's PDF: parts rendered one at a time by a child process, joined.

    The job's process only collects each part's content (texts already translated, the reduced
    photos' files) into a JSON file; a child process (`python -m sciday.reports.compilation_pdf`,
    no Django) lays it out with fpdf2 while the job goes on with the DOCX and the next chapters,
    so the two cores work at once and the fonts and fpdf2's pages are freed with the child. A
    part starts when the previous one has ended, so that its page numbers follow on. `qpdf`
    joins the parts at the end, reading them as it writes (about 90 MB whatever the size).

    `front_matter(front)` once, `chapter(...)` for each unit in order, `finish(out)` at the end,
    `abort()` after a failure.
    """

    def __init__(self, workdir: Path, labels: dict[str, str], *, batch: int | None = None) -> None:
        self.workdir = workdir
        self.labels = labels
        self.batch = max(1, batch or PDF_BATCH)
        self.fonts = {"body": font_file(BODY_FAMILY), "heading": font_file(HEADING_FAMILY)}
        self.qpdf = shutil.which("qpdf")
        if self.qpdf is None:
            raise PdfError("qpdf is not installed (Debian: qpdf)")
        self.parts: list[Path] = []
        self.pages = 0
        self.front: dict[str, Any] | None = None
        self.chapters: list[dict[str, Any]] = []
        self.running: tuple[subprocess.Popen[bytes], Path] | None = None

    def front_matter(self, front: dict[str, Any]) -> None:
        self.front = front

    def chapter(self, **content: Any) -> None:
        photos = [(str(path), list(size)) for path, size in content.pop("photos")]
        self.chapters.append({**content, "photos": photos})
        if len(self.chapters) >= self.batch:
            self._launch()

    def _wait(self) -> None:
        if self.running is None:
            return
        process, path = self.running
        self.running = None
        try:
            stdout, stderr = process.communicate(timeout=PART_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            process.communicate()
            raise PdfError(f"a part of the PDF took more than {PART_TIMEOUT} s") from exc
        if process.returncode != 0 or not path.exists():
            lines = stderr.decode("utf-8", "replace").strip().splitlines()
            raise PdfError(lines[-1] if lines else f"exit status {process.returncode}")
        self.pages += int(stdout.strip() or 0)
        self.parts.append(path)

    def _launch(self) -> None:
        if not self.chapters and self.front is None:
            return
        self._wait()  # the page numbers of this part follow the previous part's
        number = len(self.parts)
        spec = {
            "first_page": self.pages + 1,
            "fonts": self.fonts,
            "labels": self.labels,
            "front": self.front,
            "chapters": self.chapters,
        }
        spec_path = self.workdir / f"part{number:04d}.json"
        spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        out = self.workdir / f"part{number:04d}.pdf"
        process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "sciday.reports.compilation_pdf", str(spec_path), str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[2],
        )
        self.running = (process, out)
        self.front, self.chapters = None, []

    def finish(self, out: IO[bytes]) -> int:
        """Write the joined PDF to `out`; return its number of pages."""
        self._launch()
        self._wait()
        joined = self.workdir / "joined.pdf"
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [str(self.qpdf), "--empty", "--pages", *map(str, self.parts), "--", str(joined)],
            capture_output=True,
            timeout=PART_TIMEOUT,
            check=False,
        )
        if result.returncode not in (0, 3) or not joined.exists():  # 3: warnings only
            raise PdfError(result.stderr.decode("utf-8", "replace").strip()[-300:])
        with joined.open("rb") as stream:
            shutil.copyfileobj(stream, out)
        return self.pages

    def abort(self) -> None:
        """Stop a part still being rendered."""
        if self.running is not None:
            process, _path = self.running
            self.running = None
            if process.poll() is None:
                process.kill()
            process.communicate()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
