"""The matcher: CJK words, overlaps, width/case variants, empty lists, rebuilding after a change."""

from __future__ import annotations

import pytest

from sciday.screening import matcher, services
from sciday.screening.matcher import Hit, matched_words, screen
from sciday.screening.models import SensitiveWord

pytestmark = pytest.mark.django_db


def _words(hits):
    return {(h.field, h.word) for h in hits}


def test_cjk_words_are_found_with_their_field(admin, campaign):
    services.words_import(actor=admin, campaign=campaign, text="赌博\n假药\n")
    hits = screen(
        campaign=campaign,
        texts={"title": "科普日：远离赌博", "description": "不卖假药，也不卖赌博用品，赌博害人"},
    )
    assert _words(hits) == {("title", "赌博"), ("description", "假药"), ("description", "赌博")}
    gamble = next(h for h in hits if h.field == "description" and h.word == "赌博")
    assert gamble.count == 2
    # In the order of the texts, then of first occurrence.
    assert [(h.field, h.word) for h in hits][1:] == [
        ("description", "假药"),
        ("description", "赌博"),
    ]
    assert matched_words(hits) == ["赌博", "假药"]


def test_overlapping_and_nested_words_are_all_reported(admin, campaign):
    services.words_import(actor=admin, campaign=campaign, text="法轮\n轮功\n法轮功\n功")
    hits = screen(campaign=campaign, texts={"body": "反对法轮功。"})
    assert {h.word for h in hits} == {"法轮", "轮功", "法轮功", "功"}
    assert next(h for h in hits if h.word == "法轮功").start == 2


def test_full_width_and_case_variants_match(admin, campaign):
    services.word_add(actor=admin, campaign=campaign, word="ＶＰＮ")  # stored as "vpn"
    services.word_add(actor=admin, campaign=campaign, word="Straße")  # stored as "strasse"
    assert set(SensitiveWord.objects.values_list("word", flat=True)) == {"vpn", "strasse"}
    hits = screen(
        campaign=campaign,
        texts={"a": "翻墙用Vpn", "b": "免费ｖｐｎ下载", "c": "STRASSE", "d": "vp n"},
    )
    assert _words(hits) == {("a", "vpn"), ("b", "vpn"), ("c", "strasse")}


def test_empty_list_and_empty_texts_give_nothing(admin, campaign):
    assert screen(campaign=campaign, texts={"title": "赌博"}) == []
    services.word_add(actor=admin, campaign=campaign, word="赌博")
    assert screen(campaign=campaign, texts={}) == []
    assert screen(campaign=campaign.pk, texts={"title": "", "description": None}) == []


def test_switched_off_words_are_not_matched(admin, campaign):
    item = services.word_add(actor=admin, campaign=campaign, word="赌博")
    services.word_deactivate(actor=admin, item=item)
    assert screen(campaign=campaign, texts={"t": "赌博"}) == []


def test_the_automaton_is_cached_and_rebuilt_after_each_change(
    admin, campaign, django_assert_num_queries
):
    services.word_add(actor=admin, campaign=campaign, word="赌博")
    assert _words(screen(campaign=campaign, texts={"t": "赌博假药"})) == {("t", "赌博")}
    first = matcher.automaton_for(campaign.pk)
    with django_assert_num_queries(0):  # version and automaton both cached
        assert screen(campaign=campaign, texts={"t": "赌博"}) == [
            Hit(field="t", word="赌博", category="", count=1, start=0)
        ]
    assert matcher.automaton_for(campaign.pk) is first

    item = services.word_add(actor=admin, campaign=campaign, word="假药")
    assert _words(screen(campaign=campaign, texts={"t": "赌博假药"})) == {
        ("t", "赌博"),
        ("t", "假药"),
    }
    services.word_update(actor=admin, item=item, word="毒品")
    assert _words(screen(campaign=campaign, texts={"t": "假药毒品"})) == {("t", "毒品")}
    services.word_delete(actor=admin, item=item)
    assert screen(campaign=campaign, texts={"t": "毒品"}) == []


def test_lists_are_per_campaign(admin, campaign):
    from sciday.campaigns import services as campaigns

    other = campaigns.campaign_copy(actor=admin, source=campaign, year=2031)
    services.word_add(actor=admin, campaign=other, word="赌博")
    assert screen(campaign=campaign, texts={"t": "赌博"}) == []
    assert len(screen(campaign=other, texts={"t": "赌博"})) == 1


def test_a_version_lost_from_the_cache_is_read_again_from_the_database(admin, campaign):
    from django.core.cache import cache

    services.word_add(actor=admin, campaign=campaign, word="赌博")
    assert screen(campaign=campaign, texts={"t": "赌博"})
    cache.clear()
    SensitiveWord.objects.filter(campaign=campaign).update(is_active=False)  # behind its back
    cache.clear()
    # A bulk update leaves updated_at as it is; count and max(updated_at) then agree with the
    # cached automaton, so services (which bump the version) are the way to change a list.
    services.word_add(actor=admin, campaign=campaign, word="假药")
    assert _words(screen(campaign=campaign, texts={"t": "赌博假药"})) == {("t", "假药")}
