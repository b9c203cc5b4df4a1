"""A breadth-first crawler of the portal's own pages, for tests that see what a user sees.

It follows every same-origin link a page offers (`<a href>`, `<img src>`, and `hx-get`, which it
requests as htmx would) from the pages a person starts on, and records each answer. New pages need
no registration here: a page linked from the menu (or from any crawled page) is crawled.

To stay quick on lists of hundreds of records, it fetches at most `per_pattern` addresses of each
shape (the path with its numbers and tokens replaced, and the names of its query parameters): the
first ones it meets, breadth-first, so a list's rows and its second and last page are all seen.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx

# Never followed: the language switch (the crawl sets the language by cookie), static files
# (served by the framework, not the portal's pages).
SKIP_PREFIXES = ("/lang/", "/static/")
_NUMBER = re.compile(r"/\d+(?=/|$)")
_TOKEN = re.compile(r"/[A-Za-z0-9_-]{16,}(?=/|$)")


@dataclass(frozen=True)
class Answer:
    """One fetched address."""

    url: str
    status: int
    found_on: str
    fragment: bool = False


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append((values["href"], False))
        if tag == "img" and values.get("src"):
            self.links.append((values["src"], False))
        if values.get("hx-get"):
            self.links.append((values["hx-get"], True))


def links(html: str) -> list[tuple[str, bool]]:
    """(address, is_htmx) of every link, image and hx-get of a page, in document order."""
    parser = _Links()
    parser.feed(html)
    return parser.links


def pattern(url: str) -> str:
    """The shape of an address: numbers and tokens in the path replaced, query values dropped."""
    parts = urlsplit(url)
    path = _TOKEN.sub("/{token}", _NUMBER.sub("/{n}", parts.path))
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(names) if names else "")


def _normalise(base: str, href: str) -> str | None:
    """The same-origin path and query of a link, or None for one the crawl does not follow."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin(base, href))
    origin = urlsplit(base)
    if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
        return None
    if parts.path.startswith(SKIP_PREFIXES):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + ("?" + query if query else "")


@dataclass
class Crawl:
    """One person's crawl: a logged-in (or anonymous) client and where they start."""

    client: httpx.AsyncClient
    per_pattern: int = 25  # enough for the first page of every list and each of the demo's events
    per_download: int = 3  # files (PDF, CSV, ZIP...) of one shape: a few prove the route, all cost time
    answers: list[Answer] = field(default_factory=list)
    # Called with (address, response) for every HTML page fetched (the Bangla crawl reads the text).
    on_page: Callable[[str, httpx.Response], None] | None = None

    async def run(self, starts: list[str]) -> list[Answer]:
        """Fetch the start pages and everything linked from them, breadth-first."""
        base = str(self.client.base_url)
        queue: deque[tuple[str, bool, str]] = deque((url, False, "(start)") for url in starts)
        seen: set[tuple[str, bool]] = set()
        per_shape: Counter[tuple[str, bool]] = Counter()
        downloads: set[tuple[str, bool]] = set()
        while queue:
            url, fragment, found_on = queue.popleft()
            shape = (pattern(url), fragment)
            limit = self.per_download if shape in downloads else self.per_pattern
            if (url, fragment) in seen or per_shape[shape] >= limit:
                continue
            seen.add((url, fragment))
            per_shape[shape] += 1
            headers = {"HX-Request": "true"} if fragment else {}
            response = await self.client.get(url, headers=headers)
            self.answers.append(Answer(url, response.status_code, found_on, fragment))
            if response.status_code in (301, 302, 303, 307, 308):
                target = _normalise(base, response.headers.get("location", ""))
                if target:
                    queue.append((target, False, url))
                continue
            if "text/html" not in response.headers.get("content-type", ""):
                if response.status_code < 300:
                    downloads.add(shape)
                continue
            if self.on_page is not None:
                self.on_page(url, response)
            for href, is_htmx in links(response.text):
                target = _normalise(base + url.lstrip("/"), href)
                if target:
                    queue.append((target, is_htmx, url))
        return self.answers
