"""Public registration: an event's own page where people sign themselves up (/r/{event id})."""
