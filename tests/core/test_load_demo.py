"""`manage.py load_demo`: realistic demo on the seeded national structure, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sciday.accounts.models import Membership, Role, SystemRole, User
from sciday.core.management.commands.load_demo import DEMO_PASSWORD, DEMO_TOTP_BASE32
from sciday.core.models import AuditEntry
from sciday.orgs.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


SMALL = 40  # activities in most tests: the default 300 is tested once


def _load(activities: int = SMALL, *, resources: bool = False) -> str:
    """Load the demo; its generated resources (seconds of media processing) only when asked."""
    out = io.StringIO()
    flags = [] if resources else ["--no-resources"]
    call_command("load_demo", f"--activities={activities}", *flags, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo() -> str:
    return _load()


def test_adds_units_under_the_seeded_structure(demo):
    zhejiang = Unit.objects.get(code="cast-33")
    hangzhou = Unit.objects.get(code="local-hangzhou")
    assert hangzhou.kind == UnitKind.LOCAL_CAST
    assert Unit.objects.get_parent(hangzhou) == zhejiang
    assert hangzhou.region_id == "330100"
    assert Unit.objects.get_parent(Unit.objects.get(code="univ-zju")) == zhejiang
    assert Unit.objects.get_parent(Unit.objects.get(code="univ-tsinghua")).code == "cast-11"
    societies = Unit.objects.filter(kind=UnitKind.NATIONAL_SOCIETY)
    names = set(societies.values_list("name", flat=True))
    assert {"中国化学会", "中国计算机学会", "中国农学会"} <= names
    assert all(Unit.objects.get_parent(s).code == "cast-publicity" for s in societies)
    assert Unit.objects.filter(kind=UnitKind.ENTERPRISE_CAST).exists()


def test_one_account_per_role(demo):
    roles = dict(Membership.objects.values_list("role", "unit__code"))
    assert roles == {
        Role.CAMPAIGN_ADMIN: "cast-publicity",
        Role.DEPARTMENT_REVIEWER: "most-talent",
        Role.UNIT_ADMIN: "cast-33",
        Role.UNIT_EDITOR: "cast-33",
        Role.EXPERT: "society-ccs",
        Role.CONSULTANT: "cast-11",
    }
    system = set(User.objects.exclude(system_role="").values_list("system_role", flat=True))
    assert system == {SystemRole.SYSTEM_ADMIN, SystemRole.AUDITOR, SystemRole.SECURITY_ADMIN}
    public = User.objects.get(email="public@sciday.test")
    assert not public.memberships.exists() and public.system_role == ""


def test_logins_work_with_the_printed_password_and_need_no_change_now(demo, client):
    from sciday.accounts.middleware import password_expired

    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
        assert not password_expired(user)
    unit_admin = User.objects.get_by_login("13800138000")
    assert unit_admin.email == "unit.admin@sciday.test"


def test_second_factor_accounts_have_a_confirmed_device_with_the_printed_key(demo):
    import base64

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    needing = {"campaign.admin", "reviewer", "sysadmin", "auditor", "security"}
    devices = TOTPDevice.objects.select_related("user")
    assert {d.user.email.split("@")[0] for d in devices} == needing
    key = base64.b32decode(DEMO_TOTP_BASE32)
    device = devices.get(user__email="campaign.admin@sciday.test")
    assert device.confirmed
    assert device.verify_token(f"{TOTP(key).token():06d}")


def test_prints_the_logins(demo):
    assert "Demo news: " in demo and "Demo showcase: " in demo
    assert "Demo summary reports: " in demo
    assert DEMO_PASSWORD in demo
    assert DEMO_TOTP_BASE32 in demo
    for email in ("campaign.admin@sciday.test", "unit.admin@sciday.test", "auditor@sciday.test"):
        assert email in demo


def test_is_audited(demo):
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "core.demo.user_created",
        "core.demo.membership_created",
        "orgs.unit.created",
        "accounts.user.system_role_changed",
    } <= actions


def test_is_idempotent(demo):
    counts = (Unit.objects.count(), User.objects.count(), Membership.objects.count())
    audit = AuditEntry.objects.count()
    second = _load()
    assert "already loaded" in second
    assert (Unit.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert AuditEntry.objects.count() == audit


def test_refuses_without_the_seeded_structure():
    from django.core.management.base import CommandError

    Unit.objects.filter(code="cast-33").update(code="renamed-33")
    with pytest.raises(CommandError, match="cast-33"):
        _load()


# --- Activities -------------------------------------------------------------------------------


def _demo_activities():
    from sciday.activities.models import Activity

    return Activity.objects.filter(reference__startswith="demo-").select_related(
        "lead_unit__region", "region", "category", "subtype", "campaign"
    )


def _load_with_index(capture, activities: int = SMALL) -> str:
    """Load, running the search-index refreshes the services schedule on commit."""
    with capture(execute=True):
        return _load(activities)


def test_activities_go_through_the_workflow_into_every_status(demo):
    from sciday.activities.models import ActivityEvent, Status

    activities = list(_demo_activities())
    assert len(activities) == SMALL
    by_status = {status: [a for a in activities if a.status == status] for status in Status}
    assert all(by_status.values()), {s: len(a) for s, a in by_status.items()}
    assert all(a.return_reason for a in by_status[Status.RETURNED])
    assert all(a.cancel_reason for a in by_status[Status.CANCELLED])
    assert all(a.actual_participants for a in by_status[Status.FINISHED])
    assert all(a.published_at and a.decided_by_id for a in by_status[Status.PUBLISHED])
    # Real history and audit trail, as if people had clicked through.
    finished = by_status[Status.FINISHED][0]
    steps = list(
        ActivityEvent.objects.filter(activity=finished)
        .order_by("id")
        .values_list("to_status", flat=True)
    )
    assert steps == [Status.DRAFT, Status.SUBMITTED, Status.PUBLISHED, Status.FINISHED]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "activities.activity.created",
        "activities.activity.submitted",
        "activities.activity.published",
        "activities.activity.returned",
        "activities.activity.cancelled",
        "activities.activity.finished",
    } <= actions


def test_activities_are_valid_for_their_campaign_and_unit(demo):
    from sciday.activities.models import Format

    for a in _demo_activities():
        first, last = a.campaign.window_start, a.campaign.window_end
        assert a.campaign.year == 2023
        assert first <= a.starts_at.date() and a.ends_at.date() <= last
        assert not a.window_override and not a.region_override
        assert a.title and a.summary
        assert a.subtype is None or a.subtype.category_id == a.category_id
        if a.format != Format.ONLINE:
            assert a.region is not None and a.address
            if a.lead_unit.code.startswith(("cast-", "std-")):
                assert a.region.province_code == a.lead_unit.province_code
        if a.format != Format.OFFLINE:
            assert a.online_url.startswith("https://")


def test_zhejiang_units_activities_are_written_by_the_demo_unit_editor(demo):
    zhejiang = [a for a in _demo_activities() if a.lead_unit.path.startswith(_path("cast-33"))]
    editor = User.objects.get(email="unit.editor@sciday.test")
    assert zhejiang and all(a.created_by_id == editor.pk for a in zhejiang)


def _path(code: str) -> str:
    return Unit.objects.get(code=code).path


def test_activities_are_idempotent_and_repeatable(demo):
    from sciday.activities.models import Activity, ActivityEvent

    before = sorted(_demo_activities().values_list("reference", "title", "status", "starts_at"))
    audit, events = AuditEntry.objects.count(), ActivityEvent.objects.count()
    second = _load()
    assert "(0 new)" in second
    assert Activity.objects.count() == SMALL
    assert AuditEntry.objects.count() == audit and ActivityEvent.objects.count() == events
    # The same seed draws the same activities: deleting them and loading again gives them back.
    Activity.objects.all().delete()
    _load()
    after = sorted(_demo_activities().values_list("reference", "title", "status", "starts_at"))
    assert after == before


def test_published_activities_are_found_by_search(django_capture_on_commit_callbacks, client):
    from sciday.activities.models import PUBLIC_STATUSES
    from sciday.search.selectors import search

    _load_with_index(django_capture_on_commit_callbacks)
    results = search(q="科普", kind="activities.activity", limit=100)
    public = set(_demo_activities().filter(status__in=PUBLIC_STATUSES).values_list("pk", flat=True))
    found = {hit.object_id for hit in results.hits}
    assert found and found <= public
    response = client.get("/search/", {"q": "科普"})
    assert response.status_code == 200
    titles = set(_demo_activities().filter(pk__in=found).values_list("title", flat=True))
    assert any(title in response.content.decode() for title in titles)


def test_default_demo_covers_the_country(django_capture_on_commit_callbacks):
    """The full default demo, once: every status, most provinces, every category."""
    from sciday.activities.models import Status
    from sciday.campaigns.models import Category
    from sciday.core.demo_activities import DEFAULT_COUNT
    from sciday.search.selectors import search

    out = _load_with_index(django_capture_on_commit_callbacks, DEFAULT_COUNT)
    assert f"Demo activities: {DEFAULT_COUNT} ({DEFAULT_COUNT} new)" in out
    activities = list(_demo_activities())
    assert len(activities) == DEFAULT_COUNT
    statuses = {a.status for a in activities}
    assert statuses == set(Status.values)
    provinces = {a.lead_unit.province_code for a in activities}
    assert len(provinces) >= 20
    assert {a.category_id for a in activities} == set(
        Category.objects.filter(campaign__year=2023).values_list("pk", flat=True)
    )
    assert len({a.subtype_id for a in activities}) >= 15
    assert {a.format for a in activities} == {"offline", "online", "hybrid"}
    days = [a.starts_at.date().isoformat() for a in activities]
    near_the_day = sum("2023-05-23" <= d <= "2023-06-06" for d in days)
    assert near_the_day > DEFAULT_COUNT * 0.6
    assert search(q="科普", kind="activities.activity").total >= 20
    assert "(0 new)" in _load(DEFAULT_COUNT)


# --- Resources ------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


def test_demo_resources_cover_every_kind_and_state_and_are_processed(media, client):
    import shutil

    from PIL import Image

    from sciday.resources.models import Kind, Processing, Resource, Status

    out = _load(resources=True)
    resources = list(Resource.objects.filter(campaign__year=2023).order_by("pk"))
    assert f"Demo resources: {len(resources)} new" in out
    kinds = {r.kind for r in resources}
    expected_kinds = set(Kind.values) if shutil.which("ffmpeg") else set(Kind.values) - {"video"}
    assert kinds == expected_kinds
    assert {r.status for r in resources} == set(Status.values)
    held = next(r for r in resources if r.status == Status.HELD)
    assert {h["word"] for h in held.screening_hits} == {"代写论文"}
    assert all(r.return_reason for r in resources if r.status == Status.RETURNED)
    assert any(r.featured for r in resources)
    assert any(r.activity_id for r in resources if r.status == Status.PUBLISHED)
    for resource in resources:
        if resource.kind in (Kind.PHOTO, Kind.VIDEO, Kind.DOCUMENT):
            assert resource.processing == Processing.DONE, resource.processing_error
        if resource.kind in (Kind.PHOTO, Kind.VIDEO) or resource.mime_type == "application/pdf":
            assert resource.thumbnails, resource.title
    # The pictures' made-up GPS position is gone from the stored bytes.
    for photo in (r for r in resources if r.kind == Kind.PHOTO):
        with Image.open(media / photo.file.name) as image:
            assert not image.getexif().get_ifd(0x8825)
    page = client.get("/resources/")
    assert page.status_code == 200
    published = [r for r in resources if r.status == Status.PUBLISHED]
    assert all(r.title in page.content.decode() for r in published[:6])
    # Idempotent: nothing new, nothing stored twice.
    files = sorted(p for p in media.rglob("*") if p.is_file())
    assert "Demo resources: 0 new" in _load(resources=True)
    assert Resource.objects.count() == len(resources)
    assert sorted(p for p in media.rglob("*") if p.is_file()) == files
