"""Public certificate pages: verification by code, and the participant's download by ticket token."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from portal.certificates import delivery, verify
from portal.certificates.tables import Certificate
from portal.core.errors import NotFound
from portal.core.i18n import gettext as _
from portal.core.web import client_ip, render
from portal.events.registrations import services as registrations
from portal.exports import CONTENT_TYPES, content_disposition
from portal.settings import Settings


class VerifyController(Controller):
    """/verify and /verify/{code}: valid, revoked or not found; tiny, no JavaScript."""

    path = "/verify"

    @get("/", name="certificates.verify_form")
    async def form(self, request: Request) -> Response:
        """A form to type a code; ?code=... answers at once (the form works without JavaScript)."""
        typed = request.query_params.get("code", "").strip()
        if typed:
            return await self._answer(request, typed)
        return render(request, "certificates/public/verify.html", {"result": None, "typed": ""})

    @get("/{code:str}", name="certificates.verify")
    async def check(self, request: Request, code: FromPath[str]) -> Response:
        """The answer for a code (what a certificate's QR code opens)."""
        return await self._answer(request, code)

    async def _answer(self, request: Request, typed: str) -> Response:
        await verify.count_hit(client_ip(request))
        result = await verify.answer(typed)
        status = 404 if result["state"] == "not_found" else 200
        return render(request, "certificates/public/verify.html", {"result": result, "typed": typed[:40]},
                      status_code=status)


class TicketCertificateController(Controller):
    """A participant's own certificate, from their ticket link."""

    path = "/t/{token:str}/certificate"

    @get("/{serial:str}", name="certificates.ticket_pdf")
    async def pdf(self, request: Request, token: FromPath[str], serial: FromPath[str],
                  settings: NamedDependency[Settings]) -> Response:
        """The PDF, when the certificate belongs to this ticket's registration and is not revoked."""
        serial = serial.removesuffix(".pdf")
        registration = await registrations.by_token(token)
        row = await Certificate.select(Certificate.id).where(
            (Certificate.serial == serial) & Certificate.revoked_at.is_null()
            & (Certificate.registration == registration["id"])
        ).first()
        if row is None:
            raise NotFound(_("No such certificate."))
        filename, body = await delivery.one_pdf(row["id"], settings.base_url, settings.tz)
        return Response(body, media_type=CONTENT_TYPES["pdf"],
                        headers={"Content-Disposition": content_disposition(filename)})

