"""The 敏感词 tab: what campaign admins do there, and that nobody else gets in."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sciday.accounts.models import Role
from sciday.screening import services
from sciday.screening.models import SensitiveWord
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _url(campaign, query: str = "") -> str:
    url = reverse("campaigns:sensitive_words", args=[campaign.pk])
    return f"{url}?{query}" if query else url


def _listed(campaign) -> set[str]:
    return set(SensitiveWord.objects.filter(campaign=campaign).values_list("word", flat=True))


def test_admin_adds_imports_searches_and_switches_off(world, web_as, campaign):
    client = web_as(world, "campaign_admin")
    page = client.get(_url(campaign))
    assert page.status_code == 200
    assert "词表为空" in page.content.decode()
    assert 'aria-current="page">敏感词' in page.content.decode()

    response = client.post(_url(campaign), {"action": "add", "word": "ＶＰＮ", "category": "翻墙"})
    assert response.status_code == 302
    response = client.post(
        _url(campaign), {"action": "import", "text": "赌博\n\n假药\nvpn\n", "category": ""}
    )
    assert response.status_code == 302
    page = client.get(_url(campaign)).content.decode()
    assert "已添加 2 个词；跳过 2 行" in page
    assert "共 3 个词：3 个启用，0 个已停用" in page

    upload = SimpleUploadedFile("words.txt", "毒品\n赌博\n".encode("gb18030"), "text/plain")
    client.post(_url(campaign), {"action": "import", "file": upload})
    assert _listed(campaign) == {"vpn", "赌博", "假药", "毒品"}

    page = client.get(_url(campaign, "q=赌")).content.decode()
    assert "赌博" in page and "假药" not in page

    item = SensitiveWord.objects.get(word="假药")
    client.post(_url(campaign), {"action": "deactivate", "word": item.pk})
    item.refresh_from_db()
    assert not item.is_active
    page = client.get(_url(campaign, "status=inactive")).content.decode()
    assert "假药" in page and "毒品" not in page
    client.post(_url(campaign), {"action": "activate", "word": item.pk})
    client.post(_url(campaign), {"action": "delete", "word": item.pk})
    assert "假药" not in _listed(campaign)


def test_page_refusals_show_on_the_form_and_write_nothing(world, web_as, campaign):
    client = web_as(world, "campaign_admin")
    admin = world.people["campaign_admin"]
    services.word_add(actor=admin, campaign=campaign, word="赌博")
    response = client.post(_url(campaign), {"action": "add", "word": "赌博"})
    assert response.status_code == 400 and "“赌博”已在列表中" in response.content.decode()
    response = client.post(_url(campaign), {"action": "add", "word": "长" * 60})
    assert response.status_code == 400 and "太长" in response.content.decode()
    response = client.post(_url(campaign), {"action": "import", "text": "\n \n"})
    assert response.status_code == 400 and "列表中没有敏感词" in response.content.decode()
    response = client.post(_url(campaign), {"action": "import", "text": "假药\n" + "长" * 51})
    assert response.status_code == 400 and "第 2 行太长" in response.content.decode()
    upload = SimpleUploadedFile("words.txt", b"\x00\x01binary", "text/plain")
    response = client.post(_url(campaign), {"action": "import", "file": upload})
    assert response.status_code == 400 and "不是文本文件" in response.content.decode()
    response = client.post(_url(campaign), {"action": "delete", "word": "999999"})
    assert response.status_code == 302
    response = client.post(_url(campaign), {"action": "explode"})
    assert response.status_code == 302
    assert _listed(campaign) == {"赌博"}


@pytest.mark.parametrize(
    "role", ["public", "unit_editor", "unit_admin", "expert", "department_reviewer"]
)
def test_page_is_refused_to_everyone_but_campaign_admins(world, web_as, campaign, role):
    item = services.word_add(actor=world.people["campaign_admin"], campaign=campaign, word="赌博")
    client = web_as(world, role)
    assert client.get(_url(campaign)).status_code == 403
    assert client.post(_url(campaign), {"action": "add", "word": "假药"}).status_code == 403
    assert client.post(_url(campaign), {"action": "delete", "word": item.pk}).status_code == 403
    assert _listed(campaign) == {"赌博"}


def test_unit_admin_of_the_national_department_is_refused(world, login, client, campaign):
    login(make_member(world.unit("cast"), Role.UNIT_ADMIN, name="部门管理员"))
    assert client.get(_url(campaign)).status_code == 403
    assert client.post(_url(campaign), {"action": "add", "word": "假药"}).status_code == 403
    assert _listed(campaign) == set()


def test_anonymous_is_sent_to_sign_in(world, client, campaign):
    response = client.get(_url(campaign))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.post(_url(campaign), {"action": "add", "word": "假药"}).status_code == 302
    assert _listed(campaign) == set()


def test_an_unknown_campaign_is_404(world, web_as):
    client = web_as(world, "campaign_admin")
    assert client.get(reverse("campaigns:sensitive_words", args=[99999])).status_code == 404


def test_list_queries_do_not_grow_with_words(world, web_as, campaign):
    client = web_as(world, "campaign_admin")
    admin = world.people["campaign_admin"]
    services.words_import(actor=admin, campaign=campaign, text="赌博\n假药")
    client.get(_url(campaign))
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(campaign)).status_code == 200
    services.words_import(
        actor=admin, campaign=campaign, text="\n".join(f"词{i}" for i in range(120))
    )
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url(campaign, "page=2")).status_code == 200
    assert len(few) <= 15
    assert len(many) == len(few)
