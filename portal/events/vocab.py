"""Controlled vocabularies of the events feature, with the labels people read."""

KINDS = {
    "district_workshop": "District workshop",
    "tot": "Training of Trainers (ToT)",
    "cso_meeting": "CSO platform meeting",
    "consultation": "Consultation",
    "other": "Other",
}

STATUSES = {"draft": "Draft", "published": "Published", "completed": "Completed", "cancelled": "Cancelled"}

# Which status may follow which; anything else is refused with code `bad_transition`.
TRANSITIONS = {
    "draft": ("published", "cancelled"),
    "published": ("completed", "cancelled", "draft"),
    "completed": ("published",),
    "cancelled": ("draft",),
}

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
