"""The participant's ticket (/t/{token}): the page, its PDF, and the course materials it opens."""
