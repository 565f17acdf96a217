"""An activity's cover picture, served from storage to whoever may see the activity.

Uploads are not under a public web root: this view checks the activity's visibility (the public
sees published, cancelled and finished activities; organizers and approvers their drafts), then
streams the stored file with its own type. The URL carries the file's generated name as `?v=`,
so a public cover may be cached for a long time.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest

from sciday.activities.selectors import activity_get

_SIZES = {
    "full": ("cover", "image/jpeg", "jpg"),
    "thumb": ("cover_thumb", "image/webp", "webp"),
}


def activity_cover_view(request: HttpRequest, pk: int, size: str) -> FileResponse:
    if size not in _SIZES:
        raise Http404
    field, content_type, extension = _SIZES[size]
    activity = activity_get(viewer=request.user, pk=pk)
    name = getattr(activity, field).name
    if not name:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="cover-{activity.pk}-{size}.{extension}"'
    if activity.is_public:
        response["Cache-Control"] = "public, max-age=86400"
    else:
        response["Cache-Control"] = "private, no-store"
    return response
