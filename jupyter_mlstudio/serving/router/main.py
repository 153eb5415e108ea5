"""The endpoint router: one process in front of every model-server instance.

``python -m jupyter_mlstudio.serving.router --host 127.0.0.1 --port PORT --token-file F``:
the control token is read from ``F`` (which is then deleted) or else from
``MLSTUDIO_ROUTER_TOKEN``. It serves ``POST /endpoints/<name>/invocations``
(what boto3's ``sagemaker-runtime`` ``invoke_endpoint`` calls) by the routing table the
Jupyter server sets through ``/_router/…``; see ``app`` for both APIs.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
from typing import Sequence

from .app import RouterApp
from .auth import RouterAuth, host_names
from .http import HttpConnection, ServerState
from .table import RoutingTable
from .upstream import UpstreamSettings, sweep_forever

TOKEN_ENV = "MLSTUDIO_ROUTER_TOKEN"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The router's command line."""
    p = argparse.ArgumentParser(prog="python -m jupyter_mlstudio.serving.router",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--max-payload-mb", type=float, default=6.0,
                   help="largest request body accepted (413 beyond it)")
    p.add_argument("--wait-for-instance", type=float, default=30.0,
                   help="seconds a request waits for a healthy instance before a 503")
    p.add_argument("--max-held-mb", type=float, default=256.0,
                   help="request bodies that may wait for a healthy instance at once; "
                        "beyond it, a request with no instance to go to gets a 503 at once")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds an instance has to answer one request")
    p.add_argument("--fd", type=int,
                   help="serve on this inherited listening socket (bound to host:port by "
                        "the Jupyter server, which keeps it while the router restarts)")
    p.add_argument("--wait-ready", action="store_true",
                   help="hold invocations until the control API's POST /_router/ready")
    p.add_argument("--token-file",
                   help="file holding the control token; read, then deleted")
    p.add_argument("--allow-host", action="append", default=[],
                   help="a further Host header value (name:port) that names this router")
    return p.parse_args(argv)


async def serve(args: argparse.Namespace, token: str) -> None:
    """Run until SIGTERM or SIGINT, then stop accepting, finish what is in flight, return."""
    loop = asyncio.get_running_loop()
    settings = UpstreamSettings(timeout=args.timeout)
    table = RoutingTable(settings)
    auth = RouterAuth(token, host_names(args.host, args.port, args.allow_host))
    app = RouterApp(table, auth, args.wait_for_instance, loop,
                    max_held_bytes=int(args.max_held_mb * 1024 * 1024),
                    wait_ready=args.wait_ready)
    state = ServerState(app.handle, int(args.max_payload_mb * 1024 * 1024), loop)
    if args.fd is not None:
        server = await loop.create_server(lambda: HttpConnection(state),
                                          sock=socket.socket(fileno=args.fd), backlog=1024)
    else:
        server = await loop.create_server(lambda: HttpConnection(state), args.host,
                                          args.port, backlog=1024, reuse_address=True)
    sweeper = loop.create_task(sweep_forever(settings))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()

    server.close()
    state.close_idle()
    # Everything in flight ends within the hold and per-request time-outs.
    deadline = loop.time() + args.wait_for_instance + args.timeout + 5
    while state.connections and loop.time() < deadline:
        await asyncio.sleep(0.05)
    sweeper.cancel()
    for inst in list(settings.instances):
        inst.close()


def read_token(path: str | None) -> str:
    """The control token: from ``path`` (deleted once read), else the environment."""
    if not path:
        return os.environ.get(TOKEN_ENV, "")
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return ""
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = parse_args(argv)
    token = read_token(args.token_file)
    if not token:
        print(f"give the control token in --token-file or {TOKEN_ENV}", file=sys.stderr)
        return 2
    try:
        import uvloop
    except ImportError:  # still correct without it, only slower
        asyncio.run(serve(args, token))
    else:
        uvloop.run(serve(args, token))
    return 0
