"""QR codes for web pages: a light inline SVG (one path) from the qrcode library."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from markupsafe import escape


def qr_svg(data: str, *, label: str = "QR code") -> str:
    """An inline <svg> of `data` (one <path>, scales with CSS); `label` is its accessible name."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Drop the XML declaration and fixed mm size so CSS decides the size; add a role and a label.
    svg = svg[svg.index("<svg"):]

    head, rest = svg.split(">", 1)
    for attr in ("width", "height"):
        start = head.find(f' {attr}="')
        if start != -1:
            end = head.index('"', start + len(attr) + 3)
            head = head[:start] + head[end + 1:]
    return f'{head} role="img" aria-label="{escape(label)}" class="qr">{rest}'


def ticket_url(base_url: str, token: str) -> str:
    """The personal link a ticket QR carries (any camera app opens it; the scanner reads the token)."""
    return f"{base_url.rstrip('/')}/t/{token}"


def token_from_scan(text: str) -> str:
    """The ticket token from what a scanner read: a bare token or a ticket link."""
    text = (text or "").strip().replace("\x00", "")  # a NUL is never part of a token (PostgreSQL refuses it)
    if "/t/" in text:
        text = text.rsplit("/t/", 1)[1].split("?", 1)[0].split("#", 1)[0].strip("/")
    return text[:64]
