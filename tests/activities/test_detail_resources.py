"""An activity's page lists its published resources: photos as a grid, videos with their poster,
the rest as a list, at most 12 with a link to the gallery filtered by the activity."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sciday.activities.models import Status as ActivityStatus
from sciday.resources.models import FILE_KINDS, Kind, Processing, Resource
from sciday.resources.models import Status as ResourceStatus


@pytest.fixture
def activity(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return world.activity("own", status=ActivityStatus.PUBLISHED)


def make(world, activity, *, kind=Kind.ARTICLE, status=ResourceStatus.PUBLISHED, **extra):
    """A resource written directly (its workflow has its own tests), published by default."""
    data = {
        "kind": kind,
        "campaign": world.campaign,
        "unit": world.unit("lead"),
        "activity": activity,
        "title": "现场照片",
        "attribution": "南京市科协",
        "status": status,
        "published_at": timezone.now() if status == ResourceStatus.PUBLISHED else None,
        "processing": Processing.DONE if kind in FILE_KINDS else Processing.NONE,
    }
    data.update(extra)
    return Resource.objects.create(**data)


def page(client, activity) -> str:
    response = client.get(reverse("activities:detail", args=[activity.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_published_resources_are_shown_by_kind(client, world, activity):
    photo = make(
        world,
        activity,
        kind=Kind.PHOTO,
        title="签到现场",
        thumbnails={"240": "resources/a_w240.webp", "640": "resources/a_w640.webp"},
    )
    video = make(
        world, activity, kind=Kind.VIDEO, title="报告录像", preview="resources/v_preview.webp"
    )
    document = make(world, activity, kind=Kind.DOCUMENT, title="活动总结")
    link = make(world, activity, kind=Kind.LINK, title="公众号文章", url="https://example.com/")
    html = page(client, activity)
    assert "照片、视频和资料" in html
    assert f'<img src="/resources/{photo.pk}/file/thumb-240/" alt="签到现场"' in html
    assert f'<img src="/resources/{video.pk}/file/preview/"' in html
    for resource in (photo, video, document, link):
        assert f'href="/resources/{resource.pk}/"' in html
    assert "查看本活动的全部宣传产品" not in html  # four: no "view all"


@pytest.mark.parametrize(
    "status",
    [
        ResourceStatus.DRAFT,
        ResourceStatus.SUBMITTED,
        ResourceStatus.HELD,
        ResourceStatus.RETURNED,
    ],
)
def test_unpublished_resources_are_not_shown(client, world, activity, status):
    make(world, activity, status=status, title="尚未发布的资料")
    html = page(client, activity)
    assert "尚未发布的资料" not in html
    assert "照片、视频和资料" not in html


def test_another_activitys_resources_are_not_shown(client, world, activity):
    other = world.activity("own", status=ActivityStatus.PUBLISHED, title="另一场")
    make(world, other, title="别处的资料")
    assert "别处的资料" not in page(client, activity)


def test_at_most_twelve_then_a_link_to_the_gallery(client, world, activity):
    for i in range(13):
        make(world, activity, title=f"资料{i:02d}")
    html = page(client, activity)
    shown = [i for i in range(13) if f"资料{i:02d}" in html]
    assert len(shown) == 12 and 0 not in shown  # the newest twelve
    assert f'href="/resources/?activity={activity.pk}"' in html
    assert "查看本活动的全部宣传产品" in html


def count(client, activity) -> int:
    url = reverse("activities:detail", args=[activity.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_resources(client, world, activity):
    none = count(client, activity)
    make(world, activity, kind=Kind.PHOTO, thumbnails={"240": "resources/a.webp"})
    one = count(client, activity)
    for i in range(14):
        make(world, activity, kind=(Kind.PHOTO, Kind.VIDEO, Kind.DOCUMENT)[i % 3], title=f"资料{i}")
    many = count(client, activity)
    assert none == one == many
