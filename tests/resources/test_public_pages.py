"""The public gallery: only published resources, filters, file headers, the download counter."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sciday.resources import services
from sciday.resources.models import FILE_KINDS, Kind, Licence, Processing, Resource, Status

PNG = b"\x89PNG\r\n\x1a\nnot really"


def make(world, *, unit="lead", kind=Kind.ARTICLE, status=Status.PUBLISHED, **extra) -> Resource:
    """A resource written directly (the workflow has its own tests), published by default."""
    data = {
        "kind": kind,
        "campaign": world.campaign,
        "unit": world.unit(unit),
        "title": extra.pop("title", "科普日回顾"),
        "attribution": "南京市科协",
        "status": status,
        "published_at": timezone.now() if status == Status.PUBLISHED else None,
        "processing": Processing.DONE if kind in FILE_KINDS else Processing.NONE,
    }
    data.update(extra)
    return Resource.objects.create(**data)


def with_files(world, **extra) -> Resource:
    original = default_storage.save("resources/2023/05/abc.pdf", ContentFile(b"%PDF-1.7 fake"))
    preview = default_storage.save("resources/2023/05/abc-preview.webp", ContentFile(b"RIFFwebp"))
    thumb = default_storage.save("resources/2023/05/abc-240.webp", ContentFile(b"RIFFthumb"))
    return make(
        world,
        kind=Kind.DOCUMENT,
        file=original,
        preview=preview,
        thumbnails={"240": thumb},
        original_name="报告.pdf",
        mime_type="application/pdf",
        page_count=12,
        **extra,
    )


def file_url(resource, variant):
    return reverse("resources:file", args=[resource.pk, variant])


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.HELD, Status.RETURNED])
def test_unpublished_resources_are_not_found(world, client, login, status):
    resource = with_files(world, status=status, title="未发布的资源")
    for url in (reverse("resources:detail", args=[resource.pk]), file_url(resource, "original")):
        assert client.get(url).status_code == 404
    assert "未发布的资源" not in client.get(reverse("resources:list")).content.decode()
    # Not even its own editor sees it here: the workspace is where drafts live.
    editor = login(world.people["lead_editor"])
    assert editor.get(reverse("resources:detail", args=[resource.pk])).status_code == 404
    assert Resource.objects.get(pk=resource.pk).download_count == 0


def test_list_and_filters(world, client):
    activity = world.activity(status="published")
    make(world, title="南京文章", licence=Licence.CC_BY)
    make(world, unit="other_lead", title="杭州照片", kind=Kind.PHOTO, activity=activity)
    make(world, title="草稿", status=Status.DRAFT)

    def titles(**query):
        page = client.get(reverse("resources:list"), query)
        assert page.status_code == 200
        text = page.content.decode()
        return {t for t in ("南京文章", "杭州照片", "草稿") if t in text}

    assert titles() == {"南京文章", "杭州照片"}
    assert titles(kind="photo") == {"杭州照片"}
    assert titles(province="320000") == {"南京文章"}
    assert titles(province="330000") == {"杭州照片"}
    assert titles(licence="cc-by-4.0") == {"南京文章"}
    assert titles(activity=activity.pk) == {"杭州照片"}
    assert titles(unit=world.unit("lead").pk) == {"南京文章"}
    assert titles(unit=world.unit("other_lead").pk) == {"杭州照片"}
    assert titles(category=activity.category_id) == {"杭州照片"}
    # A bad value is ignored, not refused (a unit without published resources is not offered).
    assert titles(kind="rocket", province="999999") == {"南京文章", "杭州照片"}
    assert titles(unit=world.unit("prov").pk, category="x") == {"南京文章", "杭州照片"}
    page = client.get(reverse("resources:list")).content.decode()
    assert world.unit("other_lead").name in page and world.unit("coorg").name not in page


def test_list_query_count_is_fixed(world, client, django_assert_max_num_queries):
    for i in range(3):
        make(world, title=f"资源{i}")
    client.get(reverse("resources:list"))  # warm what a process keeps (regions, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("resources:list"), {"kind": "article"})
    for i in range(10):
        make(world, unit="other_lead", title=f"更多{i}", kind=Kind.LINK, url="https://example.com")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("resources:list"), {"licence": "platform"})
    assert len(many) == len(few)


def test_detail_of_a_document_link_and_article(world, client):
    document = with_files(world, description="说明")
    page = client.get(reverse("resources:detail", args=[document.pk])).content.decode()
    assert file_url(document, "preview") in page and "12" in page
    assert 'property="og:title"' in page and 'property="og:image"' in page
    assert file_url(document, "original") in page and "南京市科协" in page

    link = make(world, kind=Kind.LINK, url="https://mp.weixin.qq.com/s/abc")
    page = client.get(reverse("resources:detail", args=[link.pk])).content.decode()
    assert 'href="https://mp.weixin.qq.com/s/abc" rel="noopener noreferrer nofollow"' in page

    article = make(world, body="<p>正文段落</p><script>alert(1)</script>")
    page = client.get(reverse("resources:detail", args=[article.pk])).content.decode()
    assert "<p>正文段落</p>" in page and "alert(1)" not in page


def test_video_detail_has_a_player_with_poster(world, client):
    video = with_files(world)
    Resource.objects.filter(pk=video.pk).update(kind=Kind.VIDEO, mime_type="video/mp4")
    page = client.get(reverse("resources:detail", args=[video.pk])).content.decode()
    assert "<video controls" in page and f'poster="{file_url(video, "preview")}"' in page
    assert f'<source src="{file_url(video, "play")}" type="video/mp4">' in page
    response = client.get(file_url(video, "play"))  # the player: inline, not a download
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    b"".join(response.streaming_content)
    assert Resource.objects.get(pk=video.pk).download_count == 0


def test_file_headers_and_counter(world, client):
    resource = with_files(world)
    response = client.get(file_url(resource, "original"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 fake"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert Resource.objects.get(pk=resource.pk).download_count == 1

    for variant in ("preview", "thumb-240"):
        response = client.get(file_url(resource, variant))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "image/webp"
        b"".join(response.streaming_content)  # read to the end (closes the file)
    assert Resource.objects.get(pk=resource.pk).download_count == 1  # previews are not counted
    for variant in ("thumb-999", "bogus", "play"):  # "play" is for videos only
        assert client.get(file_url(resource, variant)).status_code == 404


def test_counter_is_one_atomic_update_and_only_for_published(world, django_assert_num_queries):
    resource = with_files(world)
    with django_assert_num_queries(1):
        assert services.resource_download_count(actor=AnonymousUser(), resource=resource)
    Resource.objects.filter(pk=resource.pk).update(status=Status.RETURNED)
    assert not services.resource_download_count(actor=AnonymousUser(), resource=resource)
    assert Resource.objects.get(pk=resource.pk).download_count == 1


def test_detail_query_count(world, client, django_assert_max_num_queries):
    resource = with_files(world)
    client.get(reverse("resources:detail", args=[resource.pk]))
    with django_assert_max_num_queries(3):  # the resource with its relations, its tags
        client.get(reverse("resources:detail", args=[resource.pk]))


def test_pages_are_cacheable_for_anonymous_visitors_but_files_are_not():
    from sciday.resources import views_public

    assert views_public.gallery_list.public_page and views_public.gallery_detail.public_page
    assert not getattr(views_public.gallery_file, "public_page", False)
