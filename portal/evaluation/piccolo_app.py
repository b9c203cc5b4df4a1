"""Piccolo app for pre- and post-tests and feedback forms."""

import os

from piccolo.conf.apps import AppConfig

from portal.evaluation.tables import (
    Answer,
    Attempt,
    EventQuiz,
    ExtraAttempt,
    FeedbackForm,
    FeedbackResponse,
    FeedbackRoll,
    Question,
    Quiz,
    QuizItem,
)

APP_CONFIG = AppConfig(
    app_name="evaluation",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Question, Quiz, QuizItem, EventQuiz, ExtraAttempt, Attempt, Answer, FeedbackForm, FeedbackResponse,
        FeedbackRoll,
    ],
    migration_dependencies=["portal.auth.piccolo_app", "portal.trainings.piccolo_app", "portal.events.piccolo_app"],
    commands=[],
)
