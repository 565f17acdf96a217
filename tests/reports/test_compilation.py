"""The national compilation: the DOCX opens with python-docx and LibreOffice, the PDF with
pdfium, the XLSX with openpyxl, and their figures equal the reports'."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2
import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from sciday.reports import compilation_docx, compilation_pdf
from sciday.reports.compilation import (
    Compilation,
    UnitChapter,
    build_docx,
    build_docx_and_pdf,
    build_pdf,
    build_xlsx,
)
from sciday.reports.compilation_docx import BODY_FONT, HEADING_FONT
from sciday.reports.compilation_pdf import break_lines
from tests.reports.libreoffice import docx_to_pdf
from tests.resources import hostile

LABELS = {
    "activities": "活动场次",
    "participants": "参与人数",
    "online_reach": "线上覆盖人次",
    "volunteers": "志愿者人数",
    "media_reports": "媒体报道篇数",
}
PROVINCES = ["北京市", "浙江省", "四川省", "广东省", "甘肃省"]
KINDS = ["省级科协", "全国学会", "高校科协", "企业科协"]
CHAPTERS = 40


def _opener(data: bytes):
    return lambda: io.BytesIO(data)


def make_compilation(tmp: Path, count: int = CHAPTERS) -> Compilation:
    rng = random.Random(6)
    chapters = []
    for i in range(count):
        photos: list = []
        if i % 2 == 0:  # a file on disk, a tall one, and one opened from storage
            path = tmp / f"photo{i}.jpg"
            path.write_bytes(hostile.jpeg(640, 480))
            photos += [path, _opener(hostile.jpeg(300, 900))]
        if i == 3:  # not a picture: left out, the chapter still prints
            photos.append(_opener(b"not an image at all"))
        chapters.append(
            UnitChapter(
                unit_name=f"第{i + 1}号单位科学技术协会",
                unit_kind_label=KINDS[i % len(KINDS)],
                province=PROVINCES[i % len(PROVINCES)],
                figures={key: rng.randint(0, 5000) for key in LABELS},
                sections=[
                    ("总体情况", f"本单位共组织活动。\n第{i + 1}段：科技工作者日系列活动。"),
                    ("亮点和典型经验", "弘扬科学家精神。"),
                    ("问题和建议", ""),
                ],
                photos=photos,
                submitted_at=datetime(2026, 6, 30, 15, 59, 59, tzinfo=UTC),
                late=i % 7 == 0,
            )
        )
    return Compilation(
        campaign_title="2026年全国科技工作者日活动",
        department_name="中国科协科普部",
        figure_labels=LABELS,
        chapters=chapters,
    )


def expected_sums(compilation: Compilation, attribute: str) -> dict[str, list[int]]:
    sums: dict[str, list[int]] = {}
    for chapter in compilation.chapters:
        row = sums.setdefault(getattr(chapter, attribute), [0] * len(LABELS))
        for j, key in enumerate(LABELS):
            row[j] += chapter.figures[key]
    return sums


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compilation")
    compilation = make_compilation(tmp)
    calls: list[tuple[int, int]] = []
    path = tmp / "compilation.docx"
    with path.open("wb") as out:
        build_docx(compilation, out, progress=lambda done, total: calls.append((done, total)))
    return compilation, path, calls


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_docx_summary_tables_equal_the_sums_of_the_reports(built):
    compilation, path, calls = built
    document = Document(str(path))
    by_province, by_kind = document.tables[0], document.tables[1]
    for table, attribute in ((by_province, "province"), (by_kind, "unit_kind_label")):
        rows = table_rows(table)
        assert rows[0][1:] == list(LABELS.values())
        sums = expected_sums(compilation, attribute)
        got = {row[0]: [int(v) for v in row[1:]] for row in rows[1:-1]}
        assert got == sums
        total = [sum(c.figures[key] for c in compilation.chapters) for key in LABELS]
        assert [int(v) for v in rows[-1][1:]] == total
    assert calls == [(i, CHAPTERS) for i in range(1, CHAPTERS + 1)]


def test_docx_has_one_chapter_per_unit_with_its_figures_text_and_photos(built):
    compilation, path, _calls = built
    document = Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[1:] == [c.unit_name for c in compilation.chapters]
    # Each chapter's own figures table follows the two summary tables, in order.
    for chapter, table in zip(compilation.chapters, document.tables[2:], strict=True):
        rows = table_rows(table)[1:]
        assert rows == [[LABELS[k], str(chapter.figures[k])] for k in LABELS]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "第40段：科技工作者日系列活动。" in text
    facts = [p.text for p in document.paragraphs if p.text.startswith("单位类型：")]
    assert len(facts) == CHAPTERS
    assert (
        facts[0] == "单位类型：省级科协　省级行政区：北京市　提交时间：2026-06-30 23:59　逾期提交"
    )
    assert facts[1].endswith("提交时间：2026-06-30 23:59")
    assert "问题和建议" not in text  # a section left empty prints nothing
    # Two readable photos in every other chapter; the unreadable one is left out.
    assert len(document.inline_shapes) == 2 * (CHAPTERS // 2)
    page_width = document.sections[0].page_width
    margins = document.sections[0].left_margin + document.sections[0].right_margin
    assert max(shape.width for shape in document.inline_shapes) <= page_width - margins


def test_docx_sets_chinese_fonts_and_page_numbers(built):
    _compilation, path, _calls = built
    document = Document(str(path))
    for name, font in (("Normal", BODY_FONT), ("Heading 1", HEADING_FONT)):
        r_fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert r_fonts.get(qn("w:eastAsia")) == font
        assert r_fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would win
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer
    assert 'w:fldCharType="begin"' in footer


def test_libreoffice_converts_the_docx_to_a_pdf_with_the_units(built):
    compilation, path, _calls = built
    out = io.BytesIO(docx_to_pdf(path, timeout=300))
    pdf = pypdfium2.PdfDocument(out.getvalue())
    try:
        assert len(pdf) > CHAPTERS  # a title page, the summary, a page per chapter at least
        last = pdf[len(pdf) - 1].get_textpage().get_text_range()
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    # LibreOffice spaces Latin digits from CJK text ("第 40 号"): compare without white space.
    text = "".join(text.split())
    assert compilation.chapters[-1].unit_name in text
    assert "中国科协科普部" in text
    assert last.strip()
    # Chinese text is drawn with a CJK font embedded in the PDF, not with boxes.
    assert b"CJK" in out.getvalue()


def test_xlsx_cells_equal_the_reports(tmp_path):
    compilation = make_compilation(tmp_path, count=12)
    out = io.BytesIO()
    build_xlsx(compilation, out)
    workbook = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    figures, sums = workbook.worksheets
    assert workbook.sheetnames == ["各单位数据", "按省份和单位类型汇总"]
    rows = list(figures.iter_rows(values_only=True))
    assert rows[0] == ("单位", "单位类型", "省级行政区", *LABELS.values(), "逾期提交")
    assert len(rows) == 1 + len(compilation.chapters)
    for chapter, row in zip(compilation.chapters, rows[1:], strict=True):
        assert row[:3] == (chapter.unit_name, chapter.unit_kind_label, chapter.province)
        assert list(row[3:-1]) == [chapter.figures[k] for k in LABELS]
        assert row[-1] == ("是" if chapter.late else "否")
    sum_rows = list(sums.iter_rows(values_only=True))[1:]
    by_province = {r[1]: list(r[2:]) for r in sum_rows if r[0] == "省级行政区"}
    by_kind = {r[1]: list(r[2:]) for r in sum_rows if r[0] == "单位类型"}
    assert by_province == expected_sums(compilation, "province")
    assert by_kind == expected_sums(compilation, "unit_kind_label")
    total = [sum(c.figures[k] for c in compilation.chapters) for k in LABELS]
    assert list(sum_rows[-1][2:]) == total
    workbook.close()


def pdf_pages_text(data: bytes) -> list[str]:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def pdf_image_count(data: bytes) -> int:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return sum(
            1
            for i in range(len(pdf))
            for obj in pdf[i].get_objects()
            if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
        )
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def built_pdf(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compilation-pdf")
    compilation = make_compilation(tmp)
    calls: list[tuple[int, int]] = []
    out = io.BytesIO()
    pages = build_pdf(compilation, out, progress=lambda done, total: calls.append((done, total)))
    return compilation, out.getvalue(), pages, calls


def test_pdf_has_the_summary_and_one_chapter_per_unit_with_its_photos(built_pdf):
    compilation, data, pages, calls = built_pdf
    texts = pdf_pages_text(data)
    assert len(texts) == pages
    assert calls == [(i, CHAPTERS) for i in range(1, CHAPTERS + 1)]
    flat = ["".join(t.split()) for t in texts]
    assert "2026年全国科技工作者日活动" in flat[0] and "中国科协科普部" in flat[0]
    # The summary: the totals of every figure, by province and by unit kind.
    summary = flat[1]
    assert "按省份" in summary or "By province" in summary
    for province, values in expected_sums(compilation, "province").items():
        assert province + "".join(str(v) for v in values) in summary
    # One chapter per unit, each starting a page, in order, with its own figures.
    starts = [k for k, text in enumerate(flat) if text.startswith("第") and "号单位" in text[:12]]
    assert len(starts) == CHAPTERS
    for chapter, k in zip(compilation.chapters, starts, strict=True):
        assert flat[k].startswith(chapter.unit_name)
        for key, label in LABELS.items():
            assert f"{label}{chapter.figures[key]}" in flat[k]
    assert "第40段：科技工作者日系列活动。" in "".join(flat)
    assert "问题和建议" not in "".join(flat)  # a section left empty prints nothing
    assert "逾期提交" in flat[starts[0]] and "逾期提交" not in flat[starts[1]]
    # Two readable photos in every other chapter; the unreadable one is left out.
    assert pdf_image_count(data) == 2 * (CHAPTERS // 2)


def test_pdf_numbers_its_pages_and_embeds_the_cjk_fonts(built_pdf):
    _compilation, data, _pages, _calls = built_pdf
    texts = pdf_pages_text(data)
    for number, text in enumerate(texts, start=1):
        assert f"— {number} —" in text
    assert b"NotoSerifCJK" in data and b"NotoSansCJK" in data
    assert b"FontFile" in data  # embedded (as subsets), not left to the reader


def test_pdf_in_several_parts_continues_the_page_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(compilation_pdf, "PDF_BATCH", 3)
    monkeypatch.setattr(compilation_docx, "DOCX_BATCH", 2)
    compilation = make_compilation(tmp_path, count=8)
    docx_out, pdf_out = io.BytesIO(), io.BytesIO()
    pages = build_docx_and_pdf(compilation, docx_out, pdf_out)
    texts = pdf_pages_text(pdf_out.getvalue())
    assert len(texts) == pages
    assert [f"— {n} —" in text for n, text in enumerate(texts, start=1)] == [True] * pages
    flat = "".join("".join(t.split()) for t in texts)
    assert all(c.unit_name in flat for c in compilation.chapters)
    # The DOCX written in batches of two chapters is one document with every chapter.
    document = Document(io.BytesIO(docx_out.getvalue()))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[1:] == [c.unit_name for c in compilation.chapters]
    assert len(document.inline_shapes) == 2 * 4


def test_no_chapter_still_writes_both_documents(tmp_path):
    compilation = make_compilation(tmp_path, count=0)
    docx_out, pdf_out = io.BytesIO(), io.BytesIO()
    pages = build_docx_and_pdf(compilation, docx_out, pdf_out)
    assert pages == 2  # the title page and the (empty) summary
    document = Document(io.BytesIO(docx_out.getvalue()))
    assert "0" in "".join(p.text for p in document.paragraphs)


def _width(text: str) -> float:
    return sum(1.0 if ord(ch) > 0x2E80 else 0.5 for ch in text)


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("科技工作者日", 3, ["科技工", "作者日"]),
        # A closing mark never starts a line: it takes the character before it along.
        ("科技工作，者日", 4, ["科技工", "作，者日"]),
        ("科技工。”者日", 4, ["科技", "工。”者", "日"]),
        # An opening mark never ends a line.
        ("科技（工作者", 3, ["科技", "（工作", "者"]),
        ("科技“《工作者", 4, ["科技", "“《工作", "者"]),
        # Latin words and numbers are not split; a space at a break is dropped.
        ("共计 35,000 人次", 5, ["共计", "35,000 人", "次"]),
        ("abcdefghijklmnop", 3, ["abcdef", "ghijkl", "mnop"]),
        ("", 5, [""]),
    ],
)
def test_chinese_line_breaking(text, width, expected):
    lines = break_lines(text, width, _width)
    assert lines == expected
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(_width(line) <= width for line in lines)


def test_the_first_line_of_a_paragraph_leaves_room_for_its_indent():
    assert break_lines("科技工作者日活动", 4, _width, indent=2) == ["科技", "工作者日", "活动"]
