"""The ticket page's sections that belong to later features.

The ticket page (/t/{token}) is the events feature's, but some of what it shows belongs to features
that come after events: the participant's certificates (portal.certificates.issue) and their
tests and feedback forms (portal.evaluation.participant). Events must not import them (dependencies
run trainings -> events -> certificates, evaluation), so each registers its section here when its
module is imported, with `@section("name")`; the ticket page calls every registered section with the
registration it has already looked up, and the template templates/events/ticket/_extras.html
includes each section's partial. The materials section is the events feature's own
(portal.events.tickets.materials) and is called directly.

A section takes the loaded registration (portal.events.registrations.services.by_token) and returns
the context its partial needs. It must show only this registration's own records: the token is the
only credential.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Section = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]

_SECTIONS: dict[str, Section] = {}


def section(name: str) -> Callable[[Section], Section]:
    """Register a ticket page section under `name` (registering a name again replaces it)."""

    def register(function: Section) -> Section:
        _SECTIONS[name] = function
        return function

    return register


def registered() -> dict[str, Section]:
    """name -> section, in the order they were registered."""
    return dict(_SECTIONS)


async def context_for(registration: dict[str, Any]) -> dict[str, Any]:
    """The context every registered section adds for this registration."""
    context: dict[str, Any] = {}
    for function in _SECTIONS.values():
        context.update(await function(registration))
    return context
