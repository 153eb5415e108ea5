"""Helpers of the deploy tests: model servers, a live server, models in its store, endpoints,
load."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import boto3
import joblib
import numpy as np
import requests
from sklearn.linear_model import LogisticRegression

from jupyter_mlstudio.aws.credentials import Credential
from jupyter_mlstudio.aws.signing import RequestsSigV4
from jupyter_mlstudio.client import MLStudioClient
from tests.rest_client.deploy import Session
from jupyter_mlstudio.process import spawn_group, stop_group
from jupyter_mlstudio.s3.ports import free_ports
from tests.servers import LiveServer

API = "mlstudio/api"


@dataclass
class ModelServer:
    """A model server process started by a test, stopped by its own pid."""

    proc: object
    url: str
    status_file: Path
    log_path: Path

    def status(self) -> dict:
        return json.loads(self.status_file.read_text())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def post(self, body, content_type="application/json", accept=None, **kwargs):
        headers = {"Content-Type": content_type, **({"Accept": accept} if accept else {})}
        return requests.post(f"{self.url}/invocations", data=body, headers=headers,
                             timeout=30, **kwargs)

    def wait_ready(self, timeout: float = 30.0) -> None:
        wait_ping(self.url, self.proc, timeout, lambda: self.log()[-3000:])

    def wait_exit(self, timeout: float = 30.0) -> int:
        return self.proc.wait(timeout=timeout)


@contextmanager
def model_servers(folder: Path) -> Iterator[Callable[..., ModelServer]]:
    """``start(model_dir, *args, env=...)`` starts a model server (logs and status files in
    ``folder``); all are stopped at the end. Tests get it as the ``serve`` fixture."""
    started: list[ModelServer] = []

    def start(model_dir: Path, *args: str, env: dict | None = None) -> ModelServer:
        (port,) = free_ports(1)
        name = f"server{len(started)}"
        status_file = folder / f"{name}.status.json"
        log_path = folder / f"{name}.log"
        cmd = [sys.executable, "-m", "jupyter_mlstudio.serving.modelserver",
               "--model-dir", str(model_dir), "--host", "127.0.0.1", "--port", str(port),
               "--status-file", str(status_file), *args]
        proc = spawn_group(cmd, env={**os.environ, **(env or {})}, log_path=log_path)
        server = ModelServer(proc, f"http://127.0.0.1:{port}", status_file, log_path)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            stop_group(server.proc)


def kernel_environment(server: LiveServer) -> dict[str, str]:
    """What a kernel of ``server`` gets: the store's connection and the server's URL."""
    return {**server.s3_environment(), "MLSTUDIO_DEFAULT_BUCKET": "mlstudio",
            "JUPYTER_MLSTUDIO_URL": server.url, "JUPYTER_MLSTUDIO_TOKEN": server.token}


def session(server: LiveServer) -> Session:
    return Session(MLStudioClient(server.url, server.token))


def iris_like() -> tuple[np.ndarray, np.ndarray]:
    """A small, well separated 4-feature, 3-class data set."""
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0, 0, 0], [4, 4, 0, 0], [0, 4, 4, 4]], dtype=float)
    y = np.repeat([0, 1, 2], 40)
    x = centers[y] + rng.normal(0, 0.5, (len(y), 4))
    return x, y


def model_archive(files: dict[str, bytes]) -> bytes:
    """``files`` packed as a model.tar.gz."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def upload_model(server: LiveServer, key: str, files: dict[str, bytes]) -> str:
    """Pack ``files`` as a model.tar.gz at ``s3://mlstudio/<key>``; return its URI."""
    server.s3_client().put_object(Bucket="mlstudio", Key=key, Body=model_archive(files))
    return f"s3://mlstudio/{key}"


#: A model whose every prediction takes ten minutes: a transform job that runs until stopped.
SLOW_MODEL = b"""
import time

def model_fn(model_dir):
    return None

def predict_fn(data, model):
    print("working", flush=True)
    time.sleep(600)
"""


