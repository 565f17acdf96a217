"""Services: who may change a list, what is refused (nothing written), what is audited."""

from __future__ import annotations

import pytest

from sciday.core.errors import Conflict, DomainError, NotAllowed
from sciday.core.models import AuditEntry
from sciday.screening import services
from sciday.screening.models import SensitiveWord

pytestmark = pytest.mark.django_db


def _listed(campaign) -> list[str]:
    return list(SensitiveWord.objects.filter(campaign=campaign).values_list("word", flat=True))


def test_add_normalises_and_audits(admin, campaign):
    item = services.word_add(
        actor=admin, campaign=campaign, word="  ＡＢＣ赌博 ", category="赌博", note="示例"
    )
    assert (item.word, item.category, item.note, item.created_by) == (
        "abc赌博",
        "赌博",
        "示例",
        admin,
    )
    assert AuditEntry.objects.filter(action="screening.word.added", object_id=str(item.pk)).exists()


@pytest.mark.parametrize("variant", ["赌博", " 赌博", "赌博　"])
def test_a_duplicate_is_refused(admin, campaign, variant):
    services.word_add(actor=admin, campaign=campaign, word="赌博")
    with pytest.raises(Conflict) as info:
        services.word_add(actor=admin, campaign=campaign, word=variant)
    assert "已在列表中" in str(info.value)
    assert _listed(campaign) == ["赌博"]


def test_a_duplicate_by_width_or_case_is_refused(admin, campaign):
    services.word_add(actor=admin, campaign=campaign, word="vpn")
    with pytest.raises(Conflict):
        services.word_add(actor=admin, campaign=campaign, word="ＶＰＮ")


@pytest.mark.parametrize("word", ["", "   ", "长" * 51])
def test_empty_or_too_long_words_are_refused(admin, campaign, word):
    with pytest.raises(DomainError) as info:
        services.word_add(actor=admin, campaign=campaign, word=word)
    assert info.value.field == "word"
    assert any(text in str(info.value) for text in ("请输入", "太长"))
    assert _listed(campaign) == []


@pytest.mark.parametrize(
    "role", ["public", "unit_editor", "unit_admin", "expert", "department_reviewer"]
)
def test_only_campaign_admins_may_change_a_list(world, admin, campaign, role):
    person = world.people[role]
    item = services.word_add(actor=admin, campaign=campaign, word="赌博")
    for call in (
        lambda: services.word_add(actor=person, campaign=campaign, word="假药"),
        lambda: services.words_import(actor=person, campaign=campaign, text="假药"),
        lambda: services.word_deactivate(actor=person, item=item),
        lambda: services.word_delete(actor=person, item=item),
    ):
        with pytest.raises(NotAllowed):
            call()
    item.refresh_from_db()
    assert _listed(campaign) == ["赌博"] and item.is_active


def test_update_refuses_a_word_already_listed(admin, campaign):
    services.word_add(actor=admin, campaign=campaign, word="赌博")
    item = services.word_add(actor=admin, campaign=campaign, word="假药")
    with pytest.raises(Conflict):
        services.word_update(actor=admin, item=item, word="赌博")
    item.refresh_from_db()
    assert item.word == "假药"


def test_import_counts_added_and_skipped(admin, campaign):
    services.word_add(actor=admin, campaign=campaign, word="赌博")
    result = services.words_import(
        actor=admin,
        campaign=campaign,
        text="赌博\n\n假药\r\n  \nＶＰＮ\nvpn\n假药\n",
        category="违法",
    )
    assert (result.added, result.skipped_blank, result.skipped_duplicate) == (2, 2, 3)
    assert sorted(_listed(campaign)) == sorted(["赌博", "假药", "vpn"])
    assert SensitiveWord.objects.get(word="vpn").category == "违法"
    entry = AuditEntry.objects.get(action="screening.words.imported")
    assert entry.changes["added"] == 2


def test_import_is_all_or_nothing(admin, campaign):
    with pytest.raises(DomainError) as info:
        services.words_import(actor=admin, campaign=campaign, text="赌博\n假药\n" + "长" * 51)
    assert "第 3 行" in str(info.value) or "第3行" in str(info.value)
    assert _listed(campaign) == []
    assert not AuditEntry.objects.filter(action="screening.words.imported").exists()


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_an_empty_import_is_refused(admin, campaign, text):
    with pytest.raises(DomainError) as info:
        services.words_import(actor=admin, campaign=campaign, text=text)
    assert info.value.code == "empty"
    assert _listed(campaign) == []


def test_uploads_are_decoded_or_refused():
    assert services.decode_upload("\ufeff赌博\n".encode()) == "赌博\n"
    assert services.decode_upload("赌博\n".encode("gb18030")) == "赌博\n"
    with pytest.raises(DomainError):
        services.decode_upload(b"MZ\x00\x00binary")
    with pytest.raises(DomainError):
        services.decode_upload(b"a\n" * (services.IMPORT_MAX_BYTES // 2 + 1))
