"""An event's messages: a bulk send to its registrations (preview, part count, progress) and who got what."""
