"""The notice is cached, and every campaigns service makes the next request see its change."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from sciday.campaigns import services


@pytest.fixture(autouse=True)
def _real_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


def test_contact_edit_shows_on_the_cached_notice_at_once(client, campaign_2023, campaign_admin):
    assert "兰雪滢" in client.get("/notice/").content.decode()
    contact = campaign_2023.contacts.get(people__contains="兰雪滢")
    services.contact_update(actor=campaign_admin, contact=contact, people="张三 李四")
    html = client.get("/notice/").content.decode()
    assert "张三 李四" in html
    assert "兰雪滢" not in html


def test_body_edit_shows_on_the_cached_notice_at_once(client, campaign_2023, campaign_admin):
    client.get("/notice/")
    body = campaign_2023.body.replace("点亮精神火炬", "点亮科学火炬", 1)
    services.campaign_update(actor=campaign_admin, campaign=campaign_2023, body=body)
    assert "点亮科学火炬" in client.get("/notice/").content.decode()


def test_refused_edit_keeps_the_notice(client, campaign_2023, campaign_admin):
    before = client.get("/notice/").content.decode()
    contact = campaign_2023.contacts.first()
    with pytest.raises(services.DomainError):
        services.contact_update(actor=campaign_admin, contact=contact, email="not-an-email")
    assert client.get("/notice/").content.decode().count("兰雪滢") == before.count("兰雪滢")


def test_anonymous_notice_needs_few_queries(client, campaign_2023, django_assert_max_num_queries):
    client.get("/notice/")
    with django_assert_max_num_queries(2):
        response = client.get("/notice/")
    assert response.status_code == 200
