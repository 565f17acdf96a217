"""The public showcase: profiles (/showcase/), a profile, its photo, and the public notice.

Profiles follow the site language: in English, a field without its English text shows the
Chinese one, with a note. The notice page carries the objection form (anonymous allowed).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sciday.campaigns.selectors import campaign_current
from sciday.core.context import client_ip
from sciday.core.errors import DomainError, apply_to_form
from sciday.core.pagecache import public_page
from sciday.resources import serving
from sciday.showcase import selectors, services
from sciday.showcase.forms import ObjectionForm
from sciday.showcase.models import Nomination


def english() -> bool:
    return (get_language() or "").lower().startswith("en")


def localized(nomination: Nomination) -> dict:
    """The profile's texts in the page's language, and whether any fell back to Chinese."""
    if not english():
        return {
            "name": nomination.name,
            "affiliation": nomination.affiliation,
            "field": nomination.field,
            "story": nomination.story_zh or nomination.summary,
            "honour": nomination.honour.name,
            "fallback": False,
        }
    pairs = {
        "name": (nomination.name_en, nomination.name),
        "affiliation": (nomination.affiliation_en, nomination.affiliation),
        "field": (nomination.field_en, nomination.field),
        "story": (nomination.story_en, nomination.story_zh or nomination.summary),
        "honour": (nomination.honour.name_en, nomination.honour.name),
    }
    texts: dict = {key: en or zh for key, (en, zh) in pairs.items()}
    texts["fallback"] = any(not en and zh for en, zh in pairs.values())
    return texts


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


@public_page
@require_GET
def profile_index(request) -> HttpResponse:
    """This year's honourees by honour, and links to earlier years."""
    years = selectors.profile_years()
    current = campaign_current()
    wanted = request.GET.get("year", "")
    year: int | None
    if wanted.isdigit():
        year = int(wanted)
        if year not in years:
            raise Http404
    elif current is not None and current.year in years:
        year = current.year
    else:
        year = years[0] if years else None
    groups: dict = {}
    if year is not None:
        for nomination in selectors.profile_list(year=year):
            nomination.texts = localized(nomination)  # type: ignore[attr-defined]
            groups.setdefault(nomination.honour, []).append(nomination)
    honour_groups = [
        {
            "honour": honour,
            "label": (honour.name_en or honour.name) if english() else honour.name,
            "people": people,
        }
        for honour, people in groups.items()
    ]
    return render(
        request,
        "showcase/public/index.html",
        {
            "year": year,
            "groups": honour_groups,
            "other_years": [y for y in years if y != year],
            "absolute_url": _absolute(request, request.path),
        },
    )


@public_page
@require_GET
def profile_detail(request, pk: int) -> HttpResponse:
    nomination = selectors.profile_get(pk=pk)
    photo = selectors.profile_photo(nomination)
    photo_url = reverse("showcase:photo", args=[pk]) if photo else ""
    return render(
        request,
        "showcase/public/detail.html",
        {
            "profile": nomination,
            "texts": localized(nomination),
            "photo_url": photo_url,
            "og_image": _absolute(request, photo_url) if photo_url else "",
            "absolute_url": _absolute(request, request.path),
            "activities": nomination.related_activities.all(),
            "resources": nomination.related_resources.all(),
            "year": nomination.honour.campaign.year,
        },
    )


@require_GET
def profile_photo(request, pk: int) -> HttpResponseBase:
    """The photo of a published profile (re-encoded on upload: no metadata)."""
    nomination = selectors.profile_get(pk=pk)
    photo = selectors.profile_photo(nomination)
    if photo is None:
        raise Http404
    served = serving.Served(
        name=photo.file.name or "",
        content_type=photo.mime_type,
        filename=f"profile-{pk}.jpg",
        as_attachment=False,
        sha256=photo.sha256,
    )
    return serving.stream(request, photo.file.storage, served, cache_control="public, max-age=300")


def notice_page(request, pk: int) -> HttpResponse:
    """The public notice: who, which unit, the summary; and the objection form while it runs."""
    notice = selectors.notice_get_public(pk=pk)
    if not notice.campaign.is_published:
        raise Http404
    nominations = selectors.notice_nominations(notice=notice)
    form = ObjectionForm(request.POST or None, nominations=nominations)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.objection_file(
                    actor=request.user,
                    notice=notice,
                    text=data["text"],
                    contact=data["contact"],
                    name=data["name"],
                    nomination=data["nomination"],
                    ip=client_ip(request) or "",
                )
            except DomainError as error:
                apply_to_form(form, error)
            else:
                messages.success(
                    request, _("Your objection was received. We will answer you at your contact.")
                )
                return redirect("showcase:notice", pk=pk)
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(
        request,
        "showcase/public/notice.html",
        {
            "notice": notice,
            "nominations": nominations,
            "form": form,
            "is_open": services.notice_is_open(notice),
            "absolute_url": _absolute(request, request.path),
        },
        status=status,
    )
