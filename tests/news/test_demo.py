"""The demo news (`sciday.core.demo_news`), loaded into the small test world: every category,
pinned items on top, attachments, one item in each state outside publication; idempotent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sciday.core.demo_news import CATALOGUE, load_demo_news
from sciday.news.models import Category, NewsItem, Status
from tests.news.conftest import make_article

pytestmark = pytest.mark.django_db


def test_demo_news_load_through_the_services_and_read_well(world, client):
    own = make_article(world, "own", published=True, title="南京的宣传片")
    make_article(world, "other", published=True, title="杭州的宣传片")
    people = {
        "campaign_admin": world.people["campaign_admin"],
        "unit_editor": world.people["lead_editor"],
        "unit_admin": world.people["parent_admin"],
    }
    assert load_demo_news(**people) == len(CATALOGUE)
    assert load_demo_news(**people) == 0  # idempotent
    items = NewsItem.objects.all()
    assert items.count() == len(CATALOGUE) >= 12
    assert {i.category for i in items} == set(Category.values)
    statuses = {i.status for i in items}
    assert statuses == set(Status.values)
    assert items.get(status=Status.RETURNED).return_reason
    assert items.get(status=Status.WITHDRAWN).withdraw_reason
    local = items.filter(unit=world.unit("lead"))
    assert local.exists()
    # The local item with attachments takes its own unit's published resources.
    attached = [i for i in local if i.attachments.exists()]
    assert attached and list(attached[0].attachments.all()) == [own]
    assert items.filter(unit=world.unit("cast"), attachments__isnull=False).exists()

    response = client.get(reverse("news:list"))
    shown = response.context["items"]
    assert [i.pinned for i in shown[:2]] == [True, True]
    assert shown[0].title == CATALOGUE[0].title
    assert all(i.status == Status.PUBLISHED for i in shown)
    assert all(i.published_at.year == 2023 for i in shown)
    detail = client.get(reverse("news:detail", args=[shown[1].pk]))
    assert detail.status_code == 200 and "科技工作者" in detail.content.decode()
