"""Domain errors become answers in one place.

A service refuses by raising a DomainError with a stable `code` (portal/core/errors.py); controllers
do not catch it. The app's exception handler (`answer`, registered in portal/app.py) turns it into:

- for the JSON API or a request that asks for JSON: {"status_code", "detail"} with its status;
- for a form post whose route says where its page is (`opt=refused_to("events.registrations.list")`,
  NotFound and 403 refusals excepted): a 303 back to that page (HX-Redirect for htmx) with the message as
  an error flash, the way the controllers' own try/except blocks did it;
- otherwise: the error page with the message and the error's status (403, 404, 409, 422). A 403 (the
  person may not do this at all, e.g. certificates' NotYours) is not a flash on a page they may open.

Refusals that need more than a flash stay in their controller: a form re-shown with its fields marked
(ValidationFailed), and the check-in row fragment and scan JSON, which read the database to answer.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from portal.core.errors import DomainError
from portal.core.web import redirect, render

REFUSED_TO = "refused_to"


def refused_to(route_name: str) -> dict[str, Any]:
    """A route's `opt`: refusals go back to the page `route_name` (filled from this request's path
    parameters) with the message as an error flash."""
    return {REFUSED_TO: route_name}


def wants_html(request: Request) -> bool:
    """False for the JSON API and requests that ask for JSON."""
    return not request.url.path.startswith("/api/") and "application/json" not in request.headers.get("accept", "")


def error_page(request: Request, status: int, message: str) -> Response:
    """The error page (or JSON) for `status` with `message`."""
    if not wants_html(request):
        return Response({"status_code": status, "detail": message}, status_code=status)
    return render(request, "errors/error.html", {"status": status, "message": message}, status_code=status)


def answer(request: Request, exc: DomainError) -> Response:
    """The one mapping of a service's refusal to a response (see the module's docstring)."""
    handler = request.scope.get("route_handler")
    target = handler.opt.get(REFUSED_TO) if handler is not None else None
    if target and wants_html(request) and exc.status_code not in (403, 404) and request.method == "POST":
        url = request.app.route_reverse(target, **request.path_params)
        return redirect(request, url, exc.message, "error")
    return error_page(request, exc.status_code, exc.message)
