"""Events and their sessions: the staff pages to plan them, their lifecycle, the course they teach."""
