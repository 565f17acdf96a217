"""Stored files shared by every domain."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction


def delete_files_on_commit(*names: str | None) -> None:
    """Delete stored files once the transaction commits (a rollback keeps them in use).

    Empty names are skipped; a name already gone is not an error (the storage API's delete).
    """
    kept = [n for n in names if n]

    def delete() -> None:
        for name in kept:
            default_storage.delete(name)

    if kept:
        transaction.on_commit(delete)
