"""The access log says the status the client got, also when a middleware refused the request; odd static
paths are a 404, never a 500."""

from __future__ import annotations

import json
import logging

import pytest

from portal.core.http import JsonFormatter

pytestmark = pytest.mark.anyio


async def logged(caplog, request) -> tuple[int, list[dict]]:
    """The response status and the access log lines of one request."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        response = await request
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "portal.requests"]
    return response.status_code, lines


async def test_a_post_without_a_csrf_token_is_logged_as_the_403_it_got(client, caplog):
    await client.get("/login")
    status, [line] = await logged(caplog, client.post("/login", data={"identifier": "x", "password": "y"}))
    assert status == 403
    assert line["status"] == 403 and line["path"] == "/login" and line["method"] == "POST"
    assert line["request_id"] and line["ms"] >= 0


async def test_an_address_with_a_nul_is_logged_as_the_400_it_got(client, caplog):
    status, [line] = await logged(caplog, client.get("/manage/events?q=%00"))
    assert status == 400
    assert line["status"] == 400


async def test_a_refusal_carries_the_request_id_header(client):
    await client.get("/login")
    response = await client.post("/login", data={"identifier": "x", "password": "y"},
                                 headers={"X-Request-ID": "trace-403"})
    assert response.status_code == 403
    assert response.headers["x-request-id"] == "trace-403"


async def test_an_ordinary_page_is_logged_once_with_its_status(client, caplog):
    status, lines = await logged(caplog, client.get("/no-such-page"))
    assert status == 404 and [line["status"] for line in lines] == [404]


@pytest.mark.parametrize("path", [
    "/static/" + "a" * 300,
    "/static/css/" + "b" * 300 + ".css",
    "/static/" + "/".join(["c" * 250] * 20),
])
async def test_a_static_name_too_long_for_the_file_system_is_not_found(client, path):
    response = await client.get(path)
    assert response.status_code == 404
    fingerprinted = await client.get(path + "?v=1234567890", headers={"If-None-Match": '"1234567890"'})
    assert fingerprinted.status_code == 404
