"""Training-job overhead on the local backend against running the script directly.

    .venv/bin/python bench/train_bench.py [--jobs 20]

A no-op script prints the time as its first line. Measured per job: submit to
that first line, and submit to Completed (as a client polling DescribeTrainingJob
sees it), against the same script run with `python` directly. Goal: median
overhead ≤ 300 ms. (SageMaker's local mode starts a Docker container: tens of s.)

In the same run, a second server with `c.LocalBackend.opt_ml_namespace = "off"` runs
the same jobs (interleaved with the first's): the cost of giving each host its own
/opt/ml in a mount namespace against the SAGEMAKER_BASE_DIR fallback. Goal: ≤ 20 ms
per job.

With `--framework-env`, the cost of a framework environment (scikit-learn 1.2's, as
`sagemaker-scikit-learn:1.2-1-cpu-py3` asks): its first build against the same venv and
pip install done by hand (the peer, same pip cache, same run), and the cached lookup a
later job pays (median of 20).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import LiveServer, start_server  # noqa: E402

NOOP = "import time\nprint(f'FIRST {time.time():.6f}', flush=True)\n"


def direct(script: Path) -> tuple[float, float]:
    t0 = time.time()
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         check=True).stdout
    total = time.time() - t0
    return float(out.split("FIRST ", 1)[1].split()[0]) - t0, total


def via_api(server: LiveServer, name: str) -> tuple[float, float]:
    body = {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": "python"},
        "HyperParameters": {"sagemaker_program": "noop.py",
                            "sagemaker_submit_directory": "bench-src"},
        "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/bench-train"},
    }
    t0 = time.time()
    server.request("POST", "mlstudio/api/training-jobs", json=body).raise_for_status()
    while True:
        desc = server.get(f"mlstudio/api/training-jobs/{name}").json()
        if desc["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            break
        time.sleep(0.01)
    total = time.time() - t0
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    log = server.get(f"mlstudio/api/training-jobs/{name}/logs").json()["text"]
    return float(log.split("FIRST ", 1)[1].split()[0]) - t0, total


def framework_env_costs(repeat: int) -> None:
    from jupyter_mlstudio.jobs import framework_envs

    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    wanted = framework_envs.image_framework(image)
    assert wanted is not None
    with tempfile.TemporaryDirectory(prefix="mlstudio-env-bench-") as tmp:
        reqs = framework_envs.requirements(wanted, wanted.release)
        start = time.perf_counter()
        venv = Path(tmp) / "by-hand"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
        subprocess.run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python",
                        "install", "-q", "--only-binary", "scikit-learn", *reqs], check=True)
        by_hand = time.perf_counter() - start
        start = time.perf_counter()
        framework_envs.ensure(Path(tmp) / "envs", wanted, lambda _line: None)
        first = time.perf_counter() - start
        cached = []
        for _ in range(repeat):
            start = time.perf_counter()
            framework_envs.ensure(Path(tmp) / "envs", wanted, lambda _line: None)
            cached.append(time.perf_counter() - start)
    print(f"{'framework environment':32}{'ours s':>8}{'by hand s':>10}{'ratio':>8}")
    print(f"{'first use (build)':32}{first:8.2f}{by_hand:10.2f}{first / by_hand:8.2f}")
    print(f"{'later jobs (cached), ms':32}{statistics.median(cached) * 1000:8.2f}")


def medians(results: list[tuple[float, float]]) -> tuple[float, float]:
    return (statistics.median(r[0] for r in results),
            statistics.median(r[1] for r in results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--framework-env", action="store_true",
                        help="measure the framework environment's build and reuse instead")
    args = parser.parse_args()
    if args.framework_env:
        framework_env_costs(args.jobs)
        return
    with tempfile.TemporaryDirectory(prefix="mlstudio-train-bench-") as tmp:
        servers: dict[str, LiveServer] = {}
        try:
            for label, extra in (("namespace", ()),
                                 ("base dir", ("--LocalBackend.opt_ml_namespace=off",))):
                home = Path(tmp) / label.replace(" ", "-")
                src = home / "work" / "bench-src"
                src.mkdir(parents=True)
                (src / "noop.py").write_text(NOOP)
                servers[label] = start_server(home, "server", *extra)
            opt_ml = servers["namespace"].get("mlstudio/api/status").json()["opt_ml"]
            results: dict[str, list[tuple[float, float]]] = {label: [] for label in servers}
            for label, server in servers.items():
                via_api(server, "warmup")
            for i in range(args.jobs):  # interleaved: both see the same machine load
                for label, server in servers.items():
                    results[label].append(via_api(server, f"bench-{i}"))
            raw = [direct(src / "noop.py") for _ in range(args.jobs)]
        finally:
            for server in servers.values():
                server.stop()
    rows = [("submit to first script line", 0), ("submit to Completed", 1)]
    print(f"{'median of ' + str(args.jobs) + ' no-op jobs':32}{'job s':>8}{'direct s':>10}"
          f"{'overhead ms':>13}")
    api, direct_ = medians(results["namespace"]), medians(raw)
    for (label, i) in rows:
        print(f"{label:32}{api[i]:8.3f}{direct_[i]:10.3f}{(api[i] - direct_[i]) * 1000:13.0f}")
    print("goal: overhead <= 300 ms (median)")
    print()
    print(f"/opt/ml: {opt_ml['message']}")
    base = medians(results["base dir"])
    print(f"{'namespace vs base dir':32}{'ns s':>8}{'base s':>10}{'diff ms':>10}{'ratio':>8}")
    for (label, i) in rows:
        print(f"{label:32}{api[i]:8.3f}{base[i]:10.3f}{(api[i] - base[i]) * 1000:10.1f}"
              f"{api[i] / base[i]:8.3f}")
    print("goal: namespace overhead <= 20 ms per job (median)")


if __name__ == "__main__":
    main()
