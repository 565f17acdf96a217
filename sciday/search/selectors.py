"""Reads of the search index: ranked, filtered, paginated hits with highlighted snippets.

Filters are of two kinds and both run inside the one SQL query, before ranking and LIMIT:

- `filters`: the generic columns every entry has (campaign_id, region_code, published);
  a value may be a single value or a list/tuple/set (any of them).
- `within`: a queryset of the domain's own model, already filtered by the domain (category,
  dates, format...); only entries whose object_id is among its primary keys are kept. The
  database intersects the two, so a domain never loads ids into Python to combine them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.safestring import SafeString

from sciday.search import analyzer, backends, highlight

FILTER_COLUMNS = ("campaign_id", "region_code", "published")
# Matches ranked at most per search: the most recently indexed ones, after the filters.
CANDIDATES = 200
# Newest postings (SQLite) or entries (PostgreSQL) looked at first, before all of them.
SCAN = 20_000


@dataclass(frozen=True)
class SearchHit:
    kind: str
    object_id: int
    rank: float
    title: str
    title_html: SafeString
    snippet_html: SafeString


@dataclass(frozen=True)
class SearchResults:
    """What a search found. `blank`: the query had no searchable text (nothing was run);
    `empty`: a real query found nothing (the page suggests removing filters)."""

    query: str
    terms: list[str]
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    capped: bool = False  # more than `total` matches: only the CANDIDATES newest were ranked
    ranked: int = 0  # matches ranked: all of them, or the CANDIDATES most recently indexed
    limit: int = 20
    offset: int = 0

    @property
    def blank(self) -> bool:
        return not self.terms

    @property
    def partial(self) -> bool:
        """More matches than were ranked: the hits are the best of the most recent ones."""
        return self.capped

    @property
    def empty(self) -> bool:
        return bool(self.terms) and self.total == 0


def _where(
    kind: str | Iterable[str] | None,
    filters: dict[str, Any] | None,
    within: QuerySet | None,
    include_unpublished: bool,
) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    merged = dict(filters or {})
    unknown = set(merged) - set(FILTER_COLUMNS)
    if unknown:
        raise ValueError(f"unknown search filter(s): {', '.join(sorted(unknown))}")
    if not include_unpublished:
        merged["published"] = True
    if kind is not None:
        merged["kind"] = kind
    for column, value in merged.items():
        if isinstance(value, list | tuple | set | frozenset):
            values = list(value)
            if not values:
                clauses.append("1 = 0")
                continue
            clauses.append(f"e.{column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(values)
        elif value is None:
            clauses.append(f"e.{column} IS NULL")
        else:
            clauses.append(f"e.{column} = %s")
            params.append(value)
    if within is not None:
        sub_sql, sub_params = within.order_by().values("pk").query.sql_with_params()
        clauses.append(f"e.object_id IN ({sub_sql})")
        params.extend(sub_params)
    return clauses, params


@dataclass(frozen=True)
class _Scope:
    terms: list[str]
    kind: list[str] | None
    filters: dict[str, Any] | None
    within: QuerySet | None
    include_unpublished: bool

    def sql(self) -> tuple[str, str, list[Any]]:
        """Return (FROM, WHERE, params) selecting the matching entries, aliased `e`."""
        match = backends.match_sql(connection, self.terms)
        clauses, params = _where(self.kind, self.filters, self.within, self.include_unpublished)
        where = " AND ".join([match.where_sql, *clauses])
        return match.from_sql, where, [*match.from_params, *match.where_params, *params]

    def filter_sql(self) -> tuple[str, list[Any]]:
        """Return (WHERE, params) of the filters alone, on the entry table aliased `e`."""
        clauses, params = _where(self.kind, self.filters, self.within, self.include_unpublished)
        return " AND ".join(clauses) or "1 = 1", params


def _candidates(scope: _Scope, *, pool: int | None) -> tuple[list[tuple], int, bool]:
    """The matches to rank as (entry id, rank, updated_at, object id), best first, with the
    total number of matches and whether that total is only a lower bound.

    With a `pool`, only the `pool` most recently indexed matches (after the filters and
    `within`) are ranked, and the total is `pool` with `capped` when there were more: a very
    common term costs a bounded amount of work however many entries contain it, and nothing
    counts its matches. Without a pool every match is ranked.
    """
    if connection.vendor == "sqlite":
        rows, total, capped = _fts5_matches(scope, pool)
    else:
        rows, total, capped = _pg_candidates(scope, pool)
    rows.sort(key=lambda row: (row[1], row[2], row[0]), reverse=True)
    return rows, total, capped


def _fetch(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fts5_matches(scope: _Scope, pool: int | None) -> tuple[list[tuple], int, bool]:
    """SQLite: (entry id, rank, updated_at, object id) of the newest matches, total, capped.

    The FTS5 index is read backwards (newest first) and each posting checked against the
    filters through a covering index; bm25 is computed for the rows returned only. First over
    the newest SCAN postings of the text (cheap whatever the term); when they hold fewer than
    `pool` matches of the filters although the term has more postings (a rare province, say),
    over all of them.
    """
    fts, table = backends.FTS_TABLE, backends.TABLE
    query = backends.fts5_query(scope.terms)
    where, params = scope.filter_sql()
    base = (
        f"FROM {fts} JOIN {table} e INDEXED BY {backends.SQLITE_FILTER_INDEX}"
        f" ON e.id = {fts}.rowid WHERE {fts} MATCH %s AND {fts}.rowid >= %s AND {where}"
    )
    select = f"SELECT e.id, {backends.FTS5_RANK}, e.updated_at, e.object_id {base}"
    order = f" ORDER BY {fts}.rowid DESC"

    def matches(bound: int, limit: int | None) -> list[tuple]:
        sql = select + order + ("" if limit is None else f" LIMIT {int(limit)}")
        return [(r[0], float(r[1]), r[2], r[3]) for r in _fetch(sql, [query, bound, *params])]

    if pool is None:
        rows = matches(0, None)
        return rows, len(rows), False
    postings, oldest = _fetch(
        f"SELECT COUNT(*), MIN(id) FROM (SELECT rowid AS id FROM {fts}"  # noqa: S608
        f" WHERE {fts} MATCH %s ORDER BY rowid DESC LIMIT {SCAN}) x",
        [query],
    )[0]
    every_posting = postings < SCAN
    rows = matches(oldest or 0, pool + 1)
    if len(rows) <= pool and not every_posting:
        rows = matches(0, pool + 1)
    if len(rows) <= pool:
        return rows, len(rows), False
    return rows[:pool], pool, True


# PostgreSQL: a lexeme in at least this share of the entries is "common" (see _pg_candidates).
PG_COMMON = 0.04
# Text tests (tsvector reads) a walk over every entry may be expected to cost before the GIN
# index is read instead.
PG_WALK_ROWS = 10_000
# How long a process keeps the lexeme frequencies it read from pg_stats (seconds).
PG_STATS_TTL = 600.0
_pg_stats: dict[str, Any] = {"at": None, "freqs": {}}


def _pg_frequencies() -> dict[str, float]:
    """Share of the entries holding each common lexeme (planner statistics), cached."""
    now = time.monotonic()
    if _pg_stats["at"] is None or now - _pg_stats["at"] > PG_STATS_TTL:
        _pg_stats["freqs"] = {t: float(f) for t, f in _fetch(backends.PG_LEXEME_FREQUENCIES, [])}
        _pg_stats["at"] = now
    return _pg_stats["freqs"]


def _pg_candidates(scope: _Scope, pool: int | None) -> tuple[list[tuple], int, bool]:
    """PostgreSQL: the newest `pool` matches ranked with ts_rank, total, capped.

    First among the newest SCAN entries, then, when they hold too few matches, among all.
    Which way the newest matches are found depends on the query's rarest term, as the
    planner's statistics of the column know it (the planner itself multiplies the terms'
    frequencies, far too low for the overlapping bigrams of a phrase):

    - a rare term: the GIN index is read for that term alone (the posting lists of common
      bigrams such as 科技 hold most entries and cost more to read than they save),
      intersected with the id range, and the whole query is checked on those rows only;
    - only common terms: the entries are walked newest first by primary key, checking the
      filters on the row and the text (a read of the out-of-line tsvector) on the rows that
      pass them, until `pool` + 1 matches.

    Both find the same rows: the newest matches. ts_rank runs over the candidates only.
    """
    match = backends.match_sql(connection, scope.terms)
    if pool is None or scope.within is not None:
        return _pg_planned(scope, match, pool)
    filter_where, filter_params = scope.filter_sql()
    frequencies = _pg_frequencies()
    words = _pg_words(scope.terms)
    # One term per word for the index: the rarest (a word's bigrams occur together).
    leads = [min(word, key=lambda term: frequencies.get(term, 0.0)) for word in words]
    share = math.prod(frequencies.get(term, 0.0) for term in leads)
    common = share >= PG_COMMON
    full = backends.tsquery(scope.terms)
    limit = pool + 1
    columns = "e.id, e.search_vector, e.updated_at, e.object_id"
    gin = _pg_gin_sql(match, columns, filter_where, limit, whole=len(leads) < len(scope.terms))
    gin_params = [full, backends.tsquery(leads), *filter_params]

    def by_gin(after: int) -> list[tuple]:
        return _fetch(gin, [*gin_params, after])

    if common:
        # OFFSET 0 keeps the text test out of the walk: it runs on the rows that passed the
        # filters, and the walk stops at the LIMIT.
        sql = (
            f"SELECT e.id, {match.rank_sql}, e.updated_at, e.object_id FROM ("  # noqa: S608
            f"SELECT {columns} FROM {backends.TABLE} e WHERE {filter_where} AND e.id > %s"
            f" ORDER BY e.id DESC OFFSET 0) e"
            f" CROSS JOIN to_tsquery('simple'::regconfig, %s) q"
            f" WHERE e.search_vector @@ q ORDER BY e.id DESC LIMIT {limit}"
        )

        def matches(after: int) -> list[tuple]:
            return _fetch(sql, [*filter_params, after, full])
    else:
        matches = by_gin

    newest = _fetch(f"SELECT MAX(id) FROM {backends.TABLE}", [])[0][0] or 0  # noqa: S608
    window = max(0, newest - SCAN)
    found = matches(window) if newest > SCAN else []
    if len(found) <= pool:
        if common and newest > SCAN and not _pg_walk_is_short(scope, window, len(found)):
            matches = by_gin
        found = matches(0)
    rows = [(r[0], float(r[1]), r[2], r[3]) for r in found]
    if len(rows) <= pool:
        return rows, len(rows), False
    rows.sort(key=lambda row: row[0], reverse=True)
    return rows[:pool], pool, True


def _pg_planned(
    scope: _Scope, match: backends.MatchSQL, pool: int | None
) -> tuple[list[tuple], int, bool]:
    """The planner's own choice, for every match (`pool` None) or with `within`: a domain's
    subquery (hundreds of thousands of activities for a list's filters) is best intersected
    the way the planner estimates. First among the newest SCAN entries, then among all."""
    from_sql, where, params = scope.sql()

    def matches(after: int, limit: int | None) -> list[tuple]:
        sql = (
            f"SELECT e.id, {match.rank_sql}, e.updated_at, e.object_id FROM ("  # noqa: S608
            f"SELECT e.id, e.search_vector, e.updated_at, e.object_id, q FROM {from_sql}"
            f" WHERE {where} AND e.id > %s ORDER BY e.id DESC"
            + ("" if limit is None else f" LIMIT {int(limit)}")
            + ") e"
        )
        return [(r[0], float(r[1]), r[2], r[3]) for r in _fetch(sql, [*params, after])]

    if pool is None:
        rows = matches(0, None)
        return rows, len(rows), False
    newest = _fetch(f"SELECT MAX(id) FROM {backends.TABLE}", [])[0][0] or 0  # noqa: S608
    rows = matches(max(0, newest - SCAN), pool + 1) if newest > SCAN else []
    if len(rows) <= pool:
        rows = matches(0, pool + 1)
    if len(rows) <= pool:
        return rows, len(rows), False
    rows.sort(key=lambda row: row[0], reverse=True)
    return rows[:pool], pool, True


def _pg_words(terms: list[str]) -> list[list[str]]:
    """The query's terms grouped by word: the overlapping bigrams of one run of Han characters
    (人工 工智 智能), and each other term alone. Only an estimate: a wrong grouping costs time,
    never results."""
    words: list[list[str]] = []
    for term in terms:
        previous = words[-1][-1] if words else ""
        if (
            len(term) == 2
            and len(previous) == 2
            and previous[1] == term[0]
            and all(analyzer.is_cjk(c) for c in previous + term)
        ):
            words[-1].append(term)
        else:
            words.append([term])
    return words


def _pg_gin_sql(match: backends.MatchSQL, columns: str, where: str, limit: int, whole: bool) -> str:
    """The GIN index read for the leading terms only; `IS TRUE` keeps the whole query out of
    the index condition (checked on those rows only, when `whole`), `id + 0` keeps the
    planner from walking the primary key. Params: whole tsquery, leading terms, filters,
    lowest id."""
    check = " AND (e.search_vector @@ q) IS TRUE" if whole else ""
    return (
        f"SELECT e.id, {match.rank_sql}, e.updated_at, e.object_id FROM ("  # noqa: S608
        f"SELECT {columns}, q FROM {backends.TABLE} e"
        f" CROSS JOIN to_tsquery('simple'::regconfig, %s) q"
        f" CROSS JOIN to_tsquery('simple'::regconfig, %s) r"
        f" WHERE e.search_vector @@ r{check} AND {where} AND e.id > %s"
        f" ORDER BY e.id + 0 DESC LIMIT {limit}) e"
    )


def _pg_walk_is_short(scope: _Scope, window: int, found: int) -> bool:
    """Whether walking every entry newest first would test the text on at most PG_WALK_ROWS
    rows, judging by the newest SCAN entries: `found` matches among the rows there that
    passed the filters. Two common terms that rarely meet would test nearly every row."""
    if not found:
        return False
    where, params = scope.filter_sql()
    passed = _fetch(
        f"SELECT COUNT(*) FROM {backends.TABLE} e WHERE {where} AND e.id > %s",  # noqa: S608
        [*params, window],
    )[0][0]
    return (CANDIDATES + 1) * passed / found <= PG_WALK_ROWS


def _entries(ids: list[int]) -> dict[int, tuple]:
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, kind, object_id, title, body FROM {backends.TABLE} WHERE id IN ({marks})",  # noqa: S608
            ids,
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _kinds(kind: str | Iterable[str] | None) -> list[str] | None:
    if kind is None:
        return None
    return [kind] if isinstance(kind, str) else list(kind)


def search(
    *,
    q: str,
    kind: str | Iterable[str] | None = None,
    filters: dict[str, Any] | None = None,
    within: QuerySet | None = None,
    include_unpublished: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Return one page of hits for `q`, best first, with the total number of matches.

    Only published entries unless `include_unpublished` (workspace searches that have already
    limited `within` to what the reader may see). A blank query runs nothing.
    """
    terms = analyzer.query_terms(q)
    if not terms:
        return SearchResults(query=q, terms=[], limit=limit, offset=offset)
    scope = _Scope(terms, _kinds(kind), filters, within, include_unpublished)
    candidates, total, capped = _candidates(scope, pool=CANDIDATES)
    page = [row[0] for row in candidates[offset : offset + limit]]
    entries = _entries(page)
    hits = []
    for entry_id, rank, _updated, _object_id in candidates[offset : offset + limit]:
        row_kind, object_id, title, body = entries[entry_id]
        hits.append(
            SearchHit(
                kind=row_kind,
                object_id=object_id,
                rank=rank,
                title=title,
                title_html=highlight.highlight(title, terms),
                snippet_html=highlight.snippet(body, terms),
            )
        )
    return SearchResults(
        query=q,
        terms=terms,
        hits=hits,
        total=total,
        capped=capped,
        ranked=len(candidates),
        limit=limit,
        offset=offset,
    )


def search_ids(
    *,
    q: str,
    kind: str,
    filters: dict[str, Any] | None = None,
    within: QuerySet | None = None,
    include_unpublished: bool = False,
    limit: int | None = 1000,
) -> list[int]:
    """Return the object ids of `kind` matching `q`, best first (at most `limit`).

    For a domain list sorted by relevance: fetch its page with
    `Model.objects.in_bulk(ids[a:b])` and keep this order. Empty for a blank query.
    """
    terms = analyzer.query_terms(q)
    if not terms:
        return []
    scope = _Scope(terms, [kind], filters, within, include_unpublished)
    candidates, _total, _capped = _candidates(
        scope, pool=None if limit is None else max(limit, CANDIDATES)
    )
    return [row[3] for row in candidates[:limit]]
