"""What the router does with a request: invoke an endpoint, or change its table.

Invocation API (boto3 ``sagemaker-runtime``): ``POST /endpoints/<name>/invocations`` is
forwarded to ``POST /invocations`` of an instance; errors carry ``x-amzn-ErrorType``
(``ValidationError`` 400/413, ``ModelError`` 424, ``ServiceUnavailable`` 503).

Every request must name the router in ``Host``; invocations must be signed (SigV4, a
key of the keyring) or carry the control token; see ``auth``. Refusals are 403s
with AWS's codes (``MissingAuthenticationTokenException``, ``IncompleteSignature``,
``InvalidSignatureException``, ``UnrecognizedClientException``, ``AccessDeniedException``).

Control API (``Authorization: Bearer <token>``, else 403), JSON in and out:
``PUT /_router/endpoints/<name>`` ``{"variants": [{"name", "weight", "instances": [{"id",
"url"}]}]}`` replaces a table (``url``: ``http://host:port`` or ``http+unix://<quoted
socket path>``); ``DELETE`` removes it; ``GET`` one or all (``/_router/endpoints``);
``GET /_router/stats`` gives cumulative counters; ``PUT /_router/credentials``
``{"credentials": [{"AccessKeyId", "SecretAccessKey", "SessionToken"}]}`` replaces the
keyring (answered with the count only); ``POST /_router/ready`` ends the start-up hold.
``GET /ping`` needs no token.

Started with ``wait_ready`` (a restart, whose tables and keyring are on their way), the
router holds invocations until ``/_router/ready`` (at most ``wait_for_instance`` seconds),
so that none is refused for a table or a key it has not been given yet.
"""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import unquote

from ...aws.credentials import Keyring
from .auth import RouterAuth
from .http import JSON, HttpConnection, Request, error_body
from .table import RoutingTable, TableError, Variant
from .upstream import CONNECT_FAILED, DROPPED, TIMED_OUT, Instance

_now_ns = time.perf_counter_ns
_HOLD_POLL = 0.05
# Retries after an instance accepted a request and then died without answering: enough
# to ride out instance crashes, few enough that one request that crashes every instance
# it reaches cannot take the whole endpoint down.
_MAX_DROPS = 3
# What a held request costs beyond its body (the request object, its head, timers).
_HELD_OVERHEAD = 1024
# An invocation held until the routing tables are in: connection, request, arrival, expiry.
_Early = tuple[HttpConnection, Request, int, asyncio.TimerHandle]


