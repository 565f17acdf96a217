"""Template context every page shares: the current campaign, and the workspace menu."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _workspace_menu(request: HttpRequest) -> dict[str, bool]:
    """Return which workspace sections the signed-in person may open."""
    from sciday.accounts.models import SystemRole
    from sciday.accounts.selectors import user_is_campaign_admin, user_memberships

    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "units": bool(user_memberships(user=user)) or user.system_role == SystemRole.SECURITY_ADMIN,
        "campaigns": user_is_campaign_admin(user=user),
        "admin_users": user.system_role == SystemRole.SYSTEM_ADMIN,
        "security": user.system_role == SystemRole.SECURITY_ADMIN,
        "audit": user.system_role == SystemRole.AUDITOR,
    }


def site(request: HttpRequest) -> dict:
    from sciday.campaigns.selectors import campaign_current

    match = getattr(request, "resolver_match", None)
    return {
        "current_campaign": SimpleLazyObject(campaign_current),
        "workspace_menu": SimpleLazyObject(lambda: _workspace_menu(request)),
        "current_section": f"{match.namespace}:{match.url_name}" if match else "",
        "current_namespace": match.namespace if match else "",
    }
