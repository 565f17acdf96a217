"""Sign in with an e-mail address or a mainland mobile number."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from sciday.accounts.models import User


class EmailOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = User.objects.get_by_login(username)
        if user is None:
            # Spend the same time as a real check so timing does not reveal who has an account.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials) -> str:
    """Key the lockout on the account, whichever of its identifiers was typed."""
    login = (credentials or {}).get("username") or ""
    user = User.objects.get_by_login(login)
    return user.email if user is not None else login.strip().lower()
