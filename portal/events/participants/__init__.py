"""The participant directory: one person is one row, found by name, phone or email."""
