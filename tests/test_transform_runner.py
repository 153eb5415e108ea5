"""The batch transform runner as a real process: real S3 (SeaweedFS), real model servers."""
from __future__ import annotations

import gzip
import json
import os
import re
import signal
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
import requests

from jupyter_mlstudio.process import spawn_group, stop_group
from jupyter_mlstudio.serving.transform.records import (
    join_input,
    multi_record,
    single_record,
)
from jupyter_mlstudio.serving.transform.spec import MiB, TransformError

BUCKET = "mlstudio"

# A tiny inference container: GET /ping, POST /invocations. Modes: sum (of each CSV
# row), first (first CSV field), echo, json (JSON lines {"x": [...]} -> {"sum": ...}).
# A payload holding "BAD" is refused with 415; every request is noted in a stats file.
MODEL_SERVER = r'''
import json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, mode, delay, stats_path = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
lock = threading.Lock()


def lines(body):
    return [line for line in body.split(b"\n") if line.strip()]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body in one send: no Nagle / delayed-ACK stalls

    def log_message(self, *args):
        pass

    def reply(self, code, body, ctype="text/csv"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.reply(200 if self.path == "/ping" else 404, b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ctype = self.headers.get("Content-Type", "")
        with lock, open(stats_path, "a") as f:
            count = body.count(b"\n")
            f.write(f"{len(body)} {count} {ctype} {self.headers.get('Accept')}\n")
        if b"BAD" in body:
            return self.reply(415, b"bad record in payload")
        if mode != "echo" and ("json" in ctype) != (mode == "json"):
            return self.reply(415, f"unsupported content type {ctype}".encode())
        time.sleep(delay)
        if mode == "echo":
            return self.reply(200, body)
        if mode == "json":
            out = [json.dumps({"sum": sum(json.loads(x)["x"])}) for x in lines(body)]
            return self.reply(200, "\n".join(out).encode(), "application/jsonlines")
        if mode == "first":
            out = [x.split(b",", 1)[0] for x in lines(body)]
        else:
            out = [str(sum(int(v) for v in x.split(b","))).encode() for x in lines(body)]
        self.reply(200, b"\n".join(out))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
'''


# -- fixtures ---------------------------------------------------------------------------
@pytest.fixture
def s3(s3_env):
    return s3_env.client(timeout=30.0)


@pytest.fixture
def prefix(s3):
    name = f"transform-{uuid.uuid4().hex[:8]}"
    yield name
    for key in keys_under(s3, f"{name}/"):
        s3.delete_object(Bucket=BUCKET, Key=key)


class ModelServer:
    def __init__(self, proc, url: str, stats: Path) -> None:
        self.proc, self.url, self.stats = proc, url, stats

    def requests(self) -> list[tuple[int, int, str, str]]:
        if not self.stats.exists():
            return []
        rows = [line.split(" ") for line in self.stats.read_text().splitlines()]
        return [(int(a), int(b), c, d) for a, b, c, d in rows]


@pytest.fixture
def model_server(tmp_path):
    script = tmp_path / "model_server.py"
    script.write_text(MODEL_SERVER)
    started: list[ModelServer] = []

    def start(mode: str = "sum", delay: float = 0.0) -> ModelServer:
        n = len(started)
        port_file, stats = tmp_path / f"port{n}", tmp_path / f"stats{n}"
        proc = spawn_group([sys.executable, str(script), str(port_file), mode, str(delay),
                            str(stats)], log_path=tmp_path / f"server{n}.log")
        deadline = time.monotonic() + 10
        while not port_file.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "model server died"
            time.sleep(0.02)
        url = f"http://127.0.0.1:{port_file.read_text()}"
        assert requests.get(f"{url}/ping", timeout=5).status_code == 200
        server = ModelServer(proc, url, stats)
        started.append(server)
        return server

    yield start
    for server in started:
        stop_group(server.proc, grace=2)


