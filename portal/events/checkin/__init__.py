"""Check-in by staff: the scanner, by hand, undo, the check-in window, the sign-in sheet."""
