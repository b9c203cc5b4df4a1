"""The ticket cookie: a phone that opened its ticket remembers it, so self check-in and the tests
page know whose phone it is without asking."""

from __future__ import annotations

from litestar.datastructures import Cookie

TICKET_COOKIE = "ticket"
TICKET_COOKIE_AGE = 400 * 24 * 3600  # browsers cap cookies at about 400 days


def ticket_cookie(token: str, *, secure: bool) -> Cookie:
    """The cookie that remembers `token` on this phone."""
    return Cookie(key=TICKET_COOKIE, value=token, max_age=TICKET_COOKIE_AGE, path="/", httponly=True,
                  samesite="lax", secure=secure)
