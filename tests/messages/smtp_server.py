"""A real SMTP server for the tests, run as its own process: `python tests/messages/smtp_server.py DIR PORT
[--user U --password P] [--cert CERT --key KEY] [--fail-first N]`.

Every message that arrives is written to DIR as NNNN.eml, with its envelope in NNNN.json. A recipient
whose address starts with "refuse" is refused with 550 (a permanent failure); with --fail-first N the
first N messages are answered 451 (a temporary one), then the server accepts again."""

from __future__ import annotations

import argparse
import json
import signal
import ssl
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, folder: Path, fail_first: int) -> None:
        self.folder = folder
        self.fail_first = fail_first
        self.count = 0
        self.seen = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook name
        if address.lower().startswith("refuse"):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.seen += 1
        if self.seen <= self.fail_first:
            return "451 4.3.0 Try again later"
        self.count += 1
        stem = self.folder / f"{self.count:04d}"
        stem.with_suffix(".eml").write_bytes(envelope.original_content or envelope.content)
        stem.with_suffix(".json").write_text(json.dumps({
            "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "auth": session.authenticated,
        }))
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("--user", default="")
    parser.add_argument("--password", default="")
    parser.add_argument("--cert", default="")
    parser.add_argument("--key", default="")
    parser.add_argument("--implicit", action="store_true", help="TLS from the first byte (port 465 style)")
    parser.add_argument("--fail-first", type=int, default=0)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    kwargs: dict = {"enable_SMTPUTF8": True, "decode_data": False}
    if args.user:
        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user
                  and auth_data.password.decode() == args.password)
            return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself
        # Implicit TLS is TLS from the start, but aiosmtpd only counts STARTTLS as TLS for AUTH.
        kwargs.update(authenticator=authenticate, auth_required=True,
                      auth_require_tls=bool(args.cert) and not args.implicit)
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.implicit:
            kwargs["ssl_context"] = context
        else:
            kwargs.update(tls_context=context, require_starttls=True)
    controller = Controller(Sink(args.folder, args.fail_first), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    (args.folder / "ready").write_text("ready")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
