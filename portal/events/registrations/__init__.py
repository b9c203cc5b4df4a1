"""Registrations: who takes part in an event, the waiting list, the staff page of an event's people."""
