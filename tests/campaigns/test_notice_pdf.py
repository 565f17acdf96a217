"""The notice as PDF (GB/T 9704 layout): /notice.pdf and /notice/<year>.pdf."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.conf import settings
from django.core.cache import cache

from sciday.campaigns import document, pdf, selectors, services
from sciday.campaigns.models import Campaign
from sciday.core import officialdoc_pdf
from sciday.core.officialdoc_pdf import LocalOnlyFetcher, RefusedURL, html_to_pdf

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
DOC_NUMBER = "科协发宣字〔2023〕13号"
TITLE = "中国科协 科技部关于开展2023年“全国科技工作者日”活动的通知"


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


_RENDERED: dict[str, bytes] = {}


@pytest.fixture
def notice_2023(db) -> bytes:
    """The 2023 notice (loaded by migration), rendered once per process for the layout tests.

    Function-scoped (inside the test's own database state, where the seeded campaign is),
    with the bytes kept for the next test: rendering takes a second or two.
    """
    if "2023" not in _RENDERED:
        campaign = Campaign.objects.get(year=2023)
        contacts = selectors.campaign_contacts(campaign=campaign)
        _RENDERED["2023"] = officialdoc_pdf.render_official_pdf(
            document.notice_document(campaign, contacts)
        )
    return _RENDERED["2023"]


@pytest.fixture
def pages(notice_2023):
    pdf_doc = pdfium.PdfDocument(notice_2023)
    yield [pdf_doc[index] for index in range(len(pdf_doc))]
    pdf_doc.close()


def _text(page) -> str:
    return page.get_textpage().get_text_range()


def _page_number_box(page) -> tuple[str, float, float]:
    """Return the page number's text and its left and right x, found below the type area."""
    textpage = page.get_textpage()
    boxes = []
    for index in range(textpage.count_chars()):
        left, _bottom, right, top = textpage.get_charbox(index)
        char = textpage.get_text_range(index, 1)
        if top < 35 * MM and char.strip():  # below the type area (bottom margin 35 mm)
            boxes.append((char, left, right))
    assert boxes, "no page number"
    return "".join(c for c, _, _ in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes)


def test_it_opens_and_every_page_is_a4(pages):
    assert 2 <= len(pages) <= 10
    for page in pages:
        width, height = page.get_size()
        assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1


def test_the_first_page_has_the_number_and_the_title(pages):
    first = _squeeze(_text(pages[0]))
    assert DOC_NUMBER in first
    assert _squeeze(TITLE) in first
    assert first.index("中国科协") < first.index(DOC_NUMBER) < first.index("全国科技工作者日")
    assert "各省、自治区、直辖市科协" in first


def test_the_whole_text_is_there(pages):
    text = _squeeze("".join(_text(page) for page in pages))
    for words in ["一、活动主题", "点亮精神火炬", "六、联系方式", "xuanchuanchu@cast.org.cn"]:
        assert words in text
    assert "（此件主动公开）" in text
    assert "2023年4月26日" in text


def test_page_numbers_right_on_odd_pages_left_on_even_pages(pages):
    width = A4[0]
    one_char = 14  # 4号, in points: one character in from the type area's edge
    for number, page in enumerate(pages, start=1):
        text, left, right = _page_number_box(page)
        assert _squeeze(text) == f"—{number}—"
        if number % 2:
            assert left > width / 2
            assert abs((width - 26 * MM - one_char) - right) < 4
        else:
            assert right < width / 2
            assert abs((28 * MM + one_char) - left) < 4


def test_the_imprint_is_on_the_last_page_only(pages):
    *others, last = pages
    assert "中国科协办公厅2023年4月26日印发" in _squeeze(_text(last))
    for page in others:
        assert "印发" not in _squeeze(_text(page))


def test_the_imprint_sits_at_the_bottom_of_the_type_area(pages):
    textpage = pages[-1].get_textpage()
    text = textpage.get_text_range()
    index = text.index("印发")
    _, bottom, _, _ = textpage.get_charbox(index)
    # Its last rule is the bottom of the type area (35 mm up): the line sits just above it.
    assert 35 * MM < bottom < 35 * MM + 11 * MM


def test_copy_to_is_drawn_with_a_full_stop(campaign_2023):
    campaign_2023.copy_to = "各省、自治区、直辖市科协，中国科协各部门"
    doc = document.notice_document(campaign_2023)
    with pdfium.PdfDocument(officialdoc_pdf.render_official_pdf(doc)) as rendered:
        last = _squeeze(_text(rendered[len(rendered) - 1]))
    assert "抄送：各省、自治区、直辖市科协，中国科协各部门。" in last


def test_joint_issuers_are_spread_to_the_same_width():
    lines = officialdoc_pdf.issuer_lines(["中国科协", "科技部"])
    assert lines[0] == ("中国科", "协", "0.000em")
    assert lines[1] == ("科技", "部", "0.500em")


# --- Nothing is fetched from outside ----------------------------------------------------------


def test_the_fetcher_refuses_the_network_and_stray_files():
    fetcher = LocalOnlyFetcher()
    for url in [
        "http://127.0.0.1/x.png",
        "https://example.com/font.woff2",
        "ftp://example.com/x",
        "file:///etc/passwd",
        f"file://{Path(settings.BASE_DIR) / 'pyproject.toml'}",
    ]:
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_the_fetcher_serves_data_uris_and_static_files():
    fetcher = LocalOnlyFetcher()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    css = Path(settings.BASE_DIR) / "sciday" / "static" / "css" / "notice.css"
    response = fetcher.fetch(css.as_uri())
    assert response.read() == css.read_bytes()
    assert response.content_type == "text/css"


def test_rendering_makes_no_network_request():
    """A page pointing at a local server: the server never sees a connection."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    port = server.getsockname()[1]
    connections: list[object] = []

    def accept() -> None:
        with contextlib.suppress(TimeoutError):
            connections.append(server.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    html = (
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        f'<p>正文<img src="http://127.0.0.1:{port}/x.png"></p>'
    )
    try:
        result = html_to_pdf(html)
    finally:
        thread.join()
        server.close()
    assert result.startswith(b"%PDF-")
    assert connections == []


# --- The views --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_current_notice_as_pdf(client, campaign_2023):
    cache.clear()
    response = client.get("/notice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename*=utf-8''")
    assert disposition.endswith(".pdf")
    assert response.content.startswith(b"%PDF-")
    assert client.get("/notice/2023.pdf").content == response.content


@pytest.mark.django_db
def test_the_pdf_is_cached_until_the_campaign_changes(client, campaign_2023, campaign_admin):
    cache.clear()
    client.get("/notice/2023.pdf")
    assert cache.get(pdf.notice_pdf_key(campaign_2023)) is not None
    services.campaign_update(
        actor=campaign_admin, campaign=campaign_2023, annotation="（此件公开发布）"
    )
    campaign_2023.refresh_from_db()
    assert cache.get(pdf.notice_pdf_key(campaign_2023)) is None
    response = client.get("/notice/2023.pdf")
    with pdfium.PdfDocument(response.content) as rendered:
        text = "".join(_text(rendered[i]) for i in range(len(rendered)))
    assert "（此件公开发布）" in text


@pytest.mark.django_db
def test_unknown_and_unpublished_years_are_404_for_anonymous(client, campaign_admin, campaign_2023):
    assert client.get("/notice/2019.pdf").status_code == 404
    services.campaign_copy(actor=campaign_admin, source=campaign_2023, year=2024)
    assert client.get("/notice/2024.pdf").status_code == 404


@pytest.mark.django_db
def test_campaign_admins_preview_an_unpublished_notice(admin_client, campaign_admin, campaign_2023):
    services.campaign_copy(actor=campaign_admin, source=campaign_2023, year=2024)
    response = admin_client.get("/notice/2024.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_notice_page_links_to_the_pdf(client, campaign_2023):
    page = client.get("/notice/").content.decode()
    assert 'href="/notice.pdf"' in page
    assert "下载PDF" in page
