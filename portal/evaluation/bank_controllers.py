"""Staff pages of the question banks: /manage/evaluation (banks and events), a course's bank,
questions and tests. Banks are for coordinators, admins and the course's trainers (`viewer`)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from portal.auth.guards import current_user, staff
from portal.core.errors import DomainError, ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, form_dict, redirect, render
from portal.evaluation import access, bank
from portal.evaluation.bank import KIND_LABELS, MAX_CHOICES
from portal.trainings import services as trainings
from portal.trainings.materials import Viewer


def _actor(request: Request) -> Any:
    return current_user(request).actor(client_ip(request))


class BankController(Controller):
    """Question banks and tests of the courses a user may edit."""

    path = "/manage/evaluation"
    guards = [staff]

    @get("/", name="evaluation.home")
    async def home(self, request: Request, viewer: NamedDependency[Viewer]) -> Response:
        """Banks this user builds and the events whose tests they run."""
        courses = await trainings.list_courses(None if viewer.sees_all else set(viewer.trainer_courses))
        return render(request, "evaluation/manage/home.html", {
            "courses": courses, "events": await access.visible_events(current_user(request))})

    async def _course(self, course_id: int, viewer: Viewer) -> dict[str, Any]:
        access.require_bank(viewer, course_id)
        return await trainings.get_course(course_id)

    @get("/courses/{course_id:int}", name="evaluation.bank")
    async def course_bank(self, request: Request, course_id: FromPath[int],
                          viewer: NamedDependency[Viewer]) -> Response:
        """A course's questions (archived ones folded away) and its tests."""
        course = await self._course(course_id, viewer)
        return render(request, "evaluation/manage/bank.html", {
            "course": course, "questions": await bank.list_questions(course_id),
            "archived": await bank.list_questions(course_id, archived=True),
            "quizzes": await bank.list_quizzes(course_id), "kinds": KIND_LABELS})

    def _question_form(self, request: Request, course: dict, values: dict, errors: dict, question_id: int | None = None,
                       status: int = 200, in_use: bool = False, archived: bool = False) -> Response:
        return render(request, "evaluation/manage/question_form.html", {
            "course": course, "values": values, "errors": errors, "question_id": question_id, "kinds": KIND_LABELS,
            "max_choices": MAX_CHOICES, "in_use": in_use, "archived": archived}, status_code=status)

    @get("/courses/{course_id:int}/questions/new", name="evaluation.question_new")
    async def question_new(self, request: Request, course_id: FromPath[int],
                           viewer: NamedDependency[Viewer]) -> Response:
        """An empty question form."""
        course = await self._course(course_id, viewer)
        return self._question_form(request, course, bank.question_form(), {})

    @post("/courses/{course_id:int}/questions", name="evaluation.question_create")
    async def question_create(self, request: Request, course_id: FromPath[int],
                              viewer: NamedDependency[Viewer]) -> Response:
        """Add the question to the bank."""
        course = await self._course(course_id, viewer)
        form = form_dict(await request.form(), lists=("correct",))
        try:
            await bank.create_question(course_id, form, _actor(request))
        except ValidationFailed as exc:
            return self._question_form(request, course, form, exc.errors, status=422)
        return redirect(request, request.app.route_reverse("evaluation.bank", course_id=course_id) + "#questions",
                        _("Question added."))

    async def _question(self, question_id: int, viewer: Viewer) -> tuple[dict, dict]:
        question = await bank.get_question(question_id)
        return question, await self._course(question["course"], viewer)

    @get("/questions/{question_id:int}", name="evaluation.question_edit")
    async def question_edit(self, request: Request, question_id: FromPath[int],
                            viewer: NamedDependency[Viewer]) -> Response:
        """Edit a question (its scoring is kept once people have answered it)."""
        question, course = await self._question(question_id, viewer)
        return self._question_form(request, course, bank.question_form(question), {}, question_id,
                                   in_use=await bank.answered(question_id), archived=question["archived"])

    @post("/questions/{question_id:int}", name="evaluation.question_update")
    async def question_update(self, request: Request, question_id: FromPath[int],
                              viewer: NamedDependency[Viewer]) -> Response:
        """Save the question."""
        question, course = await self._question(question_id, viewer)
        form = form_dict(await request.form(), lists=("correct",))
        in_use = await bank.answered(question_id)
        try:
            await bank.update_question(question_id, form, _actor(request))
        except ValidationFailed as exc:
            return self._question_form(request, course, form, exc.errors, question_id, 422, in_use)
        except DomainError as exc:
            return self._question_form(request, course, form, {"form": exc.message}, question_id, 409, in_use)
        return redirect(request, request.app.route_reverse("evaluation.bank", course_id=course["id"]) + "#questions",
                        _("Question saved."))

    @post("/questions/{question_id:int}/archive", name="evaluation.question_archive")
    async def question_archive(self, request: Request, question_id: FromPath[int],
                               viewer: NamedDependency[Viewer]) -> Response:
        """Archive a question, or bring it back (form field `archived`: on or off)."""
        question, course = await self._question(question_id, viewer)
        archived = form_dict(await request.form()).get("archived", "on") != "off"
        await bank.set_archived(question_id, archived, _actor(request))
        return redirect(request, request.app.route_reverse("evaluation.bank", course_id=course["id"]) + "#questions",
                        _("Question archived.") if archived else _("Question back in the bank."))

    async def _quiz_form(self, request: Request, course: dict, values: dict, errors: dict, quiz_id: int | None = None,
                         status: int = 200) -> Response:
        current = await bank.quiz_questions(quiz_id) if quiz_id else []
        bank_rows = await bank.list_questions(course["id"])
        extra = [q for q in current if q["id"] not in {b["id"] for b in bank_rows}]  # archived but in the test
        return render(request, "evaluation/manage/quiz_form.html", {
            "course": course, "values": values, "errors": errors, "quiz_id": quiz_id, "kinds": KIND_LABELS,
            "bank": bank_rows + extra, "taken": bool(quiz_id) and await bank.taken(quiz_id)}, status_code=status)

    @get("/courses/{course_id:int}/tests/new", name="evaluation.quiz_new")
    async def quiz_new(self, request: Request, course_id: FromPath[int], viewer: NamedDependency[Viewer]) -> Response:
        """Build a test from the bank."""
        course = await self._course(course_id, viewer)
        return await self._quiz_form(request, course, {"questions": []}, {})

    @post("/courses/{course_id:int}/tests", name="evaluation.quiz_create")
    async def quiz_create(self, request: Request, course_id: FromPath[int],
                          viewer: NamedDependency[Viewer]) -> Response:
        """Save the new test."""
        course = await self._course(course_id, viewer)
        form = form_dict(await request.form(), lists=("questions",))
        try:
            await bank.save_quiz(course_id, None, form, _actor(request))
        except ValidationFailed as exc:
            return await self._quiz_form(request, course, form, exc.errors, status=422)
        return redirect(request, request.app.route_reverse("evaluation.bank", course_id=course_id) + "#tests",
                        _("Test saved."))

    async def _quiz(self, quiz_id: int, viewer: Viewer) -> tuple[dict, dict]:
        quiz = await bank.get_quiz(quiz_id)
        return quiz, await self._course(quiz["course"], viewer)

    @get("/tests/{quiz_id:int}", name="evaluation.quiz_edit")
    async def quiz_edit(self, request: Request, quiz_id: FromPath[int], viewer: NamedDependency[Viewer]) -> Response:
        """Edit a test."""
        quiz, course = await self._quiz(quiz_id, viewer)
        questions = await bank.quiz_questions(quiz_id)
        values = {**quiz, "time_limit": quiz["time_limit"] or "", "questions": [str(q["id"]) for q in questions],
                  **{f"position_{q['id']}": str(q["number"]) for q in questions}}
        return await self._quiz_form(request, course, values, {}, quiz_id)

    @post("/tests/{quiz_id:int}", name="evaluation.quiz_update")
    async def quiz_update(self, request: Request, quiz_id: FromPath[int], viewer: NamedDependency[Viewer]) -> Response:
        """Save the test (its questions stay once it has been taken)."""
        quiz, course = await self._quiz(quiz_id, viewer)
        form = form_dict(await request.form(), lists=("questions",))
        try:
            await bank.save_quiz(course["id"], quiz_id, form, _actor(request))
        except ValidationFailed as exc:
            return await self._quiz_form(request, course, form, exc.errors, quiz_id, 422)
        except DomainError as exc:
            return await self._quiz_form(request, course, form, {"form": exc.message}, quiz_id, 409)
        return redirect(request, request.app.route_reverse("evaluation.bank", course_id=course["id"]) + "#tests",
                        _("Test saved."))
