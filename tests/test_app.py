import pytest

from portal.app import SECURITY_HEADERS

pytestmark = pytest.mark.anyio


async def test_healthz_answers_when_the_database_does(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "set-cookie" not in response.headers


async def test_health_check_reports_a_broken_database(client, app, monkeypatch):
    async def broken(*args, **kwargs):
        raise OSError("disk gone")

    from portal.db import all_tables

    monkeypatch.setattr(all_tables()[0], "raw", broken)
    response = await client.get("/healthz")
    assert response.status_code == 503


async def test_security_headers_on_every_page(client):
    response = await client.get("/")
    for key, value in SECURITY_HEADERS.items():
        assert response.headers[key] == value


async def test_friendly_404_page(client):
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "This page does not exist" in response.text and "<html" in response.text


async def test_bad_path_parameter_is_a_404_not_a_500(staff_client):
    assert (await staff_client.get("/manage/events/not-a-number")).status_code == 404
    assert (await staff_client.get("/manage/events/999999")).status_code == 404


async def test_unexpected_errors_show_a_friendly_page_without_a_trace(staff_client, monkeypatch, caplog):
    from portal.events.management import services

    async def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "list_events", explode)
    response = await staff_client.get("/manage/events")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text


async def test_static_files_are_served(client):
    response = await client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200 and len(response.content) > 10_000


async def test_templates_load_nothing_from_other_hosts(client):
    body = (await client.get("/login")).text
    assert "//" not in body.split("<body")[0].replace("http://testserver.local", "")


async def test_every_response_carries_a_request_id_and_keeps_a_safe_incoming_one(client):
    generated = await client.get("/")
    assert len(generated.headers["x-request-id"]) == 32
    kept = await client.get("/", headers={"X-Request-ID": "lb-1234"})
    assert kept.headers["x-request-id"] == "lb-1234"
    replaced = await client.get("/", headers={"X-Request-ID": "bad id\nwith newline"})
    assert replaced.headers["x-request-id"] != "bad id\nwith newline"


async def test_requests_are_logged_as_json_with_the_request_id(client, caplog):
    import json
    import logging

    from portal.core.http import JsonFormatter

    with caplog.at_level(logging.INFO, logger="portal.requests"):
        response = await client.get("/login", headers={"X-Request-ID": "trace-42"})
    [record] = [r for r in caplog.records if r.name == "portal.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "trace-42" and line["path"] == "/login" and line["status"] == 200
    assert response.status_code == 200


async def test_fingerprinted_static_files_are_cached_for_a_year(client):
    page = (await client.get("/login")).text
    href = page.split('href="/static/css/portal.css?v=')[1].split('"')[0]
    assert len(href) == 10
    cached = await client.get(f"/static/css/portal.css?v={href}")
    assert cached.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = await client.get("/static/css/portal.css")
    assert plain.headers["cache-control"] == "no-cache"


async def test_static_files_carry_an_etag_and_a_current_copy_gets_304(client):
    # A module a script imports by relative path has no fingerprint in its URL: it is revalidated.
    first = await client.get("/static/vendor/barcode-detector/zxing-exported.js")
    etag = first.headers["etag"]
    assert first.status_code == 200 and first.content and first.headers["cache-control"] == "no-cache"
    again = await client.get("/static/vendor/barcode-detector/zxing-exported.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    changed = await client.get("/static/vendor/barcode-detector/zxing-exported.js",
                               headers={"If-None-Match": '"0000000000"'})
    assert changed.status_code == 200 and changed.content == first.content
    # Outside static/ there is no file to describe: no ETag, and the ordinary 404.
    escaped = await client.get("/static/../pyproject.toml", headers={"If-None-Match": etag})
    assert escaped.status_code == 404 and "etag" not in escaped.headers


async def test_pages_are_gzipped_for_clients_that_accept_it(client):
    response = await client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
