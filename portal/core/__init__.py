"""Shared pieces: audit log, domain errors, districts, phone numbers, web helpers."""