def put_slow_model(s3) -> None:
    """:data:`SLOW_MODEL` at ``s3://mlstudio/slow/model.tar.gz`` and a CSV to transform at
    ``s3://mlstudio/slow-in/``."""
    s3.put_object(Bucket="mlstudio", Key="slow/model.tar.gz",
                  Body=model_archive({"code/inference.py": SLOW_MODEL}))
    s3.put_object(Bucket="mlstudio", Key="slow-in/rows.csv", Body=b"1,2\n3,4\n")


def joblib_bytes(model: Any) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    return buffer.getvalue()


def trained_model() -> LogisticRegression:
    x, y = iris_like()
    return LogisticRegression(max_iter=500).fit(x, y)


def call(server: LiveServer, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    resp = server.request(method, f"{API}/{path}", json=body)
    return resp.status_code, (resp.json() if resp.content else None)


def deploy(server: LiveServer, name: str, variants: list[dict[str, Any]],
           wait: bool = True) -> dict[str, Any]:
    """An endpoint config + endpoint named ``name``; waits for a settled status."""
    code, reply = call(server, "POST", "endpoint-configs",
                       {"EndpointConfigName": name, "ProductionVariants": variants})
    assert code == 201, reply
    code, reply = call(server, "POST", "endpoints",
                       {"EndpointName": name, "EndpointConfigName": name})
    assert code == 201, reply
    return wait_status(server, name) if wait else reply


def wait_status(server: LiveServer, name: str, statuses=("InService", "Failed"),
                timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code, desc = call(server, "GET", f"endpoints/{name}")
        assert code == 200, desc
        if desc["EndpointStatus"] in statuses:
            return desc
        time.sleep(0.2)
    raise AssertionError(f"endpoint {name} still {desc['EndpointStatus']}: {desc}")


def wait_ping(url: str, proc: subprocess.Popen | None, timeout: float = 30.0,
              describe: Callable[[], str] = lambda: "") -> None:
    """Wait until ``url``/ping answers 200; an error at once if ``proc`` (when there is
    one) exits first, with what ``describe`` says, e.g. the end of its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}:\n{describe()}")
        try:
            if requests.get(f"{url}/ping", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not come up:\n{describe()}")


def kernel_credential(server: LiveServer) -> Credential:
    """The key pair ``server``'s kernels get (and sign invocations with)."""
    env = server.s3_environment()
    return Credential(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"])


def signer(server: LiveServer) -> RequestsSigV4:
    """``requests`` auth signing as a kernel of ``server`` would."""
    return RequestsSigV4(kernel_credential(server), "us-east-1")


def runtime(server: LiveServer, url: str, **kwargs: Any):
    """boto3's sagemaker-runtime client pointed at the router, as a kernel would make it."""
    cred = kernel_credential(server)
    return boto3.client("sagemaker-runtime", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=cred.access_key,
                        aws_secret_access_key=cred.secret_key, **kwargs)


def invoke_many(server: LiveServer, url: str, endpoint: str, bodies: list[bytes],
                threads: int = 8, answered: Callable[[], None] | None = None,
                **kwargs: Any) -> list[dict[str, Any]]:
    """Invoke ``endpoint`` once per body from ``threads`` threads; the replies, in order.
    ``answered`` is called after each reply (from the thread that got it)."""
    import requests

    local = {}
    auth = signer(server)

    def one(body: bytes) -> dict[str, Any]:
        import threading

        http = local.setdefault(threading.get_ident(), requests.Session())
        resp = http.post(f"{url}/endpoints/{endpoint}/invocations", data=body, auth=auth,
                         headers={"Content-Type": "application/json", **kwargs}, timeout=60)
        if answered is not None:
            answered()
        return {"status": resp.status_code, "body": resp.content,
                "variant": resp.headers.get("X-Amzn-Invoked-Production-Variant")}

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, bodies))


def row_json(x: np.ndarray) -> bytes:
    return json.dumps(x.tolist()).encode()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
