"""Bulk SMS benchmark: 1,000 registrations of one event, then the bulk send's three steps timed
separately: the preview (people, parts: the cost), queueing one message per person (the job), and
delivering them through a local HTTP gateway (a threaded http.server that answers like a Bangladeshi
bulk gateway). Half the people have Bangla names (their SMS are UCS-2), half English (GSM-7).

    PYTHONPATH=. python bench/messages.py [--people 1000] [--gateway-ms 0]

`--gateway-ms` makes the gateway wait that long per request (a real gateway answers in 50-300 ms;
the sender sends one message at a time, so that time is the floor of a real bulk send).
On SQLite in a temporary folder; nothing else is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def gateway(delay: float) -> tuple[ThreadingHTTPServer, list[int]]:
    seen: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("content-length") or 0))
            if delay:
                time.sleep(delay)
            seen.append(1)
            body = f"1701|B{len(seen):06d}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


async def main(people: int, delay: float) -> None:
    from portal.__main__ import migrate
    from portal.db import bind_engine, make_engine, start_engine, stop_engine
    from portal.events.messaging import services as messaging
    from portal.events.tables import Event, Participant, Registration
    from portal.messages import outbox, sender
    from portal.messages.tables import OutboxMessage
    from portal.settings import Settings

    await migrate()
    settings = Settings.from_env()
    engine = make_engine(settings.database_url, settings.sqlite_path)
    bind_engine(engine)
    await start_engine(engine)
    outbox.configure("https://portal.example.org")
    server, seen = gateway(delay)
    try:
        import datetime as dt

        event = Event(kind="district_workshop", title="District workshop on reintegration services, Sylhet",
                      district="sylhet", venue="DC conference room", start_date=dt.date(2027, 1, 10),
                      end_date=dt.date(2027, 1, 10), status="published")
        await event.save()
        rows = [Participant(name=f"Person {n:04d}", name_bn="রহিমা বেগম" if n % 2 else "", district="sylhet",
                            phone=f"+88017{n:09d}") for n in range(people)]
        await Participant.insert(*rows)
        ids = [r["id"] for r in await Participant.select(Participant.id)]
        await Registration.insert(*[Registration(event=event.id, participant=i, status="registered",
                                                 ticket_token=secrets.token_urlsafe(16)) for i in ids])
        registration_ids = [r["id"] for r in await Registration.select(Registration.id)]

        started = time.perf_counter()
        preview = await messaging.preview(event.id, "ticket", "not_sent")
        t_preview = time.perf_counter() - started
        started = time.perf_counter()
        queued = await messaging.queue_batch(event.id, "ticket", registration_ids, "bench")
        t_queue = time.perf_counter() - started
        import dataclasses

        sms_settings = dataclasses.replace(settings, sms_url=f"http://127.0.0.1:{server.server_port}/send",
                                           sms_success=r"^1701\|(\w+)")
        started = time.perf_counter()
        outcome = await sender.send_due(sms_settings)
        t_send = time.perf_counter() - started
        parts = sum(r["parts"] for r in await OutboxMessage.select(OutboxMessage.parts))
        print(f"{people} people: preview {t_preview:.2f} s ({preview['parts']} parts: {preview['by_language']}); "
              f"queue {queued} messages {t_queue:.2f} s ({queued / t_queue:.0f}/s); "
              f"send {outcome} {t_send:.2f} s ({len(seen) / t_send:.0f}/s, gateway {delay * 1000:.0f} ms); "
              f"parts in the outbox {parts}")
        # Cancelling the event tells everyone inside the request's own transaction: how long that write holds.
        from portal.auth.services import CurrentUser
        from portal.events.management import services as events

        before = await OutboxMessage.count()
        started = time.perf_counter()
        await events.change_status(event.id, "cancelled", CurrentUser(id=None, name="Bench", role="coordinator"))
        t_cancel = time.perf_counter() - started
        told = await OutboxMessage.count() - before
        print(f"cancel the event: {told} messages queued in its transaction in {t_cancel:.2f} s "
              f"({told / t_cancel:.0f}/s)")
    finally:
        server.shutdown()
        await stop_engine(engine)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--gateway-ms", type=float, default=0)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-messages-")
    os.environ["PORTAL_DATA_DIR"] = folder
    os.environ.pop("DATABASE_URL", None)
    asyncio.run(main(args.people, args.gateway_ms / 1000))
