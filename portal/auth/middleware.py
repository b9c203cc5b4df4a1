"""Finds the signed-in user from the session cookie; anonymous requests get user None."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from portal.auth.services import user_for_session
from portal.core.i18n import LANGUAGES, current_language

SESSION_COOKIE = "portal_session"


class SessionAuthMiddleware(AbstractAuthenticationMiddleware):
    """Looks up the login session; it never refuses (guards do that)."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        """Return the user behind the cookie, or None."""
        token = connection.cookies.get(SESSION_COOKIE)
        user = await user_for_session(token) if token else None
        if user is not None and user.language in LANGUAGES:
            # A staff member's own choice (their profile) wins over the browser's cookie and preference.
            current_language.set(user.language)
        return AuthenticationResult(user=user, auth=token if user else None)
