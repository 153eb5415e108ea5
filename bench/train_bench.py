"""Training-job overhead on the local backend against running the script directly.

    .venv/bin/python bench/train_bench.py [--jobs 20]

A no-op script prints the time as its first line. Measured per job: submit to
that first line, and submit to Completed (as a client polling DescribeTrainingJob
sees it), against the same script run with `python` directly. Goal: median
overhead ≤ 300 ms. (SageMaker's local mode starts a Docker container: tens of s.)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlstudio-train-bench-") as tmp:
        home = Path(tmp) / "home"
        src = home / "work" / "bench-src"
        src.mkdir(parents=True)
        (src / "noop.py").write_text(NOOP)
        server = start_server(home)
        try:
            via_api(server, "warmup")
            api = [via_api(server, f"bench-{i}") for i in range(args.jobs)]
            raw = [direct(src / "noop.py") for _ in range(args.jobs)]
        finally:
            server.stop()
    rows = [("submit to first script line", 0), ("submit to Completed", 1)]
    print(f"{'median of ' + str(args.jobs) + ' no-op jobs':32}{'job s':>8}{'direct s':>10}"
          f"{'overhead ms':>13}")
    for label, i in rows:
        a = statistics.median(r[i] for r in api)
        b = statistics.median(r[i] for r in raw)
        print(f"{label:32}{a:8.3f}{b:10.3f}{(a - b) * 1000:13.0f}")
    print("goal: overhead <= 300 ms (median)")


if __name__ == "__main__":
    main()
