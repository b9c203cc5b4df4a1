"""Piccolo app for events, sessions and participants."""

import os

from piccolo.conf.apps import AppConfig

from portal.events.imports.tables import ImportJob, ImportValueMapping
from portal.events.tables import (
    CheckIn,
    Event,
    Participant,
    ParticipantMerge,
    ParticipantPhone,
    PublicSignup,
    Registration,
    SelfCheckInFailure,
    Session,
    SessionFacilitator,
    SignupAttempt,
    UndoneCheckIn,
)

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Participant, Event, Session, Registration, CheckIn, SelfCheckInFailure, UndoneCheckIn,
                   ImportValueMapping, PublicSignup, SignupAttempt, SessionFacilitator, ImportJob,
                   ParticipantPhone, ParticipantMerge],
    migration_dependencies=["portal.auth.piccolo_app", "portal.trainings.piccolo_app"],
    commands=[],
)
