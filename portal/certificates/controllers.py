"""Staff pages of certificates: an event's certificate page, bulk issue, downloads, revocation, settings."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Stream

from portal.auth.guards import ADMINS, COORDINATORS, EVENT_STAFF, current_user
from portal.certificates import delivery, eligibility, issue, jobs, programme
from portal.certificates.eligibility import certificate_kind
from portal.certificates.render import CertificateFacts, render_certificate
from portal.core import clock
from portal.core.errors import DomainError, ValidationFailed
from portal.core.i18n import current_language
from portal.core.i18n import gettext as _
from portal.core.paging import page_number, paginate
from portal.core.refusals import refused_to
from portal.core.web import client_ip, form_dict, redirect, render, wants_fragment
from portal.events.access import EVENT_STAFF as RUNS_EVENT
from portal.exports import CONTENT_TYPES, content_disposition
from portal.settings import Settings


def _pdf(filename: str, body: bytes, disposition: str = "attachment") -> Response:
    return Response(body, media_type=CONTENT_TYPES["pdf"],
                    headers={"Content-Disposition": content_disposition(filename, disposition)})


def _base(settings: Settings) -> tuple[str, Any]:
    return settings.base_url, settings.tz


class NotYours(DomainError):
    """A trainer asked to issue where the programme has organizers issue."""

    status_code = 403


async def may_issue(user: Any, event: dict[str, Any]) -> bool:
    """Organizers and coordinators issue; the trainer who runs a step-down training (the event staff guard let
    only them in) issues when the programme's setting says trainers may."""
    if user.has_role("coordinator", "organizer"):
        return True
    return event["kind"] == "step_down" and (await programme.load()).step_down_issuer == "trainer"


async def _check_issuer(request: Request, event_id: int) -> None:
    user = current_user(request)
    if not await may_issue(user, await eligibility.load_event(user, event_id)):
        raise NotYours("not_issuer", _("An organizer issues the certificates of this step-down training."))


