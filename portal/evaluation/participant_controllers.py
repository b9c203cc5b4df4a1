"""Participant pages: a test from the ticket (/t/{token}/tests/...), the attempt itself (/a/{key}),
feedback (/f/{pass}) and the venue code of a session (/q/{session}/{code}). No login: the ticket
token, the attempt key or the feedback pass is the credential, and each shows only its own person's
answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from portal.core import clock
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.web import client_ip, form_dict, render
from portal.evaluation import attempts, bank, feedback, participant
from portal.evaluation.setup import STAGES
from portal.events.tickets.cookie import TICKET_COOKIE
from portal.settings import Settings

PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


def _private(response: Response) -> Response:
    response.headers.update(PRIVATE)
    return response


def _see_other(url: str) -> Response:
    return Redirect(path=url, status_code=303, headers=PRIVATE)


async def _multi(request: Request) -> dict[str, list[str]]:
    """Every field's values (a multiple-choice question sends several)."""
    form = await request.form()
    return {key: [str(v) for v in form.getall(key)] for key in form if key.startswith("q")}


class TicketTestController(Controller):
    """A test or feedback form reached from the participant's ticket page."""

    path = "/t/{token:str}"

    async def _intro(self, request: Request, token: str, event_quiz_id: int, error: str = "",
                     status: int = 200) -> Response:
        reg = await participant.seated(token)
        eq = await attempts.event_quiz(event_quiz_id)
        if eq["event"] != reg["event"]:
            raise NotFound()
        mine = await attempts.standing(eq, reg["id"])
        last = mine["submitted"][-1] if mine["submitted"] else None
        return _private(render(request, "evaluation/participant/intro.html", {
            "reg": reg, "eq": eq, "mine": mine, "last": last, "score": attempts.result(last) if last else None,
            "token": token, "stages": STAGES, "error": error,
            "questions": len(await bank.quiz_questions(eq["quiz"]))}, status_code=status))

    @get("/tests/{event_quiz_id:int}", name="evaluation.ticket_test")
    async def intro(self, request: Request, token: FromPath[str], event_quiz_id: FromPath[int]) -> Response:
        """What the test is, and a button to start it (or go on with it, or see the result)."""
        return await self._intro(request, token, event_quiz_id)

    @post("/tests/{event_quiz_id:int}", name="evaluation.ticket_start")
    async def start(self, request: Request, token: FromPath[str], event_quiz_id: FromPath[int]) -> Response:
        """Start (or resume) an attempt and go to it."""
        reg = await participant.seated(token)
        eq = await attempts.event_quiz(event_quiz_id)
        if eq["event"] != reg["event"]:
            raise NotFound()
        try:
            attempt = await attempts.start(event_quiz_id, reg["id"])
        except attempts.AttemptRefused as exc:
            return await self._intro(request, token, event_quiz_id, exc.message, exc.status_code)
        return _see_other(request.app.route_reverse("evaluation.attempt", attempt_key=attempt["key"]))

    @get("/feedback/{form_id:int}", name="evaluation.ticket_feedback")
    async def feedback_link(self, request: Request, token: FromPath[str], form_id: FromPath[int],
                            settings: NamedDependency[Settings]) -> Response:
        """The feedback form of this ticket's event, under its own pass."""
        reg = await participant.seated(token)
        await feedback.for_registration(form_id, reg["id"])
        code = feedback.pass_for(settings.secret_key, form_id, reg["id"])
        return _see_other(request.app.route_reverse("evaluation.feedback", feedback_pass=code))


class AttemptController(Controller):
    """One attempt at a test, by its secret key: the questions, sending the answers, the result."""

    path = "/a"

    @get("/{attempt_key:str}", name="evaluation.attempt")
    async def show(self, request: Request, attempt_key: FromPath[str]) -> Response:
        """The questions while the attempt is open; afterwards the person's own result."""
        attempt = await attempts.by_key(attempt_key)
        questions = await attempts.own_answers(attempt)
        context: dict[str, Any] = {"attempt": attempt, "questions": questions, "stages": STAGES,
                                   "score": attempts.result(attempt)}
        if attempt["submitted_at"] is None:
            remaining = None
            if attempt["deadline"] is not None:
                remaining = max(0, int((attempt["deadline"] - clock.now()).total_seconds()))
            context["remaining"] = remaining
            return _private(render(request, "evaluation/participant/attempt.html", context))
        return _private(render(request, "evaluation/participant/result.html", context))

    @post("/{attempt_key:str}", name="evaluation.attempt_submit")
    async def submit(self, request: Request, attempt_key: FromPath[str]) -> Response:
        """Send the answers; a resend of answers already received changes nothing."""
        await attempts.submit(attempt_key, await _multi(request))
        return _see_other(request.app.route_reverse("evaluation.attempt", attempt_key=attempt_key))