class Job:
    def __init__(self, job_dir: Path, proc) -> None:
        self.dir, self.proc = job_dir, proc

    def state(self) -> dict:
        try:
            return json.loads((self.dir / "state.json").read_text())
        except FileNotFoundError:
            return {}

    def log(self) -> str:
        return (self.dir / "runner.log").read_text()

    def wait(self, timeout: float = 60.0) -> dict:
        try:
            code = self.proc.wait(timeout=timeout)
        except Exception:
            stop_group(self.proc, grace=1)
            raise AssertionError(f"runner did not finish:\n{self.log()}")
        state = self.state()
        state["exit_code"] = code
        return state


@pytest.fixture
def run_job(tmp_path, s3_env):
    started: list[Job] = []

    def start(spec: dict) -> Job:
        job_dir = tmp_path / f"job{len(started)}"
        job_dir.mkdir()
        (job_dir / "spec.json").write_text(json.dumps(spec))
        proc = spawn_group([sys.executable, "-m", "jupyter_mlstudio.serving.transform",
                            str(job_dir)], env=os.environ, log_path=job_dir / "runner.log")
        job = Job(job_dir, proc)
        started.append(job)
        return job

    yield start
    for job in started:
        stop_group(job.proc, grace=2)


def make_spec(prefix: str, servers: list[ModelServer], **overrides) -> dict:
    spec = {
        "TransformJobName": f"job-{prefix}", "ModelName": "m",
        "MaxConcurrentTransforms": 4, "MaxPayloadInMB": 1, "BatchStrategy": "MultiRecord",
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                            "S3Uri": f"s3://{BUCKET}/{prefix}/in"}},
            "ContentType": "text/csv", "CompressionType": "None", "SplitType": "Line"},
        "TransformOutput": {"S3OutputPath": f"s3://{BUCKET}/{prefix}/out",
                            "Accept": "text/csv", "AssembleWith": "Line"},
        "DataProcessing": {"JoinSource": "None"},
        "InstanceUrls": [s.url for s in servers],
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(spec.get(key), dict):
            spec[key] = {**spec[key], **value}
        else:
            spec[key] = value
    return spec


def csv_rows(count: int, width: int = 3, start: int = 0) -> list[list[int]]:
    return [[i + start + k for k in range(width)] for i in range(count)]


def to_csv(rows: list[list[int]]) -> bytes:
    return "".join(",".join(map(str, r)) + "\n" for r in rows).encode()


