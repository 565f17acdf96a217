"""The campaign notice as PDF (GB/T 9704 layout), cached until the campaign changes.

The notice is laid out by the shared official-document renderer (`sciday.core.officialdoc_pdf`),
which takes about a second: the PDF bytes are kept in the default cache under a key holding the
campaign's `updated_at` (every campaigns service bumps it, contacts included), the font settings
and `LAYOUT_VERSION`, so an edit, a font change or a new layout shows on the next request and
every server sharing the cache renders a version once.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.cache import cache

from sciday.campaigns import document, selectors
from sciday.campaigns.models import Campaign

# Bump when the print template or its style sheet changes, so cached PDFs are drawn again.
LAYOUT_VERSION = 1
CACHE_SECONDS = 7 * 24 * 60 * 60


def _settings_digest() -> str:
    fonts = document.notice_fonts()
    text = repr((sorted(fonts.items()), getattr(settings, "NOTICE_LEVEL3_BOLD", False)))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def notice_pdf_key(campaign: Campaign) -> str:
    stamp = campaign.updated_at.timestamp()
    return f"campaigns:notice-pdf:{LAYOUT_VERSION}:{campaign.pk}:{stamp}:{_settings_digest()}"


def notice_pdf(*, campaign: Campaign) -> bytes:
    """Return the campaign's notice as PDF bytes, from the cache when it has not changed."""
    key = notice_pdf_key(campaign)
    pdf = cache.get(key)
    if pdf is None:
        # WeasyPrint takes a second or two to import: only a PDF request pays for it.
        from sciday.core.officialdoc_pdf import render_official_pdf

        contacts = selectors.campaign_contacts(campaign=campaign)
        pdf = render_official_pdf(document.notice_document(campaign, contacts))
        cache.set(key, pdf, timeout=CACHE_SECONDS)
    return pdf


def notice_pdf_filename(campaign: Campaign) -> str:
    """Return the download name: the document's title (or the campaign's name), .pdf."""
    name = campaign.doc_title or campaign.name or f"notice-{campaign.year}"
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name).strip()
    return f"{name}.pdf"
