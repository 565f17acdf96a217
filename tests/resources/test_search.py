"""Resources in the shared search: indexed by their services and processing, found in the
gallery (/resources/?q=) and on /search/, only once published."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from sciday.resources import services
from sciday.resources.indexing import KIND
from sciday.resources.models import Kind, Processing, Resource, Status
from sciday.search.models import SearchEntry
from sciday.search.selectors import search, search_ids
from tests.resources import hostile

GALLERY = reverse("resources:list")
SEARCH = reverse("search:search")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a block and its on-commit callbacks (index refresh, processing) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def article(world, *, unit="lead", title="科普日回顾", description="", body="<p>一篇文章</p>"):
    return services.resource_create(
        actor=world.people["campaign_admin"],
        unit=world.unit(unit),
        campaign=world.campaign,
        kind=Kind.ARTICLE,
        title=title,
        description=description,
        attribution="南京市科协",
        body=body,
        tags="航天 科普",
    )


def publish(world, resource):
    admin = world.people["campaign_admin"]
    resource = services.resource_submit(actor=admin, resource=resource)
    return services.resource_approve(actor=admin, resource=resource)


def found(q, **kwargs) -> list[int]:
    return search_ids(q=q, kind=KIND, **kwargs)


def upload_document(world, name, data):
    resource = services.resource_create_from_upload(
        actor=world.people["lead_editor"],
        unit=world.unit("lead"),
        campaign=world.campaign,
        kind=Kind.DOCUMENT,
        upload=SimpleUploadedFile(name, data),
        title="活动材料",
        attribution="南京市科协",
    )
    return resource


def test_published_resource_is_found_by_title_description_body_and_tags(world, commit):
    with commit():
        resource = publish(
            world,
            article(
                world, title="院士进校园", description="天文观测", body="<p>量子<b>通信</b></p>"
            ),
        )
    for word in ("院士", "天文", "通信", "航天"):
        assert found(word) == [resource.pk], word
    entry = SearchEntry.objects.get(kind=KIND, object_id=resource.pk)
    assert entry.published and entry.region_code == "320000"
    assert entry.campaign_id == world.campaign.pk
    assert "<b>" not in entry.body


@pytest.mark.parametrize("step", ["draft", "held", "returned", "submitted"])
def test_unpublished_resources_are_not_found_anonymously(world, commit, monkeypatch, step):
    admin = world.people["campaign_admin"]
    with commit():
        resource = article(world, title="院士进校园")
        if step == "held":
            monkeypatch.setattr(services, "_screen", lambda r: [{"word": "院士", "field": "title"}])
        if step != "draft":
            resource = services.resource_submit(actor=admin, resource=resource)
        if step == "returned":
            resource = services.resource_return(actor=admin, resource=resource, reason="改标题")
    assert Resource.objects.get(pk=resource.pk).status == step
    assert found("院士") == []
    # The entry exists, unpublished: a workspace search limited to what its reader sees finds it.
    assert found("院士", include_unpublished=True) == [resource.pk]


def test_a_returned_published_path_and_deletion_update_the_index(world, commit):
    admin = world.people["campaign_admin"]
    with commit():
        resource = article(world, title="院士进校园")
        resource = services.resource_submit(actor=admin, resource=resource)
        resource = services.resource_return(actor=admin, resource=resource, reason="改标题")
        services.resource_update(actor=admin, resource=resource, title="航天科普展")
        publish(world, Resource.objects.get(pk=resource.pk))
    assert found("院士") == [] and found("航天科普") == [resource.pk]
    with commit():
        services.resource_delete(actor=admin, resource=Resource.objects.get(pk=resource.pk))
    assert found("航天科普") == []
    assert not SearchEntry.objects.filter(kind=KIND, object_id=resource.pk).exists()


def test_text_extracted_from_a_docx_is_searchable_once_processed(world, commit):
    with commit():
        resource = upload_document(world, "总结.docx", hostile.docx(["弘扬科学家精神", "火箭"]))
    resource.refresh_from_db()
    assert resource.processing == Processing.DONE, resource.processing_error
    with commit():
        publish(world, resource)
    assert found("火箭") == [resource.pk]
    assert found("科学家精神") == [resource.pk]


def test_text_extracted_from_a_pdf_is_searchable_once_processed(world, commit):
    with commit():
        resource = upload_document(world, "plan.pdf", hostile.pdf(["Telescope outreach night"]))
    resource.refresh_from_db()
    assert resource.processing == Processing.DONE, resource.processing_error
    entry = SearchEntry.objects.get(kind=KIND, object_id=resource.pk)
    assert "Telescope" in entry.body and not entry.published
    with commit():
        publish(world, resource)
    assert found("telescope") == [resource.pk]


def test_reindex_command_rebuilds_the_entries(world, commit):
    with commit():
        resource = publish(world, article(world, title="院士进校园"))
    SearchEntry.objects.filter(kind=KIND).delete()
    out = io.StringIO()
    call_command("reindex_resources", stdout=out)
    assert "1 resources reindexed" in out.getvalue()
    assert found("院士") == [resource.pk]


# --- The gallery -----------------------------------------------------------------------------


def test_gallery_search_ranks_and_keeps_the_filters(world, client, commit):
    with commit():
        nanjing = publish(world, article(world, title="院士进校园"))
        hangzhou = publish(world, article(world, unit="other_lead", title="院士讲座"))
        publish(world, article(world, title="天文观测"))
        draft = article(world, title="院士草稿")
    page = client.get(GALLERY, {"q": "院士"})
    html = page.content.decode()
    assert page.status_code == 200
    assert {r.pk for r in page.context["page"].object_list} == {nanjing.pk, hangzhou.pk}
    assert "天文观测" not in html and "院士草稿" not in html and draft.pk
    assert "2 条结果" in html
    page = client.get(GALLERY, {"q": "院士", "province": "330000"})
    assert [r.pk for r in page.context["page"].object_list] == [hangzhou.pk]
    # The pager keeps the query.
    assert "q=%E9%99%A2%E5%A3%AB" in page.context["paged_query"]


def test_gallery_search_nothing_found(world, client, commit):
    with commit():
        publish(world, article(world, title="院士进校园"))
    html = client.get(GALLERY, {"q": "量子纠缠", "kind": "photo"}).content.decode()
    assert "没有找到" in html
    assert "去掉筛选条件再搜索" in html
    # Punctuation alone searches nothing: the plain list.
    page = client.get(GALLERY, {"q": "，。"})
    assert page.context["page"].paginator.count == 1


def test_gallery_search_says_more_than_200(world, client, commit, monkeypatch):
    from sciday.resources import selectors

    monkeypatch.setattr(selectors, "CANDIDATES", 2)
    with commit():
        for n in range(4):
            publish(world, article(world, title=f"院士报告{n}"))
    html = client.get(GALLERY, {"q": "院士"}).content.decode()
    assert "超过 2 条结果" in html


def test_gallery_search_query_count_is_fixed(world, client, commit, django_assert_max_num_queries):
    def load(n):
        with commit():
            for i in range(n):
                publish(world, article(world, title=f"院士报告{i}"))
        # regions, units and categories offered, the search, the page rows, the shell
        with django_assert_max_num_queries(8):
            page = client.get(GALLERY, {"q": "院士", "kind": "article"})
        assert page.status_code == 200
        return page.context["page"].paginator.count

    assert load(2) == 2
    assert load(10) == 12


# --- /search/ --------------------------------------------------------------------------------


def test_search_page_shows_resources_and_the_kind_switch(world, client, commit):
    with commit():
        resource = publish(world, article(world, title="院士进校园"))
        activity = world.activity(status="published", title="院士报告会")
    html = client.get(SEARCH, {"q": "院士"}).content.decode()
    assert f'href="/resources/{resource.pk}/"' in html
    assert f'href="/activities/{activity.pk}/"' in html
    assert "宣传产品" in html and "全部" in html

    html = client.get(SEARCH, {"q": "院士", "kind": "resources"}).content.decode()
    assert f'href="/resources/{resource.pk}/"' in html
    assert f'href="/activities/{activity.pk}/"' not in html
    assert 'name="kind" value="resources"' in html

    html = client.get(SEARCH, {"q": "院士", "kind": "activities"}).content.decode()
    assert f'href="/resources/{resource.pk}/"' not in html
    assert f'href="/activities/{activity.pk}/"' in html
    # An unknown kind searches everything.
    assert client.get(SEARCH, {"q": "院士", "kind": "x"}).context["results"].total == 2


def test_search_page_never_shows_unpublished_resources(world, client, commit):
    with commit():
        article(world, title="院士草稿")
    results = client.get(SEARCH, {"q": "院士"}).context["results"]
    assert results.total == 0
    assert search(q="院士", kind=KIND).total == 0


def test_search_page_shows_a_photo_thumbnail(world, client, commit):
    with commit():
        resource = publish(world, article(world, title="院士进校园"))
    Resource.objects.filter(pk=resource.pk).update(
        kind=Kind.PHOTO, thumbnails={"240": "resources/x_w240.webp"}, status=Status.PUBLISHED
    )
    html = client.get(SEARCH, {"q": "院士"}).content.decode()
    assert f'src="/resources/{resource.pk}/file/thumb-240/"' in html
