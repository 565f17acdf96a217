"""The national compilation: the DOCX opens with python-docx and LibreOffice, the XLSX with
openpyxl, and their figures equal the reports'."""

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

from sciday.reports.compilation import (
    BODY_FONT,
    HEADING_FONT,
    Compilation,
    UnitChapter,
    build_docx,
    build_pdf,
    build_xlsx,
    docx_to_pdf,
)
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
    out = io.BytesIO()
    docx_to_pdf(path, out, timeout=300)
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


def test_build_pdf_writes_a_pdf(tmp_path):
    compilation = make_compilation(tmp_path, count=3)
    out = io.BytesIO()
    build_pdf(compilation, out, timeout=300)
    pdf = pypdfium2.PdfDocument(out.getvalue())
    try:
        assert len(pdf) > 1
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    assert compilation.chapters[0].unit_name in "".join(text.split())
