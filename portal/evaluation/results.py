"""Did people learn? Scores per person, the gain figures, question difficulty and feedback averages.

Definitions (also on the results page):
- a person's pre-test score is their first submitted attempt (what they knew before); their
  post-test score is their best submitted attempt (what the certificate's pass mark looks at);
- scores are percentages of the test's points; the gain is post minus pre, in percentage points,
  for people with both ("paired");
- the share with increased knowledge is the paired people whose gain is above zero, over all paired
  people; the average gain is the mean of the paired people's gains;
- a question's difficulty is the share of the counted attempts that answered it right;
- only registrations in the participant role count (not trainers, facilitators or guests), and not
  cancelled ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from portal.evaluation.bank import quiz_questions
from portal.evaluation.scoring import percent
from portal.evaluation.tables import Answer, Attempt, EventQuiz, FeedbackForm, FeedbackResponse
from portal.events.tables import Registration


@dataclass(frozen=True)
class Gain:
    """The gain figures of a group of people."""

    pre_takers: int
    post_takers: int
    paired: int
    average_pre: float | None
    average_post: float | None
    average_gain: float | None
    increased: int

    @property
    def share_increased(self) -> float | None:
        """Percentage of paired people whose score went up."""
        return None if not self.paired else 100.0 * self.increased / self.paired


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def gain_figures(scores: Iterable[tuple[float | None, float | None]]) -> Gain:
    """The figures from (pre, post) percentages per person (None: not taken)."""
    scores = list(scores)
    pairs = [(pre, post) for pre, post in scores if pre is not None and post is not None]
    gains = [post - pre for pre, post in pairs]
    return Gain(
        pre_takers=sum(pre is not None for pre, _ in scores), post_takers=sum(post is not None for _, post in scores),
        paired=len(pairs), average_pre=_mean([p for p, _ in pairs]), average_post=_mean([q for _, q in pairs]),
        average_gain=_mean(gains), increased=sum(g > 0 for g in gains))


@dataclass
class PersonScores:
    """One participant of one event with their counted attempts."""

    event_id: int
    registration_id: int
    name: str
    name_bn: str
    district: str
    gender: str
    stakeholder_type: str
    pre: dict[str, Any] | None = None  # the counted attempt
    post: dict[str, Any] | None = None
    attempts: dict[str, int] = field(default_factory=dict)  # stage -> attempts submitted

    @property
    def pre_percent(self) -> float | None:
        """The pre-test score in percent."""
        return percent(self.pre["score"], self.pre["max_score"]) if self.pre else None

    @property
    def post_percent(self) -> float | None:
        """The post-test score in percent."""
        return percent(self.post["score"], self.post["max_score"]) if self.post else None

    @property
    def gain(self) -> float | None:
        """Post minus pre, in percentage points."""
        pre, post = self.pre_percent, self.post_percent
        return None if pre is None or post is None else post - pre


def counted(stage: str, attempts: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The attempt that counts among one person's submitted attempts at a stage."""
    done = [a for a in attempts if a["submitted_at"] is not None]
    if not done:
        return None
    if stage == "pre":
        return min(done, key=lambda a: a["number"])
    return max(done, key=lambda a: (percent(a["score"], a["max_score"]) or 0.0, -a["number"]))


async def people_scores(event_ids: Sequence[int]) -> list[PersonScores]:
    """Every participant (not cancelled) of these events with their counted pre and post attempts."""
    if not event_ids:
        return []
    person = Registration.participant
    regs = await Registration.select(
        Registration.id, Registration.event, person.name.as_alias("name"), person.name_bn.as_alias("name_bn"),
        person.district.as_alias("district"), person.gender.as_alias("gender"),
        person.stakeholder_type.as_alias("stakeholder_type"),
    ).where(Registration.event.is_in(list(event_ids)) & (Registration.role == "participant")
            & (Registration.status != "cancelled"))
    people = {r["id"]: PersonScores(r["event"], r["id"], r["name"], r["name_bn"], r["district"] or "", r["gender"],
                                    r["stakeholder_type"]) for r in regs}
    if not people:
        return []
    rows = await Attempt.select(
        Attempt.id, Attempt.registration, Attempt.number, Attempt.score, Attempt.max_score, Attempt.submitted_at,
        Attempt.late, Attempt.via, Attempt.event_quiz.stage.as_alias("stage"),
    ).where(Attempt.event_quiz.event.is_in(list(event_ids)) & Attempt.submitted_at.is_not_null())
    grouped: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[(row["registration"], row["stage"])].append(row)
    for (registration_id, stage), attempts in grouped.items():
        if registration_id in people:
            setattr(people[registration_id], stage, counted(stage, attempts))
            people[registration_id].attempts[stage] = len(attempts)
    return sorted(people.values(), key=lambda p: (p.name.casefold(), p.registration_id))


