"""Real-time inference: our endpoint against `mlflow models serve`, same model, same load.

    .venv/bin/python bench/serve_bench.py [--seconds 10] [--rounds 3] [--connections 8]

One scikit-learn LogisticRegression (4 features), saved once with joblib, is served
three ways on this machine, one worker each, and loaded by the same generator (Debian's
`wrk`, a JSON body of one row):

- our endpoint through its router (the URL boto3's sagemaker-runtime calls), each
  request SigV4-signed with the kernels' credentials as boto3 signs it;
- the same model server program on the same model, called directly (no router; on a
  TCP port, since the endpoint's own instances listen on private unix sockets);
- `mlflow models serve --env-manager local` on the same model, from a virtualenv the
  bench builds once under ~/.cache/jupyter_mlstudio-bench (PyPI: mlflow).

Rounds alternate between the three so that machine noise falls on each alike; the
median round is printed. Goals: endpoint throughput ≥ 2× MLflow's with a p99 no
higher, and router throughput ≥ 85% of the direct model server's.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import psutil
import requests
import sklearn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jupyter_mlstudio.aws.signing import sign_headers  # noqa: E402
from jupyter_mlstudio.s3.ports import free_ports  # noqa: E402
from tests.servers import start_server  # noqa: E402
from tests.serving_support import (  # noqa: E402
    call, deploy, joblib_bytes, kernel_credential, trained_model, upload_model)

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "jupyter_mlstudio-bench"
ROW = [[0.5, 3.8, 0.2, 0.1]]
SAVE_MLFLOW_MODEL = """
import sys, joblib, mlflow.sklearn
mlflow.sklearn.save_model(joblib.load(sys.argv[1]), sys.argv[2])
"""


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float


def mlflow_python() -> Path:
    """A virtualenv with mlflow and this scikit-learn, built on first use."""
    venv = CACHE / f"mlflow-sklearn-{sklearn.__version__}"
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"building {venv} (once) ...", flush=True)
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "mlflow",
                        f"scikit-learn=={sklearn.__version__}"], check=True)
    return python


Headers = Callable[[], dict]


def plain() -> dict:
    return {"Content-Type": "application/json"}


def wrk(url: str, body: str, seconds: int, connections: int, headers: Headers = plain) -> Result:
    """One wrk run POSTing ``body`` with ``headers()`` (made just before the run: a
    signature stays valid 15 minutes); refuses a run with any non-2xx answer."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write('wrk.method = "POST"\n' f"wrk.body = {json.dumps(body)}\n")
        for name, value in headers().items():
            script.write(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}\n")
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                              "-s", script.name, url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"failed requests against {url}:\n{out}")
    return Result(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                  _latency(out, "50%"), _latency(out, "99%"))


def _latency(out: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def wait_ready(url: str, body: str, headers: Headers = plain, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            resp = requests.post(url, data=body, timeout=5, headers=headers())
            if resp.ok:
                print(f"  {url} -> {resp.text.strip()}", flush=True)
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in {timeout:.0f} s")


def start_direct(pid: int, folder: Path) -> tuple[subprocess.Popen, str]:
    """The endpoint instance ``pid``'s model server program and model, on a TCP port."""
    cmdline = psutil.Process(pid).cmdline()
    (port,) = free_ports(1)
    log = open(folder / "direct.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter_mlstudio.serving.modelserver", "--model-dir",
         cmdline[cmdline.index("--model-dir") + 1], "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, f"http://127.0.0.1:{port}/invocations"


def start_mlflow(python: Path, model_file: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    model_dir = folder / "mlflow-model"
    subprocess.run([str(python), "-c", SAVE_MLFLOW_MODEL, str(model_file), str(model_dir)],
                   check=True)
    (port,) = free_ports(1)
    log = open(folder / "mlflow.log", "wb")
    proc = subprocess.Popen(
        [str(python.parent / "mlflow"), "models", "serve", "-m", str(model_dir),
         "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port), "--workers", "1"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        # mlflow starts `uvicorn` by name: the venv's bin must come first on PATH.
        env={**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ['PATH']}"})
    return proc, f"http://127.0.0.1:{port}/invocations"


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    python = mlflow_python()
    model = joblib_bytes(trained_model())
    ours_body, mlflow_body = json.dumps(ROW), json.dumps({"inputs": ROW})
    with tempfile.TemporaryDirectory(prefix="mlstudio-serve-bench-") as tmp:
        folder = Path(tmp)
        (folder / "model.joblib").write_bytes(model)
        server = start_server(folder / "home")
        mlflow = direct = None
        try:
            uri = upload_model(server, "bench/model.tar.gz", {"model.joblib": model})
            code, reply = call(server, "POST", "models", {
                "ModelName": "bench", "PrimaryContainer": {"ModelDataUrl": uri}})
            assert code == 201, reply
            desc = deploy(server, "bench", [{"VariantName": "AllTraffic", "ModelName": "bench",
                                             "InitialInstanceCount": 1}])
            assert desc["EndpointStatus"] == "InService", desc.get("FailureReason")
            (instance,) = desc["ProductionVariants"][0]["Instances"]
            endpoint_url = f"{desc['RuntimeUrl']}/endpoints/bench/invocations"
            credential = kernel_credential(server)

            def signed() -> dict:
                return sign_headers("POST", endpoint_url, ours_body.encode(), plain(),
                                    credential, "us-east-1")

            direct, direct_url = start_direct(instance["Pid"], folder)
            targets = {
                "endpoint (router)": (endpoint_url, ours_body, signed),
                "model server direct": (direct_url, ours_body, plain),
            }
            mlflow, mlflow_url = start_mlflow(python, folder / "model.joblib", folder)
            targets["mlflow models serve"] = (mlflow_url, mlflow_body, plain)
            for url, body, headers in targets.values():
                wait_ready(url, body, headers)
                wrk(url, body, 2, args.connections, headers)  # warm-up
            runs: dict[str, list[Result]] = {label: [] for label in targets}
            for r in range(args.rounds):
                for label, (url, body, headers) in targets.items():
                    runs[label].append(wrk(url, body, args.seconds, args.connections,
                                           headers))
                    print(f"  round {r + 1} {label}: {runs[label][-1].rps:,.0f} req/s",
                          flush=True)
        finally:
            for proc in (mlflow, direct):
                if proc is not None:
                    stop(proc)
            server.stop()
    report(runs, args)


def report(runs: dict[str, list[Result]], args: argparse.Namespace) -> None:
    median = {label: Result(*(statistics.median(getattr(r, f) for r in results)
                              for f in ("rps", "p50_ms", "p99_ms")))
              for label, results in runs.items()}
    print(f"\nwrk -t1 -c{args.connections}, {args.rounds} x {args.seconds} s each, "
          "median round, one worker per server")
    print(f"{'server':24}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for label, res in median.items():
        print(f"{label:24}{res.rps:10,.0f}{res.p50_ms:9.2f}{res.p99_ms:9.2f}")
    ours, direct = median["endpoint (router)"], median["model server direct"]
    peer = median["mlflow models serve"]
    print(f"\nendpoint / mlflow throughput: {ours.rps / peer.rps:.2f}x   (goal >= 2)")
    print(f"endpoint / mlflow p99:        {ours.p99_ms / peer.p99_ms:.2f}    (goal <= 1)")
    print(f"router / direct throughput:   {ours.rps / direct.rps:.2f}    (goal >= 0.85)")


if __name__ == "__main__":
    main()