class EventCertificateController(Controller):
    """/manage/events/{id}/certificates: who is eligible, issue one or all, download them. A trainer reaches the
    events they run (portal/events/access.py) and issues there only as `may_issue` says."""

    path = "/manage/events/{event_id:int}/certificates"
    guards = [RUNS_EVENT]

    def _url(self, request: Request, event_id: int) -> str:
        return request.app.route_reverse("certificates.event", event_id=event_id)

    async def _context(self, request: Request, event_id: int) -> dict[str, Any]:
        user = current_user(request)
        event = await eligibility.load_event(user, event_id)
        standings = await eligibility.event_standings(event)
        job = await jobs.latest(event_id)
        if job:
            job = await jobs.get(user, event_id, job["id"])
        q = request.query_params.get("q", "").strip()[:100]
        needle = q.casefold()
        matching = [s for s in standings if needle in s.name.casefold() or needle in (s.name_bn or "").casefold()
                    or (s.certificate and needle in s.certificate["serial"].casefold())] if q else standings
        shown = paginate(matching, page_number(request.query_params) if request.method == "GET" else 1)
        return {
            "event": event, "standings": standings, "job": job, "q": q, **shown, "kind": certificate_kind(event),
            "tot_ends": await issue.ends_later(event),
            "eligible": sum(s.eligible for s in standings),
            "issued": sum(s.certificate is not None for s in standings),
            "pending": sum(s.eligible and s.certificate is None for s in standings),
            "pass_mark": standings[0].pass_mark if standings else None,
            "may_issue": await may_issue(user, event), "staff_links": user.has_role("coordinator", "organizer"),
        }

    @get("/", name="certificates.event")
    async def page(self, request: Request, event_id: FromPath[int]) -> Response:
        """Everyone registered, with status, missing sessions and their certificate, a page at a time (the
        counts over everyone); the search and pager swap the list alone."""
        return render(request, "certificates/event.html", await self._context(request, event_id),
                      fragment="certificates/_standings.html")

    @post("/{registration_id:int}/issue", name="certificates.issue_one", opt=refused_to("certificates.event"))
    async def issue_one(self, request: Request, event_id: FromPath[int], registration_id: FromPath[int],
                        settings: NamedDependency[Settings]) -> Response:
        """Issue one certificate (a second click finds the first); before a ToT ends, only with a reason."""
        await _check_issuer(request, event_id)
        url = self._url(request, event_id)
        form = form_dict(await request.form())
        row, created = await issue.issue_one(current_user(request), event_id, registration_id, client_ip(request),
                                             tz=settings.tz,
                                             early_reason=str(form.get("early_reason", "")))
        done = _("Certificate {serial} issued.") if created else _("Certificate {serial} was already issued.")
        return redirect(request, url, done.format(serial=row["serial"]))

    @post("/{registration_id:int}/override", name="certificates.override")
    async def override(self, request: Request, event_id: FromPath[int], registration_id: FromPath[int]) -> Response:
        """Mark eligible or not eligible with a reason, or go back to the attendance rule."""
        await _check_issuer(request, event_id)
        form = form_dict(await request.form())
        try:
            await eligibility.set_override(current_user(request), event_id, registration_id,
                                           str(form.get("choice", "")), str(form.get("reason", "")),
                                           client_ip(request))
        except ValidationFailed as exc:
            return redirect(request, self._url(request, event_id), " ".join(exc.errors.values()), "error")
        return redirect(request, self._url(request, event_id), _("Eligibility saved."))

    @post("/issue-all", name="certificates.issue_all")
    async def issue_all(self, request: Request, event_id: FromPath[int],
                        settings: NamedDependency[Settings]) -> Response:
        """Start (or find) the bulk issue job; htmx gets the progress component, others its page."""
        await _check_issuer(request, event_id)
        user = current_user(request)
        job_id = await jobs.start(user, event_id, client_ip(request), settings.tz)
        if request.headers.get("hx-request") == "true":
            job = await jobs.get(user, event_id, job_id)
            return render(request, "certificates/_job.html", {"job": job, "job_view": "event"},
                          fragment="certificates/_job.html")
        return redirect(request, request.app.route_reverse("certificates.job", event_id=event_id, job_id=job_id))

    @get("/jobs/{job_id:int}", name="certificates.job")
    async def job(self, request: Request, event_id: FromPath[int], job_id: FromPath[int]) -> Response:
        """The job's progress: the component alone for htmx polling, a page (refreshing itself) otherwise.
        Polled from the event's certificate page (`view=event`), a finished job answers with that page's
        whole list instead, so its counts and rows show what was issued."""
        user = current_user(request)
        event = await eligibility.load_event(user, event_id)
        job = await jobs.get(user, event_id, job_id)
        finished = job["status"] not in jobs.ACTIVE
        if finished and wants_fragment(request) and request.query_params.get("view") == "event":
            context = {**await self._context(request, event_id), "job": job, "finished": True}
            body = "certificates/_event_body.html"
            response = render(request, body, context, fragment=body)
            response.headers.update({"HX-Retarget": "#certificates-body", "HX-Reswap": "outerHTML"})
            return response
        return render(request, "certificates/job.html", {"event": event, "job": job},
                      fragment="certificates/_job.html")

    @get("/zip", name="certificates.zip")
    async def download_zip(self, request: Request,
                           settings: NamedDependency[Settings], event_id: FromPath[int]) -> Stream:
        """Every valid certificate of the event, one PDF each, in a ZIP streamed as it is built."""
        event = await eligibility.load_event(current_user(request), event_id)
        ids = await delivery.event_certificate_ids(event_id)
        base, tz = _base(settings)
        return Stream(delivery.zip_stream(ids, base, tz), media_type=CONTENT_TYPES["zip"],
                      headers={"Content-Disposition": content_disposition(delivery.zip_name(event))})

    @get("/print", name="certificates.print")
    async def print_pdf(self, request: Request,
                        settings: NamedDependency[Settings], event_id: FromPath[int]) -> Response:
        """Every valid certificate of the event in one PDF, for printing."""
        await eligibility.load_event(current_user(request), event_id)
        ids = await delivery.event_certificate_ids(event_id)
        if not ids:
            raise DomainError("nothing_issued", _("No certificates have been issued for this event yet."))
        base, tz = _base(settings)
        return _pdf(f"certificates-event-{event_id}-print.pdf", await delivery.merged_pdf(ids, base, tz))


