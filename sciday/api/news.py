"""News and announcements (`/news`). Reads through `sciday.news.selectors`, writes through
`sciday.news.services` (which check `sciday.news.policy`, validate and audit).

Published items are public (anonymous callers included); other statuses only in their editors'
and approvers' scope (404 outside it, 403 when seen but the action is not theirs).
"""

from __future__ import annotations

import json
from datetime import datetime

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from sciday.api.activity_schemas import ReasonIn, local
from sciday.api.auth import OPTIONAL, REQUIRED
from sciday.api.schemas import errors, paginate
from sciday.campaigns.models import Campaign
from sciday.campaigns.selectors import campaign_current
from sciday.core.errors import DomainError
from sciday.news import policy, selectors, services
from sciday.news.models import NewsItem
from sciday.news.policy import Cap
from sciday.orgs.models import Unit

router = Router(tags=["news"], auth=OPTIONAL)


class AttachmentOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    url: str


class NewsOut(Schema):
    id: int
    campaign: int
    unit: int
    unit_name: str
    category: str
    category_label: str
    title: str
    summary: str
    status: str
    pinned: bool
    published_at: datetime | None
    url: str
    cover_url: str

    @staticmethod
    def fields_of(item: NewsItem) -> dict:
        return {
            "id": item.pk,
            "campaign": item.campaign.year,
            "unit": item.unit_id,
            "unit_name": item.unit.name,
            "category": item.category,
            "category_label": str(item.get_category_display()),
            "title": item.title,
            "summary": item.summary,
            "status": item.status,
            "pinned": item.pinned,
            "published_at": local(item.published_at),
            "url": reverse("news:detail", args=[item.pk]) if item.is_public else "",
            "cover_url": item.cover_url,
        }


class NewsEventOut(Schema):
    from_status: str
    to_status: str
    actor: str
    reason: str
    at: datetime


class NewsDetailOut(NewsOut):
    body: str
    source_name: str
    source_url: str
    return_reason: str
    withdraw_reason: str
    submitted_at: datetime | None
    attachments: list[AttachmentOut]
    transitions: list[str]
    editable: bool
    events: list[NewsEventOut] | None


class NewsPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[NewsOut]


class NewsFiltersIn(Schema):
    category: str = ""
    q: str = Field("", max_length=100)
    scope: str = Field("", description="`workspace`: every status of the items you edit")
    status: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=200)


class NewsCreateIn(Schema):
    unit: int
    category: str
    title: str = Field(max_length=200)
    campaign: int | None = Field(None, description="The campaign's year (default: current)")
    summary: str = Field("", max_length=500)
    body: str = ""
    source_name: str = Field("", max_length=100)
    source_url: str = Field("", max_length=500)
    attachments: list[int] = []


class NewsPatchIn(Schema):
    category: str | None = None
    title: str | None = Field(None, max_length=200)
    summary: str | None = Field(None, max_length=500)
    body: str | None = None
    source_name: str | None = Field(None, max_length=100)
    source_url: str | None = Field(None, max_length=500)
    attachments: list[int] | None = None


def _detail(user, item: NewsItem) -> NewsDetailOut:
    show_events = (
        policy.can(user, Cap.EDIT, item)
        or policy.can(user, Cap.APPROVE, item)
        or policy.has_global(user, Cap.VIEW)
    )
    attachments = [r for r in item.attachments.all() if r.status == "published" or show_events]
    return NewsDetailOut(
        **NewsOut.fields_of(item),
        body=item.body,
        source_name=item.source_name,
        source_url=item.source_url,
        return_reason=item.return_reason,
        withdraw_reason=item.withdraw_reason,
        submitted_at=local(item.submitted_at),
        attachments=[
            AttachmentOut(
                id=r.pk,
                title=r.title,
                kind=r.kind,
                status=r.status,
                url=reverse("resources:detail", args=[r.pk]) if r.status == "published" else "",
            )
            for r in attachments
        ],
        transitions=[str(t) for t in services.news_transitions(user, item)],
        editable=services.news_may_edit(user, item),
        events=[
            NewsEventOut(
                from_status=e.from_status,
                to_status=e.to_status,
                actor=e.actor_repr,
                reason=e.reason,
                at=local(e.created_at),  # type: ignore[arg-type]
            )
            for e in selectors.news_events(item=item)
        ]
        if show_events
        else None,
    )


def _fresh(user, pk: int) -> NewsDetailOut:
    return _detail(user, selectors.news_get(viewer=user, pk=pk))


