"""The audit log is append-only in the database itself, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from sciday.core.audit import audit_record
from sciday.core.models import AuditEntry


@pytest.fixture
def entry(db) -> AuditEntry:
    return audit_record(actor=None, action="core.test.recorded", changes={"a": [1, 2]})


def test_update_is_refused_by_the_database(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="core.test.forged")
    entry.refresh_from_db()
    assert entry.action == "core.test.recorded"


def test_save_of_a_changed_entry_is_refused(entry):
    entry.action = "core.test.forged"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "core.test.recorded"


def test_delete_is_refused_by_the_database(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_raw_delete_is_refused_too(entry):
    from django.db import connection

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_transactional_tests_can_write_audit_entries():
    """The teardown flush of a transactional test must not trip over the triggers."""
    audit_record(actor=None, action="core.test.recorded")
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_triggers_are_back_after_a_transactional_flush():
    # Runs after the test above (file order): its flush lifted the triggers and put them back.
    entry = audit_record(actor=None, action="core.test.recorded")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_triggers_are_back_for_ordinary_tests(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(success=False)