class CertificateController(Controller):
    """/manage/certificates/{id}: one certificate, its PDF and history; revoke and reinstate."""

    path = "/manage/certificates"
    guards = [EVENT_STAFF]

    @get("/{certificate_id:int}", name="certificates.detail")
    async def detail(self, request: Request,
                     settings: NamedDependency[Settings], certificate_id: FromPath[int]) -> Response:
        """Facts, history and the actions."""
        row = await issue.get_certificate(current_user(request), certificate_id)
        base, _ = _base(settings)
        return render(request, "certificates/detail.html", {
            "certificate": row, "history": await issue.history(certificate_id),
            "verify_url": delivery.verification_url(base, row["code"]),
        })

    @get("/{certificate_id:int}/pdf", name="certificates.pdf")
    async def pdf(self, request: Request,
                  settings: NamedDependency[Settings], certificate_id: FromPath[int]) -> Response:
        """The certificate's PDF."""
        await issue.get_certificate(current_user(request), certificate_id)
        base, tz = _base(settings)
        return _pdf(*await delivery.one_pdf(certificate_id, base, tz))

    async def _change(self, request: Request, certificate_id: int, action: str) -> Response:
        form = form_dict(await request.form())
        url = request.app.route_reverse("certificates.detail", certificate_id=certificate_id)
        change = issue.revoke if action == "revoke" else issue.reinstate
        try:
            await change(current_user(request), certificate_id, str(form.get("reason", "")), client_ip(request))
        except ValidationFailed as exc:
            return redirect(request, url, " ".join(exc.errors.values()), "error")
        return redirect(request, url, _("Certificate revoked.") if action == "revoke" else _("Certificate reinstated."))

    @post("/{certificate_id:int}/revoke", name="certificates.revoke", guards=[COORDINATORS],
          opt=refused_to("certificates.detail"))
    async def revoke(self, request: Request, certificate_id: FromPath[int]) -> Response:
        """Revoke with a reason."""
        return await self._change(request, certificate_id, "revoke")

    @post("/{certificate_id:int}/reinstate", name="certificates.reinstate", guards=[COORDINATORS],
          opt=refused_to("certificates.detail"))
    async def reinstate(self, request: Request, certificate_id: FromPath[int]) -> Response:
        """Undo a revocation."""
        return await self._change(request, certificate_id, "reinstate")


class CertificateSettingsController(Controller):
    """/manage/certificate-settings: programme name, logo and signatories (admins)."""

    path = "/manage/certificate-settings"
    guards = [ADMINS]

    @get("/", name="certificates.settings")
    async def form(self, request: Request) -> Response:
        """The settings form."""
        return render(request, "certificates/settings.html", {"values": await programme.form_values(), "errors": {}})

    @post("/", name="certificates.settings_save")
    async def save(self, request: Request) -> Response:
        """Save; uploads are checked to be PNG or JPEG under 1 MB."""
        form = await request.form()
        values = form_dict(form)
        uploads: dict[str, bytes] = {}
        for key in ("logo", "signatory1_signature", "signatory2_signature", "signatory3_signature"):
            upload = values.pop(key, None)
            if isinstance(upload, UploadFile):
                uploads[key] = await upload.read(programme.MAX_IMAGE_BYTES + 1)
        try:
            await programme.save(current_user(request), values, uploads, client_ip(request))
        except ValidationFailed as exc:
            current = await programme.form_values()
            return render(request, "certificates/settings.html",
                          {"values": {**current, **values}, "errors": exc.errors}, status_code=422)
        return redirect(request, request.app.route_reverse("certificates.settings"), _("Certificate settings saved."))

    @get("/sample", name="certificates.settings_sample")
    async def sample(self, request: Request, settings: NamedDependency[Settings]) -> Response:
        """A sample certificate with the current settings, to check the logo and signatures."""
        prog = await programme.load()
        base, tz = _base(settings)
        today = clock.today(tz)
        facts = CertificateFacts(
            serial="TOT-0000-0000", kind="master_trainer", name_en="Sample Name", name_bn="নমুনা নাম",
            event_title="Training of Trainers (sample)", event_kind="Training of Trainers (ToT)", district="Dhaka",
            district_bn="ঢাকা", start=today, end=today, days_attended=1, sessions_total=1,
            verification_url=delivery.verification_url(base, "SAMP-LE00-0000-0000"), issued_on=today,
            programme_name=prog.name, logo=prog.logo, signatories=prog.signatories,
            language=current_language.get(),  # the sample in the language of the person checking it
        )
        return _pdf("sample-certificate.pdf", render_certificate(facts), "inline")
