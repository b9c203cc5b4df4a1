"""Delivery: one interface (`Provider.send`), an SMTP adapter for email and a generic HTTP gateway adapter
for SMS (how Bangladeshi bulk-SMS gateways work: a URL, the number and text as parameters, a key, and an
answer that says whether it was taken). A second SMS provider implements `Provider` and is chosen in
`providers_for`. No feature calls these: the sender job does (portal/messages/sender.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any
from urllib.parse import parse_qsl

import aiosmtplib
import httpx

TIMEOUT_SECONDS = 30.0


class DeliveryError(Exception):
    """The provider did not take the message; `reason` is its own words. A permanent failure (a refused
    address) is not tried again."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:480]
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """What a provider needs of one outbox message."""

    id: int
    channel: str
    to: str
    to_name: str
    subject: str
    body: str


class Provider:
    """Sends one message; returns the provider's id for it (or "") or raises DeliveryError."""

    channel = ""

    async def send(self, message: Outgoing) -> str:
        raise NotImplementedError

    async def close(self) -> None:
        """Let go of connections (after a round of sending)."""


class SmtpProvider(Provider):
    """Email over SMTP with aiosmtplib; TLS mode none, starttls or tls (implicit)."""

    channel = "email"

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def build(self, message: Outgoing) -> EmailMessage:
        """The email: plain text UTF-8, a Message-ID made from the outbox id (so a resent one is recognisable)."""
        s = self.settings
        email = EmailMessage()
        email["From"] = s.smtp_from
        email["To"] = formataddr((message.to_name, message.to)) if message.to_name else message.to
        email["Subject"] = message.subject
        domain = s.smtp_from.rpartition("@")[2] or "portal.local"
        email["Message-ID"] = f"<outbox-{message.id}@{domain}>"
        email.set_content(message.body)
        return email

    async def send(self, message: Outgoing) -> str:
        s = self.settings
        email = self.build(message)
        try:
            await aiosmtplib.send(
                email, hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_user or None,
                password=s.smtp_password or None, use_tls=s.smtp_tls == "tls", start_tls=s.smtp_tls == "starttls",
                timeout=TIMEOUT_SECONDS,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            reasons = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            raise DeliveryError(reasons or str(exc), permanent=True) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryError(f"{exc.code} {exc.message}", permanent=500 <= exc.code < 600 and exc.code != 554) \
                from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        return email["Message-ID"]


def format_number(e164: str, style: str) -> str:
    """+8801711234567 as the gateway wants it: e164, international (8801711234567) or national (01711234567)."""
    if style == "international":
        return e164.lstrip("+")
    if style == "national" and e164.startswith("+880"):
        return "0" + e164[4:]
    return e164


class HttpSmsGateway(Provider):
    """A generic HTTP SMS gateway, configured by PORTAL_SMS_* variables (README, "Messages")."""

    channel = "sms"

    def __init__(self, settings: Any, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.client = client
        self._own = client is None

    async def close(self) -> None:
        if self._own and self.client is not None:
            await self.client.aclose()
            self.client = None

    def parameters(self, message: Outgoing) -> dict[str, str]:
        """The parameters of one request: the fixed ones, the number, the text and the sender."""
        s = self.settings
        params = dict(parse_qsl(s.sms_params, keep_blank_values=True))
        params[s.sms_to_param] = format_number(message.to, s.sms_number_format)
        params[s.sms_text_param] = message.body
        if s.sms_sender_param and s.sms_sender:
            params[s.sms_sender_param] = s.sms_sender
        return params

    async def send(self, message: Outgoing) -> str:
        s = self.settings
        params = self.parameters(message)
        headers = {"Authorization": f"Bearer {s.sms_token}"} if s.sms_token else {}
        auth = (s.sms_user, s.sms_password) if s.sms_user else None
        if self.client is None:  # one client (its connections and TLS set-up) for a round of sending
            self.client = httpx.AsyncClient(timeout=TIMEOUT_SECONDS)
        try:
            if s.sms_method == "GET":
                response = await self.client.get(s.sms_url, params=params, headers=headers, auth=auth)
            else:
                response = await self.client.post(s.sms_url, data=params, headers=headers, auth=auth)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        text = response.text.strip()
        if not response.is_success:
            # A 4xx other than throttling means the gateway refuses this request as it is: trying again won't help.
            permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
            raise DeliveryError(f"HTTP {response.status_code}: {text[:300]}", permanent=permanent)
        if s.sms_success:
            match = re.search(s.sms_success, text)
            if match is None:
                raise DeliveryError(f"gateway answered: {text[:300]}")
            return (match.group(1) if match.groups() else "")[:200]
        return ""


def providers_for(settings: Any) -> dict[str, Provider]:
    """The configured providers by channel; a channel without one keeps its messages in the outbox."""
    providers: dict[str, Provider] = {}
    if settings is None:
        return providers
    if settings.smtp_host:
        providers["email"] = SmtpProvider(settings)
    if settings.sms_url:
        providers["sms"] = HttpSmsGateway(settings)
    return providers
