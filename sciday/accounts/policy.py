"""Who may use the pages of the three separated system roles (三权分立).

Each page belongs to exactly one role, and a person holds at most one (`User.system_role`):
the system administrator manages accounts, the security administrator lockouts and second
factors, the auditor reads the audit log. None of them can reach another's page.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from sciday.accounts.models import SystemRole

# The page each system role owns, by URL name in the `accounts` namespace.
HOME_PAGE: dict[str, str] = {
    SystemRole.SYSTEM_ADMIN: "accounts:admin_users",
    SystemRole.SECURITY_ADMIN: "accounts:security",
    SystemRole.AUDITOR: "accounts:audit",
}


def holds(user, role: str) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.is_active
        and (user.system_role == role)
    )


def system_role_required(role: str):
    """View decorator: anonymous people go to the login page; anyone else but `role` gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not holds(request.user, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
