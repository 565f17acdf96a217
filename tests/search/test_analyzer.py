"""The analyzer: folding, Latin and digit runs, Han bigrams, query terms."""

from __future__ import annotations

import pytest

from sciday.search import analyzer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("科普", ["科", "科普", "普"]),
        ("院士", ["院", "院士", "士"]),
        ("科学家", ["科", "科学", "学", "学家", "家"]),
        ("科", ["科"]),
        ("AI", ["ai"]),
        ("ＡＩ", ["ai"]),  # full-width letters
        ("２０２３", ["2023"]),  # full-width digits
        ("5G", ["5g"]),  # a mixed letter-and-digit run stays whole
        ("H5N1", ["h5n1"]),
        ("2023年", ["2023", "年"]),
        ("5G科普", ["5g", "科", "科普", "普"]),
        ("AI+科普", ["ai", "科", "科普", "普"]),
        ("科普，院士。", ["科", "科普", "普", "院", "院士", "士"]),  # punctuation splits runs
        ("《科学家精神》", ["科", "科学", "学", "学家", "家", "家精", "精", "精神", "神"]),
        ("Hello, World!", ["hello", "world"]),
        ("snake_case", ["snake", "case"]),
        ("Straße", ["strasse"]),  # case folding, not just lower-casing
        ("e\u0301te\u0301", ["été"]),  # combining accents compose under NFKC
        ("㈱", ["株"]),  # compatibility form expands to (株), parentheses dropped
        ("", []),
        ("  ，。！？ ", []),
        ("カタカナ", ["カ", "カタ", "タ", "タカ", "カ", "カナ", "ナ"]),
    ],
)
def test_tokens(text, expected):
    assert analyzer.tokens(text) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("科普", ["科普"]),
        ("院士", ["院士"]),
        ("科", ["科"]),
        ("科学家精神", ["科学", "学家", "家精", "精神"]),
        ("知识产权 法律", ["知识", "识产", "产权", "法律"]),
        ("ＡＩ", ["ai"]),
        ("ai AI Ai", ["ai"]),  # deduplicated
        ("科普 科普", ["科普"]),
        ("2023年", ["2023", "年"]),
        ("", []),
        ("   ", []),
        ("！？。", []),
    ],
)
def test_query_terms(query, expected):
    assert analyzer.query_terms(query) == expected


def test_tokens_longer_than_the_limit_are_dropped():
    long_word = "x" * (analyzer.MAX_TOKEN_LENGTH + 1)
    assert analyzer.tokens(f"ok {long_word}") == ["ok"]
    assert analyzer.query_terms(long_word) == []
    assert analyzer.tokens("x" * analyzer.MAX_TOKEN_LENGTH) == ["x" * analyzer.MAX_TOKEN_LENGTH]


def test_terms_text_is_the_tokens_joined_by_spaces():
    assert analyzer.terms_text("全国科普日 AI") == "全 全国 国 国科 科 科普 普 普日 日 ai"


SAMPLES = [
    "全国科普日",
    "弘扬科学家精神，院士进校园",
    "ＡＩ与５Ｇ：2023年新技术科普",
    "Science Day 科学之夜",
    "心理健康讲座（第3期）",
    "知识产权保护与法律服务",
    "「科创中国」青少年科技创新大赛",
    "H5N1 流感防治 COVID-19",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_every_token_is_folded_alphanumeric_text_without_spaces(text):
    for token in analyzer.tokens(text):
        assert token
        assert token == analyzer.fold(token)
        assert all(char.isalnum() for char in token)
        assert " " not in token


@pytest.mark.parametrize("text", SAMPLES)
def test_a_document_matches_the_query_of_its_own_text(text):
    # Whatever a user copies from a document, searched as is, is found in it.
    assert set(analyzer.query_terms(text)) <= set(analyzer.tokens(text))


@pytest.mark.parametrize("text", SAMPLES)
def test_every_substring_of_a_han_run_is_found(text):
    # Any run of Han characters taken from the text (one character and up) is a match.
    folded = analyzer.fold(text)
    doc = set(analyzer.tokens(text))
    for start in range(len(folded)):
        for end in range(start + 1, len(folded) + 1):
            piece = folded[start:end]
            if all(analyzer.is_cjk(char) for char in piece):
                assert set(analyzer.query_terms(piece)) <= doc, piece


@pytest.mark.parametrize("text", SAMPLES)
def test_width_and_case_variants_analyze_alike(text):
    full_width = "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )  # ASCII -> full-width forms
    assert analyzer.tokens(full_width) == analyzer.tokens(text)
    assert analyzer.tokens(text.upper()) == analyzer.tokens(text.lower())


@pytest.mark.parametrize("text", SAMPLES)
def test_single_characters_and_bigrams_cover_each_han_run(text):
    tokens = analyzer.tokens(text)
    han = [t for t in tokens if analyzer.is_cjk(t[0])]
    singles = [t for t in han if len(t) == 1]
    bigrams = [t for t in han if len(t) == 2]
    assert all(len(t) in (1, 2) for t in han)
    # Each run of n characters gives n singles and n - 1 bigrams.
    runs = [
        r
        for r in analyzer.fold(text)
        .translate({ord(c): " " for c in analyzer.fold(text) if not analyzer.is_cjk(c)})
        .split()
    ]
    assert len(singles) == sum(len(r) for r in runs)
    assert len(bigrams) == sum(len(r) - 1 for r in runs)


@pytest.mark.parametrize(
    ("char", "cjk"), [("科", True), ("〇", True), ("a", False), ("1", False), ("，", False)]
)
def test_is_cjk(char, cjk):
    assert analyzer.is_cjk(char) is cjk
