"""The model server: one process (or one uvicorn supervisor) per endpoint instance.

    python -m jupyter_mlstudio.serving.modelserver --model-dir DIR
        (--host 127.0.0.1 --port PORT | --uds SOCKET)
        [--code-dir DIR --program NAME] [--framework NAME] [--workers N]
        [--max-payload-mb 6] [--timeout SECONDS] [--status-file PATH]

Answers ``GET /ping`` (200 once the model is loaded, 503 before), ``POST /invocations``
and ``GET /execution-parameters`` like a SageMaker inference container. A single process
loads the model in the background (``/ping`` answers 503 meanwhile); with ``--workers N``
each uvicorn worker loads it before it starts accepting, so no request reaches a worker
still loading. ``--status-file`` follows the load (``loading``, ``ready``, ``failed`` with a
one-line reason) and a failed load ends the process with exit code 1. ``--framework``
(``sklearn``, ``xgboost``, ``pytorch``…: what the model's image is) picks the defaults of that
SageMaker framework container (:mod:`.flavours`).

Endpoints and transform jobs run it with ``--uds``: a unix socket in a folder only the
server's user can open is the model server's access control (the router and the
transform runner are its only callers); ``--port`` is for running it by hand, as a
SageMaker container's ``serve``.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import inference

APP_MODULE = "jupyter_mlstudio.serving.modelserver.server"
CONFIG_ENV = "MLSTUDIO_MODEL_SERVER_CONFIG"
LATENCY_HEADER = "X-Mlstudio-Model-Latency"
LATENCY_HEADER_BYTES = LATENCY_HEADER.lower().encode()
DEFAULT_TIMEOUT = 60.0
DEFAULT_PAYLOAD_MB = 6.0

# The uvicorn server of a single-process run, so a failed load can stop it.
_SERVER: Any = None


@dataclass
class ServerConfig:
    """What one model server serves and how; passed to uvicorn workers through the env."""

    model_dir: str
    code_dir: str | None = None
    program: str | None = None
    framework: str | None = None
    workers: int = 1
    max_payload_mb: float = DEFAULT_PAYLOAD_MB
    timeout: float = DEFAULT_TIMEOUT
    status_file: str | None = None
    main_pid: int = 0

    @property
    def max_payload_bytes(self) -> int:
        return int(self.max_payload_mb * 1024 * 1024)

    @classmethod
    def from_env(cls) -> ServerConfig:
        return cls(**json.loads(os.environ[CONFIG_ENV]))


def write_status(
    path: str | None, status: str, reason: str | None = None, pid: int | None = None
) -> None:
    """Atomically write the status file ``{"status", "reason", "pid"}`` (if there is one)."""
    if not path:
        return
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump({"status": status, "reason": reason, "pid": pid or os.getpid()}, f)
    os.replace(tmp, path)


def read_status(path: str | None) -> dict[str, Any]:
    """The status file's content, ``{}`` if absent or unreadable."""
    try:
        with open(path or "") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


class InvocationTimeout(BaseException):
    """Raised into a user function running past the time-out.

    A ``BaseException`` so that a user's ``except Exception`` does not swallow it.
    """


class ModelService:
    """The loaded model and the handlers that serve it, inside one server process."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.handlers: inference.Handlers | None = None
        self.model: Any = None
        self.ready = False
        self.failed = False
        # Invocations run inline in the event loop (measured ~10% more requests/s than a
        # thread hop), with SIGALRM enforcing the time-out; off the main thread, where no
        # signal handler can be set, they run in a thread pool instead.
        self.inline = False
        self._pool: ThreadPoolExecutor | None = None
        self._armed = False

    def setup_invoking(self) -> None:
        """Invoke inline with a SIGALRM time-out, or in a thread pool off the main thread."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGALRM, self._on_alarm)
            self.inline = True
        else:
            self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="invoke")

    def load(self) -> bool:
        """Import the user code and load the model; report to the status file and stderr."""
        cfg = self.config
        model_dir = Path(cfg.model_dir)
        try:
            handlers = inference.handlers_for(
                model_dir, Path(cfg.code_dir) if cfg.code_dir else None, cfg.program,
                cfg.framework)
            self.model = inference.load_model(handlers, model_dir)
            self.handlers = handlers
        except BaseException as err:
            reason = str(err) if isinstance(err, inference.ModelLoadError) else (
                inference.describe(err))
            print(f"model server: loading the model failed: {reason}", file=sys.stderr)
            traceback.print_exc()
            sys.stderr.flush()
            self.failed = True
            write_status(cfg.status_file, "failed", reason, cfg.main_pid)
            return False
        # Everything loaded so far lives as long as the process: keeping it out of the
        # collector's full passes (~70 ms each with scikit-learn imported) cuts p99 latency.
        gc.collect()
        gc.freeze()
        print(f"model server: model loaded from {model_dir}", file=sys.stderr, flush=True)
        # The status file says ready before /ping does: whoever sees 200 finds it so.
        if read_status(cfg.status_file).get("status") != "failed":
            write_status(cfg.status_file, "ready", pid=cfg.main_pid)
        self.ready = True
        return True

    def _load_then_stop_on_failure(self) -> None:
        if not self.load() and _SERVER is not None:
            _SERVER.should_exit = True

    async def startup(self) -> None:
        """Start serving: one process answers 503 while the model loads in the background;
        a uvicorn worker loads first, so no request reaches a worker still loading."""
        self.setup_invoking()
        if self.config.workers == 1:
            threading.Thread(
                target=self._load_then_stop_on_failure, name="model-loader", daemon=True
            ).start()
        elif not await asyncio.to_thread(self.load):
            # A failed startup makes uvicorn's supervisor stop every worker; main() exits 1.
            raise RuntimeError("the model failed to load")

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if self._armed:
            raise InvocationTimeout()

    def _invoke_inline(self, body: bytes, content_type: str, accept: str) -> inference.Reply:
        assert self.handlers is not None
        signal.setitimer(signal.ITIMER_REAL, self.config.timeout)
        self._armed = True
        try:
            return inference.invoke(self.handlers, self.model, body, content_type, accept)
        finally:
            self._armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)

    async def invoke(self, body: bytes, content_type: str, accept: str) -> inference.Reply:
        """Run one invocation; raises :class:`InvocationTimeout` past the time-out."""
        if self.inline:
            return self._invoke_inline(body, content_type, accept)
        assert self.handlers is not None
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self._pool, inference.invoke, self.handlers, self.model, body, content_type, accept)
        try:
            return await asyncio.wait_for(future, self.config.timeout)
        except asyncio.TimeoutError:
            raise InvocationTimeout() from None


