"""Search on the shared Chinese fixture: the same results on SQLite and PostgreSQL.

This module runs on whichever database the suite runs on (`make test` runs it on both), and the
expected id sets are written here once, so a difference between the backends fails one run.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction

from sciday.search.models import SearchEntry
from sciday.search.selectors import search, search_ids
from sciday.search.services import (
    search_index_delete,
    search_index_reanalyze,
    search_index_upsert,
)

KIND = "tests.document"

DOCS = [
    (1, "全国科普日主场活动", "在北京举办的全国科普日主场活动，展示最新科技成果。"),
    (2, "院士专家进校园", "两位院士走进中学课堂，与学生面对面交流。"),
    (3, "弘扬科学家精神报告会", "讲述老一辈科学家的爱国故事，传承科学家精神。"),
    (4, "青少年心理健康讲座", "关注青少年心理健康，邀请专业心理咨询师讲解情绪管理。"),
    (5, "知识产权保护宣传周", "普及知识产权法律知识，提高企业保护意识。"),
    (6, "人工智能AI体验营", "让孩子们亲手训练一个AI模型，了解人工智能原理。"),
    (7, "5G技术开放日", "运营商开放5G基站，讲解5G通信原理。"),
    (8, "2023年科技活动周", "2023年全国科技活动周在各地同步启动。"),
    (9, "社区科普大篷车", "科普大篷车开进社区，为居民带来趣味实验。"),
    (10, "科学之夜", "博物馆夜间开放，科学家与观众互动。"),
    (11, "航天精神代代传", "航天员讲述载人航天精神。"),
    (12, "法律进乡村", "律师为村民讲解土地承包相关法律，也涉及知识产权纠纷。"),
    (13, "心理学入门", "什么是心理学？从日常生活说起。"),
    (14, "ＡＩ绘画工作坊", "使用生成式模型创作作品。"),
    (15, "乡村振兴与农业科技", "农技专家下乡指导种植，推广新品种。"),
    (16, "气象科普进课堂", "气象局专家讲解天气预报原理。"),
    (17, "院士故居参观", "参观两院院士的故居，了解其成长经历。"),
    (18, "科学实验秀", "化学老师表演有趣的科学实验。"),
    (19, "防灾减灾知识竞赛", "中学生参加防灾减灾知识竞赛，学习应急避险。"),
    (20, "老年人智能手机培训", "志愿者帮助老年人使用智能手机，防范电信诈骗。"),
    (21, "海洋科普展", "展出深海探测器模型，介绍海洋生物多样性。"),
    (22, "天文观测之夜", "带领市民用望远镜观测月球和木星。"),
    (23, "少儿编程体验", "通过图形化编程认识人工智能与算法。"),
    (24, "专利申请实务培训", "讲解专利申请流程，属于知识产权实务课程。"),
    (25, "科技馆免费开放日", "科技馆全天免费开放，设有AI互动展区。"),
    (26, "2022年度优秀科普作品展", "回顾上一年度的优秀作品。"),
    (27, "医学科普：健康生活方式", "医生讲解合理膳食与运动，守护心理与身体健康。"),
    (28, "精神文明建设表彰大会", "表彰新时代文明实践先进集体。"),
    (29, "机器人大赛", "中小学生机器人竞技比赛，5g网络直播。"),
    (30, "院士讲科学家精神", "院士讲述科学家精神的内涵，勉励青年学者。"),
]

ALL_IDS = {doc_id for doc_id, _title, _body in DOCS}

QUERIES = [
    ("科普", {1, 9, 16, 21, 26, 27}),
    ("院士", {2, 17, 30}),
    ("科学家精神", {3, 30}),
    ("精神", {3, 11, 28, 30}),
    ("科", {1, 3, 8, 9, 10, 15, 16, 18, 21, 25, 26, 27, 30}),
    ("AI", {6, 14, 25}),
    ("ai", {6, 14, 25}),
    ("ＡＩ", {6, 14, 25}),
    ("2023", {8}),
    ("２０２３年", {8}),
    ("知识产权 法律", {5, 12}),
    ("5G", {7, 29}),
    # 心理 and 健康 both occur in 27, but not as one word: the bigram 理健 keeps it out.
    ("心理健康", {4}),
    ("《院士》，", {2, 17, 30}),
    ("量子纠缠", set()),
    ("北京 院士", set()),
]


@pytest.fixture
def corpus(db):
    for doc_id, title, body in DOCS:
        search_index_upsert(
            kind=KIND,
            object_id=doc_id,
            title=title,
            body=body,
            campaign_id=1 if doc_id <= 15 else 2,
            region_code="110000" if doc_id % 2 else "310000",
            published=doc_id != 30,
        )


def ids(results) -> set[int]:
    return {hit.object_id for hit in results.hits}


@pytest.mark.parametrize(("q", "expected"), QUERIES)
def test_query_finds_exactly_the_expected_documents(corpus, q, expected):
    results = search(q=q, include_unpublished=True, limit=100)
    assert ids(results) == expected
    assert results.total == len(expected)
    assert results.empty is (not expected)
    assert not results.blank


@pytest.mark.parametrize(("q", "expected"), QUERIES)
def test_search_ids_agree_with_search(corpus, q, expected):
    found = search_ids(q=q, kind=KIND, include_unpublished=True)
    assert set(found) == expected
    assert len(found) == len(expected)
    assert found == [hit.object_id for hit in search(q=q, include_unpublished=True).hits][:20]


@pytest.mark.parametrize("q", ["", "   ", "，。！", "\u3000"])
def test_a_blank_query_runs_nothing(corpus, q, django_assert_num_queries):
    with django_assert_num_queries(0):
        results = search(q=q)
    assert results.blank and not results.empty
    assert results.hits == [] and results.total == 0
    assert search_ids(q=q, kind=KIND) == []


def test_a_query_without_match_says_so(corpus):
    results = search(q="量子纠缠")
    assert results.empty and not results.blank
    assert results.terms == ["量子", "子纠", "纠缠"]


def test_a_title_match_ranks_above_a_body_only_match(corpus):
    # 科普 is in the titles of 1, 9, 16, 21, 26 and 27; 99 has it in its body only.
    search_index_upsert(
        kind=KIND, object_id=99, title="夏令营", body="营地里有一场科普讲座。", published=True
    )
    order = search_ids(q="科普", kind=KIND)
    assert order[-1] == 99
    assert set(order[:-1]) == {1, 9, 16, 21, 26, 27}
    hits = search(q="科普", limit=100).hits
    assert [h.rank for h in hits] == sorted((h.rank for h in hits), reverse=True)
    assert hits[0].rank > hits[-1].rank > 0


def test_more_occurrences_rank_higher(corpus):
    search_index_upsert(kind=KIND, object_id=100, title="讲座", body="法律", published=True)
    search_index_upsert(
        kind=KIND, object_id=101, title="讲座", body="法律、法律与法律实务", published=True
    )
    assert search_ids(q="法律 讲座", kind=KIND) == [101, 100]


def test_unpublished_entries_are_left_out_unless_asked(corpus):
    assert ids(search(q="院士")) == {2, 17}
    assert ids(search(q="院士", include_unpublished=True)) == {2, 17, 30}


def test_generic_filters_combine_with_the_text_query(corpus):
    assert ids(search(q="科普", filters={"campaign_id": 1})) == {1, 9}
    assert ids(search(q="科普", filters={"campaign_id": 2})) == {16, 21, 26, 27}
    assert ids(search(q="科普", filters={"region_code": "110000"})) == {1, 9, 21, 27}
    assert ids(search(q="科普", filters={"region_code": ["110000", "310000"]})) == {
        1,
        9,
        16,
        21,
        26,
        27,
    }
    assert ids(search(q="科普", filters={"campaign_id": 2, "region_code": "310000"})) == {16, 26}
    results = search(q="科普", filters={"campaign_id": 3})
    assert results.empty and results.total == 0
    assert ids(search(q="科普", filters={"region_code": []})) == set()


def test_an_unknown_filter_is_a_programming_error(corpus):
    with pytest.raises(ValueError, match="colour"):
        search(q="科普", filters={"colour": "red"})


def test_search_is_limited_to_a_kind(corpus):
    search_index_upsert(kind="tests.other", object_id=1, title="科普图书", published=True)
    assert {(h.kind, h.object_id) for h in search(q="科普图书").hits} == {("tests.other", 1)}
    assert search(q="科普图书", kind=KIND).empty
    assert search_ids(q="科普", kind="tests.other") == [1]
    assert search(q="科普", kind=[KIND, "tests.other"]).total == 7
    assert search(q="科普").total == 7


def test_a_domain_queryset_narrows_the_search_in_the_database(corpus):
    # A domain passes its own filtered queryset; its primary keys are the entries' object_ids.
    for pk in (1, 9, 16, 40):
        Group.objects.create(pk=pk, name=f"group {pk}")
    within = Group.objects.filter(name__startswith="group").exclude(pk=16)
    assert ids(search(q="科普", kind=KIND, within=within)) == {1, 9}
    assert set(search_ids(q="科普", kind=KIND, within=within)) == {1, 9}
    assert search(q="院士", kind=KIND, within=within).empty


def test_pagination(corpus):
    everything = search(q="科", include_unpublished=True, limit=100)
    first = search(q="科", include_unpublished=True, limit=5)
    second = search(q="科", include_unpublished=True, limit=5, offset=5)
    past = search(q="科", include_unpublished=True, limit=5, offset=50)
    assert first.total == second.total == past.total == 13
    assert [h.object_id for h in first.hits + second.hits] == [
        h.object_id for h in everything.hits[:10]
    ]
    assert past.hits == [] and not past.empty


def test_an_upsert_replaces_the_entry_and_its_terms(corpus):
    search_index_upsert(kind=KIND, object_id=5, title="专利检索", body="无", published=True)
    assert 5 not in ids(search(q="知识产权", limit=100))
    assert ids(search(q="专利")) == {5, 24}
    assert SearchEntry.objects.filter(kind=KIND, object_id=5).count() == 1
    search_index_upsert(kind=KIND, object_id=5, title="专利检索", published=False)
    assert ids(search(q="专利")) == {24}


def test_a_delete_removes_the_entry_from_results(corpus):
    assert search_index_delete(kind=KIND, object_id=2) is True
    assert ids(search(q="院士", include_unpublished=True)) == {17, 30}
    assert search_index_delete(kind=KIND, object_id=2) is False
    assert search_index_delete(kind="tests.other", object_id=17) is False
    assert ids(search(q="院士", include_unpublished=True)) == {17, 30}


def test_the_index_follows_the_commit_of_a_domain_write(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        transaction.on_commit(
            lambda: search_index_upsert(kind=KIND, object_id=7, title="院士", published=True)
        )
        assert search(q="院士").empty
    assert ids(search(q="院士")) == {7}


def test_reanalyze_rewrites_stale_terms(corpus):
    SearchEntry.objects.filter(kind=KIND, object_id=2).update(title_terms="", body_terms="")
    assert ids(search(q="院士")) == {17}
    assert search_index_reanalyze(kind=KIND) == len(DOCS)
    assert ids(search(q="院士")) == {2, 17}


def test_hits_carry_highlighted_title_and_snippet(corpus):
    hit = next(h for h in search(q="科学家精神").hits if h.object_id == 3)
    assert hit.title == "弘扬科学家精神报告会"
    assert hit.title_html == "弘扬<mark>科学家精神</mark>报告会"
    assert (
        hit.snippet_html == "讲述老一辈<mark>科学家</mark>的爱国故事，传承<mark>科学家精神</mark>。"
    )
    ai = next(h for h in search(q="ai").hits if h.object_id == 14)
    assert ai.title_html == "<mark>ＡＩ</mark>绘画工作坊"


def test_snippets_escape_the_text_around_marks(db):
    search_index_upsert(
        kind=KIND,
        object_id=1,
        title="<script>alert(1)</script> 科普 & 院士",
        body='"科普" <b>bold</b>',
        published=True,
    )
    hit = search(q="科普").hits[0]
    assert hit.title_html == ("&lt;script&gt;alert(1)&lt;/script&gt; <mark>科普</mark> &amp; 院士")
    assert hit.snippet_html == "&quot;<mark>科普</mark>&quot; &lt;b&gt;bold&lt;/b&gt;"


def test_a_long_body_gives_an_excerpt_around_the_first_match(db):
    body = "甲" * 300 + "院士报告" + "乙" * 300
    search_index_upsert(kind=KIND, object_id=1, title="报告", body=body, published=True)
    snippet = search(q="院士").hits[0].snippet_html
    assert "<mark>院士</mark>报告" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 160


def test_the_backend_is_the_connections_vendor(corpus):
    table = "search_searchentry_fts" if connection.vendor == "sqlite" else "search_searchentry"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - a constant name
        assert cursor.fetchone()[0] == len(DOCS)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_index_survives_a_committed_write_and_flush():
    search_index_upsert(kind=KIND, object_id=1, title="院士", published=True)
    assert ids(search(q="院士")) == {1}
    SearchEntry.objects.all().delete()
    assert search(q="院士").empty
