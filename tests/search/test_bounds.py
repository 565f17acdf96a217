"""Bounded ranking: beyond CANDIDATES matches only the most recently indexed ones are ranked,
the total says "more than", and the page says so. Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest

from sciday.search import selectors
from sciday.search.selectors import search, search_ids
from sciday.search.services import search_index_upsert

KIND = "activities.activity"


@pytest.fixture(params=["rare", "common"])
def pg_way(request, monkeypatch):
    """PostgreSQL finds the newest matches through the GIN index (a rare term: the test
    tables have no statistics, so every term is rare) or by walking the primary key (every
    term common). Both must give the same results; on SQLite nothing changes."""
    if request.param == "common":
        monkeypatch.setattr(selectors, "PG_COMMON", 0.0)
    return request.param


@pytest.fixture
def many(db, monkeypatch, pg_way):
    """12 entries containing 科普, in the order they were indexed; the pool is 5, the first
    scan window 4 (both far smaller than in production, so both paths run)."""
    monkeypatch.setattr(selectors, "CANDIDATES", 5)
    monkeypatch.setattr(selectors, "SCAN", 4)
    for n in range(1, 13):
        search_index_upsert(
            kind=KIND,
            object_id=n,
            # Entry 2 is the best match (科普 in the title, twice) but one of the oldest.
            title="科普科普报告会" if n == 2 else f"第{n}场报告会",
            body="社区科普活动",
            region_code="540000" if n in (1, 3) else "440000",
            published=True,
        )


def test_beyond_the_pool_only_the_newest_matches_are_ranked(many):
    results = search(q="科普", kind=KIND)
    assert results.capped and results.partial
    assert (results.total, results.ranked) == (5, 5)
    # The five most recently indexed entries, every one a body-only match: newest first.
    assert [hit.object_id for hit in results.hits] == [12, 11, 10, 9, 8]


def test_a_narrowing_filter_brings_back_the_complete_ranking(many):
    """Few matches of the filter among the newest postings: all postings are read."""
    results = search(q="科普", kind=KIND, filters={"region_code": "540000"})
    assert not results.capped and not results.partial
    assert results.total == 2
    assert [hit.object_id for hit in results.hits] == [3, 1]


def test_under_the_pool_the_ranking_is_complete(many):
    results = search(q="科普科普报告", kind=KIND)
    assert (results.total, results.capped) == (1, False)
    assert [hit.object_id for hit in results.hits] == [2]


def test_pages_end_with_the_pool(many):
    assert search(q="科普", kind=KIND, limit=3, offset=3).hits[-1].object_id == 8
    assert search(q="科普", kind=KIND, limit=3, offset=6).hits == []


def test_search_ids_ranks_a_pool_of_its_limit_or_all(many):
    assert len(search_ids(q="科普", kind=KIND, limit=3)) == 3
    assert search_ids(q="科普", kind=KIND, limit=None)[0] == 2  # every match ranked
    assert len(search_ids(q="科普", kind=KIND, limit=None)) == 12


def test_the_page_says_more_than_and_pages_only_the_ranked(client, many, monkeypatch):
    response = client.get("/search/", {"q": "科普"})
    text = response.content.decode()
    assert "超过 5 条结果" in text
    assert "最近发布的 5 条匹配" in text
    assert "page=2" not in text  # 5 ranked hits fit on one page of 20


@pytest.mark.parametrize(
    "common", [set(), {"科普"}, {"科普", "普报"}, {"科普", "普报", "报告", "社区", "第五"}]
)
def test_a_phrase_is_checked_whole_whichever_term_leads(many, monkeypatch, common):
    """PostgreSQL reads the index for the rarest term of each word only and checks the whole
    query on those rows (or walks the entries when every word is common): the entry must
    hold every term."""
    monkeypatch.setattr(selectors, "_pg_frequencies", lambda: dict.fromkeys(common, 0.5))
    monkeypatch.setattr(selectors, "PG_COMMON", 0.4)
    assert [hit.object_id for hit in search(q="科普报告", kind=KIND).hits] == [2]
    assert search(q="科普报告 社区", kind=KIND).total == 1
    assert search(q="科普 第五", kind=KIND).empty


@pytest.mark.django_db
def test_postgresql_reads_term_frequencies_from_the_statistics(monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL statistics")
    for n in range(1, 41):
        search_index_upsert(kind=KIND, object_id=n, title=f"第{n}场科普", published=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchentry")
    monkeypatch.setitem(selectors._pg_stats, "at", None)  # both restored after the test
    monkeypatch.setitem(selectors._pg_stats, "freqs", {})
    frequencies = selectors._pg_frequencies()
    assert frequencies["科普"] == pytest.approx(1.0)
    assert search(q="科普", kind=KIND).total == 40


def test_query_terms_are_grouped_by_word_for_the_estimate():
    assert selectors._pg_words(["人工", "工智", "智能", "青少", "少年"]) == [
        ["人工", "工智", "智能"],
        ["青少", "少年"],
    ]
    assert selectors._pg_words(["5g", "应用"]) == [["5g"], ["应用"]]
    assert selectors._pg_words(["科", "学"]) == [["科"], ["学"]]
