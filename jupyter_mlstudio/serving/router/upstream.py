"""Keep-alive HTTP/1.1 connections from the router to model-server instances.

A small client over asyncio protocols with httptools' response parser: the router's
hot path needs no task or future per request, only callbacks.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol, cast

import httptools

# Ways an exchange with an instance can fail (see ``Exchange.upstream_failed``).
CONNECT_FAILED = "connect"  # never connected: retry elsewhere
DROPPED = "dropped"  # connection lost before any response byte: retry elsewhere
BROKEN = "broken"  # lost or garbled mid-response: the request may have run, no retry
TIMED_OUT = "timeout"  # no complete response within the per-request time-out
# Instances listening on a unix socket: ``http+unix://<percent-quoted socket path>``.
UNIX_SCHEME = "http+unix"


class UpstreamSettings:
    """Tunables shared by every instance."""

    def __init__(self, timeout: float = 60.0, connect_timeout: float = 5.0,
                 probe_interval: float = 0.5, max_idle: int = 256):
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.probe_interval = probe_interval
        self.max_idle = max_idle
        self.instances: set[Instance] = set()  # every instance with a use or connection


class Exchange(Protocol):
    """What an upstream connection reports to (implemented by the router's request)."""

    def upstream_response(self, status: int, content_type: bytes | None,
                          custom_attributes: bytes | None, model_latency: int,
                          body: bytes) -> None: ...

    def upstream_failed(self, kind: str, reused: bool) -> None: ...


class UpstreamConnection(asyncio.Protocol):
    """One keep-alive connection to an instance, carrying one request at a time."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.exchange: Exchange | None = None
        self.reused = False
        self.got_bytes = False
        self.done = False
        self.deadline = 0.0
        self.chunks: list[bytes] = []
        self.content_type: bytes | None = None
        self.custom: bytes | None = None
        self.model_latency = -1
        self.sized = False
        self.headers_done = False

    # --- driving a request -------------------------------------------------
    def send(self, data: bytes, body: bytes, exchange: Exchange, reused: bool) -> None:
        """Write one request (``data`` then ``body``) and report its outcome to ``exchange``."""
        self.exchange = exchange
        self.reused = reused
        self.got_bytes = False
        self.done = False
        self.chunks = []
        self.content_type = None
        self.custom = None
        self.model_latency = -1
        self.sized = False
        self.headers_done = False
        # Checked by the instance's periodic sweep: cheaper than a timer per request.
        self.deadline = self.instance.loop.time() + self.instance.settings.timeout
        transport = self.transport
        if transport is None or transport.is_closing():
            # The instance closed it between connecting and now (killed, say): nothing went
            # out, so the request may go elsewhere.
            self._fail(DROPPED)
            return
        try:
            if len(body) < 65536:
                transport.write(data + body)  # one segment for the usual small payload
            else:
                transport.write(data)
                transport.write(body)
        except (RuntimeError, OSError):  # closed meanwhile: uvloop raises, asyncio does not
            self._fail(DROPPED)

    def closing(self) -> bool:
        """Whether the connection is closed or closing (or not made yet)."""
        return self.transport is None or self.transport.is_closing()

    def close(self) -> None:
        """Close the connection once what was written is flushed."""
        if self.transport is not None:
            self.transport.close()

    def time_out(self) -> None:
        """Give up on the request in flight (the instance took too long)."""
        self._fail(TIMED_OUT)

    def _fail(self, kind: str) -> None:
        exchange = self.exchange
        self.exchange = None
        self.instance.drop(self)
        if self.transport is not None:
            try:
                self.transport.abort()
            except RuntimeError:  # uvloop: already closed
                pass
        if exchange is not None:
            exchange.upstream_failed(kind, self.reused)

    # --- asyncio.Protocol ---------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Typed for any transport; a stream connection's protocol gets a Transport.
        self.transport = cast(asyncio.Transport, transport)
        self.instance.conns.add(self)

    def data_received(self, data: bytes) -> None:
        if self.exchange is None:
            # Bytes nobody asked for: the connection is out of step, drop it.
            self.instance.drop(self)
            if self.transport is not None:
                self.transport.abort()
            return
        self.got_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail(BROKEN)

    def connection_lost(self, exc: Exception | None) -> None:
        self.instance.drop(self)
        self.instance.conns.discard(self)
        if self.exchange is None:
            return
        if self.headers_done and not self.sized:
            # A response delimited by the connection's end is complete now.
            self.on_message_complete()
            return
        self._fail(BROKEN if self.got_bytes else DROPPED)

    # --- httptools callbacks ------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        n = name.lower()
        if n == b"content-type":
            self.content_type = value
        elif n == b"x-mlstudio-model-latency":
            try:
                self.model_latency = int(value)
            except ValueError:
                pass
        elif n == b"x-amzn-sagemaker-custom-attributes":
            self.custom = value
        elif n == b"content-length" or n == b"transfer-encoding":
            self.sized = True

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        exchange = self.exchange
        if exchange is None or self.done:
            return
        self.done = True
        self.exchange = None
        status = self.parser.get_status_code()
        if self.parser.should_keep_alive() and not self.closing():
            self.instance.release(self)
        else:
            self.instance.drop(self)
            self.close()
        chunks = self.chunks
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        exchange.upstream_response(status, self.content_type, self.custom,
                                   self.model_latency, body)


class Instance:
    """One model-server instance: its health, counters and idle connections."""

    def __init__(self, iid: str, url: str, host: str, port: int | None,
                 settings: UpstreamSettings):
        """``host:port`` over TCP, or ``host`` is a unix socket's path when ``port`` is None."""
        self.id = iid
        self.url = url
        self.host = host
        self.port = port
        self.settings = settings
        self.loop = asyncio.get_running_loop()
        self.host_header = b"localhost" if port is None else b"%s:%d" % (host.encode(), port)
        self.prefix = b"POST /invocations HTTP/1.1\r\nHost: %s\r\n" % self.host_header
        self.idle: list[UpstreamConnection] = []
        self.conns: set[UpstreamConnection] = set()
        self.in_flight = 0
        self.invocations = 0
        self.failures = 0
        self.healthy = True
        self.retired = False
        self._probe: asyncio.Task | None = None
        settings.instances.add(self)

    def describe(self) -> dict[str, Any]:
        """This instance's entry in the router's stats."""
        return {
            "url": self.url,
            "in_flight": self.in_flight,
            "invocations": self.invocations,
            "failures": self.failures,
            "healthy": self.healthy,
        }

    def send(self, head: bytes, body: bytes, exchange: Exchange, fresh: bool = False) -> None:
        """Send ``POST /invocations`` (``head`` holds the headers after Host) for ``exchange``;
        on an idle pooled connection unless ``fresh``."""
        data = self.prefix + head
        idle = self.idle
        while idle and not fresh:
            conn = idle.pop()
            if not conn.closing():
                conn.send(data, body, exchange, True)
                return
        self.loop.create_task(self._connect_and_send(data, body, exchange))

    async def _connect_and_send(self, data: bytes, body: bytes, exchange: Exchange) -> None:
        try:
            if self.port is None:
                connecting = self.loop.create_unix_connection(
                    lambda: UpstreamConnection(self), self.host)
            else:
                connecting = self.loop.create_connection(
                    lambda: UpstreamConnection(self), self.host, self.port)
            _, conn = await asyncio.wait_for(connecting, self.settings.connect_timeout)
        except (OSError, asyncio.TimeoutError):
            exchange.upstream_failed(CONNECT_FAILED, False)
            return
        conn.send(data, body, exchange, False)

    def sweep(self, now: float) -> None:
        """Time out requests in flight past their deadline."""
        for conn in [c for c in self.conns if c.exchange is not None and c.deadline < now]:
            conn.time_out()

    def release(self, conn: UpstreamConnection) -> None:
        """Take back a connection whose exchange finished and that can carry another."""
        if self.retired or len(self.idle) >= self.settings.max_idle:
            conn.close()
        else:
            self.idle.append(conn)

    def drop(self, conn: UpstreamConnection) -> None:
        """Forget a connection that closed or must close."""
        try:
            self.idle.remove(conn)
        except ValueError:
            pass

    def retire(self) -> None:
        """No longer listed: close idle connections now, busy ones when they finish."""
        self.retired = True
        idle, self.idle = self.idle, []
        for conn in idle:
            conn.close()

    def close(self) -> None:
        """Close everything (router shutdown)."""
        self.retire()
        if self._probe is not None:
            self._probe.cancel()

    def mark_unhealthy(self) -> None:
        """Stop routing here and probe ``GET /ping`` until it answers 200."""
        self.healthy = False
        idle, self.idle = self.idle, []
        for conn in idle:
            conn.close()
        if not self.retired and (self._probe is None or self._probe.done()):
            self._probe = self.loop.create_task(self._probe_until_healthy())

    async def _probe_until_healthy(self) -> None:
        request = b"GET /ping HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (
            self.host_header)
        while not self.healthy and not self.retired:
            await asyncio.sleep(self.settings.probe_interval)
            if self.healthy or self.retired:
                return
            if await ping(self.host, self.port, request, self.settings.connect_timeout):
                self.healthy = True


async def sweep_forever(settings: UpstreamSettings, every: float = 0.25) -> None:
    """Enforce per-request time-outs and forget retired instances with no connection left."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(every)
        now = loop.time()
        for inst in list(settings.instances):
            if inst.retired and not inst.conns and not inst.in_flight:
                settings.instances.discard(inst)
            else:
                inst.sweep(now)


async def ping(host: str, port: int | None, request: bytes, timeout: float) -> bool:
    """Whether ``GET /ping`` on ``host:port`` (a unix socket ``host`` if ``port`` is None)
    answers 200 within ``timeout`` seconds."""
    writer = None
    try:
        opening = asyncio.open_unix_connection(host) if port is None else \
            asyncio.open_connection(host, port)
        reader, writer = await asyncio.wait_for(opening, timeout)
        writer.write(request)
        deadline = time.monotonic() + timeout
        line = await asyncio.wait_for(reader.readline(), max(0.01, deadline - time.monotonic()))
        parts = line.split(None, 2)
        return len(parts) >= 2 and parts[1] == b"200"
    except (OSError, asyncio.TimeoutError, ValueError):
        return False
    finally:
        if writer is not None:
            writer.close()