def get(s3, key: str) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def keys_under(s3, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def uploads_under(s3, prefix: str) -> list[str]:
    resp = s3.list_multipart_uploads(Bucket=BUCKET, Prefix=prefix)
    return [u["Key"] for u in resp.get("Uploads", [])]


# -- record splitting (pure functions) -------------------------------------------------
def test_multi_record_packs_whole_lines_within_the_limit():
    data = b"".join(b"%d,xxxxxxxx\n" % i for i in range(1000)) + b"\n\r\nlast"
    chunks = [data[i:i + 777] for i in range(0, len(data), 777)]
    got = list(multi_record(chunks, 1000, "s3://b/k"))
    assert all(len(p) <= 1000 and p.endswith(b"\n") for p, _ in got)
    assert sum(n for _, n in got) == 1001
    assert b"".join(p for p, _ in got) == data.replace(b"\n\r\n", b"") + b"\n"
    with pytest.raises(TransformError, match=r"s3://b/k: the record at line 3 is larger"):
        list(multi_record([b"a\nb\n" + b"x" * 2 * MiB], MiB, "s3://b/k"))


def test_single_record_and_join_shapes():
    got = list(single_record([b"1,2\r\n\n3,", b"4\n5,6"], 100, "w"))
    assert got == [(b"1,2\r\n", 1), (b"3,4\n", 1), (b"5,6\n", 1)]
    joined = join_input(b"1,2\n3,4\n", b"3\n7", split_type="Line", content_type="text/csv",
                        accept="text/csv", what="w")
    assert joined == b"1,2,3\n3,4,7\n"
    joined = join_input(b'{"a": 1}\n{"a": 2}\n', b'{"predictions": [0.5, 0.7]}',
                        split_type="Line", content_type="application/jsonlines",
                        accept="application/json", what="w")
    assert [json.loads(x) for x in joined.splitlines()] == [
        {"a": 1, "SageMakerOutput": 0.5}, {"a": 2, "SageMakerOutput": 0.7}]
    with pytest.raises(TransformError, match="returned 1 output lines for 2 input records"):
        join_input(b"1\n2\n", b"3\n", split_type="Line", content_type="text/csv",
                   accept="text/csv", what="w")


# -- the runner against S3 and model servers -------------------------------------------
def test_multi_file_prefix_multirecord(s3, prefix, model_server, run_job):
    files = {"a.csv": csv_rows(10), "sub/b.csv": csv_rows(250_000, start=7),
             "c.csv": csv_rows(1000, width=5)}
    for rel, rows in files.items():
        s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/{rel}", Body=to_csv(rows))
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/folder/", Body=b"")
    servers = [model_server(), model_server()]
    job = run_job(make_spec(prefix, servers))
    state = job.wait()
    assert state["status"] == "Completed", job.log()
    assert state["exit_code"] == 0 and state["failure_reason"] is None
    out = f"s3://{BUCKET}/{prefix}/out"
    assert state["outputs"] == [f"{out}/a.csv.out", f"{out}/c.csv.out", f"{out}/sub/b.csv.out"]
    assert keys_under(s3, f"{prefix}/out/") == [
        f"{prefix}/out/a.csv.out", f"{prefix}/out/c.csv.out", f"{prefix}/out/sub/b.csv.out"]
    for rel, rows in files.items():
        got = get(s3, f"{prefix}/out/{rel}.out").decode().splitlines()
        assert got == [str(sum(r)) for r in rows], rel
    total = sum(len(rows) for rows in files.values())
    progress = state["progress"]
    assert progress["files_total"] == progress["files_done"] == 3
    assert progress["records_done"] == total
    assert progress["bytes_done"] == progress["bytes_total"] > 4 * MiB
    calls = servers[0].requests() + servers[1].requests()
    assert len(servers[0].requests()) > 1 and len(servers[1].requests()) > 1
    assert len(calls) >= 5 and all(size <= MiB for size, *_ in calls)
    assert sum(lines for _, lines, *_ in calls) == total
    assert {(c, a) for *_, c, a in calls} == {("text/csv", "text/csv")}


def test_single_record(s3, prefix, model_server, run_job):
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/x.csv", Body=b"1,2\r\n\n3,4\n5,6")
    server = model_server()
    state = run_job(make_spec(prefix, [server], BatchStrategy="SingleRecord")).wait()
    assert state["status"] == "Completed"
    assert get(s3, f"{prefix}/out/x.csv.out") == b"3\n7\n11\n"
    assert sorted(lines for _, lines, *_ in server.requests()) == [1, 1, 1]


def test_split_none_whole_objects_and_too_large(s3, prefix, model_server, run_job):
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/p1.csv", Body=b"1,1\n2,2\n")
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/p2.csv", Body=b"5,5")
    server = model_server()
    spec = make_spec(prefix, [server], TransformInput={"SplitType": "None"},
                     TransformOutput={"AssembleWith": "None"})
    state = run_job(spec).wait()
    assert state["status"] == "Completed"
    assert get(s3, f"{prefix}/out/p1.csv.out") == b"2\n4"
    assert get(s3, f"{prefix}/out/p2.csv.out") == b"10"
    assert state["progress"]["records_done"] == 2 and len(server.requests()) == 2

    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/p3.csv", Body=to_csv(csv_rows(120_000)))
    state = run_job(spec).wait()
    assert state["status"] == "Failed" and state["exit_code"] == 1
    assert state["failure_reason"].startswith(
        f"s3://{BUCKET}/{prefix}/in/p3.csv: the object is larger than MaxPayloadInMB (1 MB)")


def test_gzip_input(s3, prefix, model_server, run_job):
    rows = csv_rows(200_000)
    data = to_csv(rows)
    half = data.index(b"\n", len(data) // 2) + 1  # two gzip members, as `cat a.gz b.gz`
    body = gzip.compress(data[:half]) + gzip.compress(data[half:])
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/data.csv.gz", Body=body)
    spec = make_spec(prefix, [model_server()], TransformInput={"CompressionType": "Gzip"})
    state = run_job(spec).wait()
    assert state["status"] == "Completed"
    got = get(s3, f"{prefix}/out/data.csv.gz.out").decode().splitlines()
    assert got == [str(sum(r)) for r in rows]
    assert state["progress"]["bytes_done"] == len(body)

    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/data.csv.gz", Body=body[:-20])
    state = run_job(spec).wait()
    assert state["status"] == "Failed"
    assert state["failure_reason"] == (
        f"s3://{BUCKET}/{prefix}/in/data.csv.gz: gzip data ends early (truncated file)")


def test_join_source_input_csv_and_json_lines(s3, prefix, model_server, run_job):
    rows = csv_rows(5000)
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/x.csv", Body=to_csv(rows))
    spec = make_spec(prefix, [model_server()], DataProcessing={"JoinSource": "Input"})
    state = run_job(spec).wait()
    assert state["status"] == "Completed", state
    got = get(s3, f"{prefix}/out/x.csv.out").decode().splitlines()
    assert got == [",".join(map(str, r + [sum(r)])) for r in rows]

    lines = [json.dumps({"id": i, "x": [i, 2 * i]}) for i in range(300)]
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/json/x.jsonl",
                  Body="\n".join(lines).encode())
    spec = make_spec(prefix, [model_server("json")], DataProcessing={"JoinSource": "Input"},
                     TransformInput={"ContentType": "application/jsonlines",
                                     "DataSource": {"S3DataSource": {
                                         "S3DataType": "S3Prefix",
                                         "S3Uri": f"s3://{BUCKET}/{prefix}/json"}}},
                     TransformOutput={"S3OutputPath": f"s3://{BUCKET}/{prefix}/jout",
                                      "Accept": "application/jsonlines"})
    state = run_job(spec).wait()
    assert state["status"] == "Completed", state
    got = [json.loads(x) for x in get(s3, f"{prefix}/jout/x.jsonl.out").splitlines()]
    assert got == [{"id": i, "x": [i, 2 * i], "SageMakerOutput": {"sum": 3 * i}}
                   for i in range(300)]


def test_manifest_file_input(s3, prefix, model_server, run_job):
    for name in ("a.csv", "b.csv", "skip.csv"):
        s3.put_object(Bucket=BUCKET, Key=f"{prefix}/data/{name}", Body=b"1,2\n")
    manifest = [{"prefix": f"s3://{BUCKET}/{prefix}/data/"}, "b.csv", "a.csv"]
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/manifest.json", Body=json.dumps(manifest))
    spec = make_spec(prefix, [model_server()], TransformInput={"DataSource": {"S3DataSource": {
        "S3DataType": "ManifestFile", "S3Uri": f"s3://{BUCKET}/{prefix}/manifest.json"}}})
    state = run_job(spec).wait()
    assert state["status"] == "Completed", state
    assert keys_under(s3, f"{prefix}/out/") == [f"{prefix}/out/a.csv.out",
                                                f"{prefix}/out/b.csv.out"]


def test_instance_killed_mid_job(s3, prefix, model_server, run_job):
    rows = csv_rows(600)
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/x.csv", Body=to_csv(rows))
    servers = [model_server(delay=0.01), model_server(delay=0.01)]
    job = run_job(make_spec(prefix, servers, BatchStrategy="SingleRecord"))
    deadline = time.monotonic() + 20
    while job.state().get("progress", {}).get("records_done", 0) < 100:
        assert time.monotonic() < deadline and job.proc.poll() is None, job.log()
        time.sleep(0.02)
    stop_group(servers[1].proc, grace=0)  # SIGKILL, requests in flight included
    state = job.wait()
    assert state["status"] == "Completed", job.log()
    got = get(s3, f"{prefix}/out/x.csv.out").decode().splitlines()
    assert got == [str(sum(r)) for r in rows]
    assert "did not answer" in job.log()


def test_model_error_fails_without_partial_output(s3, prefix, model_server, run_job):
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/part-1.csv", Body=b"1,2\n")
    big = to_csv(csv_rows(600_000)) + b"BAD,1\n" + to_csv(csv_rows(1000))  # 12 MB, then BAD
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/part-2.csv", Body=big)
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/part-3.csv", Body=b"1,2\n")
    job = run_job(make_spec(prefix, [model_server("echo")]))
    state = job.wait()
    assert state["status"] == "Failed" and state["exit_code"] == 1
    assert state["failure_reason"] == (
        f"s3://{BUCKET}/{prefix}/in/part-2.csv: model returned 415: bad record in payload")
    assert keys_under(s3, f"{prefix}/out/") == [f"{prefix}/out/part-1.csv.out"]
    assert f"{prefix}/out/part-2.csv.out: writing in parts" in job.log()  # and aborted:
    assert uploads_under(s3, f"{prefix}/") == []
    assert state["progress"]["files_done"] == 1


def test_sigterm_stops(s3, prefix, model_server, run_job):
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/x.csv", Body=to_csv(csv_rows(400)))
    job = run_job(make_spec(prefix, [model_server(delay=0.1)], BatchStrategy="SingleRecord"))
    deadline = time.monotonic() + 20
    while job.state().get("progress", {}).get("records_done", 0) < 8:
        assert time.monotonic() < deadline and job.proc.poll() is None, job.log()
        time.sleep(0.02)
    job.proc.send_signal(signal.SIGTERM)
    state = job.wait(timeout=30)
    assert state["status"] == "Stopped" and state["exit_code"] == 0, job.log()
    # Stopped where it was, not after the records still to go (~40 s of model time).
    assert state["ended"] and 8 <= state["progress"]["records_done"] < 400
    assert keys_under(s3, f"{prefix}/out/") == [] and uploads_under(s3, f"{prefix}/") == []


def test_empty_prefix_bad_spec_and_no_instance_fail_clearly(
        s3, prefix, model_server, run_job, closed_port):
    server = model_server()
    state = run_job(make_spec(prefix, [server])).wait()
    assert state["status"] == "Failed" and state["exit_code"] == 1
    assert state["failure_reason"] == f"no input objects under s3://{BUCKET}/{prefix}/in"
    state = run_job(make_spec(prefix, [server], TransformInput={"SplitType": "RecordIO"})).wait()
    assert state["status"] == "Failed"
    assert "SplitType RecordIO is not supported" in state["failure_reason"]

    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/x.csv", Body=b"1,2\n")
    gone = ModelServer(None, f"http://127.0.0.1:{closed_port}", Path("-"))
    spec = make_spec(prefix, [gone], ModelClientConfig={"InvocationsMaxRetries": 1})
    state = run_job(spec).wait()
    assert state["status"] == "Failed"
    assert state["failure_reason"].startswith(
        f"s3://{BUCKET}/{prefix}/in/x.csv: no model instance answered after 2 attempts: ")
    assert keys_under(s3, f"{prefix}/out/") == []


def test_large_input_streams_in_bounded_memory(s3, s3_env, prefix, model_server, run_job,
                                               tmp_path):
    count = 1_000_000
    tail = ",0.1234567,0.2345678,0.3456789,0.4567890,0.5678901,0.6789012\n"
    big = tmp_path / "big.csv"
    with open(big, "w") as f:
        for start in range(0, count, 100_000):
            f.write("".join(f"{i}{tail}" for i in range(start, start + 100_000)))
    size = big.stat().st_size
    assert size > 60 * MiB
    with open(big, "rb") as f:
        s3.put_object(Bucket=BUCKET, Key=f"{prefix}/in/big.csv", Body=f)
    servers = [model_server("first"), model_server("first")]
    job = run_job(make_spec(prefix, servers, MaxPayloadInMB=2))
    runner = psutil.Process(job.proc.pid)
    peak = 0
    while job.proc.poll() is None:
        try:
            peak = max(peak, runner.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    state = job.wait()
    assert state["status"] == "Completed", job.log()
    expected = 0
    for line in get(s3, f"{prefix}/out/big.csv.out").splitlines():
        assert int(line) == expected
        expected += 1
    assert expected == count
    assert peak < 150 * MiB, f"peak RSS {peak / MiB:.0f} MB"
    summary = re.search(r"Completed after ([\d.]+) s: .*\((\d+) records/s, ([\d.]+) MB/s\)",
                        job.log())
    assert summary, job.log()
    print(f"\n{size / MiB:.0f} MB, {count} records: {summary.group(1)} s, "
          f"{summary.group(2)} records/s, {summary.group(3)} MB/s, "
          f"peak RSS {peak / MiB:.0f} MB")
