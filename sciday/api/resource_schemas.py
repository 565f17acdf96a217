"""Shapes of resources (宣传产品) in the API.

Times are ISO 8601 with their offset, in Asia/Shanghai (as for activities). File addresses are
relative URLs of this server: for a published resource the public file view
(`/resources/<id>/file/<variant>/`, anyone), for any other status the workspace file view
(`/workspace/resources/<id>/files/<variant>/`, the browser session of someone who may see it).
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from sciday.api.activity_schemas import CampaignRef, RefOut, local
from sciday.resources.models import Kind, Licence, Processing, Resource, ResourceEvent, Status

TAGS_NOTE = "Keywords separated by commas or spaces (at most 10, 30 characters each)"


class HitOut(Schema):
    word: str
    field: str = Field(description="Where it was found: title, description, body, extracted_text")


class ResourceEventOut(Schema):
    by: str
    from_status: str
    to_status: str
    note: str = Field(description="The reason of a return, or a note (featured...)")
    at: datetime

    @staticmethod
    def build(e: ResourceEvent) -> ResourceEventOut:
        return ResourceEventOut(
            by=e.actor_repr,
            from_status=e.from_status,
            to_status=e.to_status,
            note=e.note,
            at=local(e.created_at),  # type: ignore[arg-type]
        )


class ResourceOut(Schema):
    """One resource as a list shows it."""

    id: int
    kind: Kind
    kind_label: str
    title: str
    description: str
    tags: list[str]
    attribution: str
    licence: Licence
    licence_label: str
    status: Status
    status_label: str
    featured: bool
    campaign: CampaignRef
    unit: RefOut
    activity: RefOut | None = Field(description="The activity it belongs to (name: its title)")
    province_code: str | None = Field(description="The province of the resource's unit")
    processing: Processing = Field(
        description="none (article, link), pending, running, done, failed"
    )
    thumbnail_url: str | None = Field(
        description="A WebP thumbnail about 640 px wide (or the preview), when there is one"
    )
    download_count: int
    created_at: datetime
    published_at: datetime | None


class ResourcePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ResourceOut]


class ResourceDetailOut(ResourceOut):
    people_consent: bool
    return_reason: str
    submitted_at: datetime | None
    updated_at: datetime
    body: str = Field(description="An article's text: sanitized HTML")
    url: str = Field(description="A link's address")
    original_name: str = Field(description="The uploaded file's name, cleaned (display only)")
    size: int = Field(description="Bytes")
    mime_type: str = Field(description="The type detected from the content")
    sha256: str
    processing_label: str
    processing_error: str = Field(description="Why processing failed, for the uploader")
    width: int | None
    height: int | None
    duration: float | None = Field(description="A video's length in seconds")
    codec: str
    page_count: int | None
    file_url: str | None = Field(
        description="The original file: the public file view for a published resource (counted "
        "as a download), the workspace file view (browser session) otherwise"
    )
    download_url: str | None = Field(
        description="GET /api/v1/resources/{id}/download (published file resources only)"
    )
    play_url: str | None = Field(description="A published video, inline for a player (not counted)")
    preview_url: str | None = Field(description="A video's poster or a PDF's first page (WebP)")
    thumbnails: dict[str, str] = Field(description="{width: URL} of the WebP thumbnails")
    screening_hits: list[HitOut] | None = Field(
        description="Sensitive words found on the last submission; for moderators only (null "
        "for everyone else)"
    )
    transitions: list[str] = Field(
        description="What you may do now: submit, approve, return, feature, unfeature"
    )
    editable: bool = Field(description="Whether you may PATCH it now (draft or returned)")
    events: list[ResourceEventOut] | None = Field(
        description="The workflow history, for its unit, moderators and national roles; null "
        "for everyone else"
    )


class ResourceFiltersIn(Schema):
    scope: str = Field(
        "public",
        pattern="^(public|workspace)$",
        description="public: published resources (anyone); workspace: every status of the "
        "resources of your units and of those you moderate (signed in)",
    )
    kind: Kind | None = None
    status: Status | None = Field(None, description="Workspace scope only")
    province: str | None = Field(None, pattern=r"^\d{6}$", description="A province code: 320000")
    unit: int | None = Field(None, description="Resources of this unit or its sub-units")
    activity: int | None = Field(None, description="The activity's id")
    category: int | None = Field(None, description="The category id of the resource's activity")
    licence: Licence | None = None
    campaign: int | None = Field(None, description="The campaign's year")
    featured: bool | None = Field(None, description="Featured on the theme site")
    q: str = Field("", max_length=100, description="Chinese full-text search; best match first")
    page: int = Field(1, ge=1)
    page_size: int = Field(30, ge=1, le=200)


class ResourceCreateIn(Schema):
    """The fields of a new resource, sent as form fields (multipart with the `file` for photos,
    videos and documents; multipart or urlencoded for articles and links)."""

    unit: int = Field(description="The unit's id (one you edit for)")
    kind: Kind
    title: str
    attribution: str = Field(description="Author or how it should be credited")
    campaign: int | None = Field(None, description="The campaign's year; default: the current one")
    description: str = ""
    tags: str = Field("", description=TAGS_NOTE)
    licence: Licence = Licence.PLATFORM
    people_consent: bool = Field(
        False,
        description="Photos and videos: the people who can be recognised agreed to publication, "
        "or no one can be recognised (required true)",
    )
    activity: int | None = Field(None, description="The activity's id (of the unit or below)")
    body: str = Field("", description="Article: its text (HTML, sanitized; or plain text)")
    url: str = Field("", description="Link: an http or https address")
    upload_id: str | None = Field(
        None,
        description="Instead of `file`: the id of your complete resumable upload (tus, "
        "/uploads/tus/), the last part of its address",
    )

    def fields(self) -> dict:
        """The keyword arguments the create services take besides actor, unit, campaign, kind."""
        return self.model_dump(exclude={"unit", "kind", "campaign", "activity", "upload_id"})


class ResourcePatchIn(Schema):
    """Send only the fields that change (a draft or a returned resource). `activity: null`
    detaches it from its activity; the file cannot be replaced (delete and upload again)."""

    title: str | None = None
    description: str | None = None
    attribution: str | None = None
    licence: Licence | None = None
    people_consent: bool | None = None
    activity: int | None = None
    body: str | None = None
    url: str | None = None
    tags: list[str] | str | None = Field(None, description=f"A list, or {TAGS_NOTE.lower()}")


def card_fields(r: Resource, thumbnail_url: str | None) -> dict:
    """The fields of `ResourceOut` for `r` (unit with region, campaign, activity, tags loaded)."""
    activity = r.activity
    return {
        "id": r.pk,
        "kind": Kind(r.kind),
        "kind_label": str(r.get_kind_display()),  # type: ignore[attr-defined]
        "title": r.title,
        "description": r.description,
        "tags": [t.name for t in r.tags.all()],
        "attribution": r.attribution,
        "licence": Licence(r.licence),
        "licence_label": str(r.get_licence_display()),  # type: ignore[attr-defined]
        "status": Status(r.status),
        "status_label": str(r.get_status_display()),  # type: ignore[attr-defined]
        "featured": r.featured,
        "campaign": CampaignRef(year=r.campaign.year, name=r.campaign.name),
        "unit": RefOut(id=r.unit.pk, name=r.unit.name),
        "activity": RefOut(id=activity.pk, name=activity.title) if activity else None,
        "province_code": r.unit.province_code,
        "processing": Processing(r.processing),
        "thumbnail_url": thumbnail_url,
        "download_count": r.download_count,
        "created_at": local(r.created_at),
        "published_at": local(r.published_at),
    }
