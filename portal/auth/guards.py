"""Guards: who may reach a route. Record-level checks live in the services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from portal.auth.services import CurrentUser

Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]


def current_user(connection: ASGIConnection) -> CurrentUser | None:
    """The signed-in staff user, or None for anonymous visitors."""
    return connection.scope.get("user")


async def staff(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Any signed-in staff user."""
    if current_user(connection) is None:
        raise NotAuthorizedException("Please log in.")


def roles(*allowed: str) -> Guard:
    """Signed-in staff with one of `allowed` roles (admin always passes)."""

    async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        await staff(connection, handler)
        user = current_user(connection)
        assert user is not None
        if not user.has_role(*allowed):
            raise PermissionDeniedException("Your role does not give access to this page.")

    guard.__name__ = f"roles_{'_'.join(allowed)}"
    return guard


EVENT_STAFF = roles("coordinator", "organizer")
COORDINATORS = roles("coordinator")
ADMINS = roles("admin")
