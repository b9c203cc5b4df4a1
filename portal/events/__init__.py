"""Events: planning them, the people who take part and how they are counted present.

Sub-packages, each with its services (rules, no HTTP) and its controllers:
management (events, sessions, the course link), participants (the person directory),
registrations, checkin (staff), selfcheck (venue code), tickets (/t/{token}), imports.
Shared by them: tables.py, forms.py (validation), qr.py, sheets.py (ticket and sign-in PDFs).
"""
