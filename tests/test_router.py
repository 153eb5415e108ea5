"""The endpoint router against real instance processes, over real HTTP (boto3 and requests)."""
from __future__ import annotations

import json
import re
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import psutil
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.credentials import Credential
from jupyter_mlstudio.aws.signing import RequestsSigV4
from jupyter_mlstudio.process import spawn_group, stop_group
from jupyter_mlstudio.s3.ports import free_ports, ports_free
from tests.procs import wait_for
from tests.serving_support import wait_ping

TOKEN = "router-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# The key pair the tests' clients sign with; every router is given it at start.
CRED = Credential("AKIDROUTERTEST", "router-test-secret")
SIGN = RequestsSigV4(CRED, "us-east-1")
MODEL_US = 1000  # the model latency every test instance reports

# A real model-server stand-in: answers /ping and /invocations, echoes its id and what it
# was sent, and obeys "sleep=<s>" / "status=<code>" in the custom-attributes header.
INSTANCE_PY = f'''
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, IID = int(sys.argv[1]), sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Send each reply in one segment (no Nagle / delayed-ACK stalls between its parts).
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.reply(200 if self.path == "/ping" else 404, b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        attrs = self.headers.get("X-Amzn-SageMaker-Custom-Attributes") or ""
        opts = dict(kv.split("=", 1) for kv in attrs.split(";") if "=" in kv)
        time.sleep(float(opts.get("sleep", 0)))
        status = int(opts.get("status", 200))
        if status >= 400:
            self.reply(status, b"model says no: " + IID.encode(), "text/plain")
            return
        out = json.dumps({{"id": IID, "size": len(body), "content_type": self.headers.get(
            "Content-Type"), "accept": self.headers.get("Accept"), "attrs": attrs}}).encode()
        extra = [("X-Mlstudio-Model-Latency", "{MODEL_US}")]
        if attrs:
            extra.append(("X-Amzn-SageMaker-Custom-Attributes", "echo:" + attrs))
        self.reply(200, out, extra=extra)


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 128
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
'''


