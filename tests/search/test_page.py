"""The public search page /search/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sciday.activities.models import Status
from tests.activities.world import build_world

SEARCH = reverse("search:search")


@pytest.fixture
def world(db, national, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_world(national)


@pytest.fixture
def publish(world, django_capture_on_commit_callbacks):
    def make(status=Status.PUBLISHED, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return world.activity(status=status, **overrides)

    return make


def test_blank_query_shows_a_hint(client, db):
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert "两个字就够了" in response.content.decode()
    assert client.get(SEARCH, {"q": "  ，。 "}).status_code == 200


def test_hits_are_highlighted_and_linked(client, world, publish):
    a = publish(title="青少年科普日", summary="走进实验室的科普之旅")
    publish(Status.DRAFT, title="草稿科普活动")
    response = client.get(SEARCH, {"q": "科普"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["results"].total == 1
    assert f'href="/activities/{a.pk}/"' in html
    assert "<mark>科普</mark>" in html
    assert "草稿科普活动" not in html
    assert "1 条结果" in html


def test_no_hits_suggests_fewer_words(client, world, publish):
    publish()
    html = client.get(SEARCH, {"q": "量子纠缠"}).content.decode()
    assert "没有找到" in html and "减少" in html


def test_query_text_is_escaped(client, world, publish):
    publish(title="科普<script>")
    html = client.get(SEARCH, {"q": "<script>科普"}).content.decode()
    assert "<script>科普" not in html
    assert "&lt;script&gt;" in html


def test_paging(client, world, publish, monkeypatch):
    from sciday.search import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for i in range(5):
        publish(title=f"科普活动{i}")
    first = client.get(SEARCH, {"q": "科普"})
    last = client.get(SEARCH, {"q": "科普", "page": "3"})
    assert len(first.context["hits"]) == 2 and first.context["num_pages"] == 3
    assert len(last.context["hits"]) == 1
    assert 'rel="next"' in first.content.decode()
    assert client.get(SEARCH, {"q": "科普", "page": "x"}).status_code == 200
