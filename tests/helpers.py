"""Constants and helpers the tests share (import these, never the conftest module)."""

PASSWORD = "correct horse battery"
