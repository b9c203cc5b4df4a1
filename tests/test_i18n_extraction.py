"""`make i18n-extract` keeps every translation the code uses (issue 18).

Labels shown through a variable (`{{ _(reg_statuses[r.status]) }}`, `_(KINDS[kind])`) are found by the
extraction only where they are defined inside N_("..."). One that is not marked stays in the catalogue only
while some other `_()` happens to use the same words, and drops out (or was never there: the registration
status "Waitlisted" showed in English on Bangla pages) when that use goes. This test extracts as the Makefile
does and checks every vocabulary the pages and exports translate through a variable."""

from __future__ import annotations

import re

import pytest

from portal.auth.controllers import ROLE_LABELS
from portal.certificates import eligibility, pool, verify
from portal.certificates.render import TITLES
from portal.core import vocab
from portal.core.paths import REPO_ROOT
from portal.evaluation import bank, feedback, setup
from portal.events.checkin import corrections
from portal.events.facilitators import services as facilitators
from portal.events.messaging import services as messaging
from portal.events.registrations import services as registrations
from portal.events.signup import controllers as signup
from portal.messages import controllers as messages
from portal.messages import outbox
from portal.reports import attendance, audit_log, knowledge
from portal.trainings import materials
from tests.test_i18n_catalogue import KEYWORDS, _source_messages

VOCABULARIES = {
    "vocab.KINDS": vocab.KINDS, "vocab.STATUSES": vocab.STATUSES, "vocab.GENDERS": vocab.GENDERS,
    "vocab.STAKEHOLDER_TYPES": vocab.STAKEHOLDER_TYPES, "registrations.ROLES": registrations.ROLES,
    "registrations.REG_STATUSES": registrations.REG_STATUSES, "facilitators.ROLES": facilitators.ROLES,
    "auth ROLE_LABELS": ROLE_LABELS, "pool.STATUSES": pool.STATUSES, "verify.KIND_LABELS": verify.KIND_LABELS,
    "eligibility.REASONS": eligibility.REASONS, "bank.KIND_LABELS": bank.KIND_LABELS, "setup.STAGES": setup.STAGES,
    "feedback.RATINGS": feedback.RATINGS, "feedback.SCALE": feedback.SCALE, "feedback.TEXTS": feedback.TEXTS,
    "messaging.AUDIENCES": messaging.AUDIENCES, "signup.GENDER_LABELS": signup.GENDER_LABELS,
    "materials.AUDIENCES": materials.AUDIENCES, "materials.LANGUAGES": materials.LANGUAGES,
    "messages.KIND_LABELS": messages.KIND_LABELS, "messages.SOURCES": messages.SOURCES,
    "outbox.STATUSES": outbox.STATUSES, "audit_log.ACTIONS": audit_log.ACTIONS, "attendance.SHAPES": attendance.SHAPES,
    "attendance.FORMATS": attendance.FORMATS, "knowledge.DIMENSIONS": knowledge.DIMENSIONS,
    "corrections.UNDO_REASONS": corrections.UNDO_REASONS, "corrections.LATE_REASONS": corrections.LATE_REASONS,
    "certificate lead-ins": {kind: lead_in for kind, (_title, _bn, lead_in) in TITLES.items()},
}


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    return set(_source_messages())


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_every_label_shown_through_a_variable_is_extracted(name, extracted):
    labels = dict.values(VOCABULARIES[name])  # the English msgids (a Labels translates on access)
    missing = [label for label in labels if label not in extracted]
    assert not missing, f"{name}: mark these labels N_(...) where they are defined: {missing}"


def test_the_makefile_extracts_with_the_keywords_the_checks_use_and_drops_what_no_code_uses():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile[makefile.index("i18n-extract:"):makefile.index("i18n-compile:")]
    keywords = dict(re.findall(r"-k (\w+)(?::([\d,]+))?", target))
    assert set(keywords) == set(KEYWORDS) and keywords["ngettext"] == "1,2"
    assert "--ignore-obsolete" in target  # entries the code no longer uses leave the catalogue
