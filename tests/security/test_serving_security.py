"""Deployment, attacked from this machine: a killed router, strangers, leaked secrets.

A live Jupyter server with real endpoints. The router comes back by itself after a
``kill -9`` and gets its tables and keyring again; nobody without the kernels' keys can
invoke through it; model servers listen only on unix sockets in a private folder; and
no helper has the server's token in its environment.
"""
from __future__ import annotations

import os
import shutil
from collections import Counter
import signal
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import psutil
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from jupyter_mlstudio.process import SERVER_SECRETS
from tests.local_user import other_user
from tests.servers import start_server
from tests.procs import wait_for
from tests.serving_support import (call, deploy, joblib_bytes, runtime, signer,
                                   trained_model, upload_model, wait_status)

pytestmark = [pytest.mark.slow]

ROW = b"[[0,4,4,4]]"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("serving-security") / "home"
    server = start_server(home, "server", "--ServingService.wait_for_instance=20")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def endpoint(server):
    """Endpoint ``guarded`` (one instance); its DescribeEndpoint reply."""
    uri = upload_model(server, "models/guarded/model.tar.gz",
                       {"model.joblib": joblib_bytes(trained_model())})
    for name in ("guarded", "later"):
        code, reply = call(server, "POST", "models", {
            "ModelName": name, "PrimaryContainer": {"ModelDataUrl": uri}})
        assert code == 201, reply
    desc = deploy(server, "guarded", [{"VariantName": "v", "ModelName": "guarded",
                                       "InitialInstanceCount": 1}])
    assert desc["EndpointStatus"] == "InService", desc
    return desc


@pytest.fixture(scope="session")
def probe_user() -> str:
    """Another local account (made if absent), to knock on the doors as a stranger."""
    return other_user()


def router_process(server) -> psutil.Process:
    """The server's endpoint router."""
    for child in psutil.Process(server.proc.pid).children():
        try:
            if "jupyter_mlstudio.serving.router" in child.cmdline():
                return child
        except psutil.NoSuchProcess:
            continue
    raise AssertionError("no router process")


def model_servers(desc: dict) -> list[psutil.Process]:
    return [psutil.Process(i["Pid"]) for v in desc["ProductionVariants"]
            for i in v["Instances"]]


def socket_of(proc: psutil.Process) -> Path:
    cmdline = proc.cmdline()
    return Path(cmdline[cmdline.index("--uds") + 1])


def as_user(user: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("runuser") or "runuser", "-u", user, "--", *args],
                          capture_output=True, text=True, timeout=30)


# -- finding 2: the router restarts and gets everything back --------------------------
def test_router_killed_under_traffic_comes_back_with_its_tables(server, endpoint):
    url = endpoint["RuntimeUrl"]
    client = runtime(server, url, config=Config(retries={"total_max_attempts": 1},
                                                connect_timeout=2, read_timeout=30))
    old = router_process(server)
    killed_at: list[float] = []
    resumed = threading.Event()
    stop = threading.Event()
    outcomes: list[tuple[float, str]] = []

    def traffic() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                client.invoke_endpoint(EndpointName="guarded", Body=ROW,
                                       ContentType="application/json")["Body"].read()
                outcome = "ok"
            except ClientError as err:
                outcome = err.response["Error"]["Code"]
            except Exception as err:  # connection refused while the router is down
                outcome = type(err).__name__
            outcomes.append((time.monotonic(), outcome))
            # Only a request sent once the old router was gone shows that it came back.
            if outcome == "ok" and killed_at and started > killed_at[0]:
                resumed.set()

    worker = threading.Thread(target=traffic)
    worker.start()
    try:
        wait_for(lambda: any(o == "ok" for _, o in outcomes), timeout=30, interval=0.05)
        old.send_signal(signal.SIGKILL)
        psutil.wait_procs([old], timeout=10)
        killed_at.append(time.monotonic())
        assert resumed.wait(15), f"no invocation succeeded within 15 s: {outcomes[-5:]}"
        back = next(t for t, o in reversed(outcomes) if o == "ok")
        print(f"invocations resumed {back - killed_at[0]:.2f} s after the kill; outcomes "
              f"meanwhile: {Counter(o for t, o in outcomes if t > killed_at[0])}")
    finally:
        stop.set()
        worker.join(30)
    after_kill = [o for t, o in outcomes if t > killed_at[0]]
    # The port stays open while the router restarts: at most the request that was in
    # flight when it died fails; the others wait in the listening socket's backlog.
    assert sum(o != "ok" for o in after_kill) <= 1, after_kill
    new = router_process(server)
    assert new.pid != old.pid
    assert call(server, "GET", "endpoints/guarded")[1]["EndpointStatus"] == "InService"

    # The control API works with the new router: a new endpoint, a capacity change.
    code, reply = call(server, "POST", "endpoint-configs", {
        "EndpointConfigName": "later", "ProductionVariants": [
            {"VariantName": "v", "ModelName": "later", "InitialInstanceCount": 1}]})
    assert code == 201, reply
    code, reply = call(server, "POST", "endpoints",
                       {"EndpointName": "later", "EndpointConfigName": "later"})
    assert code == 201, reply
    assert wait_status(server, "later", timeout=90)["EndpointStatus"] == "InService"
    assert runtime(server, url).invoke_endpoint(EndpointName="later", Body=ROW,
                                                ContentType="application/json")
    code, reply = call(server, "POST", "endpoints/guarded/weights-and-capacities", {
        "DesiredWeightsAndCapacities": [{"VariantName": "v", "DesiredInstanceCount": 2,
                                         "DesiredWeight": 2}]})
    assert code == 200, reply
    desc = wait_status(server, "guarded", statuses=("InService", "Failed"), timeout=90)
    variant = desc["ProductionVariants"][0]
    assert desc["EndpointStatus"] == "InService" and "FailureReason" not in desc, desc
    assert variant["CurrentInstanceCount"] == 2 and variant["CurrentWeight"] == 2
    assert call(server, "DELETE", "endpoints/later")[0] == 204


