"""The two full-text backends behind one interface, chosen by the connection's vendor.

Both index the analyzed tokens stored in `SearchEntry.title_terms` / `body_terms` (tokens joined
by spaces) and answer the same query: every term present, in the title or the body. Because the
tokens are produced by our analyzer, the database's own tokenizer only has to split on spaces:

- SQLite: an external-content FTS5 table over the two terms columns, tokenizer `ascii` (splits
  on ASCII spaces and punctuation only, so every analyzed token stays one FTS token), kept in
  sync by triggers on the entry table. Rank: bm25 with the title weighted 10 : 1.
- PostgreSQL: a stored generated column `search_vector` =
  setweight(to_tsvector('simple', title_terms), 'A') || to_tsvector('simple', body_terms),
  with a GIN index. Rank: ts_rank with length normalization 1.

Queries quote every term, so the database parses a query term exactly as it parsed the same
token in a document. Ranks are reported "higher is better" on both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "search_searchentry"
FTS_TABLE = "search_searchentry_fts"
# SQLite: the entry's filter columns by id, so checking a match against the filters does not
# read the row itself (title, body and their terms make it span overflow pages).
SQLITE_FILTER_INDEX = "search_entry_filter_by_id"
FTS5_RANK = f"-bm25({FTS_TABLE}, 10.0, 1.0)"

# Table names are constants of this module; nothing here comes from input.
_SQLITE_INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title_terms, body_terms, content='{TABLE}', content_rowid='id', tokenize='ascii')""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms);
        END""",  # noqa: S608
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_delete AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
        END""",  # noqa: S608
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_update AFTER UPDATE ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
        INSERT INTO {FTS_TABLE}(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms);
        END""",  # noqa: S608
    # Index whatever rows already exist.
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",  # noqa: S608
]
_SQLITE_FILTER_INDEX = [
    f"""CREATE INDEX IF NOT EXISTS {SQLITE_FILTER_INDEX} ON {TABLE}
        (id, published, kind, region_code, campaign_id, updated_at, object_id)""",
]
_SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_fts_insert",
    f"DROP TRIGGER IF EXISTS {TABLE}_fts_delete",
    f"DROP TRIGGER IF EXISTS {TABLE}_fts_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
_POSTGRES_INSTALL = [
    f"""ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple'::regconfig, title_terms), 'A')
            || to_tsvector('simple'::regconfig, body_terms)
        ) STORED""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_vector_gin ON {TABLE} USING gin (search_vector)",
]
_POSTGRES_REMOVE = [
    f"DROP INDEX IF EXISTS {TABLE}_vector_gin",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
]


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the full-text structure for this connection's vendor (migration 0002)."""
    _run(connection, _POSTGRES_INSTALL if _is_postgres(connection) else _SQLITE_INSTALL)


def install_filter_index(connection: BaseDatabaseWrapper) -> None:
    """SQLite: the covering index of the filter columns by id (migration 0003)."""
    if not _is_postgres(connection):
        _run(connection, _SQLITE_FILTER_INDEX)


def remove_filter_index(connection: BaseDatabaseWrapper) -> None:
    if not _is_postgres(connection):
        _run(connection, [f"DROP INDEX IF EXISTS {SQLITE_FILTER_INDEX}"])


def remove(connection: BaseDatabaseWrapper) -> None:
    _run(connection, _POSTGRES_REMOVE if _is_postgres(connection) else _SQLITE_REMOVE)


def _is_postgres(connection: BaseDatabaseWrapper) -> bool:
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"no search backend for {connection.vendor}")
    return connection.vendor == "postgresql"


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@dataclass(frozen=True)
class MatchSQL:
    """SQL pieces for "entries matching these terms": FROM, WHERE, rank expression, params.

    The entry table is aliased `e`. `from_params` belong to `from_sql`, `where_params` to
    `where_sql`; the rank expression takes no parameters. `id_sql` is the entry id as the
    full-text structure sees it: ordering by it (descending) lets the database walk the
    matches newest first and stop at a LIMIT without visiting the others.
    `rank_inside`: the rank must be computed in the matching query itself (FTS5's bm25 only
    exists there); otherwise it is computed over the candidates afterwards (PostgreSQL).
    """

    from_sql: str
    from_params: list[str]
    where_sql: str
    where_params: list[str]
    rank_sql: str
    id_sql: str
    rank_inside: bool


def _fts5_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_query(terms: list[str]) -> str:
    """The FTS5 MATCH string requiring every term, each quoted."""
    return " ".join(_fts5_string(t) for t in terms)


def _tsquery_operand(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(terms: list[str]) -> str:
    """The to_tsquery('simple', ...) string requiring every term, each quoted."""
    return " & ".join(_tsquery_operand(t) for t in terms)


# PostgreSQL: how often each lexeme occurs, from the planner's statistics of the column
# (`most_common_elems`, refreshed by ANALYZE / autovacuum). A lexeme not listed is rarer than
# every listed one.
PG_LEXEME_FREQUENCIES = f"""
    SELECT x.lexeme, x.freq
    FROM pg_stats s,
        unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS x(lexeme, freq)
    WHERE s.schemaname = current_schema() AND s.tablename = '{TABLE}'
        AND s.attname = 'search_vector'"""  # noqa: S608


def match_sql(connection: BaseDatabaseWrapper, terms: list[str]) -> MatchSQL:
    """Return the SQL that selects entries containing every one of `terms` (non-empty)."""
    if _is_postgres(connection):
        tsquery = " & ".join(_tsquery_operand(t) for t in terms)
        return MatchSQL(
            from_sql=f"{TABLE} e CROSS JOIN to_tsquery('simple'::regconfig, %s) q",
            from_params=[tsquery],
            where_sql="e.search_vector @@ q",
            where_params=[],
            rank_sql="ts_rank(e.search_vector, q, 1)",
            id_sql="e.id",
            rank_inside=False,
        )
    fts_query = fts5_query(terms)
    return MatchSQL(
        from_sql=f"{FTS_TABLE} JOIN {TABLE} e ON e.id = {FTS_TABLE}.rowid",
        from_params=[],
        where_sql=f"{FTS_TABLE} MATCH %s",
        where_params=[fts_query],
        rank_sql=FTS5_RANK,
        id_sql=f"{FTS_TABLE}.rowid",
        rank_inside=True,
    )
