"""Messages to people's phones and inboxes: an outbox written in the same transaction as the change that
causes it, a sender job that delivers it (SMTP for email, an HTTP gateway for SMS), templates in both
languages that an admin can edit, and consent/opt-out. Below the features: it knows no event or person."""
