"""Staff pages of an event's tests and feedback (/manage/events/{id}/evaluation): set-up, results, the
paper test and its entry screen, and the venue screen's code. For the event's organizers and
coordinators, and the trainers who teach it (portal.evaluation.access)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from portal.auth.guards import current_user, staff
from portal.core import clock
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, redirect, render
from portal.evaluation import access, attempts, bank, paper, results, setup
from portal.evaluation import merging as _registration_merge  # noqa: F401 (registers its hook)
from portal.evaluation.feedback import RATINGS, SCALE, TEXTS
from portal.evaluation.setup import STAGES
from portal.events.management import services
from portal.events.qr import qr_svg
from portal.events.selfcheck import services as selfcheck
from portal.exports import CONTENT_TYPES, content_disposition
from portal.settings import Settings
from portal.trainings.materials import Viewer


class EventEvaluationController(Controller):
    """An event's pre- and post-tests and feedback forms."""

    path = "/manage/events/{event_id:int}/evaluation"
    guards = [staff]

    def _url(self, request: Request, event_id: int, name: str = "evaluation.event", **params: Any) -> str:
        return request.app.route_reverse(name, event_id=event_id, **params)

    @get("/", name="evaluation.event")
    async def page(self, request: Request, event_id: FromPath[int], viewer: NamedDependency[Viewer]) -> Response:
        """Which tests the event gives, their state, the feedback forms, and links to all the rest."""
        user = current_user(request)
        event = await access.load_event(user, event_id)
        quizzes = await setup.event_quizzes(event_id)
        return render(request, "evaluation/manage/event.html", {
            "event": event, "quizzes": quizzes, "stages": STAGES, "sessions": await services.list_sessions(event_id),
            "choices": await bank.list_quizzes(event["course"]) if event["course"] else [],
            "forms": await setup.feedback_forms(event_id), "may_set_rule": user.has_role("coordinator", "organizer"),
            "may_edit_bank": event["course"] is not None and access.may_edit_bank(
                viewer, event["course"])})

    async def _act(self, request: Request, event_id: int, work: Any, done: str | None = None) -> Response:
        try:
            message = await work
        except ValidationFailed as exc:
            return redirect(request, self._url(request, event_id), " ".join(exc.errors.values()), "error")
        except DomainError as exc:
            if exc.code == "not_found":
                raise
            return redirect(request, self._url(request, event_id), exc.message, "error")
        return redirect(request, self._url(request, event_id), message if isinstance(message, str) else done)

    @post("/tests", name="evaluation.assign")
    async def assign(self, request: Request, event_id: FromPath[int]) -> Response:
        """Choose the test of a stage, its session and (post-test) the certificate's pass mark."""
        form = form_dict(await request.form())
        return await self._act(request, event_id, setup.assign(current_user(request), event_id, form,
                                                               client_ip(request)), _("Test settings saved."))

    @post("/tests/{stage:str}", name="evaluation.change")
    async def change(self, request: Request, event_id: FromPath[int], stage: FromPath[str]) -> Response:
        """Open or close a test, release or withhold its scores (form field `action`)."""
        action = str(form_dict(await request.form()).get("action", ""))
        return await self._act(request, event_id, setup.change(current_user(request), event_id, stage, action,
                                                               client_ip(request)))

    @get("/results", name="evaluation.results")
    async def results_page(self, request: Request, event_id: FromPath[int]) -> Response:
        """Scores, gain, question difficulty and feedback of the event."""
        event = await access.load_event(current_user(request), event_id)
        quizzes = await setup.event_quizzes(event_id)
        data = await results.event_results(event_id, quizzes)
        return render(request, "evaluation/manage/results.html", {
            "event": event, "quizzes": quizzes, "stages": STAGES, "ratings": RATINGS, "scale": SCALE, "texts": TEXTS,
            **data})

    @post("/tests/{stage:str}/extra/{registration_id:int}", name="evaluation.extra")
    async def extra(self, request: Request, event_id: FromPath[int], stage: FromPath[str],
                    registration_id: FromPath[int]) -> Response:
        """Allow one person another attempt."""
        await setup.allow_another(current_user(request), event_id, stage, registration_id, client_ip(request))
        return redirect(request, self._url(request, event_id, "evaluation.results") + "#people",
                        _("Another attempt allowed."))

    @get("/tests/{stage:str}/paper.pdf", name="evaluation.paper")
    async def paper_pdf(self, request: Request, event_id: FromPath[int], stage: FromPath[str]) -> Response:
        """The test to print, with its answer sheet."""
        event = await access.load_event(current_user(request), event_id)
        eq = await setup.get_event_quiz(event_id, stage)
        quiz = await bank.get_quiz(eq["quiz"])
        body = paper.paper_pdf(event_title=event["title"], stage_label=STAGES[stage], quiz=quiz,
                               questions=await bank.quiz_questions(eq["quiz"]), time_limit=quiz["time_limit"])
        return Response(body, media_type=CONTENT_TYPES["pdf"], headers={
            "Content-Disposition": content_disposition(f"{stage}-test-event-{event_id}.pdf", "inline")})

    async def _entry(self, request: Request, event_id: int, stage: str, registration_id: int | None,
                     values: dict | None = None, error: str = "", status: int = 200) -> Response:
        event = await access.load_event(current_user(request), event_id)
        eq = await setup.get_event_quiz(event_id, stage)
        people = await results.people_scores([event_id])
        chosen = next((p for p in people if p.registration_id == registration_id), None)
        if registration_id is not None and chosen is None:
            raise NotFound(_("No such participant in this event."))
        if chosen is not None and values is None:
            values = await attempts.paper_values(eq, chosen.registration_id)
        return render(request, "evaluation/manage/entry.html", {
            "event": event, "eq": eq, "stage": stage, "stages": STAGES, "people": people, "chosen": chosen,
            "questions": await bank.quiz_questions(eq["quiz"]), "values": values or {}, "error": error,
            "letters": paper.LETTERS}, status_code=status)

    @get("/tests/{stage:str}/entry", name="evaluation.entry")
    async def entry(self, request: Request, event_id: FromPath[int], stage: FromPath[str],
                    registration: FromQuery[int | None] = None) -> Response:
        """Type in paper answer sheets: choose a person, tick their answers, save, next."""
        return await self._entry(request, event_id, stage, registration)

    @post("/tests/{stage:str}/entry", name="evaluation.entry_save")
    async def entry_save(self, request: Request, event_id: FromPath[int], stage: FromPath[str]) -> Response:
        """Store one answer sheet (or correct the last one typed for that person) and go to the next person."""
        user = current_user(request)
        await access.load_event(user, event_id)
        eq = await setup.get_event_quiz(event_id, stage)
        form = await request.form()
        raw = str(form.get("registration", ""))
        if not raw.isdigit():
            return await self._entry(request, event_id, stage, None, None, _("Choose the person first."), 422)
        values = {key: [str(v) for v in form.getall(key)] for key in form if key.startswith("q")}
        try:
            attempt, corrected = await attempts.paper_entry(user.actor(client_ip(request)), user.id, eq, int(raw),
                                                            values)
        except DomainError as exc:
            if exc.code == "not_found":
                raise
            return await self._entry(request, event_id, stage, int(raw), values, exc.message, exc.status_code)
        people = await results.people_scores([event_id])
        done = next((p for p in people if p.registration_id == int(raw)), None)
        waiting = [p for p in people if getattr(p, stage) is None]
        url = self._url(request, event_id, "evaluation.entry", stage=stage)
        if waiting:
            url += f"?registration={waiting[0].registration_id}"
        score = attempts.result(attempt)
        message = (_("Corrected: %(name)s, %(score)s%%.") if corrected else _("Saved: %(name)s, %(score)s%%.")) % {
            "name": done.name if done else "", "score": f"{score:.0f}" if score is not None else "0"}
        return redirect(request, url, message)

    @post("/feedback", name="evaluation.form_add")
    async def form_add(self, request: Request, event_id: FromPath[int]) -> Response:
        """Add a feedback form for the event or one session."""
        form = form_dict(await request.form())
        return await self._act(request, event_id, setup.add_form(current_user(request), event_id, form,
                                                                 client_ip(request)), _("Feedback form added."))

    @post("/feedback/{form_id:int}", name="evaluation.form_state")
    async def form_state(self, request: Request, event_id: FromPath[int], form_id: FromPath[int]) -> Response:
        """Open or close a feedback form (form field `state`)."""
        state = str(form_dict(await request.form()).get("state", ""))
        message = _("Feedback form opened.") if state == "open" else _("Feedback form closed.")
        return await self._act(request, event_id, setup.set_form_state(current_user(request), event_id, form_id,
                                                                       state, client_ip(request)), message)

    @get("/sessions/{session_id:int}/venue", name="evaluation.venue")
    async def venue(self, request: Request, event_id: FromPath[int], session_id: FromPath[int],
                    settings: NamedDependency[Settings]) -> Response:
        """The venue screen: a code that opens the session's tests and forms on participants' phones;
        it changes every 30 seconds (the fragment alone for htmx polling)."""
        event = await access.load_event(current_user(request), event_id)
        session = next((s for s in await services.list_sessions(event_id) if s["id"] == session_id), None)
        if session is None:
            raise NotFound(_("No such session."))
        shown = selfcheck.display(settings.secret_key, session_id, clock.now().timestamp())
        link = settings.base_url.rstrip("/") + request.app.route_reverse(
            "evaluation.venue_landing", session_id=session_id, code=shown.code)
        return render(request, "evaluation/manage/venue.html", {
            "event": event, "session": session, "code": shown, "link": link,
            "qr": qr_svg(link, label=_("Code that opens the test"))}, fragment="evaluation/manage/_venue_code.html")

