"""The composition page and its services: campaign admins only; refusals write nothing."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from sciday.activities.models import Status
from sciday.campaigns.models import Campaign
from sciday.core.errors import DomainError, NotAllowed
from sciday.core.models import AuditEntry
from sciday.portal import services
from sciday.portal.models import FeaturedActivity, HomeLayout
from sciday.resources.models import Resource
from tests.portal.conftest import picture, published_activity, published_article
from tests.portal.test_home import _campaign_2022

pytestmark = pytest.mark.django_db

URL = "/campaigns/{pk}/home/"
NOT_ADMINS = ["public", "lead_admin", "parent_admin", "department_reviewer"]


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    response = client.get(URL.format(pk=world.campaign.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_campaign_admins_open_and_post_the_page(world, client, login, role):
    activity = published_activity(world)
    login(world.people[role])
    url = URL.format(pk=world.campaign.pk)
    assert client.get(url).status_code == 403
    response = client.post(url, {"action": "activity_add", "activity": activity.pk})
    assert response.status_code == 403
    assert not FeaturedActivity.objects.exists()


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_services_refuse_everyone_but_campaign_admins(world, role):
    actor = world.people[role]
    activity = published_activity(world)
    article = published_article(world)
    calls = [
        lambda: services.home_activity_feature(
            actor=actor, campaign=world.campaign, activity=activity
        ),
        lambda: services.home_banner_set(actor=actor, campaign=world.campaign, upload=picture()),
        lambda: services.home_banner_remove(actor=actor, campaign=world.campaign),
        lambda: services.home_blocks_set(actor=actor, campaign=world.campaign, blocks=[]),
        lambda: services.home_resource_feature(
            actor=actor, campaign=world.campaign, resource=article
        ),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()
    assert not HomeLayout.objects.exists()
    assert not Resource.objects.get(pk=article.pk).featured
    assert not AuditEntry.objects.filter(action__startswith="portal.").exists()


def test_campaign_admin_features_an_activity_through_the_page(world, client, login):
    activity = published_activity(world, "院士进校园")
    login(world.people["campaign_admin"])
    url = URL.format(pk=world.campaign.pk)
    page = client.get(url, {"aq": "院士"}).content.decode()
    assert "首页编排" in page and "院士进校园" in page and "精选：院士进校园" in page
    response = client.post(url + "?aq=院士", {"action": "activity_add", "activity": activity.pk})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "“院士进校园”已在首页精选展示。" in page
    assert "取消精选：院士进校园" in page
    assert list(FeaturedActivity.objects.values_list("activity_id", flat=True)) == [activity.pk]
    assert AuditEntry.objects.filter(
        action="portal.home.activity_featured", object_id=str(activity.pk)
    ).exists()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.CANCELLED])
def test_an_unpublished_activity_is_refused(world, client, login, status):
    activity = world.activity("own", status)
    with pytest.raises(DomainError) as refused:
        services.home_activity_feature(
            actor=world.people["campaign_admin"], campaign=world.campaign, activity=activity
        )
    assert str(refused.value) == "只有已发布的活动才能在首页精选展示。"
    login(world.people["campaign_admin"])
    url = URL.format(pk=world.campaign.pk)
    response = client.post(url, {"action": "activity_add", "activity": activity.pk}, follow=True)
    assert "只有已发布的活动才能在首页精选展示。" in response.content.decode()
    assert not FeaturedActivity.objects.exists()


def test_another_campaigns_activity_or_resource_is_refused(world, client, login):
    other = _campaign_2022()
    activity = published_activity(world)
    article = published_article(world)
    admin = world.people["campaign_admin"]
    with pytest.raises(DomainError, match="请选择本年度已发布的活动。"):
        services.home_activity_feature(actor=admin, campaign=other, activity=activity)
    with pytest.raises(DomainError, match="请选择本年度已发布的宣传产品。"):
        services.home_resource_feature(actor=admin, campaign=other, resource=article)
    login(admin)
    response = client.post(
        URL.format(pk=other.pk), {"action": "activity_add", "activity": "999999"}, follow=True
    )
    assert "请选择本年度已发布的活动。" in response.content.decode()
    assert not FeaturedActivity.objects.exists()
    assert not Resource.objects.get(pk=article.pk).featured


def test_an_unpublished_resource_is_refused(world):
    admin = world.people["campaign_admin"]
    from sciday.resources import services as resource_services
    from sciday.resources.models import Kind

    draft = resource_services.resource_create(
        actor=admin,
        unit=world.unit("lead"),
        campaign=world.campaign,
        kind=Kind.ARTICLE,
        title="草稿文章",
        attribution="南京市科协",
        body="<p>草稿</p>",
    )
    with pytest.raises(DomainError, match="只有已发布的宣传产品才能在首页精选展示。"):
        services.home_resource_feature(actor=admin, campaign=world.campaign, resource=draft)
    assert not Resource.objects.get(pk=draft.pk).featured


def test_resources_are_featured_and_unfeatured_on_the_page(world, client, login):
    article = published_article(world, "科学家精神宣传片")
    login(world.people["campaign_admin"])
    url = URL.format(pk=world.campaign.pk)
    assert "科学家精神宣传片" in client.get(url, {"rq": "宣传片"}).content.decode()
    client.post(url, {"action": "resource_add", "resource": article.pk})
    assert Resource.objects.get(pk=article.pk).featured
    assert AuditEntry.objects.filter(
        action="resources.resource.featured", object_id=str(article.pk)
    ).exists()
    client.post(url, {"action": "resource_remove", "resource": article.pk})
    assert not Resource.objects.get(pk=article.pk).featured


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("banner.gif", b"GIF89a" + b"\x00" * 64, "请上传 JPEG、PNG 或 WebP 格式的图片。"),
        ("banner.png", b"<html><script>alert(1)</script></html>", None),
        ("banner.png", b"", None),
    ],
)
def test_a_bad_banner_is_refused_and_nothing_is_stored(world, client, login, name, data, message):
    admin = world.people["campaign_admin"]
    with pytest.raises(DomainError) as refused:
        services.home_banner_set(
            actor=admin, campaign=world.campaign, upload=SimpleUploadedFile(name, data)
        )
    assert refused.value.field == "banner"
    login(admin)
    response = client.post(
        URL.format(pk=world.campaign.pk),
        {"action": "banner_set", "banner": SimpleUploadedFile(name, data)},
        follow=True,
    )
    assert response.status_code == 200
    assert str(refused.value) in response.content.decode()
    if message:
        assert str(refused.value) == message
    assert not HomeLayout.objects.filter(banner__gt="").exists()
    _dirs, files = (
        default_storage.listdir("portal/banners")
        if default_storage.exists("portal/banners")
        else ([], [])
    )
    assert files == []


def test_banner_upload_replace_and_remove(world, client, login, django_capture_on_commit_callbacks):
    admin = world.people["campaign_admin"]
    login(admin)
    url = URL.format(pk=world.campaign.pk)

    def post(data):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, data)

    post({"action": "banner_set", "banner": picture("a.jpg", fmt="JPEG")})
    first = HomeLayout.objects.get(campaign=world.campaign).banner.name
    assert first and default_storage.exists(first)
    post({"action": "banner_set", "banner": picture("b.webp", fmt="WEBP")})
    second = HomeLayout.objects.get(campaign=world.campaign).banner.name
    assert second != first and default_storage.exists(second)
    assert not default_storage.exists(first)  # the replaced file is deleted on commit
    post({"action": "banner_remove"})
    assert not HomeLayout.objects.get(campaign=world.campaign).banner
    assert not default_storage.exists(second)
    actions = list(
        AuditEntry.objects.filter(action__startswith="portal.home.banner").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "portal.home.banner_removed",
        "portal.home.banner_set",
        "portal.home.banner_set",
    ]


def test_blocks_are_ordered_and_hidden_on_the_page(world, client, login):
    login(world.people["campaign_admin"])
    url = URL.format(pk=world.campaign.pk)
    data = {
        "action": "blocks",
        "position-sections": "1",
        "shown-sections": "on",
        "position-figures": "2",
        "shown-figures": "on",
        "position-activities": "3",
        "shown-activities": "on",
        "position-resources": "4",
        "position-dates": "5",
    }
    client.post(url, data)
    layout = HomeLayout.objects.get(campaign=world.campaign)
    order = [key for key, _shown in layout.ordered_blocks()]
    assert order[:5] == ["sections", "figures", "activities", "resources", "dates"]
    assert "resources" not in layout.shown_blocks() and "dates" not in layout.shown_blocks()
    with pytest.raises(DomainError, match="每个版块须且仅须出现一次。"):
        services.home_blocks_set(
            actor=world.people["campaign_admin"],
            campaign=world.campaign,
            blocks=[("figures", True), ("figures", False)],
        )


def test_the_campaign_tabs_link_to_the_composition_page(world, client, login):
    login(world.people["campaign_admin"])
    page = client.get(f"/campaigns/{world.campaign.pk}/").content.decode()
    assert f'href="/campaigns/{world.campaign.pk}/home/"' in page
    assert Campaign.objects.count() >= 1


def test_the_demo_composes_the_2023_home_once(world, client):
    from sciday.core.demo_home import load_demo_home

    for n in range(5):
        published_activity(world, f"演示活动{n}")
    for n in range(2):
        published_article(world, f"演示文章{n}")
    admin = world.people["campaign_admin"]
    assert load_demo_home(campaign_admin=admin) == 1 + 4 + 2
    assert load_demo_home(campaign_admin=admin) == 0
    layout = HomeLayout.objects.get(campaign=world.campaign)
    assert layout.banner and layout.featured.count() == 4
    html = client.get("/").content.decode()
    assert layout.banner_url in html and "演示活动0" in html and "演示文章1" in html
