"""S3 browser API against raw boto3 on the same embedded store, in the same run.

    .venv/bin/python bench/s3_bench.py [--objects 100000] [--size-mib 1024]

1. Listing N objects under one prefix: time to the first page and to a full
   paged walk, through /mlstudio/api/s3 vs boto3 list_objects_v2 (goal ≤ 1.2).
2. Upload and download of one large file: through the API (streamed PUT / GET)
   vs boto3 upload_file / download_file (goal throughput ratio ≥ 0.8), with the
   API side driven by curl, an HTTP client as efficient as a browser, and
   Jupyter server's peak RSS growth (goal ≤ 100 MiB) and the p99 latency of
   /mlstudio/api/status while the transfer runs (goal ≤ 50 ms).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import LiveServer, start_server  # noqa: E402

MiB = 1024 * 1024
BUCKET = "mlstudio"


def fill(server: LiveServer, prefix: str, count: int) -> None:
    client = server.s3_client()
    have = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix, MaxKeys=1).get("KeyCount", 0)
    if have:
        return
    with ThreadPoolExecutor(32) as pool:
        list(pool.map(lambda i: client.put_object(Bucket=BUCKET, Key=f"{prefix}{i:07d}",
                                                  Body=b"x"), range(count)))


def walk_api(server: LiveServer, prefix: str) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    first = None
    token, count = None, 0
    while True:
        params = {"prefix": prefix, "page_size": 1000}
        if token:
            params["continuation_token"] = token
        page = server.get(f"mlstudio/api/s3/default/buckets/{BUCKET}/objects",
                          params=params).json()
        first = first or time.perf_counter() - t0
        count += len(page["objects"])
        token = page["next_token"]
        if not page["truncated"]:
            return first, time.perf_counter() - t0, count


def walk_boto3(client, prefix: str) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    first = None
    token, count = None, 0
    while True:
        kwargs = {"Bucket": BUCKET, "Prefix": prefix, "Delimiter": "/", "MaxKeys": 1000}
        if token:
            kwargs["ContinuationToken"] = token
        page = client.list_objects_v2(**kwargs)
        first = first or time.perf_counter() - t0
        count += len(page.get("Contents", []))
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated"):
            return first, time.perf_counter() - t0, count


class Watch:
    """Samples the server's RSS and times /mlstudio/api/status while something runs."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.proc = psutil.Process(server.proc.pid)
        self.base_rss = self.proc.memory_info().rss
        self.peak_rss = self.base_rss
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._rss), threading.Thread(target=self._ping)]

    def _rss(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, self.proc.memory_info().rss)
            time.sleep(0.02)

    def _ping(self) -> None:
        while not self._stop.is_set():
            t0 = time.perf_counter()
            self.server.get("mlstudio/api/status")
            self.latencies.append(time.perf_counter() - t0)
            time.sleep(0.05)

    def __enter__(self) -> "Watch":
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()

    @property
    def growth_mib(self) -> float:
        return (self.peak_rss - self.base_rss) / MiB

    @property
    def p99_ms(self) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100)[98] * 1000


def curl(server: LiveServer, *args: str) -> None:
    subprocess.run(
        ["curl", "-sS", "--fail", "-H", f"Authorization: token {server.token}", *args],
        check=True, stdout=subprocess.DEVNULL,
    )


def transfer(server: LiveServer, size_mib: int, workdir: Path) -> list[tuple]:
    client = server.s3_client()
    src = workdir / "big.bin"
    with open(src, "wb") as f:
        block = os.urandom(MiB)
        for _ in range(size_mib):
            f.write(block)
    size = src.stat().st_size
    rows = []

    t0 = time.perf_counter()
    client.upload_file(str(src), BUCKET, "bench/boto3.bin")
    boto_up = size / (time.perf_counter() - t0) / MiB

    api = f"{server.url}mlstudio/api/s3/default/buckets/{BUCKET}"
    with Watch(server) as up_watch:
        t0 = time.perf_counter()
        curl(server, "-T", str(src), f"{api}/upload?key=bench/api.bin")
        api_up = size / (time.perf_counter() - t0) / MiB
    rows.append(("upload MiB/s", api_up, boto_up, up_watch))

    t0 = time.perf_counter()
    client.download_file(BUCKET, "bench/boto3.bin", str(workdir / "boto3.out"))
    boto_down = size / (time.perf_counter() - t0) / MiB
    with Watch(server) as down_watch:
        t0 = time.perf_counter()
        curl(server, "-o", str(workdir / "api.out"), f"{api}/download?key=bench/api.bin")
        api_down = size / (time.perf_counter() - t0) / MiB
    rows.append(("download MiB/s", api_down, boto_down, down_watch))
    assert (workdir / "api.out").stat().st_size == size
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3, help="listing walks per side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlstudio-s3-bench-") as tmp:
        work = Path(tmp)
        server = start_server(work / "home")
        try:
            prefix = "bench/many/"
            t0 = time.perf_counter()
            fill(server, prefix, args.objects)
            print(f"created {args.objects} objects in {time.perf_counter() - t0:.0f} s")
            client = server.s3_client()
            api = [walk_api(server, prefix) for _ in range(args.runs)]
            raw = [walk_boto3(client, prefix) for _ in range(args.runs)]
            assert api[0][2] == raw[0][2] == args.objects, (api[0][2], raw[0][2])
            print(f"\n{'listing ' + str(args.objects) + ' objects (median)':34}"
                  f"{'API s':>9}{'boto3 s':>9}{'ratio':>7}  goal")
            for label, i in (("first page", 0), ("full paged walk", 1)):
                a = statistics.median(r[i] for r in api)
                b = statistics.median(r[i] for r in raw)
                print(f"{label:34}{a:9.3f}{b:9.3f}{a / b:7.2f}  <= 1.2")
            print(f"\n{str(args.size_mib) + ' MiB transfer':34}{'API':>9}{'boto3':>9}"
                  f"{'ratio':>7}  goal   server RSS growth  status p99")
            for label, a, b, watch in transfer(server, args.size_mib, work):
                print(f"{label:34}{a:9.1f}{b:9.1f}{a / b:7.2f}  >= 0.8 "
                      f"{watch.growth_mib:10.1f} MiB {watch.p99_ms:9.1f} ms "
                      f"({len(watch.latencies)} calls)")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
