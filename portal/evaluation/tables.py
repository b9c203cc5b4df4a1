"""Tables of the evaluation feature: a question bank per course, tests built from it, the tests an
event gives (pre and post), attempts and their answers, and feedback forms with their responses.

Foreign keys that results hang on use RESTRICT (Piccolo cascades by default): answers and scores
must never vanish because a question or a registration was deleted. A session a test or form is
given in may be removed: the link is then cleared (SET NULL), the test stays with the event.
"""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.auth.tables import User
from portal.events.tables import Event, Registration, Session
from portal.trainings.tables import Course


class Question(Table, tablename="eval_question"):
    """One question of a course's bank, in English and/or Bangla, with its answer and points."""

    course = ForeignKey(references=Course, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20)  # single, multiple, true_false, short
    text_en = Text(default="")
    text_bn = Text(default="")
    # [{"en": str, "bn": str, "correct": bool}, ...] for choice kinds; [] for short answers.
    choices = JSON(default=[])
    # Accepted short answers (either language), compared after normalising; [] for choice kinds.
    accepted = JSON(default=[])
    points = Integer(default=1)
    archived = Boolean(default=False, index=True)
    created_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Quiz(Table, tablename="eval_quiz"):
    """A test built from a course's bank; the same test can be an event's pre- and post-test.
    (Called a quiz in the code, so that pytest never takes the class for a test class.)"""

    course = ForeignKey(references=Course, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=200)
    title_bn = Varchar(length=200, default="")
    time_limit = Integer(null=True, default=None)  # minutes; None: no limit
    created_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class QuizItem(Table, tablename="eval_quiz_item"):
    """A question of a test (quiz), in `position` order (unique per quiz and question by an index)."""

    quiz = ForeignKey(references=Quiz, on_delete=OnDelete.restrict, index=True)
    question = ForeignKey(references=Question, on_delete=OnDelete.restrict, index=True)
    position = Integer(default=0)


class EventQuiz(Table, tablename="eval_event_quiz"):
    """The test an event gives at one stage (pre or post; unique per event and stage by an index)."""

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, index=True)
    stage = Varchar(length=10)  # pre, post
    quiz = ForeignKey(references=Quiz, on_delete=OnDelete.restrict, index=True)
    # The sitting it is given in: its venue code opens the test.
    session = ForeignKey(references=Session, null=True, default=None, on_delete=OnDelete.set_null)
    state = Varchar(length=10, default="closed")  # closed, open: new attempts start only while open
    released = Boolean(default=False)  # participants see their scores
    # Post-test only: the score (percent) a certificate needs besides attendance; None: not required.
    pass_mark = Integer(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class ExtraAttempt(Table, tablename="eval_extra_attempt"):
    """One more attempt a trainer allowed a person (every person has one)."""

    event_quiz = ForeignKey(references=EventQuiz, on_delete=OnDelete.restrict, index=True)
    registration = ForeignKey(references=Registration, on_delete=OnDelete.restrict, index=True)
    granted_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    granted_at = Timestamptz(default=TimestamptzNow())


class Attempt(Table, tablename="eval_attempt"):
    """One person taking one event test once. `key` (128 bits) is the attempt's secret link and its
    idempotency key: a resent submission finds the attempt already submitted and changes nothing."""

    event_quiz = ForeignKey(references=EventQuiz, on_delete=OnDelete.restrict, index=True)
    registration = ForeignKey(references=Registration, on_delete=OnDelete.restrict, index=True)
    number = Integer(default=1)  # 1, 2, ... per person and event test (unique by an index)
    key = Varchar(length=32, unique=True)
    via = Varchar(length=10, default="phone")  # phone, paper
    started_at = Timestamptz(default=TimestamptzNow())
    deadline = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None, index=True)
    late = Boolean(default=False)  # received after the time limit (and its grace)
    score = Integer(default=0)
    max_score = Integer(default=0)
    entered_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)


class Answer(Table, tablename="eval_answer"):
    """One answer of a submitted attempt, scored when it arrived (unique per attempt and question)."""

    attempt = ForeignKey(references=Attempt, on_delete=OnDelete.restrict, index=True)
    question = ForeignKey(references=Question, on_delete=OnDelete.restrict, index=True)
    response = JSON(default=None, null=True)  # [choice index, ...] or the text typed; None: not answered
    correct = Boolean(default=False)
    points = Integer(default=0)


class FeedbackForm(Table, tablename="eval_feedback_form"):
    """A feedback form of an event, or of one of its sessions; anonymous or named."""

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, index=True)
    session = ForeignKey(references=Session, null=True, default=None, on_delete=OnDelete.set_null)
    anonymous = Boolean(default=True)
    state = Varchar(length=10, default="closed")  # closed, open
    created_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class FeedbackResponse(Table, tablename="eval_feedback_response"):
    """One person's feedback. Anonymous forms keep no registration here and only the day."""

    form = ForeignKey(references=FeedbackForm, on_delete=OnDelete.restrict, index=True)
    registration = ForeignKey(references=Registration, null=True, default=None, on_delete=OnDelete.restrict)
    content = Integer(null=True, default=None)  # ratings 1 (very poor) to 5 (very good); None: skipped
    facilitators = Integer(null=True, default=None)
    logistics = Integer(null=True, default=None)
    overall = Integer(null=True, default=None)
    useful = Text(default="")
    improve = Text(default="")
    via = Varchar(length=10, default="phone")
    submitted_at = Timestamptz(default=TimestamptzNow())


class FeedbackRoll(Table, tablename="eval_feedback_roll"):
    """Who has answered a form (unique per form and registration): one response each, resends
    recognised, without tying an anonymous response to its person."""

    form = ForeignKey(references=FeedbackForm, on_delete=OnDelete.restrict, index=True)
    registration = ForeignKey(references=Registration, on_delete=OnDelete.restrict, index=True)
