"""Staff page listing likely duplicates in the directory (/manage/participants/duplicates)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get

from portal.auth.guards import EVENT_STAFF, current_user
from portal.core.web import render
from portal.events.participants.duplicates import likely_duplicates


class DuplicatesController(Controller):
    """People who may be one person entered twice: same name spelled two ways in one district.
    Organizers limited to districts see the groups of their districts."""

    path = "/manage/participants/duplicates"
    guards = [EVENT_STAFF]

    @get("/", name="participants.manage.duplicates")
    async def duplicates(self, request: Request) -> Response:
        """The groups, largest first."""
        groups = await likely_duplicates(current_user(request).district_scope)
        return render(request, "events/participants/duplicates.html", {"groups": groups})
