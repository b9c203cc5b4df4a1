"""Importing people from CSV or XLSX: into an event (with paper attendance) or the directory alone; upload, find the
table, map columns and values, preview, commit (a large file as a job)."""
