"""Paging a list that is already read whole (an event's registrations, attendance, certificates): the counts
and filters stay over every row, the page renders only its slice."""

from __future__ import annotations

import math
from typing import Any

PAGE_SIZE = 100


def page_number(query: Any) -> int:
    """The `page` query parameter, 1 when missing or not a sensible number."""
    raw = str(query.get("page", "1") or "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def paginate(rows: list[Any], page: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    """The page's rows and the pager's figures; a page past the end shows the last one."""
    pages = max(1, math.ceil(len(rows) / size))
    page = min(max(page, 1), pages)
    return {"rows": rows[(page - 1) * size:page * size], "page": page, "pages": pages, "total": len(rows)}