@router.get(
    "/news",
    response={200: NewsPage, **errors(401)},
    summary="Published news, pinned first then newest (scope=workspace: the items you edit)",
)
def news_list(request, filters: Query[NewsFiltersIn]):
    user = request.auth
    category = filters.category or None
    if filters.scope == "workspace":
        if not getattr(user, "is_authenticated", False):
            raise DomainError(_("Sign in to see your unit's news."), code="unauthorized")
        qs = selectors.news_workspace_list(
            viewer=user, tab="mine", status=filters.status or None, category=category
        )
    else:
        qs = selectors.news_public_list(category=category)
    q = filters.q.strip()
    if q and filters.scope != "workspace":
        ids = selectors.news_public_search(q=q, category=category)
        start = (filters.page - 1) * filters.page_size
        page_ids = ids[start : start + filters.page_size]
        found = qs.in_bulk(page_ids) if page_ids else {}
        count, rows = len(ids), [found[pk] for pk in page_ids if pk in found]
    else:
        count, rows = paginate(qs, filters.page, filters.page_size)
    return NewsPage(
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        items=[NewsOut(**NewsOut.fields_of(i)) for i in rows],
    )


@router.get("/news/{item_id}", response={200: NewsDetailOut, **errors(404)})
def news_detail(request, item_id: int):
    return _fresh(request.auth, item_id)


_WRITES = {**errors(400, 403, 404, 409)}


@router.post(
    "/news",
    auth=REQUIRED,
    response={201: NewsDetailOut, **_WRITES},
    summary="Write a draft item for one of your units",
)
def news_create(request, data: NewsCreateIn):
    unit = get_object_or_404(Unit, pk=data.unit)
    if data.campaign is None:
        campaign = campaign_current()
    else:
        campaign = Campaign.objects.filter(year=data.campaign).first()
    if campaign is None:
        raise DomainError(
            _("There is no campaign for %(year)s.") % {"year": data.campaign},
            field="campaign",
            code="unknown_reference",
        )
    item = services.news_create(
        actor=request.auth,
        campaign=campaign,
        unit=unit,
        **data.model_dump(exclude={"unit", "campaign"}),
    )
    return Status(201, _fresh(request.auth, item.pk))


@router.patch(
    "/news/{item_id}",
    auth=REQUIRED,
    response={200: NewsDetailOut, **_WRITES},
    summary="Change some fields of a draft, returned or withdrawn item",
)
def news_update(request, item_id: int, data: NewsPatchIn):
    item = selectors.news_get(viewer=request.auth, pk=item_id, cap=Cap.EDIT)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:  # pragma: no cover - ninja has already refused it
        body = {}
    extra = sorted(set(body) - set(NewsPatchIn.model_fields)) if isinstance(body, dict) else []
    if extra:
        raise DomainError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(extra)},
            field=extra[0],
            code="not_editable",
        )
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    services.news_update(actor=request.auth, item=item, **changes)
    return _fresh(request.auth, item_id)


def _get(request, item_id: int, cap: Cap) -> NewsItem:
    return selectors.news_get(viewer=request.auth, pk=item_id, cap=cap)


@router.post("/news/{item_id}/submit", auth=REQUIRED, response={200: NewsDetailOut, **_WRITES})
def news_submit(request, item_id: int):
    services.news_submit(actor=request.auth, item=_get(request, item_id, Cap.EDIT))
    return _fresh(request.auth, item_id)


@router.post("/news/{item_id}/approve", auth=REQUIRED, response={200: NewsDetailOut, **_WRITES})
def news_approve(request, item_id: int):
    services.news_approve(actor=request.auth, item=_get(request, item_id, Cap.APPROVE))
    return _fresh(request.auth, item_id)


@router.post("/news/{item_id}/return", auth=REQUIRED, response={200: NewsDetailOut, **_WRITES})
def news_return(request, item_id: int, data: ReasonIn):
    item = _get(request, item_id, Cap.APPROVE)
    services.news_return(actor=request.auth, item=item, reason=data.reason)
    return _fresh(request.auth, item_id)


@router.post("/news/{item_id}/withdraw", auth=REQUIRED, response={200: NewsDetailOut, **_WRITES})
def news_withdraw(request, item_id: int, data: ReasonIn):
    item = _get(request, item_id, Cap.CURATE)
    services.news_withdraw(actor=request.auth, item=item, reason=data.reason)
    return _fresh(request.auth, item_id)


@router.post("/news/{item_id}/pin", auth=REQUIRED, response={200: NewsDetailOut, **_WRITES})
def news_pin(request, item_id: int):
    services.news_pin(actor=request.auth, item=_get(request, item_id, Cap.CURATE))
    return _fresh(request.auth, item_id)


@router.post("/news/{item_id}/unpin", auth=REQUIRED, response={200: NewsDetailOut, **_WRITES})
def news_unpin(request, item_id: int):
    services.news_unpin(actor=request.auth, item=_get(request, item_id, Cap.CURATE))
    return _fresh(request.auth, item_id)
