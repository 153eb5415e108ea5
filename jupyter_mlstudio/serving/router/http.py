"""The router's HTTP/1.1 server side: an asyncio protocol with httptools' request parser.

Leaner than an ASGI stack: each request costs one parser pass, one small object and one
write, which is what lets the router keep up with the model servers behind it.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import uuid
from collections import deque
from http import HTTPStatus
from typing import Any, Callable, cast

import httptools

_STATUS_LINES = {
    s.value: b"HTTP/1.1 %d %s\r\n" % (s.value, s.phrase.encode()) for s in HTTPStatus
}
JSON = b"Content-Type: application/json\r\n"
log = logging.getLogger(__name__)
# Request ids shaped like SageMaker's (a UUID): a random per-process part and a counter,
# cheaper than a fresh uuid4 per request.
_ID_PREFIX = "{0[0]}-{0[1]}-{0[2]}-{0[3]}".format(str(uuid.uuid4()).split("-")).encode()
_ID_COUNTER = itertools.count(1)


def request_id_header() -> bytes:
    """An ``x-amzn-RequestId`` header line, unique within this router process."""
    return b"x-amzn-RequestId: %s-%012x\r\n" % (_ID_PREFIX, next(_ID_COUNTER))


def status_line(status: int) -> bytes:
    """``HTTP/1.1 <status> <reason>\\r\\n`` for any status code."""
    line = _STATUS_LINES.get(status)
    if line is None:
        line = _STATUS_LINES[status] = b"HTTP/1.1 %d Status\r\n" % status
    return line


def error_body(code: str, message: str, **extra: Any) -> tuple[bytes, bytes]:
    """Headers and body of an error botocore's rest-json parser reads as ``code``."""
    headers = JSON + b"x-amzn-ErrorType: " + code.encode() + b"\r\n"
    return headers, json.dumps({"message": message, **extra}).encode()


class Request:
    """One parsed request: method, path, the headers the router reads, and the body."""

    __slots__ = ("method", "path", "query", "host", "headers", "content_type", "accept",
                 "custom_attributes", "target_variant", "authorization", "body", "keep_alive")

    def __init__(self) -> None:
        self.method = b""
        self.path = b""
        self.query = b""
        self.host: bytes | None = None
        # Every header as received (SigV4 signs any of them).
        self.headers: list[tuple[bytes, bytes]] = []
        self.content_type: bytes | None = None
        self.accept: bytes | None = None
        self.custom_attributes: bytes | None = None
        self.target_variant: bytes | None = None
        self.authorization: bytes | None = None
        self.body = b""
        self.keep_alive = True


class ServerState:
    """What all server connections share: the request handler, limits and liveness."""

    def __init__(self, handler: Callable[[HttpConnection, Request], None],
                 max_body: int, loop: asyncio.AbstractEventLoop):
        self.handler = handler
        self.max_body = max_body
        self.loop = loop
        self.connections: set[HttpConnection] = set()
        self.closing = False

    def close_idle(self) -> None:
        """Shutting down: close connections with no request being handled."""
        self.closing = True
        for conn in list(self.connections):
            if not conn.busy:
                conn.transport.close()


class HttpConnection(asyncio.Protocol):
    """One client connection; requests are handled one at a time, replies in order."""

    transport: asyncio.Transport  # from connection_made, which the loop calls first

    def __init__(self, state: ServerState):
        self.state = state
        self.parser = httptools.HttpRequestParser(self)
        self.request = Request()
        self.url = b""
        self.chunks: list[bytes] = []
        self.size = 0
        self.busy = False
        self.discarding = False
        self.expect_continue = False
        self.current = self.request
        self.pending: deque[Request] = deque()

    # --- asyncio.Protocol ---------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Typed for any transport; a stream server's protocols get a Transport.
        self.transport = cast(asyncio.Transport, transport)
        self.state.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.state.connections.discard(self)
        self.pending.clear()

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._reject(400, "protocol upgrades are not supported")
        except httptools.HttpParserCallbackError:
            # A fault of the router's own code, not of the client's request.
            log.exception("router error while handling a request")
            self._reject(500, "internal error of the endpoint router", "InternalFailure")
        except httptools.HttpParserError:
            if not self.discarding:
                self._reject(400, "malformed HTTP request")

    # --- httptools callbacks ------------------------------------------------
    def on_message_begin(self) -> None:
        self.request = Request()
        self.url = b""
        self.chunks = []
        self.size = 0

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        n = name.lower()
        req = self.request
        req.headers.append((n, value))
        if n == b"host":
            req.host = value
        elif n == b"content-type":
            req.content_type = value
        elif n == b"accept":
            req.accept = value
        elif n == b"x-amzn-sagemaker-target-variant":
            req.target_variant = value
        elif n == b"x-amzn-sagemaker-custom-attributes":
            req.custom_attributes = value
        elif n == b"authorization":
            req.authorization = value
        elif n == b"content-length":
            try:
                if int(value) > self.state.max_body:
                    self._too_large(f"Request payload of {int(value)} bytes")
            except ValueError:
                pass
        elif n == b"expect" and value.lower() == b"100-continue":
            self.expect_continue = True

    def on_headers_complete(self) -> None:
        req = self.request
        req.method = self.parser.get_method()
        url = self.url
        q = url.find(b"?")
        if q < 0:
            req.path = url
        else:
            req.path, req.query = url[:q], url[q + 1:]
        if self.expect_continue:
            self.expect_continue = False
            if not self.discarding:
                self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        if self.discarding:
            return
        self.size += len(body)
        if self.size > self.state.max_body:
            self._too_large("Request payload")
            return
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        if self.discarding:
            self.transport.close()
            return
        req = self.request
        chunks = self.chunks
        if chunks:
            req.body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        req.keep_alive = self.parser.should_keep_alive()
        if self.busy:
            self.pending.append(req)
            return
        self.busy = True
        self.current = req
        self.state.handler(self, req)

    # --- replies --------------------------------------------------------------
    def respond(self, status: int, headers: bytes, body: bytes) -> None:
        """Send the reply to the current request (``headers`` are complete header lines)."""
        transport = self.transport
        if transport.is_closing():
            self.busy = False
            return
        close = not self.current.keep_alive or self.state.closing or self.discarding
        head = b"%s%s%sContent-Length: %d\r\n%s\r\n" % (
            status_line(status), request_id_header(), headers, len(body),
            b"Connection: close\r\n" if close else b"")
        if len(body) < 65536:
            transport.write(head + body)
        else:
            transport.write(head)
            transport.write(body)
        self.busy = False
        if close:
            transport.close()
        elif self.pending:
            self.busy = True
            self.current = self.pending.popleft()
            self.state.handler(self, self.current)

    def _too_large(self, what: str) -> None:
        # Answer at once and read no more into memory; the rest of the body is read and
        # thrown away so that the client, still sending, gets to see the reply.
        headers, body = error_body(
            "ValidationError",
            f"{what} exceeds the limit of {self.state.max_body} bytes.",
        )
        self.discarding = True
        self.chunks = []
        self._write_last(413, headers, body)
        self.state.loop.call_later(10.0, self.transport.close)

    def _reject(self, status: int, message: str, code: str = "ValidationError") -> None:
        self._write_last(status, *error_body(code, message))
        self.transport.close()

    def _write_last(self, status: int, headers: bytes, body: bytes) -> None:
        """Write a reply after which the connection closes."""
        self.transport.write(b"%s%s%sContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (
            status_line(status), request_id_header(), headers, len(body), body))
