"""Paging the long lists of an event (registrations, attendance, certificates): the counts and filters stay
over every row, the page renders only its slice. A list read whole is cut with `paginate`; a list paged in
SQL asks `window` for its page, offset and limit after counting."""

from __future__ import annotations

import math
from typing import Any

PAGE_SIZE = 100


def page_number(query: Any) -> int:
    """The `page` query parameter, 1 when missing or not a sensible number."""
    raw = str(query.get("page", "1") or "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def window(total: int, page: int, size: int = PAGE_SIZE) -> dict[str, int]:
    """The pager's figures for `total` rows (a page past the end is the last one) and the page's offset."""
    pages = max(1, math.ceil(total / size))
    page = min(max(page, 1), pages)
    return {"page": page, "pages": pages, "total": total, "offset": (page - 1) * size, "limit": size}


def paginate(rows: list[Any], page: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    """The page's rows and the pager's figures; a page past the end shows the last one."""
    shown = window(len(rows), page, size)
    return {"rows": rows[shown["offset"]:shown["offset"] + size], "page": shown["page"], "pages": shown["pages"],
            "total": shown["total"]}
