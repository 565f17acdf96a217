"""The showcase API: public profiles, nominations for units, review; permissions and refusals."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from sciday.accounts.services import api_token_create
from sciday.showcase import services
from sciday.showcase.models import Nomination, NominationFile, Status
from tests.resources.hostile import jpeg, pdf
from tests.showcase.conftest import BEFORE_DEADLINE, SHANGHAI, bring_to
from tests.showcase.test_services import NOTICE_START

pytestmark = pytest.mark.django_db
BASE = "/api/v1/showcase"


def headers(world, who: str) -> dict:
    if who == "anonymous":
        return {}
    user = world.people[who]
    if who == "campaign_admin":
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    _token, secret = api_token_create(actor=user, name="同步")
    return {"Authorization": f"Bearer {secret}"}


def payload(world, honour, **overrides) -> dict:
    data = {
        "honour": honour.pk,
        "unit": world.unit("lead").pk,
        "name": "王芳",
        "gender": "female",
        "birth_year": 1980,
        "affiliation": "东南大学",
        "field": "土木工程",
        "phone": "13900001111",
        "summary": "桥梁安全守护者。",
        "consent": True,
        "consent_date": "2023-03-02",
    }
    data.update(overrides)
    return data


def test_a_unit_nominates_uploads_and_submits_through_the_api(client, world, honour):
    h = headers(world, "lead_editor")
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        refused = client.post(
            f"{BASE}/nominations",
            payload(world, honour, consent=False),
            content_type="application/json",
            headers=h,
        )
        assert refused.status_code == 400 and refused.json()["field"] == "consent"
        assert "同意" in refused.json()["detail"]
        created = client.post(
            f"{BASE}/nominations",
            payload(world, honour),
            content_type="application/json",
            headers=h,
        )
        assert created.status_code == 201, created.json()
        body = created.json()
        assert body["phone"] == "13900001111" and body["status"] == "draft"
        pk = body["id"]
        over = client.post(
            f"{BASE}/nominations",
            payload(world, honour),
            content_type="application/json",
            headers=h,
        )
        assert over.status_code == 409 and "名额" in over.json()["detail"]
        early = client.post(f"{BASE}/nominations/{pk}/submit", headers=h)
        assert early.status_code == 400 and "材料" in early.json()["detail"]
        for kind, name, data in [
            ("resume", "r.pdf", pdf(["简历"])),
            ("achievements", "a.pdf", pdf(["事迹"])),
            ("photo", "p.jpg", jpeg(200, 250)),
            ("recommendation", "s.pdf", pdf(["推荐"])),
        ]:
            upload = io.BytesIO(data)
            upload.name = name
            answer = client.post(
                f"{BASE}/nominations/{pk}/files", {"kind": kind, "file": upload}, headers=h
            )
            assert answer.status_code == 201, answer.json()
        bad = io.BytesIO(jpeg())
        bad.name = "stamp.jpg"
        refused = client.post(
            f"{BASE}/nominations/{pk}/files", {"kind": "recommendation", "file": bad}, headers=h
        )
        assert refused.status_code == 400
        assert NominationFile.objects.count() == 4
        submitted = client.post(f"{BASE}/nominations/{pk}/submit", headers=h)
        assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"


@pytest.mark.parametrize(
    ("who", "sees", "checks"),
    [
        ("lead_editor", 200, 403),
        ("lead_admin", 200, 403),
        ("other_admin", 404, 404),
        ("campaign_admin", 200, 200),
        ("expert", 404, 404),
        ("anonymous", 401, 401),
    ],
)
def test_permission_matrix_through_the_api(client, world, honour, who, sees, checks):
    nomination = bring_to(world, honour, Status.SUBMITTED)
    h = headers(world, who)
    assert client.get(f"{BASE}/nominations/{nomination.pk}", headers=h).status_code == sees
    listed = client.get(f"{BASE}/nominations", headers=h)
    if sees == 401:
        assert listed.status_code == 401
    else:
        assert (listed.json()["count"] == 1) == (sees == 200)
    answer = client.post(
        f"{BASE}/nominations/{nomination.pk}/check",
        {"qualified": True},
        content_type="application/json",
        headers=h,
    )
    assert answer.status_code == checks
    expected = Status.QUALIFIED if checks == 200 else Status.SUBMITTED
    assert Nomination.objects.get().status == expected


def test_experts_score_and_see_only_their_own_score(client, world, honour):
    nomination = bring_to(world, honour, Status.QUALIFIED)
    honour.experts.add(world.people["other_expert"])
    services.score_set(actor=world.people["other_expert"], nomination=nomination, score=40)
    h = headers(world, "expert")
    body = client.get(f"{BASE}/nominations/{nomination.pk}", headers=h).json()
    assert body["phone"] == "138****5678"
    assert body["scores"] == [] and body["average_score"] is None
    for bad in (-1, 101):
        answer = client.put(
            f"{BASE}/nominations/{nomination.pk}/score",
            {"score": bad},
            content_type="application/json",
            headers=h,
        )
        assert answer.status_code == 422
    answer = client.put(
        f"{BASE}/nominations/{nomination.pk}/score",
        {"score": 88, "comment": "好"},
        content_type="application/json",
        headers=h,
    )
    assert answer.status_code == 200
    assert [s["score"] for s in answer.json()["scores"]] == [88]
    admin = client.get(
        f"{BASE}/nominations/{nomination.pk}", headers=headers(world, "campaign_admin")
    ).json()
    assert sorted(s["score"] for s in admin["scores"]) == [40, 88]
    assert admin["average_score"] == 64


def test_public_profiles_in_both_languages(client, world, honour):
    nomination = bring_to(world, honour, Status.SHORTLISTED)
    admin = world.people["campaign_admin"]
    with time_machine.travel(datetime(2023, 5, 6, 9, tzinfo=SHANGHAI), tick=False):
        notice = services.notice_open(
            actor=admin, campaign=world.campaign, title="公示", starts_on=NOTICE_START
        )
    with time_machine.travel(
        datetime.combine(notice.ends_on + timedelta(days=1), time(0), tzinfo=SHANGHAI), tick=False
    ):
        services.notice_publish(actor=admin, notice=notice)
    listed = client.get(f"{BASE}/profiles?year=2023").json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "李明"
    english = client.get(
        f"{BASE}/profiles/{nomination.pk}", headers={"Accept-Language": "en"}
    ).json()
    assert english["name"] == "Li Ming" and english["translated"] is True
    assert english["honour"] == "Most Beautiful Science and Technology Workers"
    assert client.get(f"{BASE}/nominations/{nomination.pk}").status_code == 401
    assert client.get(f"{BASE}/honours?year=2023").json()[0]["name"] == "最美科技工作者"


def test_unpublished_profiles_answer_404(client, world, honour):
    nomination = bring_to(world, honour, Status.SHORTLISTED)
    assert client.get(f"{BASE}/profiles/{nomination.pk}").status_code == 404
