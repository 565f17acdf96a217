"""Database triggers that make the audit log append-only (UPDATE, DELETE, TRUNCATE refused).

Installed by migration core.0002. Tests that flush the whole database between runs (browser
journeys on a live server) lift them for the flush and put them back: see tests/conftest.py.
"""

from __future__ import annotations

TABLE = "core_auditentry"

_SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
]
_SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update;",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
]
_POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION sciday_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION sciday_audit_append_only();""",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
    f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION sciday_audit_append_only();""",
]
_POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
]


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection) -> None:
    pg = connection.vendor == "postgresql"
    _run(connection, _POSTGRES_INSTALL if pg else _SQLITE_INSTALL)


def remove(connection) -> None:
    pg = connection.vendor == "postgresql"
    _run(connection, _POSTGRES_REMOVE if pg else _SQLITE_REMOVE)
