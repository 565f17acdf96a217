"""Reads of the search index: ranked, filtered, paginated hits with highlighted snippets.

Filters are of two kinds and both run inside the one SQL query, before ranking and LIMIT:

- `filters`: the generic columns every entry has (campaign_id, region_code, published);
  a value may be a single value or a list/tuple/set (any of them).
- `within`: a queryset of the domain's own model, already filtered by the domain (category,
  dates, format...); only entries whose object_id is among its primary keys are kept. The
  database intersects the two, so a domain never loads ids into Python to combine them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.safestring import SafeString

from sciday.search import analyzer, backends, highlight

FILTER_COLUMNS = ("campaign_id", "region_code", "published")


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
    limit: int = 20
    offset: int = 0

    @property
    def blank(self) -> bool:
        return not self.terms

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

    @property
    def rank_sql(self) -> str:
        return backends.match_sql(connection, self.terms).rank_sql


def _ranked_rows(scope: _Scope, *, columns: str, limit: int | None, offset: int = 0) -> list:
    from_sql, where, params = scope.sql()
    order = "search_rank DESC, e.updated_at DESC, e.id DESC"
    select = f"{columns}, {scope.rank_sql} AS search_rank"
    sql = f"SELECT {select} FROM {from_sql} WHERE {where} ORDER BY {order}"  # noqa: S608
    if limit is not None:
        sql += " LIMIT %s OFFSET %s"
        params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _count(scope: _Scope) -> int:
    from_sql, where, params = scope.sql()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {from_sql} WHERE {where}", params)  # noqa: S608
        return cursor.fetchone()[0]


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
    total = _count(scope)
    rows = (
        _ranked_rows(
            scope,
            columns="e.kind, e.object_id, e.title, e.body",
            limit=limit,
            offset=offset,
        )
        if total > offset
        else []
    )
    hits = [
        SearchHit(
            kind=row_kind,
            object_id=object_id,
            rank=float(rank),
            title=title,
            title_html=highlight.highlight(title, terms),
            snippet_html=highlight.snippet(body, terms),
        )
        for row_kind, object_id, title, body, rank in rows
    ]
    return SearchResults(query=q, terms=terms, hits=hits, total=total, limit=limit, offset=offset)


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
    rows = _ranked_rows(
        scope,
        columns="e.object_id",
        limit=limit,
    )
    return [row[0] for row in rows]