class RouterApp:
    """Routes invocations by the table and serves the control API."""

    def __init__(self, table: RoutingTable, auth: RouterAuth, wait_for_instance: float,
                 loop: asyncio.AbstractEventLoop, max_held_bytes: int = 256 * 1024 * 1024,
                 wait_ready: bool = False):
        self.table = table
        self.auth = auth
        self.wait_for_instance = wait_for_instance
        self.loop = loop
        # Requests waiting for a healthy instance keep their bodies in memory: cap them.
        self.max_held_bytes = max_held_bytes
        self.held_bytes = 0
        # Invocations that came before the control API said ready (None once ready).
        self.early: list[_Early] | None = [] if wait_ready else None

    def handle(self, conn: HttpConnection, req: Request) -> None:
        """Answer one request on ``conn`` (the server calls this for every request)."""
        path = req.path
        if not self.auth.host_ok(req):
            conn.respond(403, *error_body("AccessDeniedException",
                                          "the Host header does not name this endpoint router"))
            return
        if path.startswith(b"/endpoints/") and path.endswith(b"/invocations"):
            if req.method != b"POST":
                conn.respond(405, *error_body("ValidationError", "use POST for invocations"))
                return
            if self.early is not None:
                self._hold_early(self.early, conn, req)
            else:
                self.invoke(conn, req, _now_ns())
        elif path == b"/ping":
            conn.respond(200, b"", b"")
        elif path.startswith(b"/_router/"):
            self.control(conn, req)
        else:
            conn.respond(404, *error_body("UnknownOperationException",
                                          f"no route for {path.decode('latin-1')}"))

    def invoke(self, conn: HttpConnection, req: Request, t0: int) -> None:
        """Check the signature, then route (``t0``: when the request arrived)."""
        refused = self.auth.check_invocation(req)
        if refused is not None:
            conn.respond(refused.status, *error_body(refused.code, refused.message))
            return
        raw = req.path[11:-12]
        name = unquote(raw.decode("latin-1")) if b"%" in raw else raw.decode("latin-1")
        Invocation(self, conn, req, name, t0).dispatch()

    # --- the start-up hold ------------------------------------------------------------
    def _hold_early(self, early: list[_Early], conn: HttpConnection,
                    req: Request) -> None:
        size = len(req.body) + _HELD_OVERHEAD
        if self.held_bytes + size > self.max_held_bytes:
            conn.respond(503, *error_body("ServiceUnavailable",
                                          "the endpoint router is starting"))
            return
        self.held_bytes += size
        timer = self.loop.call_later(self.wait_for_instance, self._expire_early, req)
        early.append((conn, req, _now_ns(), timer))

    def _expire_early(self, req: Request) -> None:
        early = self.early or []
        for item in early:
            if item[1] is req:
                early.remove(item)
                self.held_bytes -= len(req.body) + _HELD_OVERHEAD
                item[0].respond(503, *error_body(
                    "ServiceUnavailable", "the endpoint router did not get its routing "
                    f"tables within {self.wait_for_instance:g} seconds"))
                return

    def ready(self) -> None:
        """Tables and keyring are in: route what was held."""
        early, self.early = self.early or [], None
        for conn, req, t0, timer in early:
            timer.cancel()
            self.held_bytes -= len(req.body) + _HELD_OVERHEAD
            self.invoke(conn, req, t0)

    # --- control API ----------------------------------------------------------------
    def control(self, conn: HttpConnection, req: Request) -> None:
        """The Jupyter server's control API (bearer-token protected)."""
        if not self.auth.is_control(req):
            conn.respond(403, *error_body("AccessDeniedException", "missing or wrong token"))
            return
        parts = unquote(req.path.decode("latin-1")).strip("/").split("/")
        method = req.method
        status: int = 404
        reply: Any = {"message": f"no route for {req.path.decode('latin-1')}"}
        if parts == ["_router", "stats"] and method == b"GET":
            status, reply = 200, self.table.snapshot()
        elif parts == ["_router", "endpoints"] and method == b"GET":
            status, reply = 200, {"endpoints": {
                n: e.describe() for n, e in self.table.endpoints.items()}}
        elif parts == ["_router", "ready"] and method == b"POST":
            self.ready()
            status, reply = 200, {"ready": True}
        elif parts == ["_router", "credentials"] and method == b"PUT":
            status, reply = self._credentials(req.body)
        elif len(parts) == 3 and parts[:2] == ["_router", "endpoints"] and parts[2]:
            status, reply = self._endpoint(method, parts[2], req.body)
        conn.respond(status, JSON, json.dumps(reply).encode())

    def _credentials(self, body: bytes) -> tuple[int, Any]:
        try:
            keyring = Keyring.from_wire(json.loads(body or b"null"))
        except ValueError as err:  # the message names no secret
            return 400, {"message": f"invalid credentials: {err}"}
        self.auth.keyring = keyring
        return 200, {"credentials": len(keyring)}

    def _endpoint(self, method: bytes, name: str, body: bytes) -> tuple[int, Any]:
        if method == b"PUT":
            try:
                endpoint = self.table.put(name, json.loads(body or b"null"))
            except TableError as err:
                return 400, {"message": str(err)}
            except ValueError as err:
                return 400, {"message": f"body is not JSON: {err}"}
            return 200, {"name": name, **endpoint.describe()}
        if method == b"DELETE":
            return 200, {"name": name, "deleted": self.table.delete(name)}
        if method == b"GET":
            found = self.table.endpoints.get(name)
            if found is None:
                return 404, {"message": f"Endpoint {name} not found."}
            return 200, {"name": name, **found.describe()}
        return 405, {"message": "use GET, PUT or DELETE"}


