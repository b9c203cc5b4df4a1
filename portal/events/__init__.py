"""Events, their sessions, the participant directory (and later registrations and check-in)."""
