"""Web helpers shared by every feature: page-or-fragment rendering, flash messages, redirects."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from portal.core.validation import clean_text

FLASH_COOKIE = "flash"


def wants_fragment(request: Request) -> bool:
    """True for an htmx request that swaps part of a page (not boosted, not a history restore)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
        and headers.get("hx-request-type", "partial") != "full"
    )


def client_ip(request: Request) -> str:
    """The client's address (uvicorn resolves X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else ""


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()[:32]


def encode_flash(secret: str, messages: list[tuple[str, str]]) -> str:
    """A signed cookie value carrying (kind, text) messages to the next page."""
    payload = base64.urlsafe_b64encode(json.dumps(messages).encode())
    return f"{payload.decode()}.{_sign(secret, payload)}"


def decode_flash(secret: str, value: str | None) -> list[tuple[str, str]]:
    """Messages from a flash cookie; anything tampered with or malformed is dropped."""
    if not value or "." not in value:
        return []
    payload, signature = value.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(secret, payload.encode())):
        return []
    try:
        messages = json.loads(base64.urlsafe_b64decode(payload.encode()))
        return [(str(kind), str(text)) for kind, text in messages][:5]
    except (ValueError, TypeError):
        return []


# render(), redirect() and the flash cookie are called with only the request (also from the exception
# handlers, which get no dependencies), so these two read app.state; handlers take `settings` as a dependency.
def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key


def _secure(request: Request) -> bool:
    return request.app.state.settings.secure_cookies


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> Template:
    """Render the full page, or only `fragment` for an htmx request that asked for a part."""
    context = dict(context or {})
    cookies: list[Cookie] = []
    use_fragment = fragment is not None and wants_fragment(request)
    if not use_fragment:
        flashes = decode_flash(_secret(request), request.cookies.get(FLASH_COOKIE))
        if flashes:
            cookies.append(Cookie(key=FLASH_COOKIE, value="", max_age=0, path="/", httponly=True, samesite="lax",
                                  secure=_secure(request)))
        context.setdefault("flashes", flashes)
    return Template(
        template_name=fragment if use_fragment else template,
        context=context,
        status_code=status_code,
        cookies=cookies,
        headers={"Vary": "HX-Request"},
    )


def redirect(request: Request, url: str, message: str | None = None, kind: str = "success") -> Response:
    """303 to `url` after a POST (HX-Redirect for htmx), carrying an optional flash message."""
    cookies = []
    if message:
        value = encode_flash(_secret(request), [(kind, message)])
        # Secure behind HTTPS like every other cookie: a flash can carry a name ("Welcome, Rahima.").
        cookies.append(Cookie(key=FLASH_COOKIE, value=value, path="/", httponly=True, samesite="lax",
                              secure=_secure(request)))
    if request.headers.get("hx-request") == "true":
        return Response(content=b"", status_code=200, headers={"HX-Redirect": url}, cookies=cookies)
    return Redirect(path=url, status_code=303, cookies=cookies)


def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def form_dict(form: Any, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """A plain dict from form data: the last value of each field; fields named in `lists` as lists.
    Control characters and bidi controls are dropped from text values (`clean_text`)."""
    result: dict[str, Any] = {key: [] for key in lists}
    for key in form:
        values = [_clean(value) for value in form.getall(key)]
        result[key] = values if key in lists else values[-1]
    return result