# -- finding 4: who may invoke -------------------------------------------------------
def test_router_takes_only_signed_requests_addressed_to_it(server, endpoint):
    url = endpoint["RuntimeUrl"]
    target = f"{url}/endpoints/guarded/invocations"
    headers = {"Content-Type": "application/json"}
    anonymous = requests.post(target, data=ROW, headers=headers, timeout=10)
    assert anonymous.status_code == 403
    assert anonymous.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    ok = requests.post(target, data=ROW, headers=headers, auth=signer(server), timeout=10)
    assert ok.status_code == 200 and ok.json() == [2]
    port = url.rsplit(":", 1)[1]
    rebound = requests.post(target, data=ROW, auth=signer(server), timeout=10,
                            headers={**headers, "Host": f"attacker.example:{port}"})
    assert rebound.status_code == 403

    reply = runtime(server, url).invoke_endpoint(EndpointName="guarded", Body=ROW,
                                                 ContentType="application/json")
    assert reply["Body"].read() == b"[2]"
    import boto3

    for key, secret, code in (("AKIDSTRANGER", "x", "UnrecognizedClientException"),
                              (signer(server).credential.access_key, "wrong",
                               "InvalidSignatureException")):
        stranger = boto3.client("sagemaker-runtime", endpoint_url=url, region_name="us-east-1",
                                aws_access_key_id=key, aws_secret_access_key=secret)
        with pytest.raises(ClientError) as err:
            stranger.invoke_endpoint(EndpointName="guarded", Body=ROW,
                                     ContentType="application/json")
        assert err.value.response["Error"]["Code"] == code

    # The Jupyter server's own route still works (its token, then the router's).
    resp = server.request("POST", "mlstudio/api/endpoints/guarded/invocations", data=ROW,
                          headers=headers)
    assert resp.status_code == 200 and resp.json() == [2]


def test_model_servers_listen_only_on_a_private_unix_socket(server, endpoint):
    desc = call(server, "GET", "endpoints/guarded")[1]
    for proc in model_servers(desc):
        group = [proc, *proc.children(recursive=True)]
        assert not [c for p in group for c in p.net_connections(kind="inet")
                    if c.status == psutil.CONN_LISTEN]
        path = socket_of(proc)
        folder = path.parent
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert folder.stat().st_uid == os.geteuid()
        # This user (the router's) reaches it.
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(path))
            sock.sendall(b"GET /ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            assert sock.recv(64).startswith(b"HTTP/1.1 200")


def test_another_local_user_is_refused_everywhere(server, endpoint, probe_user):
    url = endpoint["RuntimeUrl"]
    code = as_user(probe_user, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                   "-X", "POST", "-H", "Content-Type: application/json",
                   "--data", ROW.decode(), f"{url}/endpoints/guarded/invocations")
    assert code.stdout == "403"
    desc = call(server, "GET", "endpoints/guarded")[1]
    for proc in model_servers(desc):
        path = socket_of(proc)
        for method, route in (("GET", "/ping"), ("POST", "/invocations")):
            reply = as_user(probe_user, "curl", "-s", "-o", "/dev/null", "-w",
                            "%{http_code}", "-X", method, "--unix-socket", str(path),
                            "--data", ROW.decode(), f"http://localhost{route}")
            assert reply.returncode != 0 and reply.stdout in ("", "000"), reply


# -- finding 10: no server secret in a helper's environment ---------------------------
def test_router_and_model_servers_have_no_server_secret(server, endpoint):
    desc = call(server, "GET", "endpoints/guarded")[1]
    router = router_process(server)
    helpers = [router, *model_servers(desc)]
    token = server.token.encode()
    for proc in helpers:
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes()
        names = {item.split(b"=", 1)[0].decode() for item in environ.split(b"\0") if item}
        assert token not in environ, proc.cmdline()
        assert not names & SERVER_SECRETS, (proc.cmdline(), names & SERVER_SECRETS)
        assert not any(n.startswith("JUPYTER") for n in names), names
        if proc.pid == router.pid:  # its keyring comes through the control API only
            assert not any(n.startswith("AWS_") for n in names), names
        assert "MLSTUDIO_ROUTER_TOKEN" not in names
        assert token.decode() not in " ".join(proc.cmdline())
    # The router's control token is not in its command line either: only a file name,
    # and that file is gone once the router has read it.
    cmdline = router.cmdline()
    token_file = Path(cmdline[cmdline.index("--token-file") + 1])
    assert not token_file.exists()