@dataclass
class Router:
    proc: object
    url: str
    clients: list = field(default_factory=list)

    def put(self, name: str, variants: list[dict]) -> dict:
        resp = requests.put(f"{self.url}/_router/endpoints/{name}", headers=AUTH,
                            json={"variants": variants}, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def delete(self, name: str) -> dict:
        resp = requests.delete(f"{self.url}/_router/endpoints/{name}", headers=AUTH, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def stats(self, name: str) -> dict:
        resp = requests.get(f"{self.url}/_router/stats", headers=AUTH, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()["endpoints"].get(name)

    def invoke(self, name: str, body: bytes = b"1,2", attrs: str = "", variant: str = "",
               timeout: float = 30) -> requests.Response:
        headers = {"Content-Type": "text/csv"}
        if attrs:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = attrs
        if variant:
            headers["X-Amzn-SageMaker-Target-Variant"] = variant
        return requests.post(f"{self.url}/endpoints/{name}/invocations", data=body,
                             headers=headers, timeout=timeout, auth=SIGN)

    def session(self) -> requests.Session:
        """A session whose requests are signed with the tests' key pair."""
        session = requests.Session()
        session.auth = SIGN
        return session

    def runtime(self):
        """boto3's ``sagemaker-runtime`` client, unchanged, without retries (closed with
        the router, see :meth:`close`)."""
        client = boto3.client(
            "sagemaker-runtime", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id=CRED.access_key, aws_secret_access_key=CRED.secret_key,
            config=Config(retries={"total_max_attempts": 1}, read_timeout=30),
        )
        self.clients.append(client)
        return client

    def close(self) -> None:
        """Close the clients made for this router (their pooled connections)."""
        for client in self.clients:
            client.close()
        self.clients.clear()


class Instances:
    """Test instance processes, each stopped by its own pid."""

    def __init__(self, directory: Path):
        self.script = directory / "instance.py"
        self.script.write_text(INSTANCE_PY)
        self.directory = directory
        self.procs: list = []

    def start(self, iid: str, port: int | None = None) -> tuple[dict, object]:
        """Start instance ``iid``; returns its table entry and its process."""
        port = port or free_ports(1)[0]
        proc = spawn_group([sys.executable, str(self.script), str(port), iid],
                           log_path=self.directory / f"{iid}-{port}.log")
        self.procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        wait_ping(url, proc)
        return {"id": iid, "url": url}, proc

    def stop_all(self) -> None:
        for proc in self.procs:
            stop_group(proc, grace=2)


def client_connections(router: Router) -> int:
    """How many connections the router process holds open on its port right now."""
    port = int(router.url.rsplit(":", 1)[1])
    return sum(1 for c in psutil.Process(router.proc.pid).net_connections("tcp")
               if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)


def instance_failures(router: Router, name: str, variant: str, iid: str) -> int:
    """Failed exchanges with instance ``iid``: each one is a request that reached the
    router and was routed there (and then held, where no other instance is healthy)."""
    return router.stats(name)["variants"][variant]["instances"][iid]["failures"]


def start_router(directory: Path, *extra: str) -> Router:
    (port,) = free_ports(1)
    proc = spawn_group(
        [sys.executable, "-m", "jupyter_mlstudio.serving.router", "--host", "127.0.0.1",
         "--port", str(port), *extra],
        env={**os.environ, "MLSTUDIO_ROUTER_TOKEN": TOKEN},
        log_path=directory / f"router-{port}.log",
    )
    router = Router(proc, f"http://127.0.0.1:{port}")
    wait_ping(router.url, proc)
    resp = requests.put(f"{router.url}/_router/credentials", headers=AUTH, timeout=10,
                        json={"credentials": [CRED.to_wire()]})
    assert resp.json() == {"credentials": 1}
    return router


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("router")


@pytest.fixture(scope="module")
def instances(workdir):
    pool = Instances(workdir)
    yield pool
    pool.stop_all()


@pytest.fixture(scope="module")
def router(workdir):
    router = start_router(workdir, "--wait-for-instance", "10", "--timeout", "10")
    yield router
    router.close()
    assert stop_group(router.proc) == 0  # SIGTERM is a clean exit


@pytest.fixture(scope="module")
def impatient_router(workdir):
    """A router with short hold and per-request time-outs."""
    router = start_router(workdir, "--wait-for-instance", "1", "--timeout", "1")
    yield router
    router.close()
    stop_group(router.proc)


@pytest.fixture(scope="module")
def ab(router, instances):
    """Endpoint ``ab``: variant A (weight 0.7) and B (0.3), one instance each."""
    a, _ = instances.start("ab-A-1")
    b, _ = instances.start("ab-B-1")
    router.put("ab", [{"name": "A", "weight": 0.7, "instances": [a]},
                      {"name": "B", "weight": 0.3, "instances": [b]}])
    return router


def test_boto3_invoke_endpoint_unchanged(ab):
    client = ab.runtime()
    resp = client.invoke_endpoint(EndpointName="ab", Body=b"1.0,2.0", ContentType="text/csv",
                                  Accept="application/json", CustomAttributes="trace=7")
    variant = resp["InvokedProductionVariant"]
    assert variant in ("A", "B")
    assert resp["ContentType"] == "application/json"
    assert resp["CustomAttributes"] == "echo:trace=7"
    echoed = json.loads(resp["Body"].read())
    assert echoed == {"id": f"ab-{variant}-1", "size": 7, "content_type": "text/csv",
                      "accept": "application/json", "attrs": "trace=7"}

    request_ids = {resp["ResponseMetadata"]["RequestId"]}
    for target in ("A", "B", "B"):
        resp = client.invoke_endpoint(EndpointName="ab", Body=b"x", TargetVariant=target)
        assert resp["InvokedProductionVariant"] == target
        assert json.loads(resp["Body"].read())["id"] == f"ab-{target}-1"
        request_ids.add(resp["ResponseMetadata"]["RequestId"])
    # Every reply carries its own SageMaker-style request id (a UUID).
    assert len(request_ids) == 4
    assert all(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", i) for i in request_ids)


def test_weights_split_traffic(ab):
    counts = {"A": 0, "B": 0}
    with ab.session() as session:
        for _ in range(1000):
            resp = session.post(f"{ab.url}/endpoints/ab/invocations", data=b"1", timeout=10)
            assert resp.status_code == 200
            counts[resp.headers["X-Amzn-Invoked-Production-Variant"]] += 1
    assert 650 <= counts["A"] <= 750, counts


def test_validation_errors(ab, router):
    client = ab.runtime()
    with pytest.raises(ClientError) as err:
        client.invoke_endpoint(EndpointName="nope", Body=b"1")
    assert err.value.response["Error"] == {"Code": "ValidationError",
                                           "Message": "Endpoint nope not found."}
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err.value.response["ResponseMetadata"]["RequestId"]

    with pytest.raises(ClientError) as err:
        client.invoke_endpoint(EndpointName="ab", Body=b"1", TargetVariant="C")
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert "C" in err.value.response["Error"]["Message"]


def test_all_weights_zero(router, instances):
    a, _ = instances.start("zero-A-1")
    router.put("zero", [{"name": "A", "weight": 0, "instances": [a]}])
    client = router.runtime()
    with pytest.raises(ClientError) as err:
        client.invoke_endpoint(EndpointName="zero", Body=b"1")
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert err.value.response["Error"]["Message"] == (
        "no production variant of endpoint zero has a positive weight")
    # A named variant is still reachable.
    resp = client.invoke_endpoint(EndpointName="zero", Body=b"1", TargetVariant="A")
    assert resp["InvokedProductionVariant"] == "A"
    assert json.loads(resp["Body"].read())["id"] == "zero-A-1"


def test_model_error(ab):
    client = ab.runtime()
    with pytest.raises(ClientError) as err:
        client.invoke_endpoint(EndpointName="ab", Body=b"1", TargetVariant="A",
                               CustomAttributes="status=503")
    response = err.value.response
    assert response["Error"]["Code"] == "ModelError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert response["OriginalStatusCode"] == 503
    assert response["OriginalMessage"] == "model says no: ab-A-1"
    assert "(503)" in response["Error"]["Message"]


def test_stats_add_up(router, instances):
    one, _ = instances.start("st-1")
    two, _ = instances.start("st-2")
    router.put("st", [{"name": "V", "weight": 1, "instances": [one, two]}])
    started = time.perf_counter()
    with router.session() as session:
        for i in range(40):
            resp = session.post(f"{router.url}/endpoints/st/invocations", data=b"1", timeout=10)
            assert resp.status_code == 200
    failed_at = time.perf_counter()
    assert router.invoke("st", attrs="status=500").status_code == 424
    ended = time.perf_counter()
    stats = router.stats("st")["variants"]["V"]
    assert stats["invocations"] == 41
    assert stats["errors"] == 1
    # Only successful replies carry the model's latency header (MODEL_US each); the failed
    # one counts its round trip, which the client timed around it, as model time.
    failed_us = stats["model_latency_us"] - 40 * MODEL_US
    assert 0 < failed_us <= (ended - failed_at) * 1e6
    # The rest of the router's time is overhead, inside what the client measured.
    assert stats["overhead_latency_us"] > 0
    assert stats["model_latency_us"] + stats["overhead_latency_us"] <= (ended - started) * 1e6
    inst = stats["instances"]
    assert inst["st-1"]["invocations"] + inst["st-2"]["invocations"] == 41
    assert abs(inst["st-1"]["invocations"] - inst["st-2"]["invocations"]) <= 1  # turns
    assert all(i["in_flight"] == 0 and i["healthy"] and i["failures"] == 0
               for i in inst.values())

    # A PUT that keeps the variant keeps its counters.
    three, _ = instances.start("st-3")
    router.put("st", [{"name": "V", "weight": 1, "instances": [one, three]}])
    stats = router.stats("st")["variants"]["V"]
    assert stats["invocations"] == 41 and set(stats["instances"]) == {"st-1", "st-3"}


def test_put_applies_while_slow_requests_finish(router, instances):
    a, _ = instances.start("pw-A-1")
    b, _ = instances.start("pw-B-1")
    router.put("pw", [{"name": "A", "weight": 1, "instances": [a]},
                      {"name": "B", "weight": 0, "instances": [b]}])
    with ThreadPoolExecutor(8) as pool:
        slow = [pool.submit(router.invoke, "pw", attrs="sleep=1.5") for _ in range(8)]
        wait_for(lambda: router.stats("pw")["variants"]["A"]["instances"]["pw-A-1"]
                 ["in_flight"] == 8)
        # A leaves the table while its requests run; B takes all traffic at once.
        router.put("pw", [{"name": "B", "weight": 1, "instances": [b]}])
        quick = [router.invoke("pw") for _ in range(10)]
        assert all(r.status_code == 200 for r in quick)
        assert {r.headers["X-Amzn-Invoked-Production-Variant"] for r in quick} == {"B"}
        # The removed instance is still reported while it drains.
        gone = router.stats("pw")["variants"]["A"]
        assert gone["removed"] and gone["weight"] == 0 and "invocations" in gone
        assert gone["instances"]["pw-A-1"]["in_flight"] == 8
        assert gone["instances"]["pw-A-1"]["removed"]
        answers = [f.result() for f in slow]
    assert [r.status_code for r in answers] == [200] * 8
    assert {r.json()["id"] for r in answers} == {"pw-A-1"}
    assert "A" not in router.stats("pw")["variants"]


def test_no_request_lost_when_an_instance_dies(router, instances):
    one, proc_one = instances.start("kd-1")
    two, _ = instances.start("kd-2")
    router.put("kd", [{"name": "V", "weight": 1, "instances": [one, two]}])
    killed = threading.Event()

    def worker(n: int) -> list[int]:
        codes = []
        with router.session() as session:
            for i in range(30):
                resp = session.post(f"{router.url}/endpoints/kd/invocations", data=b"1",
                                    headers={"X-Amzn-SageMaker-Custom-Attributes":
                                             "sleep=0.02"}, timeout=30)
                codes.append(resp.status_code)
                if n == 0 and i == 10:
                    os.kill(proc_one.pid, signal.SIGKILL)
                    killed.set()
        return codes

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(worker, range(8)))
    assert killed.is_set()
    assert [c for codes in results for c in codes] == [200] * 240
    stats = router.stats("kd")["variants"]["V"]
    assert stats["invocations"] == 240 and stats["errors"] == 0
    assert stats["instances"]["kd-1"]["healthy"] is False
    assert stats["instances"]["kd-1"]["failures"] >= 1

    # Back on its old address, the instance is found healthy again by the probe.
    instances.start("kd-1", port=int(one["url"].rsplit(":", 1)[1]))
    wait_for(lambda: router.stats("kd")["variants"]["V"]["instances"]["kd-1"]["healthy"],
             timeout=5)


def test_requests_wait_for_a_restarted_instance(router, instances):
    only, proc = instances.start("rs-1")
    router.put("rs", [{"name": "V", "weight": 1, "instances": [only]}])
    assert router.invoke("rs").status_code == 200
    stop_group(proc, grace=0)
    with ThreadPoolExecutor(4) as pool:
        waiting = [pool.submit(router.invoke, "rs") for _ in range(4)]
        # All four are at the router, and one found the instance gone and is held.
        wait_for(lambda: client_connections(router) >= 4
                 and instance_failures(router, "rs", "V", "rs-1") >= 1, timeout=30)
        assert not any(f.done() for f in waiting)
        # The service restarts the instance elsewhere and registers it again.
        moved, _ = instances.start("rs-1")
        router.put("rs", [{"name": "V", "weight": 1, "instances": [moved]}])
        answers = [f.result() for f in waiting]
    assert [r.status_code for r in answers] == [200] * 4
    assert {r.json()["id"] for r in answers} == {"rs-1"}
    assert router.stats("rs")["variants"]["V"]["instances"]["rs-1"]["url"] == moved["url"]


def test_no_healthy_instance_is_503(impatient_router):
    (port,) = free_ports(1)  # nothing listens there
    impatient_router.put("down", [{"name": "V", "weight": 1, "instances": [
        {"id": "down-1", "url": f"http://127.0.0.1:{port}"}]}])
    t0 = time.monotonic()
    with pytest.raises(ClientError) as err:
        impatient_router.runtime().invoke_endpoint(EndpointName="down", Body=b"1")
    assert err.value.response["Error"]["Code"] == "ServiceUnavailable"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    # The router's own 1 s hold ran out (not the client's 30 s read time-out).
    assert err.value.response["Error"]["Message"].endswith("became available within 1 seconds")
    assert time.monotonic() - t0 >= 0.9
    stats = impatient_router.stats("down")["variants"]["V"]
    assert stats["errors"] == 1 and stats["instances"]["down-1"]["healthy"] is False


def test_held_requests_are_capped(workdir):
    """Requests that wait for an instance hold their bodies: past the cap, a 503 at once."""
    router = start_router(workdir, "--wait-for-instance", "3", "--max-held-mb", "0.01")
    try:
        # Nothing listens at either port; one held request per variant, each seen held
        # by its instance's failed connection.
        ports = free_ports(2)
        router.put("capped", [{"name": f"V{i}", "weight": 1, "instances": [
            {"id": f"capped-{i}", "url": f"http://127.0.0.1:{port}"}]}
            for i, port in enumerate(ports)])
        body = b"1," * 2048  # 4 KiB: two fit under the 10 KiB cap, a third does not
        with ThreadPoolExecutor(2) as pool:
            waiting = [pool.submit(router.invoke, "capped", body, variant=f"V{i}")
                       for i in range(2)]
            wait_for(lambda: all(instance_failures(router, "capped", f"V{i}", f"capped-{i}")
                                 for i in range(2)), timeout=30)
            third = router.invoke("capped", body)
            assert third.status_code == 503
            assert "too many requests are already waiting" in third.json()["message"]
            # Refused at once: the two held before it are still waiting out their 3 s.
            assert not any(f.done() for f in waiting)
            # The two held ones run out their wait as usual.
            assert [f.result().status_code for f in waiting] == [503, 503]
        # Once they are gone, the cap is free again: a request waits its full time.
        t0 = time.monotonic()
        assert router.invoke("capped", body).status_code == 503
        assert time.monotonic() - t0 >= 2.5
    finally:
        assert stop_group(router.proc) == 0


def test_per_request_timeout(impatient_router, instances):
    slow, _ = instances.start("to-1")
    impatient_router.put("to", [{"name": "V", "weight": 1, "instances": [slow]}])
    t0 = time.monotonic()
    resp = impatient_router.invoke("to", attrs="sleep=20")
    assert resp.status_code == 424
    assert resp.headers["x-amzn-ErrorType"] == "ModelError"
    assert "timed out" in resp.json()["message"]
    assert time.monotonic() - t0 < 20  # answered by the 1 s time-out, not by the model
    # A slow model is not a dead one: the instance stays in service.
    assert impatient_router.invoke("to").status_code == 200


def test_delete_lets_in_flight_requests_finish(router, instances):
    inst, _ = instances.start("del-1")
    router.put("del", [{"name": "V", "weight": 1, "instances": [inst]}])
    with ThreadPoolExecutor(4) as pool:
        slow = [pool.submit(router.invoke, "del", attrs="sleep=1") for _ in range(4)]
        wait_for(lambda: router.stats("del")["variants"]["V"]["instances"]["del-1"]
                 ["in_flight"] == 4)
        assert router.delete("del") == {"name": "del", "deleted": True}
        after = router.invoke("del")
        assert after.status_code == 400
        assert after.json()["message"] == "Endpoint del not found."
        assert [f.result().status_code for f in slow] == [200] * 4
    wait_for(lambda: router.stats("del") is None)


def test_control_api_needs_the_token(router):
    base = f"{router.url}/_router"
    assert requests.get(f"{router.url}/ping", timeout=5).status_code == 200
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        assert requests.get(f"{base}/stats", headers=headers, timeout=5).status_code == 403
        assert requests.put(f"{base}/endpoints/x", json={"variants": []}, headers=headers,
                            timeout=5).status_code == 403
        assert requests.delete(f"{base}/endpoints/x", headers=headers,
                               timeout=5).status_code == 403
    bad = requests.put(f"{base}/endpoints/x", json={"variants": [{"name": "A", "instances": [
        {"id": "i", "url": "ftp://nowhere"}]}]}, headers=AUTH, timeout=5)
    assert bad.status_code == 400 and "http://" in bad.json()["message"]


def test_payload_limit(ab):
    big = b"x" * (7 * 1024 * 1024)
    resp = requests.post(f"{ab.url}/endpoints/ab/invocations", data=big, timeout=30,
                         auth=SIGN)
    assert resp.status_code == 413
    assert resp.headers["x-amzn-ErrorType"] == "ValidationError"
    assert "exceeds" in resp.json()["message"]
    with pytest.raises(ClientError) as err:
        ab.runtime().invoke_endpoint(EndpointName="ab", Body=big)
    assert err.value.response["Error"]["Code"] == "ValidationError"
    # Just under the limit is fine.
    ok = ab.invoke("ab", body=b"y" * (6 * 1024 * 1024 - 1))
    assert ok.status_code == 200 and ok.json()["size"] == 6 * 1024 * 1024 - 1


def test_sigterm_finishes_in_flight_requests(workdir, instances):
    router = start_router(workdir)
    inst, _ = instances.start("term-1")
    router.put("term", [{"name": "V", "weight": 1, "instances": [inst]}])
    with ThreadPoolExecutor(3) as pool:
        slow = [pool.submit(router.invoke, "term", attrs="sleep=1") for _ in range(3)]
        wait_for(lambda: router.stats("term")["variants"]["V"]["instances"]["term-1"]
                 ["in_flight"] == 3)
        router.proc.send_signal(signal.SIGTERM)
        assert [f.result().status_code for f in slow] == [200] * 3
    assert router.proc.wait(timeout=10) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{router.url}/ping", timeout=2)


def test_a_router_started_to_wait_holds_invocations_until_ready(workdir, instances):
    """What a restarted router does while the server gives it its tables and keys."""
    router = start_router(workdir, "--wait-ready", "--wait-for-instance", "10")
    try:
        inst, _ = instances.start("early-1")
        with ThreadPoolExecutor(2) as pool:
            early = pool.submit(router.invoke, "early")
            wait_for(lambda: client_connections(router) >= 1, timeout=30)
            assert not early.done()
            router.put("early", [{"name": "V", "weight": 1, "instances": [inst]}])
            resp = requests.post(f"{router.url}/_router/ready", headers=AUTH, timeout=10)
            assert resp.json() == {"ready": True}
            assert early.result().status_code == 200
        assert router.invoke("early").status_code == 200
    finally:
        assert stop_group(router.proc) == 0
    impatient = start_router(workdir, "--wait-ready", "--wait-for-instance", "1")
    try:
        t0 = time.monotonic()
        resp = impatient.invoke("early")
        assert resp.status_code == 503 and time.monotonic() - t0 >= 0.9
        assert resp.headers["x-amzn-ErrorType"] == "ServiceUnavailable"
        # The router's own 1 s start-up hold ran out (not the client's read time-out).
        assert resp.json()["message"].endswith("routing tables within 1 seconds")
    finally:
        assert stop_group(impatient.proc) == 0


# Accepts every connection and closes it at once: an instance dying as it is reached.
SLAMMER_PY = '''
import socket, sys
server = socket.create_server(("127.0.0.1", int(sys.argv[1])), backlog=128)
while True:
    conn, _ = server.accept()
    conn.close()
'''


def test_an_instance_closing_as_it_is_reached_loses_no_request(router, instances, workdir):
    """The connection is made, then closed before the request goes out: the request goes
    to another instance at once instead of waiting for a reply that never comes."""
    healthy, _ = instances.start("slam-ok")
    script = workdir / "slammer.py"
    script.write_text(SLAMMER_PY)
    (port,) = free_ports(1)
    slammer = spawn_group([sys.executable, str(script), str(port)],
                          log_path=workdir / "slammer.log")
    instances.procs.append(slammer)
    closing = {"id": "slam-closing", "url": f"http://127.0.0.1:{port}"}
    wait_for(lambda: not ports_free([port]), timeout=10)
    for _ in range(10):  # each round: the closing instance is healthy again, first in line
        router.put("slam", [{"name": "V", "weight": 1, "instances": [closing, healthy]}])
        replies = [router.invoke("slam", timeout=10) for _ in range(4)]
        assert [r.status_code for r in replies] == [200] * 4, [r.text for r in replies]
        assert all(r.json()["id"] == "slam-ok" for r in replies)
