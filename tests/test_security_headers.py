"""Every answer carries the security headers, and no page can run a script it did not load from /static:
a sweep of every GET route (from tests/test_access.py) for each role, and a look through the templates.

- Content-Security-Policy: script-src without 'unsafe-inline' (or 'unsafe-eval'); 'wasm-unsafe-eval' on the
  scanner page alone (its QR decoder is WebAssembly); frame-ancestors 'none'; no inline styles either.
- X-Frame-Options DENY, X-Content-Type-Options nosniff, a Referrer-Policy.
- HTML answers hold no inline <script>, no on*= handler, no hx-on (htmx's inline handlers) and no
  javascript: URL: the CSP would block them, so they would be dead code at best.
"""

from __future__ import annotations

import re

import pytest

from portal.auth import services as auth_services
from portal.auth.middleware import SESSION_COOKIE
from portal.core.paths import REPO_ROOT
from tests.test_access import ACCESS, ROLES, fill, world  # noqa: F401 - world is a fixture used here

pytestmark = pytest.mark.anyio

SCANNER = "/manage/events/{event_id:int}/sessions/{session_id:int}/scan"
GET_ROUTES = sorted(path for method, path in ACCESS if method == "GET")
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>|<script\b[^>]*>\s*[^<\s]", re.I)
HANDLER = re.compile(r"<[a-z][^>]*?\s(on[a-z]+|hx-on[:-][^\s=]*)\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
INLINE_STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.I)


def directives(policy: str) -> dict[str, list[str]]:
    """A CSP header as {directive: [sources]}."""
    parsed = {}
    for part in policy.split(";"):
        if part.split():
            name, *sources = part.split()
            parsed[name.lower()] = sources
    return parsed


def header_problems(scanner: bool, headers) -> list[str]:
    """What is missing or wrong in one answer's security headers (`scanner`: the answer is the scanner page)."""
    problems = []
    policy = directives(headers.get("content-security-policy", ""))
    script_src = policy.get("script-src", policy.get("default-src", []))
    if not script_src:
        problems.append("no script-src")
    if "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        problems.append(f"script-src {script_src}")
    if ("'wasm-unsafe-eval'" in script_src) != scanner:
        problems.append(f"'wasm-unsafe-eval' {'missing' if scanner else 'allowed'}")
    if "'unsafe-inline'" in policy.get("style-src", policy.get("default-src", [])):
        problems.append("style-src allows inline styles")
    if policy.get("frame-ancestors") != ["'none'"] and headers.get("x-frame-options") != "DENY":
        problems.append("the page may be framed")
    if headers.get("x-content-type-options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("referrer-policy") not in {"same-origin", "no-referrer", "strict-origin-when-cross-origin"}:
        problems.append(f"Referrer-Policy {headers.get('referrer-policy')!r}")
    return problems


def markup_problems(body: str) -> list[str]:
    """Inline scripts, handlers, javascript: URLs and inline styles in a page or template."""
    found = []
    for name, pattern in (("inline <script>", INLINE_SCRIPT), ("event handler attribute", HANDLER),
                          ("javascript: URL", JS_URL), ("inline style", INLINE_STYLE)):
        match = pattern.search(body)
        if match:
            found.append(f"{name}: {body[max(0, match.start() - 40):match.end() + 40]!r}")
    return found


@pytest.mark.parametrize("role", ROLES)
async def test_every_answer_carries_the_security_headers_and_no_inline_script(client, world, role):  # noqa: F811
    users, params = world
    if role != "anonymous":
        client.cookies[SESSION_COOKIE] = await auth_services.start_session(users[role].id)
    problems, html_pages, scanner_served = [], 0, False
    for path in GET_ROUTES:
        response = await client.get(fill(path, params))
        scanner = path == SCANNER and response.status_code == 200
        scanner_served |= scanner
        problems += [f"{path}: {p}" for p in header_problems(scanner, response.headers)]
        if response.headers.get("content-type", "").startswith("text/html"):
            html_pages += 1
            problems += [f"{path}: {p}" for p in markup_problems(response.text)]
    assert not problems, "\n".join(problems)
    assert html_pages >= 5
    assert scanner_served == (ACCESS[("GET", SCANNER)][role] == "ok")  # so its own CSP was looked at


async def test_error_answers_carry_the_headers_too(client):
    for response in (await client.get("/no/such/page"), await client.post("/login", data={}),
                     await client.get("/api/v1/events")):
        assert response.status_code in {401, 403, 404}
        assert not header_problems(False, response.headers), response.url


TEMPLATES = sorted((REPO_ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(REPO_ROOT / "templates")))
def test_templates_have_no_inline_script_or_handler(template):
    assert not markup_problems(template.read_text(encoding="utf-8"))


def test_the_sweeps_would_catch_what_they_look_for():
    for bad in ("<script>alert(1)</script>", "<script type=module>x()</script>", '<a href="#" onclick="x()">',
                '<body onload=x()>', '<button hx-on:click="x()">', '<a href="javascript:x()">', '<p style="x">'):
        assert markup_problems(bad), bad
    assert not markup_problems('<script src="/static/x.js" defer></script><p class="one">onion=1</p>')
    assert header_problems(False, {"content-security-policy": "script-src 'self' 'unsafe-inline'"})