class FeedbackController(Controller):
    """A feedback form under a participant's pass."""

    path = "/f"

    async def _page(self, request: Request, settings: Settings, code: str, values: Mapping[str, Any] | None = None,
                    errors: dict[str, str] | None = None, status: int = 200) -> Response:
        form_id, registration_id = feedback.read_pass(settings.secret_key, code)
        form, reg, done = await feedback.for_registration(form_id, registration_id)
        return _private(render(request, "evaluation/participant/feedback.html", {
            "form": form, "done": done, "code": code, "values": values or {}, "errors": errors or {},
            "ratings": feedback.RATINGS, "scale": feedback.SCALE, "texts": feedback.TEXTS,
            "token": reg["ticket_token"]}, status_code=status))

    @get("/{feedback_pass:str}", name="evaluation.feedback")
    async def show(self, request: Request,
                   settings: NamedDependency[Settings], feedback_pass: FromPath[str]) -> Response:
        """The form, or a thank-you once answered."""
        return await self._page(request, settings, feedback_pass)

    @post("/{feedback_pass:str}", name="evaluation.feedback_submit")
    async def submit(self, request: Request, feedback_pass: FromPath[str],
                     settings: NamedDependency[Settings]) -> Response:
        """Store the feedback once (a resend is answered like the first send)."""
        form_id, registration_id = feedback.read_pass(settings.secret_key, feedback_pass)
        values = form_dict(await request.form())
        try:
            await feedback.submit(form_id, registration_id, values)
        except ValidationFailed as exc:
            return await self._page(request, settings, feedback_pass, values, exc.errors, 422)
        except DomainError as exc:
            if exc.code == "not_found":
                raise
            return await self._page(request, settings, feedback_pass, values, {"form": exc.message}, exc.status_code)
        return _see_other(request.app.route_reverse("evaluation.feedback", feedback_pass=feedback_pass))


class VenueTestController(Controller):
    """The session's venue code, when a trainer has opened a test or a feedback form for it."""

    path = "/q"

    async def _mine(self, request: Request, session: dict[str, Any]) -> dict[str, Any] | None:
        token = request.cookies.get(TICKET_COOKIE, "")
        if not token:
            return None
        try:
            reg = await participant.seated(token)
        except NotFound:
            return None
        return reg if reg["event"] == session["event"] else None

    async def _landing(self, request: Request, settings: Settings, session_id: int, code: str, error: str = "",
                       status: int = 200, phone: str = "") -> Response:
        try:
            session = await participant.venue_session(settings.secret_key, session_id, code)
        except DomainError as exc:
            return render(request, "evaluation/participant/venue_refused.html", {"error": exc},
                          status_code=exc.status_code)
        context = {"session": session, "code": code, "mine": await self._mine(request, session), "error": error,
                   "phone": phone, "stages": STAGES, "open": await participant.open_items(session["event"], session_id)}
        return _private(render(request, "evaluation/participant/venue.html", context, status_code=status))

    @get("/{session_id:int}/{code:str}", name="evaluation.venue_landing")
    async def landing(self, request: Request,
                      settings: NamedDependency[Settings], session_id: FromPath[int], code: FromPath[str]) -> Response:
        """The open tests and forms: one tap with the ticket on this phone, or a phone number."""
        return await self._landing(request, settings, session_id, code)

    @post("/{session_id:int}/{code:str}", name="evaluation.venue_start")
    async def start(self, request: Request, session_id: FromPath[int], code: FromPath[str],
                    settings: NamedDependency[Settings]) -> Response:
        """Open the chosen test (an attempt) or feedback form for this phone's ticket or phone number."""
        form = form_dict(await request.form())
        phone = str(form.get("phone", ""))[:40]
        try:
            session = await participant.venue_session(settings.secret_key, session_id, code)
            kind, number = participant.choice(str(form.get("item", "")))
            reg = await self._mine(request, session) if form.get("how") == "ticket" else None
            if reg is None:
                reg = await participant.by_phone(session, phone, client_ip(request))
            if kind == "quiz":
                eq = await attempts.event_quiz(number)
                if eq["event"] != session["event"]:
                    raise NotFound()
                attempt = await attempts.start(number, reg["id"])
                return _see_other(request.app.route_reverse("evaluation.attempt", attempt_key=attempt["key"]))
            await feedback.for_registration(number, reg["id"])
            pass_code = feedback.pass_for(settings.secret_key, number, reg["id"])
            return _see_other(request.app.route_reverse("evaluation.feedback", feedback_pass=pass_code))
        except DomainError as exc:
            if exc.code in {"expired_code", "forged_code", "session_not_found"}:
                return render(request, "evaluation/participant/venue_refused.html", {"error": exc},
                              status_code=exc.status_code)
            return await self._landing(request, settings, session_id, code, exc.message,
                                       422 if exc.status_code < 400 else exc.status_code, phone)
