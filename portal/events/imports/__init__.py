"""Importing participants into an event from CSV or XLSX: upload, map the columns, preview, commit."""
