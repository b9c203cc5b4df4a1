"""iCalendar feed of events, for phones' calendars (all districts, or one)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from icalendar import Calendar
from icalendar import Event as VEvent

from portal.core.districts import district_name
from portal.core.vocab import KINDS
from portal.events.tables import Event

# Cancelled events stay in the feed marked CANCELLED, so a subscribed calendar removes them.
FEED_STATUSES = ("published", "completed", "cancelled")
HISTORY = dt.timedelta(days=365)  # older events drop out of the feed: it stays small for phones


async def feed(base_url: str, today: dt.date, district: str | None = None) -> bytes:
    """The feed as iCalendar bytes: one all-day VEVENT per event, stable UIDs, DTSTAMP from the last change."""
    conds = [Event.status.is_in(list(FEED_STATUSES)), Event.end_date >= today - HISTORY]
    if district:
        conds.append(Event.district == district)
    events = await Event.select(
        Event.id, Event.title, Event.description, Event.kind, Event.district, Event.venue, Event.start_date,
        Event.end_date, Event.status, Event.updated_at,
    ).where(*conds).order_by(Event.start_date).order_by(Event.id)
    host = urlsplit(base_url).hostname or "portal"
    cal = Calendar()
    cal.add("prodid", "-//Migration governance training portal//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = "Training portal events" + (f": {district_name(district)}" if district else "")
    cal.add("x-wr-calname", name)
    for e in events:
        item = VEvent()
        item.add("uid", f"event-{e['id']}@{host}")
        item.add("dtstamp", e["updated_at"].astimezone(dt.UTC))
        item.add("last-modified", e["updated_at"].astimezone(dt.UTC))
        item.add("summary", e["title"])
        item.add("dtstart", e["start_date"])  # a date: an all-day event
        item.add("dtend", e["end_date"] + dt.timedelta(days=1))  # DTEND of a date is exclusive
        place = ", ".join(p for p in (e["venue"], district_name(e["district"])) if p)
        item.add("location", place)
        item.add("description", "\n\n".join(p for p in (KINDS.get(e["kind"], e["kind"]), e["description"]) if p))
        item.add("status", "CANCELLED" if e["status"] == "cancelled" else "CONFIRMED")
        cal.add_component(item)
    return cal.to_ical()
