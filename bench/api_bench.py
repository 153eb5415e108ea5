"""SageMaker's wire API against the REST route, for the same calls, in the same run.

    .venv/bin/python bench/api_bench.py [--calls 500] [--jobs 30]

A live server with ``--jobs`` training jobs answers ``DescribeTrainingJob`` and
``ListTrainingJobs`` through ``boto3.client("sagemaker")`` (AWS JSON 1.1, SigV4-signed
and verified) and through ``/mlstudio/api/training-jobs`` with ``requests`` (token).
Prints median and p99 latency of each and the wire's overhead. Goal: ≤ 1 ms median.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3
import requests
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import LiveServer, start_server  # noqa: E402

SOURCE = "bench-src"


def seed_jobs(server: LiveServer, count: int) -> str:
    folder = server.home / "work" / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "noop.py").write_text("print('ok')\n")
    for i in range(count):
        body = {"TrainingJobName": f"bench-{i}",
                "AlgorithmSpecification": {"TrainingImage": "python"},
                "HyperParameters": {"sagemaker_program": "noop.py",
                                    "sagemaker_submit_directory": SOURCE},
                "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/bench-api"}}
        server.request("POST", "mlstudio/api/training-jobs", json=body).raise_for_status()
    last = f"bench-{count - 1}"
    while server.get(f"mlstudio/api/training-jobs/{last}").json()["TrainingJobStatus"] \
            == "InProgress":
        time.sleep(0.1)
    return last


def timed(call, n: int) -> list[float]:
    for _ in range(20):  # warm connections and caches
        call()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlstudio-api-bench-") as tmp:
        server = start_server(Path(tmp) / "home")
        try:
            name = seed_jobs(server, args.jobs)
            env = server.s3_environment()
            sm = boto3.client("sagemaker", endpoint_url=f"{server.url}mlstudio/aws/sagemaker",
                              region_name="us-east-1",
                              aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                              config=Config(retries={"max_attempts": 1}))
            http = requests.Session()
            http.headers["Authorization"] = f"token {server.token}"
            rest = f"{server.url}mlstudio/api/training-jobs"
            cases = {
                "DescribeTrainingJob": (
                    lambda: sm.describe_training_job(TrainingJobName=name),
                    lambda: http.get(f"{rest}/{name}").raise_for_status()),
                "ListTrainingJobs (10)": (
                    lambda: sm.list_training_jobs(MaxResults=10),
                    lambda: http.get(rest, params={"MaxResults": 10}).raise_for_status()),
            }
            print(f"{'call':24} {'wire p50':>9} {'p99':>7} {'REST p50':>9} {'p99':>7} "
                  f"{'overhead':>9} {'ratio':>6}")
            for label, (wire_call, rest_call) in cases.items():
                w50, w99 = summary(timed(wire_call, args.calls))
                r50, r99 = summary(timed(rest_call, args.calls))
                print(f"{label:24} {w50:8.2f}ms {w99:6.2f}ms {r50:8.2f}ms {r99:6.2f}ms "
                      f"{w50 - r50:+8.2f}ms {w50 / r50:5.2f}x")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
