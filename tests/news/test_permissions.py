"""The permission matrix: role × action × own/other unit, through the services, the workspace
pages and the API.

OK: allowed; 403: the item is in sight but the action is not allowed; 404: out of sight (its
existence does not leak). Each action runs on a fresh item in the status it starts from, so a
published item (pin, withdraw) is in everyone's sight and outsiders get 403, not 404. Through the
pages an anonymous visitor is sent to sign in; through the API it gets 401.
"""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from sciday.accounts.services import api_token_create
from sciday.core.errors import NotAllowed
from sciday.news import selectors, services
from sciday.news.models import NewsItem, Status
from tests.activities.world import ROLES
from tests.news.conftest import make_item

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, NOT_FOUND = "ok", 403, 404
ACTIONS = {
    # action: status it starts from
    "view": Status.DRAFT,
    "edit": Status.DRAFT,
    "submit": Status.DRAFT,
    "approve": Status.SUBMITTED,
    "return": Status.SUBMITTED,
    "pin": Status.PUBLISHED,
    "withdraw": Status.PUBLISHED,
}
SERVICE = {
    "view": lambda actor, item: selectors.news_get(viewer=actor, pk=item.pk),
    "edit": lambda actor, item: services.news_update(actor=actor, item=item, summary="新摘要"),
    "submit": lambda actor, item: services.news_submit(actor=actor, item=item),
    "approve": lambda actor, item: services.news_approve(actor=actor, item=item),
    "return": lambda actor, item: services.news_return(actor=actor, item=item, reason="请修改"),
    "pin": lambda actor, item: services.news_pin(actor=actor, item=item),
    "withdraw": lambda actor, item: services.news_withdraw(actor=actor, item=item, reason="撤下"),
}
ALL = dict.fromkeys(ACTIONS, OK)


def _row(view, edit, decide, curate) -> dict:
    return {
        "view": view,
        "edit": edit,
        "submit": edit,
        "approve": decide,
        "return": decide,
        "pin": curate,
        "withdraw": curate,
    }


HIDDEN = _row(NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN)
EXPECTED = {
    ("anonymous", "own"): HIDDEN,
    ("anonymous", "other"): HIDDEN,
    ("public", "own"): HIDDEN,
    ("public", "other"): HIDDEN,
    ("lead_editor", "own"): _row(OK, OK, FORBIDDEN, FORBIDDEN),
    ("lead_editor", "other"): HIDDEN,
    ("lead_admin", "own"): _row(OK, OK, FORBIDDEN, FORBIDDEN),
    ("lead_admin", "other"): HIDDEN,
    ("parent_admin", "own"): _row(OK, OK, OK, FORBIDDEN),
    ("parent_admin", "other"): HIDDEN,
    ("other_admin", "own"): HIDDEN,
    ("other_admin", "other"): _row(OK, OK, OK, FORBIDDEN),
    ("coorg_member", "own"): HIDDEN,
    ("coorg_member", "other"): HIDDEN,
    ("department_reviewer", "own"): _row(OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("department_reviewer", "other"): _row(OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("campaign_admin", "own"): ALL,
    ("campaign_admin", "other"): ALL,
}
CASES = [(role, target) for role in ROLES for target in ("own", "other")]


def _snapshot(item: NewsItem) -> tuple:
    fresh = NewsItem.objects.get(pk=item.pk)
    return (fresh.status, fresh.summary, fresh.pinned, fresh.updated_at)


@pytest.mark.parametrize(("role", "target"), CASES)
def test_services(world, role, target):
    actor = world.people[role]
    for action, status in ACTIONS.items():
        item = make_item(world, target, status)
        before = _snapshot(item)
        try:
            SERVICE[action](actor, item)
            outcome = OK
        except NotAllowed:
            outcome = FORBIDDEN
        except Http404:
            outcome = NOT_FOUND
        assert outcome == EXPECTED[(role, target)][action], (role, target, action)
        if outcome != OK:
            assert _snapshot(item) == before


def _web_request(client, action, item):
    if action == "view":
        return client.get(reverse("news_admin:detail", args=[item.pk]))
    if action == "edit":
        data = {"category": item.category, "title": item.title, "summary": "新摘要", "body": "正文"}
        return client.post(reverse("news_admin:edit", args=[item.pk]), data)
    data = {"reason": "理由"} if action in ("return", "withdraw") else {}
    return client.post(reverse("news_admin:transition", args=[item.pk, action]), data)


@pytest.mark.parametrize(("role", "target"), CASES)
def test_pages(world, web, role, target):
    client = web(world, role)
    for action, status in ACTIONS.items():
        item = make_item(world, target, status)
        before = _snapshot(item)
        response = _web_request(client, action, item)
        expected = EXPECTED[(role, target)][action]
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/" in response["Location"]
        elif expected == OK:
            assert response.status_code in (200, 302), (role, target, action)
        else:
            assert response.status_code == expected, (role, target, action)
        if role == "anonymous" or expected != OK:
            assert _snapshot(item) == before


def _api_request(client, headers, action, item):
    base = f"/api/v1/news/{item.pk}"
    if action == "view":
        return client.get(base, headers=headers)
    if action == "edit":
        return client.patch(
            base, {"summary": "新摘要"}, content_type="application/json", headers=headers
        )
    body = {"reason": "理由"} if action in ("return", "withdraw") else {}
    return client.post(f"{base}/{action}", body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(("role", "target"), CASES)
def test_api(world, client, role, target):
    headers = {}
    if role != "anonymous":
        _token, secret = api_token_create(actor=world.people[role], name="同步系统")
        headers["Authorization"] = f"Bearer {secret}"
    for action, status in ACTIONS.items():
        item = make_item(world, target, status)
        before = _snapshot(item)
        response = _api_request(client, headers, action, item)
        expected = EXPECTED[(role, target)][action]
        if role == "anonymous" and action != "view":
            assert response.status_code == 401, (action, response.content)
        elif expected == OK:
            assert response.status_code == 200, (role, target, action, response.content)
        else:
            assert response.status_code == expected, (role, target, action, response.content)
            assert "detail" in response.json()
        if expected != OK or (role == "anonymous" and action != "view"):
            assert _snapshot(item) == before
