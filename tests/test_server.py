"""TCP_NODELAY on every connection the portal's uvicorn protocol accepts (see portal/server.py)."""

from __future__ import annotations

import argparse
import asyncio
import socket

import pytest

from portal import server
from portal.server import NoDelayH11Protocol, set_nodelay


@pytest.mark.anyio
async def test_set_nodelay_turns_nagle_off_where_asyncio_did_not():
    # The listener uvicorn binds for --workers N: proto left at 0, so asyncio skips TCP_NODELAY.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: asyncio.Future = asyncio.get_running_loop().create_future()

    class Record(asyncio.Protocol):
        def connection_made(self, transport):
            sock = transport.get_extra_info("socket")
            before = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            set_nodelay(transport)
            accepted.set_result((before, sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Record, sock=listener)
    try:
        _, writer = await asyncio.open_connection(*listener.getsockname())
        before, after = await asyncio.wait_for(accepted, 5)
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
    assert before == 0, "asyncio set TCP_NODELAY itself: the workaround may no longer be needed"
    assert after != 0


def test_serve_runs_uvicorn_with_the_protocol(monkeypatch, capsys):
    import uvicorn

    from portal import __main__

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))

    async def no_database(_factory):
        return None

    monkeypatch.setattr(__main__, "_with_db", no_database)
    __main__.serve(argparse.Namespace(workers=2, access_log=False))
    assert seen["http"] == server.protocol() and seen["workers"] == 2
    assert issubclass(NoDelayH11Protocol, asyncio.Protocol)
    assert "2 workers" in capsys.readouterr().out


def test_the_server_factory_freezes_start_up_objects_and_collects_less_often(monkeypatch, tmp_path):
    import gc

    from portal import app as portal_app

    built = object()
    monkeypatch.setattr(portal_app, "create_app", lambda settings: built)  # no engine bound by this test
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    before = gc.get_threshold()
    try:
        assert portal_app.app_from_env() is built
        assert gc.get_threshold() == portal_app.GC_THRESHOLDS
        assert gc.get_freeze_count() > 10_000  # the app's routes, modules and templates' machinery
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_protocol_is_httptools_when_it_is_installed():
    try:
        import httptools  # noqa: F401
    except ImportError:
        assert server.protocol() == "portal.server:NoDelayH11Protocol"
        pytest.skip("httptools is not installed here: the server parses HTTP with h11")
    assert server.protocol() == "portal.server:NoDelayHttpToolsProtocol"
    chosen = getattr(server, server.protocol().split(":")[1])
    assert issubclass(chosen, server.HttpToolsProtocol) and "set_nodelay" in chosen.connection_made.__code__.co_names
