"""The notice as a PDF file: /notice.pdf (current campaign) and /notice/<year>.pdf.

Same visibility as the HTML notice (unpublished campaigns are 404 except for campaign admins).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from sciday.campaigns import pdf, selectors


@require_GET
def notice_pdf(request: HttpRequest, year: int | None = None) -> HttpResponse:
    campaign = selectors.campaign_for_notice(viewer=request.user, year=year)
    response = HttpResponse(pdf.notice_pdf(campaign=campaign), content_type="application/pdf")
    disposition = content_disposition_header(False, pdf.notice_pdf_filename(campaign))
    if disposition:
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    if not campaign.is_published:  # an admin's preview: never in a shared cache
        response["Cache-Control"] = "private, no-store"
    return response
