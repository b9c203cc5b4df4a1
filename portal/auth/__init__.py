"""Staff users, login, sessions, roles and guards."""