class _Disconnected(Exception):
    pass


def _json_body(status: int, message: str) -> bytes:
    return json.dumps({"code": status, "message": message}).encode()


def _error_reply(status: int, message: str) -> inference.Reply:
    return inference.Reply(_json_body(status, message), inference.JSON, status)


class Invocations:
    """``POST /invocations`` as a bare ASGI endpoint: the hot path, kept lean.

    Skipping Starlette's Request/Response objects here measured ~15% more requests/s.
    """

    def __init__(self, service: ModelService) -> None:
        self.service = service
        self.limit = service.config.max_payload_bytes
        mb = service.config.max_payload_mb
        self.too_large = f"payload larger than the {mb:g} MB limit"
        timeout = service.config.timeout
        self.too_slow = f"the invocation took longer than the {timeout:g} s time-out"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.service.ready:
            return await self._respond(send, 503, _json_body(503, "the model is not loaded yet"))
        content_type = accept = ""
        length = -1
        for key, value in scope["headers"]:
            if key == b"content-type":
                content_type = value.decode("latin-1")
            elif key == b"accept":
                accept = value.decode("latin-1")
            elif key == b"content-length" and value.isdigit():
                length = int(value)
        try:
            body = None if length > self.limit else await self._read_body(receive)
        except _Disconnected:
            return
        if body is None:
            # uvicorn discards the rest of the body (never buffered) and keeps the
            # connection: closing it mid-upload could reset it before the client reads 413.
            return await self._respond(send, 413, _json_body(413, self.too_large))
        start = time.perf_counter()
        try:
            reply = await self.service.invoke(body, content_type, accept)
        except InvocationTimeout:
            reply = _error_reply(504, self.too_slow)
        except inference.InferenceError as err:
            print(f"model server: invocation answered {err.status}: {err}", file=sys.stderr,
                  flush=True)
            reply = _error_reply(err.status, str(err))
        except Exception as err:
            print("model server: invocation failed", file=sys.stderr)
            traceback.print_exc()
            sys.stderr.flush()
            reply = _error_reply(500, inference.describe(err, limit=2000))
        latency = str(int((time.perf_counter() - start) * 1e6)).encode()
        await self._respond(send, reply.status, reply.body, reply.content_type, latency)

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The body, or None once it grows past the limit (the rest is left unread)."""
        message = await receive()
        body = message.get("body", b"")
        if not message.get("more_body"):
            if message["type"] == "http.disconnect":
                raise _Disconnected()
            return body if len(body) <= self.limit else None
        chunks = [body]
        size = len(body)
        while message.get("more_body"):
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    async def _respond(
        send: Send,
        status: int,
        content: bytes,
        media_type: str | None = inference.JSON,
        latency: bytes | None = None,
    ) -> None:
        headers = [(b"content-length", str(len(content)).encode())]
        if media_type:
            headers.append((b"content-type", media_type.encode("latin-1")))
        if latency is not None:
            headers.append((LATENCY_HEADER_BYTES, latency))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


class ModelServerApp(Starlette):
    """Starlette, with ``POST /invocations`` going straight to its endpoint.

    Bypassing the middleware stack and the router on the hot path measured ~10% more
    requests/s; everything else (and errors outside the endpoint) takes the normal route.
    """

    def __init__(self, invocations: Invocations, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.invocations = invocations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/invocations" \
                and scope["method"] == "POST":
            return await self.invocations(scope, receive, send)
        await super().__call__(scope, receive, send)


def create_app(config: ServerConfig | None = None) -> Starlette:
    """The Starlette app serving ``config`` (read from the environment when not given)."""
    config = config or ServerConfig.from_env()
    service = ModelService(config)

    async def ping(request: Request) -> Response:
        if service.ready:
            return Response(b"\n", 200, media_type="text/plain")
        return Response(b"loading\n", 503, media_type="text/plain")

    async def execution_parameters(request: Request) -> JSONResponse:
        return JSONResponse({
            "MaxConcurrentTransforms": config.workers,
            "BatchStrategy": "MultiRecord",
            "MaxPayloadInMB": int(config.max_payload_mb),
        })

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await service.startup()
        yield

    invocations = Invocations(service)
    app = ModelServerApp(
        invocations,
        routes=[
            Route("/ping", ping, methods=["GET"]),
            Route("/invocations", invocations, methods=["POST"]),
            Route("/execution-parameters", execution_parameters, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.service = service
    return app


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def parse_args(argv: list[str] | None = None) -> tuple[ServerConfig, dict[str, Any]]:
    """The server config and where to listen (uvicorn's ``host``/``port`` or ``uds``),
    from the command line (and SageMaker env vars)."""
    parser = argparse.ArgumentParser(prog="python -m jupyter_mlstudio.serving.modelserver")
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--uds", help="serve on this unix socket instead of host:port")
    parser.add_argument("--code-dir")
    parser.add_argument("--program")
    parser.add_argument("--framework", help="the SageMaker framework whose defaults serve "
                        "(sklearn, xgboost, pytorch...)")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--max-payload-mb", type=float)
    parser.add_argument("--timeout", type=float)
    parser.add_argument("--status-file")
    args = parser.parse_args(argv)
    program = args.program or os.environ.get("SAGEMAKER_PROGRAM") or None
    code_dir = args.code_dir
    submit_dir = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY", "")
    if code_dir is None and program and os.path.isdir(submit_dir):
        code_dir = submit_dir
    config = ServerConfig(
        model_dir=os.path.abspath(args.model_dir),
        code_dir=os.path.abspath(code_dir) if code_dir else None,
        program=program,
        framework=args.framework or None,
        workers=max(1, args.workers or int(_env_float("SAGEMAKER_MODEL_SERVER_WORKERS", 1))),
        max_payload_mb=args.max_payload_mb
        or _env_float("SAGEMAKER_MAX_PAYLOAD_IN_MB", DEFAULT_PAYLOAD_MB),
        timeout=args.timeout or _env_float("SAGEMAKER_MODEL_SERVER_TIMEOUT", DEFAULT_TIMEOUT),
        status_file=os.path.abspath(args.status_file) if args.status_file else None,
    )
    where: dict[str, Any] = (
        {"uds": args.uds} if args.uds else {"host": args.host, "port": args.port})
    return config, where


def _fastest(module: str, fallback: str) -> str:
    """``module`` where it imports (in another Python it may be built for another
    version), else uvicorn's pure-Python ``fallback``."""
    try:
        __import__(module)
    except ImportError:
        return fallback
    return module


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM; 1 if the model failed to load or the server could not start."""
    import tempfile

    import uvicorn

    global _SERVER
    config, where = parse_args(argv)
    config.main_pid = os.getpid()
    own_status = None
    if config.workers > 1 and not config.status_file:
        # uvicorn workers report a failed load to this process through the status file.
        fd, own_status = tempfile.mkstemp(prefix="mlstudio-model-server-", suffix=".json")
        os.close(fd)
        config.status_file = own_status
    write_status(config.status_file, "loading")
    os.environ[CONFIG_ENV] = json.dumps(asdict(config))
    options: dict[str, Any] = dict(
        **where, loop=_fastest("uvloop", "asyncio"), http=_fastest("httptools", "h11"),
        access_log=False,
        log_level="info", lifespan="on", timeout_graceful_shutdown=config.timeout + 5,
    )
    try:
        if config.workers > 1:
            uvicorn.run(f"{APP_MODULE}:create_app", factory=True, workers=config.workers, **options)
            failed = read_status(config.status_file).get("status") == "failed"
        else:
            app = create_app(config)
            _SERVER = uvicorn.Server(uvicorn.Config(app, **options))
            _SERVER.run()
            if not _SERVER.started:
                raise SystemExit(1)
            failed = app.state.service.failed
    except SystemExit as exit_:
        if exit_.code in (0, None):
            return 0
        address = where.get("uds") or f"{where.get('host')}:{where.get('port')}"
        write_status(config.status_file, "failed", f"the server could not start on {address}")
        return 1
    finally:
        if own_status:
            os.unlink(own_status)
    return 1 if failed else 0
