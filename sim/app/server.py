"""Serving the page: a listening socket (127.0.0.1 and a free port unless told), an access token beyond loopback.

On loopback only this machine's users can reach the page. Asked to listen on another address (a classroom
network), the server requires a random token: the URL printed carries it (``?token=…``); the first request that
carries it gets a cookie, so the page's own requests (scripts, the websocket) pass; anything else gets 403.
"""

from __future__ import annotations

import contextlib
import errno
import hmac
import ipaddress
import secrets
import socket
import struct
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

__all__ = [
    "TOKEN_COOKIE",
    "AppServerError",
    "Listener",
    "TokenGate",
    "is_loopback",
    "listen",
    "machine_addresses",
    "page_urls",
    "serve",
]

TOKEN_COOKIE = "sim_app_token"

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class AppServerError(Exception):
    """The app cannot start (the message says why and what to do)."""


def is_loopback(host: str) -> bool:
    """True when ``host`` is a loopback address or ``localhost`` (only this machine can connect)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Listener:
    """A bound, listening socket and the URL that reaches it."""

    sock: socket.socket
    host: str
    port: int
    token: str | None

    @property
    def url(self) -> str:
        """The page's URL on this machine (with the token when one is required)."""
        return _url(_LOCAL_FOR_WILDCARD.get(self.host, self.host), self.port, self.token)

    def room_urls(self, addresses: Sequence[str] | None = None) -> list[str]:
        """The URLs other machines use: see :func:`page_urls` (``addresses`` default: :func:`machine_addresses`)."""
        return page_urls(self.host, self.port, self.token, machine_addresses() if addresses is None else addresses)


_LOCAL_FOR_WILDCARD = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}
"""The loopback address that reaches a server listening on every address of its family."""


def _url(host: str, port: int, token: str | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def page_urls(host: str, port: int, token: str | None, addresses: Sequence[str]) -> list[str]:
    """The URLs by which other machines reach a server listening on ``host`` (with the token, when one is set).

    Args:
        host: The address listened on: a wildcard (``0.0.0.0``, ``::``) reaches every address of its family,
            anything else only itself.
        port: The port listened on.
        token: The access token, or None.
        addresses: This machine's addresses (:func:`machine_addresses`).

    Returns:
        One URL per non-loopback address ``host`` answers on, in address order; empty on loopback.
    """
    if is_loopback(host):
        return []
    if host not in _LOCAL_FOR_WILDCARD:
        return [_url(host, port, token)]
    family = 6 if ":" in host else 4
    reachable = []
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if address.is_loopback or address.is_link_local or address.is_unspecified:
            continue  # a link-local IPv6 address needs its interface named (fe80::…%eth0): no use in a URL
        if address.version == family:
            reachable.append(address)
    return [_url(str(address), port, token) for address in sorted(set(reachable))]


def machine_addresses() -> list[str]:
    """This machine's IP addresses, as far as the standard library can tell without the network.

    Each interface's IPv4 address (Linux), then those the machine's name resolves to; loopback ones included
    (:func:`page_urls` leaves them out).
    """
    found: list[str] = []
    with contextlib.suppress(OSError, ImportError, AttributeError):
        import fcntl  # Unix only

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            for _, name in socket.if_nameindex():
                with contextlib.suppress(OSError):  # an interface without an IPv4 address
                    packed = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
                    found.append(socket.inet_ntoa(packed[20:24]))
    with contextlib.suppress(OSError, UnicodeError):
        for *_, sockaddr in socket.getaddrinfo(socket.gethostname(), None):
            found.append(str(sockaddr[0]))
    return list(dict.fromkeys(found))


_SIOCGIFADDR = 0x8915
"""Linux's ioctl that reads an interface's IPv4 address."""


def listen(host: str = "127.0.0.1", port: int = 0) -> Listener:
    """Bind and listen on ``host:port`` (port 0: a free port chosen by the system).

    Raises:
        AppServerError: If the port is taken, the address is not this machine's, or binding is not allowed.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise AppServerError(
                f"port {port} on {host} is already in use (another program, or another `sim app`); "
                "choose another with --port, or leave --port out for a free one"
            ) from None
        if error.errno == errno.EADDRNOTAVAIL:
            raise AppServerError(
                f"{host} is not an address of this machine; use 127.0.0.1 (this machine only) or 0.0.0.0 (every "
                "network it is on)"
            ) from None
        if error.errno == errno.EACCES:
            raise AppServerError(f"not allowed to listen on port {port}; use a port above 1023") from None
        raise AppServerError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    except (OverflowError, socket.gaierror) as error:
        sock.close()
        raise AppServerError(f"cannot listen on {host}:{port}: {error}") from None
    bound_port = int(sock.getsockname()[1])
    token = None if is_loopback(host) else secrets.token_urlsafe(16)
    return Listener(sock, host, bound_port, token)


class TokenGate:
    """ASGI middleware: let a request through only with the token (in the URL's query or the cookie it sets)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    def _carried(self, scope: Scope) -> tuple[bool, bool]:
        """(allowed, from the query string)."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        for value in query.get("token", []):
            if hmac.compare_digest(value, self.token):
                return True, True
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookie: SimpleCookie = SimpleCookie()
                with contextlib.suppress(Exception):
                    cookie.load(value.decode("latin-1"))
                morsel = cookie.get(TOKEN_COOKIE)
                if morsel is not None and hmac.compare_digest(morsel.value, self.token):
                    return True, False
        return False, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        allowed, from_query = self._carried(scope)
        if not allowed:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            body = b"This page needs its access token: open the URL that `sim app` printed (it ends in ?token=...)."
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if not from_query or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1")

        async def send_with_cookie(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def serve(listener: Listener, results_root: Path, workers: int | None = None) -> None:
    """Serve the page on ``listener`` until interrupted (Ctrl-C), then stop the runs and the pool.

    Args:
        listener: From :func:`listen`.
        results_root: Where runs are written.
        workers: Worker processes for runs (default and most: one per usable core).
    """
    import uvicorn

    from sim.app.jobs import run_queue
    from sim.app.page import AppSettings, build_app

    with run_queue(results_root, workers) as queue:
        app: ASGIApp = build_app(AppSettings(results_root=results_root, queue=queue))
        if listener.token is not None:
            app = TokenGate(app, listener.token)
        config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="auto")
        server = uvicorn.Server(config)
        server.run(sockets=[listener.sock])
