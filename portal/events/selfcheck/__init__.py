"""Self check-in at the venue with the rotating code: by ticket, by phone, or as a walk-in."""
