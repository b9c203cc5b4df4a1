"""Training and event management portal for a migration-governance programme in Bangladesh."""
