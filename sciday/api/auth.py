"""How the API knows who is calling: a personal token, or the browser's session.

Tokens (`Authorization: Bearer sd_...`) are for systems that sync with sciday. They are not
subject to the web session's second-factor step, so for people who need a second factor
(national roles, the system administration roles) a token is accepted only while the person
keeps a confirmed TOTP device: tokens are created on the profile page, which such people reach
only after verifying their second factor, and a token stops working when the device is reset.

The session (for pages of sciday that call the API) needs the CSRF token on unsafe methods and,
like the pages, a verified second factor and an unexpired password.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from sciday.accounts.middleware import needs_second_factor, password_expired
from sciday.accounts.selectors import user_has_confirmed_device, user_requires_second_factor
from sciday.accounts.services import api_token_authenticate


class CsrfFailed(Exception):
    """The session request lacked a valid CSRF token."""


class TokenAuth(HttpBearer):
    """Personal API token: `Authorization: Bearer sd_...`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(secret=token.strip())
        if user is None:
            return None
        if user_requires_second_factor(user=user) and not user_has_confirmed_device(user=user):
            return None
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session, with CSRF on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if "authorization" in request.headers:
            # A request that brings a token is judged by its token alone.
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request):
            raise CsrfFailed
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        user = request.user
        if needs_second_factor(user) or password_expired(user):
            return None
        return user


def anonymous(request: HttpRequest) -> Any:
    """Let anyone through (public endpoints that show more to signed-in people)."""
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


token_auth = TokenAuth()
session_auth = SessionAuth()
REQUIRED = [token_auth, session_auth]
OPTIONAL = [token_auth, session_auth, anonymous]