def group_figures(people: Iterable[PersonScores], key: Callable[[PersonScores], str]) -> list[tuple[str, Gain]]:
    """Gain figures per group (district, gender, stakeholder type), groups with a paired person only,
    largest first."""
    groups: dict[str, list[PersonScores]] = defaultdict(list)
    for p in people:
        groups[key(p)].append(p)
    figures = [(name, gain_figures((p.pre_percent, p.post_percent) for p in members))
               for name, members in groups.items()]
    return sorted([f for f in figures if f[1].paired], key=lambda f: (-f[1].paired, f[0]))


async def difficulty(people: Sequence[PersonScores], stage: str,
                     questions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each question of a stage's test: answered, right, and the share right, hardest first."""
    attempt_ids = [getattr(p, stage)["id"] for p in people if getattr(p, stage)]
    tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    if attempt_ids:
        for row in await Answer.select(Answer.question, Answer.correct).where(Answer.attempt.is_in(attempt_ids)):
            tally[row["question"]][0] += 1
            tally[row["question"]][1] += bool(row["correct"])
    out = []
    for q in questions:
        answered, right = tally[q["id"]]
        out.append({**q, "answered": answered, "right": right, "share": percent(right, answered)})
    return sorted(out, key=lambda q: (q["share"] is None, q["share"] or 0.0, q["number"]))


async def post_test_rule(event_id: int) -> tuple[int | None, dict[int, float]]:
    """The event's post-test pass mark (None when the certificate does not need one) and each
    registration's counted post-test score in percent (for the certificate rule)."""
    eq = await EventQuiz.select(EventQuiz.id, EventQuiz.pass_mark).where(
        (EventQuiz.event == event_id) & (EventQuiz.stage == "post")).first()
    if eq is None or eq["pass_mark"] is None:
        return None, {}
    rows = await Attempt.select(Attempt.registration, Attempt.number, Attempt.score, Attempt.max_score,
                                Attempt.submitted_at).where(
        (Attempt.event_quiz == eq["id"]) & Attempt.submitted_at.is_not_null())
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["registration"]].append(row)
    best = {reg: counted("post", attempts) for reg, attempts in grouped.items()}
    return eq["pass_mark"], {reg: percent(a["score"], a["max_score"]) or 0.0 for reg, a in best.items() if a}


# Feedback

RATING_KEYS = ("content", "facilitators", "logistics", "overall")


def feedback_summary(responses: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Responses, and per rating: how many rated it, the average (1-5) and the count of each mark."""
    summary: dict[str, Any] = {"responses": len(responses), "ratings": {}}
    for key in RATING_KEYS:
        marks = [r[key] for r in responses if r[key] is not None]
        summary["ratings"][key] = {"rated": len(marks), "average": _mean(marks),
                                   "counts": [marks.count(m) for m in range(1, 6)]}
    return summary


async def feedback_rows(event_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Every feedback response of these events with its form's event, session and anonymity."""
    if not event_ids:
        return []
    return await FeedbackResponse.select(
        *FeedbackResponse.all_columns(), FeedbackResponse.form.event.as_alias("event"),
        FeedbackResponse.form.session.as_alias("session"), FeedbackResponse.form.anonymous.as_alias("anonymous"),
        FeedbackResponse.registration.participant.name.as_alias("name"),
    ).where(FeedbackResponse.form.event.is_in(list(event_ids))).order_by(FeedbackResponse.id)


async def forms_of(event_id: int) -> list[dict[str, Any]]:
    """An event's feedback forms with their responses' summary and comments."""
    forms = await FeedbackForm.select(*FeedbackForm.all_columns(),
                                      FeedbackForm.session.title.as_alias("session_title")).where(
        FeedbackForm.event == event_id).order_by(FeedbackForm.id)
    rows = await feedback_rows([event_id])
    for form in forms:
        mine = [r for r in rows if r["form"] == form["id"]]
        form["summary"] = feedback_summary(mine)
        form["comments"] = [{"useful": r["useful"], "improve": r["improve"],
                             "name": None if form["anonymous"] else r["name"]}
                            for r in mine if r["useful"] or r["improve"]]
    return forms


async def event_results(event_id: int, quizzes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Everything the event's results page shows: people, the gain figures, each stage's questions by
    difficulty and attempts still open, and the feedback forms."""
    people = await people_scores([event_id])
    stages: dict[str, dict[str, Any]] = {}
    for stage, eq in quizzes.items():
        open_attempts = await Attempt.count().where((Attempt.event_quiz == eq["id"]) & Attempt.submitted_at.is_null())
        stages[stage] = {"questions": await difficulty(people, stage, await quiz_questions(eq["quiz"])),
                         "in_progress": open_attempts,
                         "late": sum(bool(getattr(p, stage) and getattr(p, stage)["late"]) for p in people)}
    return {"people": people, "figures": gain_figures((p.pre_percent, p.post_percent) for p in people),
            "stages": stages, "forms": await forms_of(event_id)}
