"""The showcase's path through its services, and every refusal (a Chinese message, no write)."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.http import Http404

from sciday.core.errors import DomainError, NotAllowed
from sciday.core.models import AuditEntry
from sciday.showcase import selectors, services
from sciday.showcase.models import (
    FileKind,
    Nomination,
    NominationFile,
    Objection,
    PublicNotice,
    Score,
    Status,
)
from tests.resources.hostile import png
from tests.showcase.conftest import (
    BEFORE_DEADLINE,
    SHANGHAI,
    add_file,
    bring_to,
    complete_draft,
    person,
)

pytestmark = pytest.mark.django_db


def _stored(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# --- Nominating -------------------------------------------------------------------------------


def test_a_unit_nominates_with_consent_and_encrypted_phone(world, honour):
    editor = world.people["lead_editor"]
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        nomination = services.nomination_create(
            actor=editor, honour=honour, unit=world.unit("lead"), **person()
        )
    nomination.refresh_from_db()
    assert nomination.status == Status.DRAFT
    assert nomination.consent and nomination.consent_recorded_by == editor
    assert nomination.consent_date == date(2023, 3, 1)
    assert "13812345678" not in nomination.phone_encrypted
    assert nomination.phone == "13812345678"
    assert nomination.masked_phone == "138****5678"
    assert AuditEntry.objects.filter(action="showcase.nomination.created").exists()


def test_over_quota_is_refused(world, honour):
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        services.nomination_create(
            actor=world.people["lead_editor"], honour=honour, unit=world.unit("lead"), **person()
        )
        with pytest.raises(DomainError) as refused:
            services.nomination_create(
                actor=world.people["lead_admin"],
                honour=honour,
                unit=world.unit("lead"),
                **person(name="王芳", gender="female"),
            )
    assert "名额" in str(refused.value)
    assert Nomination.objects.count() == 1


def test_a_unit_kind_without_quota_is_refused(world, honour):
    honour.quotas.filter(unit_kind="local_cast").delete()
    with time_machine.travel(BEFORE_DEADLINE, tick=False), pytest.raises(DomainError) as refused:
        services.nomination_create(
            actor=world.people["lead_editor"], honour=honour, unit=world.unit("lead"), **person()
        )
    assert "不参加" in str(refused.value) or "推荐" in str(refused.value)
    assert not Nomination.objects.exists()


def test_without_consent_is_refused(world, honour):
    with time_machine.travel(BEFORE_DEADLINE, tick=False), pytest.raises(DomainError) as refused:
        services.nomination_create(
            actor=world.people["lead_editor"],
            honour=honour,
            unit=world.unit("lead"),
            **person(consent=False),
        )
    assert refused.value.field == "consent"
    assert "同意" in str(refused.value)
    assert not Nomination.objects.exists()


@pytest.mark.parametrize(
    ("moment", "on_time"),
    [
        (datetime(2023, 3, 31, 23, 59, 59, tzinfo=SHANGHAI), True),
        (datetime(2023, 4, 1, 0, 0, 0, tzinfo=SHANGHAI), False),
    ],
)
def test_the_deadline_day_counts_whole_in_beijing_time(world, honour, moment, on_time):
    with time_machine.travel(moment, tick=False):
        if on_time:
            services.nomination_create(
                actor=world.people["lead_editor"],
                honour=honour,
                unit=world.unit("lead"),
                **person(),
            )
        else:
            with pytest.raises(DomainError) as refused:
                services.nomination_create(
                    actor=world.people["lead_editor"],
                    honour=honour,
                    unit=world.unit("lead"),
                    **person(),
                )
            assert "截止" in str(refused.value)
    assert Nomination.objects.count() == (1 if on_time else 0)


def test_submitting_without_materials_is_refused(world, honour):
    editor = world.people["lead_editor"]
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        nomination = services.nomination_create(
            actor=editor, honour=honour, unit=world.unit("lead"), **person()
        )
        add_file(editor, nomination, FileKind.PHOTO)
        with pytest.raises(DomainError) as refused:
            services.nomination_submit(actor=editor, nomination=nomination)
    assert "材料" in str(refused.value)
    assert Nomination.objects.get().status == Status.DRAFT


def test_submitting_after_the_deadline_is_refused(world, honour):
    nomination = bring_to(world, honour, Status.DRAFT)
    with (
        time_machine.travel(datetime(2023, 4, 2, 9, tzinfo=SHANGHAI), tick=False),
        pytest.raises(DomainError),
    ):
        services.nomination_submit(actor=world.people["lead_editor"], nomination=nomination)
    assert Nomination.objects.get().status == Status.DRAFT


def test_materials_are_checked_and_photos_lose_their_metadata(world, honour, _media):
    editor = world.people["lead_editor"]
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        nomination = services.nomination_create(
            actor=editor, honour=honour, unit=world.unit("lead"), **person()
        )
        photo = add_file(editor, nomination, FileKind.PHOTO)
        assert photo.mime_type == "image/jpeg" and photo.file.name.startswith("showcase/")
        # A recommendation must be a PDF: a photo is refused, nothing stored.
        before = _stored(_media)
        data = png()
        with pytest.raises(DomainError) as refused:
            services.nomination_file_add(
                actor=editor,
                nomination=nomination,
                kind=FileKind.RECOMMENDATION,
                upload=io.BytesIO(data),
                name="stamp.png",
                size=len(data),
            )
        assert refused.value.field == "file"
        # A renamed file (HTML as .pdf) is refused by the content check.
        page = b"<html><script>alert(1)</script></html>"
        with pytest.raises(DomainError):
            services.nomination_file_add(
                actor=editor,
                nomination=nomination,
                kind=FileKind.RESUME,
                upload=io.BytesIO(page),
                name="resume.pdf",
                size=len(page),
            )
    assert _stored(_media) == before
    assert NominationFile.objects.count() == 1


def test_deleting_a_draft_frees_the_quota_and_its_files(
    world, honour, _media, django_capture_on_commit_callbacks
):
    nomination = bring_to(world, honour, Status.DRAFT)
    assert _stored(_media)
    with (
        time_machine.travel(BEFORE_DEADLINE, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.nomination_delete(actor=world.people["lead_admin"], nomination=nomination)
    assert not Nomination.objects.exists()
    assert _stored(_media) == []
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        complete_draft(world, honour)


def test_other_units_and_campaign_admins_do_not_nominate(world, honour):
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        with pytest.raises(Http404):
            services.nomination_create(
                actor=world.people["other_admin"],
                honour=honour,
                unit=world.unit("lead"),
                **person(),
            )
        with pytest.raises(NotAllowed):
            services.nomination_create(
                actor=world.people["campaign_admin"],
                honour=honour,
                unit=world.unit("lead"),
                **person(),
            )
    assert not Nomination.objects.exists()


# --- Review -----------------------------------------------------------------------------------


def test_not_qualified_needs_a_reason(world, honour):
    nomination = bring_to(world, honour, Status.SUBMITTED)
    with pytest.raises(DomainError):
        services.nomination_check(
            actor=world.people["campaign_admin"], nomination=nomination, qualified=False
        )
    assert Nomination.objects.get().status == Status.SUBMITTED
    with pytest.raises(NotAllowed):
        services.nomination_check(
            actor=world.people["lead_admin"], nomination=nomination, qualified=True
        )


def test_experts_score_once_each_editable_until_shortlisting(world, honour):
    nomination = bring_to(world, honour, Status.QUALIFIED)
    expert, admin = world.people["expert"], world.people["campaign_admin"]
    services.score_set(actor=expert, nomination=nomination, score=80, comment="事迹突出")
    services.score_set(actor=expert, nomination=nomination, score=85, comment="改")
    assert Score.objects.get().score == 85
    for bad in (-1, 101, "90"):
        with pytest.raises(DomainError):
            services.score_set(actor=expert, nomination=nomination, score=bad)
    # An expert not assigned to the honour sees nothing.
    with pytest.raises(Http404):
        services.score_set(actor=world.people["other_expert"], nomination=nomination, score=50)
    assert selectors.score_average(nomination=nomination) == 85
    services.nomination_shortlist(actor=admin, nomination=nomination)
    with pytest.raises(DomainError):
        services.score_set(actor=expert, nomination=nomination, score=70)
    assert Score.objects.get().score == 85


def test_an_expert_never_sees_another_experts_score(world, honour):
    nomination = bring_to(world, honour, Status.QUALIFIED)
    honour.experts.add(world.people["other_expert"])
    services.score_set(actor=world.people["expert"], nomination=nomination, score=60)
    services.score_set(actor=world.people["other_expert"], nomination=nomination, score=90)
    mine = selectors.scores_visible(viewer=world.people["expert"], nomination=nomination)
    assert [s.score for s in mine] == [60]
    every = selectors.scores_visible(viewer=world.people["campaign_admin"], nomination=nomination)
    assert sorted(s.score for s in every) == [60, 90]
    assert selectors.scores_visible(viewer=world.people["lead_admin"], nomination=nomination) == []


# --- Notice, objections, publication -----------------------------------------------------------

NOTICE_START = date(2023, 5, 8)  # a Monday


def _day_after(notice) -> datetime:
    """Midnight (Beijing time) after the notice's last day: the first moment it is over."""
    return datetime.combine(notice.ends_on + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def _open_notice(world, honour):
    nomination = bring_to(world, honour, Status.SHORTLISTED)
    with time_machine.travel(datetime(2023, 5, 6, 9, tzinfo=SHANGHAI), tick=False):
        notice = services.notice_open(
            actor=world.people["campaign_admin"],
            campaign=world.campaign,
            title="2023年最美科技工作者公示",
            starts_on=NOTICE_START,
        )
    return notice, Nomination.objects.get(pk=nomination.pk)


def test_the_whole_path_to_a_published_profile(world, honour):
    from sciday.core.workdays import add_working_days

    notice, nomination = _open_notice(world, honour)
    assert nomination.status == Status.IN_NOTICE and nomination.notice == notice
    assert notice.ends_on == add_working_days(NOTICE_START, 5)
    admin = world.people["campaign_admin"]
    during = datetime(2023, 5, 9, 15, tzinfo=SHANGHAI)
    with time_machine.travel(during, tick=False):
        objection = services.objection_file(
            actor=None,
            notice=notice,
            text="事迹有夸大",
            contact="someone@example.com",
            nomination=nomination,
            ip="10.0.0.1",
        )
        assert "someone@example.com" not in objection.contact_encrypted
        # Publication is refused while the notice runs.
        with pytest.raises(DomainError) as running:
            services.notice_publish(actor=admin, notice=notice)
        assert "公示" in str(running.value)
    with time_machine.travel(_day_after(notice), tick=False):
        with pytest.raises(DomainError) as unanswered:
            services.notice_publish(actor=admin, notice=notice)
        assert "异议" in str(unanswered.value)
        services.objection_answer(actor=admin, objection=objection, answer="经核实，事迹属实。")
        services.notice_publish(actor=admin, notice=notice)
    nomination.refresh_from_db()
    assert nomination.status == Status.PUBLISHED and nomination.published_at
    assert list(selectors.profile_list(year=2023)) == [nomination]
    assert AuditEntry.objects.filter(action="showcase.notice.published").exists()


def test_objection_refusals(world, honour):
    notice, _nomination = _open_notice(world, honour)
    with time_machine.travel(datetime(2023, 5, 9, 15, tzinfo=SHANGHAI), tick=False):
        with pytest.raises(DomainError) as empty:
            services.objection_file(actor=None, notice=notice, text="  ", contact="13812345678")
        assert empty.value.field == "text"
        with pytest.raises(DomainError) as no_contact:
            services.objection_file(actor=None, notice=notice, text="有问题", contact="")
        assert no_contact.value.field == "contact"
        cache.clear()
        for _ in range(services.OBJECTIONS_PER_HOUR):
            services.objection_file(
                actor=None, notice=notice, text="有问题", contact="13812345678", ip="10.0.0.9"
            )
        with pytest.raises(DomainError) as limited:
            services.objection_file(
                actor=None, notice=notice, text="有问题", contact="13812345678", ip="10.0.0.9"
            )
        assert limited.value.code == "rate_limited"
    end = datetime.combine(notice.ends_on, datetime.max.time(), tzinfo=SHANGHAI)
    with time_machine.travel(end, tick=False):
        services.objection_file(
            actor=None, notice=notice, text="最后一刻", contact="a@b.cn", ip="1"
        )
    with time_machine.travel(_day_after(notice), tick=False), pytest.raises(DomainError) as closed:
        services.objection_file(actor=None, notice=notice, text="太晚了", contact="a@b.cn", ip="2")
    assert "结束" in str(closed.value)
    assert Objection.objects.count() == services.OBJECTIONS_PER_HOUR + 1


def test_a_notice_needs_shortlisted_nominations(world, honour):
    bring_to(world, honour, Status.QUALIFIED)
    with time_machine.travel(datetime(2023, 5, 6, tzinfo=SHANGHAI), tick=False):
        with pytest.raises(DomainError):
            services.notice_open(
                actor=world.people["campaign_admin"],
                campaign=world.campaign,
                title="公示",
                starts_on=NOTICE_START,
            )
        with pytest.raises(NotAllowed):
            services.notice_open(
                actor=world.people["lead_admin"],
                campaign=world.campaign,
                title="公示",
                starts_on=NOTICE_START,
            )
    assert not PublicNotice.objects.exists()


def test_answer_by_email_goes_through_the_task_queue(
    world, honour, outbox, django_capture_on_commit_callbacks
):
    notice, _nomination = _open_notice(world, honour)
    with time_machine.travel(datetime(2023, 5, 9, 15, tzinfo=SHANGHAI), tick=False):
        objection = services.objection_file(
            actor=None, notice=notice, text="有疑问", contact="asker@example.com", ip="3"
        )
        phone_objection = services.objection_file(
            actor=None, notice=notice, text="有疑问", contact="13812345678", ip="3"
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.objection_answer(
                actor=world.people["campaign_admin"],
                objection=objection,
                answer="已核实。",
                send_email=True,
            )
        with pytest.raises(DomainError):
            services.objection_answer(
                actor=world.people["campaign_admin"],
                objection=phone_objection,
                answer="已核实。",
                send_email=True,
            )
    assert len(outbox) == 1 and outbox[0].to == ["asker@example.com"]
    assert "已核实" in outbox[0].body
