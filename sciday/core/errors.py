"""Domain errors that speak to people.

Services raise these; one handler maps them to forms, pages and API responses
(`sciday.core.views.domain_error_handler`, `sciday.api.errors`). A message says what to fix.
"""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """Bad input or a forbidden state change: the user can fix it; nothing was written."""

    status = 400

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str = "invalid"):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(DomainError):
    """The actor may not take this action on this object."""

    status = 403

    def __init__(self, message: str | Promise | None = None, *, code: str = "forbidden"):
        from django.utils.translation import gettext_lazy as _

        super().__init__(message or _("You do not have permission to do this."), code=code)


class Conflict(DomainError):
    """The action clashes with what already exists (a duplicate, a stale version)."""

    status = 409


def apply_to_form(form, error: DomainError) -> None:
    """Attach a domain error to a Django form so the page shows it next to the right field."""
    field = error.field if error.field in getattr(form, "fields", {}) else None
    form.add_error(field, str(error.message))
