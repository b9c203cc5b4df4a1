"""Controlled vocabularies every feature shares (event kinds and statuses, genders, stakeholder types),
with the labels people read.

Event kinds are marked for translation (N_): participants read them on the verify page. Templates
show them translated with `_(KINDS[kind])`.
"""

from portal.core.i18n import N_

KINDS = {
    "district_workshop": N_("District workshop"),
    "tot": N_("Training of Trainers (ToT)"),
    "cso_meeting": N_("CSO platform meeting"),
    "consultation": N_("Consultation"),
    # Run by a master trainer from the pool for people of their district (issue 17, portal/stepdown).
    "step_down": N_("Step-down training"),
    "other": N_("Other"),
}

STATUSES = {"draft": "Draft", "published": "Published", "completed": "Completed", "cancelled": "Cancelled"}

GENDERS = {"female": "Female", "male": "Male", "third_gender": "Third gender (hijra)", "undisclosed": "Not stated"}

STAKEHOLDER_TYPES = {
    "government": "Government",
    "cso": "Civil society (CSO)",
    "returnee": "Returnee migrant",
    "returnee_family": "Returnee family member",
    "private_sector": "Private sector",
    "ngo_partner": "NGO / partner",
    "programme_staff": "Programme staff",
    "other": "Other",
}
