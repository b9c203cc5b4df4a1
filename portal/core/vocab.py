"""Controlled vocabularies every feature shares (event kinds and statuses, genders, stakeholder types),
with the labels people read.

Event kinds are marked for translation (N_): participants read them on the verify page. Templates
show them translated with `_(KINDS[kind])`.
"""

from portal.core.i18n import N_, gettext


class Labels(dict):
    """code -> label, read in the request's language: `STATUSES["draft"]`, `.get()`, `.items()` and `.values()`
    translate, so a template or a controller never shows the English label on a Bangla page. The stored
    values stay the English msgids (json.dumps and dict() copy those)."""

    def __getitem__(self, key):
        return gettext(super().__getitem__(key))

    def get(self, key, default=None):
        return gettext(super().__getitem__(key)) if key in self else default

    def items(self):
        return [(key, gettext(value)) for key, value in super().items()]

    def values(self):
        return [gettext(value) for value in super().values()]


KINDS = Labels({
    "district_workshop": N_("District workshop"),
    "tot": N_("Training of Trainers (ToT)"),
    "cso_meeting": N_("CSO platform meeting"),
    "consultation": N_("Consultation"),
    # Run by a master trainer from the pool for people of their district (issue 17, portal/stepdown).
    "step_down": N_("Step-down training"),
    "other": N_("Other"),
})

STATUSES = Labels({"draft": N_("Draft"), "published": N_("Published"), "completed": N_("Completed"),
                   "cancelled": N_("Cancelled")})

GENDERS = Labels({"female": N_("Female"), "male": N_("Male"), "third_gender": N_("Third gender (hijra)"),
                  "undisclosed": N_("Not stated")})

STAKEHOLDER_TYPES = Labels({
    "government": N_("Government"),
    "cso": N_("Civil society (CSO)"),
    "returnee": N_("Returnee migrant"),
    "returnee_family": N_("Returnee family member"),
    "private_sector": N_("Private sector"),
    "ngo_partner": N_("NGO / partner"),
    "programme_staff": N_("Programme staff"),
    "other": N_("Other"),
})

# How a check-in was made, as the attendance list says it ("Present since 10:02 (ticket scan)").
CHECKIN_METHODS = Labels({"ticket_scan": N_("ticket scan"), "self_scan": N_("self check-in"), "manual": N_("by hand"),
                          "import": N_("imported"), "paper": N_("paper sign-in sheet")})