class Invocation:
    """One ``InvokeEndpoint`` on its way through the router (retries included)."""

    __slots__ = ("app", "conn", "req", "name", "target", "head", "t0", "t_send",
                 "deadline", "variant", "instance", "drops", "held")

    def __init__(self, app: RouterApp, conn: HttpConnection, req: Request, name: str,
                 t0: int = 0):
        self.app = app
        self.conn = conn
        self.req = req
        self.name = name
        self.target = req.target_variant.decode("latin-1") if req.target_variant else None
        head = b"Content-Length: %d\r\n" % len(req.body)
        if req.content_type is not None:
            head += b"Content-Type: " + req.content_type + b"\r\n"
        if req.accept is not None:
            head += b"Accept: " + req.accept + b"\r\n"
        if req.custom_attributes is not None:
            head += b"X-Amzn-SageMaker-Custom-Attributes: " + req.custom_attributes + b"\r\n"
        self.head = head + b"\r\n"
        self.t0 = t0 or _now_ns()
        self.t_send = 0
        self.deadline = 0.0
        self.variant: Variant | None = None
        self.instance: Instance | None = None
        self.drops = 0
        self.held = 0

    def dispatch(self) -> None:
        """Route to the best healthy instance, or hold until one is healthy."""
        if self.held:
            self.app.held_bytes -= self.held
            self.held = 0
        endpoint = self.app.table.endpoints.get(self.name)
        if endpoint is None:
            self._error(400, "ValidationError", f"Endpoint {self.name} not found.")
            return
        if self.target is not None:
            variant = endpoint.by_name.get(self.target)
            if variant is None:
                self._error(400, "ValidationError",
                            f"Endpoint {self.name} has no production variant {self.target}.")
                return
            inst = variant.pick()
        elif not endpoint.weighted:
            stats = self.app.table.stats.get(self.name)
            if stats is not None:
                stats.errors += 1
            self._error(400, "ValidationError",
                        f"no production variant of endpoint {self.name} has a positive weight")
            return
        else:
            variant, inst = endpoint.choose()
        self.variant = variant
        if inst is None:
            self._hold()
            return
        self.instance = inst
        inst.in_flight += 1
        self.t_send = _now_ns()
        inst.send(self.head, self.req.body, self)

    def _hold(self) -> None:
        app = self.app
        now = app.loop.time()
        size = len(self.req.body) + _HELD_OVERHEAD
        if not self.deadline:
            if app.held_bytes + size > app.max_held_bytes:
                self._error(503, "ServiceUnavailable",
                            f"no instance of endpoint {self.name} is available and too many "
                            "requests are already waiting for one")
                return
            self.deadline = now + app.wait_for_instance
        if now >= self.deadline:
            self._error(503, "ServiceUnavailable",
                        f"no instance of endpoint {self.name} became available within "
                        f"{app.wait_for_instance:g} seconds")
            return
        app.held_bytes += size
        self.held = size
        app.loop.call_later(_HOLD_POLL, self.dispatch)

    # --- reports from the upstream connection -------------------------------------
    def upstream_response(self, status: int, content_type: bytes | None,
                          custom_attributes: bytes | None, model_latency: int,
                          body: bytes) -> None:
        """The instance answered: relay it (as ``ModelError`` if it is an error)."""
        end = _now_ns()
        inst, variant = self.instance, self.variant
        assert inst is not None and variant is not None  # set by dispatch before sending
        inst.in_flight -= 1
        inst.invocations += 1
        stats = variant.stats
        total = (end - self.t0) // 1000
        if model_latency < 0:
            model_latency = (end - self.t_send) // 1000
        stats.invocations += 1
        stats.model_latency_us += model_latency
        stats.overhead_latency_us += total - model_latency if total > model_latency else 0
        if status < 400:
            headers = variant.header
            if content_type is not None:
                headers = b"Content-Type: " + content_type + b"\r\n" + headers
            if custom_attributes is not None:
                headers += b"X-Amzn-SageMaker-Custom-Attributes: " + custom_attributes + b"\r\n"
            self.conn.respond(status, headers, body)
            return
        stats.errors += 1
        original = body[:65536].decode("utf-8", "replace")
        kind = "client" if status < 500 else "server"
        headers, reply = error_body(
            "ModelError",
            f'Received {kind} error ({status}) from model with message "{original}".',
            OriginalStatusCode=status,
            OriginalMessage=original,
            LogStreamArn=f"instance/{inst.id}",
        )
        self.conn.respond(424, headers + variant.header, reply)

    def upstream_failed(self, kind: str, reused: bool) -> None:
        """The exchange with the instance failed; retry where that cannot repeat work."""
        inst = self.instance
        assert inst is not None  # set by dispatch before sending
        inst.in_flight -= 1
        if kind == DROPPED and reused:
            # An idle pooled connection may have been closed by the instance just as we
            # wrote to it: try once more on a fresh one before blaming the instance.
            inst.in_flight += 1
            inst.send(self.head, self.req.body, self, fresh=True)
            return
        inst.failures += 1
        if kind == CONNECT_FAILED or (kind == DROPPED and self.drops < _MAX_DROPS):
            self.drops += kind == DROPPED
            inst.mark_unhealthy()
            self.instance = None
            self.dispatch()
            return
        if kind == TIMED_OUT:
            message = (f"Your invocation timed out while waiting for a response from "
                       f"instance {inst.id}.")
        else:
            inst.mark_unhealthy()
            message = f"Instance {inst.id} closed the connection without a complete response."
        self._error(424, "ModelError", message)

    def _error(self, status: int, code: str, message: str) -> None:
        variant = self.variant
        headers, body = error_body(code, message)
        if variant is not None:
            variant.stats.invocations += 1
            variant.stats.errors += 1
            headers += variant.header
        self.conn.respond(status, headers, body)
