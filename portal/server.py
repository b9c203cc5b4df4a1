"""The HTTP protocol uvicorn serves the portal with, with Nagle's algorithm off on every connection: httptools
(uvicorn's C parser, `uvicorn[standard]`) when it is installed, else h11 (pure Python).

With `--workers N` uvicorn binds the listening socket itself without IPPROTO_TCP, and asyncio turns
TCP_NODELAY on only for sockets that report it, so every keep-alive request after a connection's
first waited about 40 ms for the client's delayed ACK (uvicorn issue 3149, open in 0.54). A
single worker was not affected. Setting the option here covers both.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

try:  # httptools is optional: uvicorn's own "auto" choice makes the same test
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - depends on what is installed
    HttpToolsProtocol = None


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Turn Nagle's algorithm off on a TCP connection (nothing for other sockets)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in {socket.AF_INET, socket.AF_INET6}:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with TCP_NODELAY set when a connection is made."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Set TCP_NODELAY, then let h11 take the connection."""
        set_nodelay(transport)
        super().connection_made(transport)


if HttpToolsProtocol is not None:

    class NoDelayHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, with TCP_NODELAY set when a connection is made."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            """Set TCP_NODELAY, then let httptools take the connection."""
            set_nodelay(transport)
            super().connection_made(transport)


def protocol() -> str:
    """The protocol class for uvicorn's `http` option: httptools' when it is installed (a scan parsed in C
    instead of Python), else h11's."""
    name = "NoDelayHttpToolsProtocol" if HttpToolsProtocol is not None else "NoDelayH11Protocol"
    return f"portal.server:{name}"
