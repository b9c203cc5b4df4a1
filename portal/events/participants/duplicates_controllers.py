"""Staff pages for likely duplicates in the directory and merging two people
(/manage/participants/duplicates)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from portal.auth.guards import EVENT_STAFF, current_user
from portal.core.errors import DomainError, NotFound
from portal.core.i18n import format_number, ngettext
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, redirect, render
from portal.events.participants import merge as merging
from portal.events.participants import phones
from portal.events.participants.duplicates import likely_duplicates
from portal.events.participants.services import get_participant, may_edit
from portal.events.tables import Registration


def _id(raw: object) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


class DuplicatesController(Controller):
    """People who may be one person entered twice (same name spelled two ways in one district), and
    merging two of them. Organizers limited to districts see and merge the people of their districts."""

    path = "/manage/participants/duplicates"
    guards = [EVENT_STAFF]

    @get("/", name="participants.manage.duplicates")
    async def duplicates(self, request: Request) -> Response:
        """The groups, largest first."""
        groups = await likely_duplicates(current_user(request).district_scope)
        return render(request, "events/participants/duplicates.html", {"groups": groups})

    async def _confirm(self, request: Request, keep_id: int | None, drop_id: int | None, error: str = "",
                       status: int = 200) -> Response:
        user = current_user(request)
        if keep_id is None or drop_id is None:
            raise NotFound(_("Choose the two people to merge on the list of likely duplicates."))
        people = []
        for person_id in (keep_id, drop_id):
            person = await get_participant(person_id)
            if not may_edit(user, person):
                raise NotFound("No such participant.")
            person["registrations"] = await Registration.count().where(Registration.participant == person_id)
            person["other_phones"] = await phones.others(person_id)
            people.append(person)
        shared = []
        if keep_id == drop_id and not error:
            error, status = _("Choose two different people."), 409
        elif keep_id != drop_id:
            shared = await merging.plan(keep_id, drop_id)
        return render(request, "events/participants/merge.html",
                      {"keep": people[0], "drop": people[1], "error": error, "shared": shared}, status_code=status)

    @get("/merge", name="participants.manage.merge_confirm")
    async def confirm(self, request: Request, keep: FromQuery[str] = "", drop: FromQuery[str] = "") -> Response:
        """Both people side by side before the merge."""
        return await self._confirm(request, _id(keep), _id(drop))

    @post("/merge", name="participants.manage.merge")
    async def merge(self, request: Request) -> Response:
        """Merge the second person into the first, then show the one kept."""
        form = form_dict(await request.form())
        keep_id, drop_id = _id(form.get("keep")), _id(form.get("drop"))
        if keep_id is None or drop_id is None:
            raise NotFound(_("Choose the two people to merge on the list of likely duplicates."))
        try:
            result = await merging.merge(keep_id, drop_id, current_user(request), client_ip(request))
        except merging.MergeRefused as exc:
            return await self._confirm(request, keep_id, drop_id, exc.message, 409)
        except DomainError as exc:
            return await self._confirm(request, keep_id, drop_id, exc.message, exc.status_code)
        moved, shared = len(result["moved"]["registrations"]), len(result["moved"]["shared"])
        message = " ".join([
            ngettext("Merged: %(num)s registration moved to this person.",
                     "Merged: %(num)s registrations moved to this person.", moved) % {"num": format_number(moved)},
            *([ngettext("%(num)s event both were registered for now has one registration.",
                        "%(num)s events both were registered for now have one registration each.", shared)
               % {"num": format_number(shared)}] if shared else []),
            _("The merge can be undone from this page.")])
        return redirect(request, request.app.route_reverse("participants.manage.edit", participant_id=keep_id),
                        message)


class MergesController(Controller):
    """A merge as it was recorded, and undoing it. The same people as merging: event staff who may edit both the
    kept and the removed person (organizers limited to districts: people of their districts)."""

    path = "/manage/participants/merges"
    guards = [EVENT_STAFF]

    async def _page(self, request: Request, merge_id: int, error: str = "", status: int = 200) -> Response:
        record = await merging.get_merge(merge_id)
        user, kept = current_user(request), await get_participant(record["kept"])
        if not (may_edit(user, record["dropped"]) and may_edit(user, kept)):
            raise NotFound(_("No such merge."))
        return render(request, "events/participants/merge_record.html",
                      {"record": record, "kept": kept, "error": error}, status_code=status)

    @get("/{merge_id:int}", name="participants.manage.merge_record")
    async def show(self, request: Request, merge_id: FromPath[int]) -> Response:
        """Who was merged into whom, what moved, and the button that undoes it."""
        return await self._page(request, merge_id)

    @post("/{merge_id:int}/undo", name="participants.manage.merge_undo")
    async def undo(self, request: Request, merge_id: FromPath[int]) -> Response:
        """Undo the merge: the removed person comes back with what moved; refused (409) when rows changed since."""
        try:
            record = await merging.undo(merge_id, current_user(request), client_ip(request))
        except merging.MergeRefused as exc:
            return await self._page(request, merge_id, exc.message, exc.status_code)
        return redirect(request, request.app.route_reverse("participants.manage.edit",
                                                           participant_id=record["restored_id"]),
                        _("Merge undone: this person is back with their registrations and phone numbers."))
