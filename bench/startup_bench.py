"""Jupyter server start time with and without jupyter_mlstudio, median of N runs.

    .venv/bin/python bench/startup_bench.py [--runs 5]

Each run starts `jupyter server` in a fresh HOME and measures the time until
`/api/status` answers; with the extension also until the embedded S3 store is
healthy. Prints a table and the ratio against the server without the extension.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import launch_server  # noqa: E402


def one_start(with_extension: bool) -> tuple[float, float | None]:
    """Seconds to the server answering, and (with the extension) to a healthy store."""
    enabled = "True" if with_extension else "False"
    t0 = time.perf_counter()
    server = launch_server(
        Path(tempfile.mkdtemp(prefix="mlstudio-bench-")),
        "server",
        f"--ServerApp.jpserver_extensions={{'jupyter_mlstudio': {enabled}}}",
    )
    up = healthy = None
    try:
        while time.perf_counter() - t0 < 60:
            try:
                if up is None and server.get("api/status", timeout=1).ok:
                    up = time.perf_counter() - t0
                    if not with_extension:
                        break
                if up is not None:
                    r = server.get("mlstudio/api/status", timeout=2)
                    if r.ok and r.json()["healthy"]:
                        healthy = time.perf_counter() - t0
                        break
            except requests.RequestException:
                pass
            time.sleep(0.02)
    finally:
        server.stop()
    if up is None:
        raise RuntimeError("server did not start")
    return up, healthy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = [one_start(False)[0] for _ in range(args.runs)]
    ext = [one_start(True) for _ in range(args.runs)]
    base_med = statistics.median(base)
    ext_up = statistics.median(u for u, _ in ext)
    ext_healthy = statistics.median(h for _, h in ext if h is not None)
    print(f"{'server start (median of ' + str(args.runs) + ')':40} {'seconds':>8} {'ratio':>6}")
    print(f"{'jupyter server, no extension':40} {base_med:8.3f} {1:6.2f}")
    print(f"{'with jupyter_mlstudio: answering':40} {ext_up:8.3f} {ext_up / base_med:6.2f}")
    print(f"{'with jupyter_mlstudio: S3 store healthy':40} {ext_healthy:8.3f} "
          f"{ext_healthy / base_med:6.2f}")


if __name__ == "__main__":
    main()
