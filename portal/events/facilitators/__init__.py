"""Facilitators per session: trainers, resource persons and guest speakers (issue 17)."""
