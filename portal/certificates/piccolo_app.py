"""Piccolo app for certificates and the master-trainer pool."""

import os

from piccolo.conf.apps import AppConfig

from portal.certificates.tables import (
    Certificate,
    CertificateHistory,
    EligibilityOverride,
    IssueJob,
    PoolMember,
    PoolTrainerLink,
    ProgrammeSettings,
    SerialCounter,
    Signatory,
    VerifyHit,
)

APP_CONFIG = AppConfig(
    app_name="certificates",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Certificate, PoolMember, PoolTrainerLink, EligibilityOverride, CertificateHistory, SerialCounter, IssueJob,
        ProgrammeSettings, Signatory, VerifyHit,
    ],
    migration_dependencies=["portal.events.piccolo_app"],
    commands=[],
)
