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
    from portal.events import services

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
