"""Batch transform throughput against the same predictions done by hand.

    .venv/bin/python bench/transform_bench.py [--rows 200000] [--files 8] [--repeat 3]

A scikit-learn model (logistic regression on 4 features) and ``--files`` CSV objects of
``--rows`` rows in all go through ``CreateTransformJob`` (2 instances, MultiRecord,
6 MB payloads, 4 concurrent transforms): measured from the create call to Completed,
as a client polling DescribeTransformJob sees it. The peer, in the same run: a plain
Python loop that downloads each object with boto3, parses it with numpy, predicts with
the same model in process and uploads the result, the least a batch job must do. Prints
rows per second of each and the ratio.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import LiveServer, start_server  # noqa: E402

BUCKET = "mlstudio"


def model_and_data(rows: int, files: int) -> tuple[LogisticRegression, list[bytes]]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 4))
    model = LogisticRegression().fit(x[:1000], (x[:1000, 0] > 0).astype(int))
    parts = np.array_split(x, files)
    return model, ["\n".join(",".join(f"{v:.6f}" for v in row) for row in part).encode()
                   + b"\n" for part in parts]


def upload_model(server: LiveServer, model: LogisticRegression) -> str:
    raw = io.BytesIO()
    joblib.dump(model, raw)
    data = raw.getvalue()
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w:gz") as tar:
        info = tarfile.TarInfo("model.joblib")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    server.s3_client().put_object(Bucket=BUCKET, Key="bench-model/model.tar.gz",
                                  Body=packed.getvalue())
    return f"s3://{BUCKET}/bench-model/model.tar.gz"


def by_job(server: LiveServer, name: str) -> float:
    body = {
        "TransformJobName": name, "ModelName": "bench",
        "BatchStrategy": "MultiRecord", "MaxPayloadInMB": 6, "MaxConcurrentTransforms": 4,
        "TransformInput": {"ContentType": "text/csv", "SplitType": "Line", "DataSource": {
            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/bench-in/"}}},
        "TransformOutput": {"S3OutputPath": f"s3://{BUCKET}/bench-out/{name}",
                            "AssembleWith": "Line"},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 2},
    }
    t0 = time.time()
    server.request("POST", "mlstudio/api/transform-jobs", json=body).raise_for_status()
    while True:
        desc = server.get(f"mlstudio/api/transform-jobs/{name}").json()
        if desc["TransformJobStatus"] in ("Completed", "Failed", "Stopped"):
            break
        time.sleep(0.05)
    took = time.time() - t0
    assert desc["TransformJobStatus"] == "Completed", desc.get("FailureReason")
    return took


def by_hand(server: LiveServer, model: LogisticRegression, keys: list[str], run: int) -> float:
    s3 = server.s3_client()
    t0 = time.time()
    for key in keys:
        data = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        x = np.loadtxt(io.BytesIO(data), delimiter=",", ndmin=2)
        out = "\n".join(str(v) for v in model.predict(x)).encode() + b"\n"
        s3.put_object(Bucket=BUCKET, Key=f"bench-hand/{run}/{key}.out", Body=out)
    return time.time() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model, parts = model_and_data(args.rows, args.files)
    with tempfile.TemporaryDirectory(prefix="transform-bench-") as home:
        server = start_server(Path(home))
        try:
            s3 = server.s3_client()
            keys = []
            for i, part in enumerate(parts):
                keys.append(f"bench-in/part-{i}.csv")
                s3.put_object(Bucket=BUCKET, Key=keys[-1], Body=part)
            server.request("POST", "mlstudio/api/models", json={
                "ModelName": "bench", "PrimaryContainer": {
                    "ModelDataUrl": upload_model(server, model)}}).raise_for_status()
            jobs, hand = [], []
            for run in range(args.repeat):
                jobs.append(by_job(server, f"bench-{run}"))
                hand.append(by_hand(server, model, keys, run))
        finally:
            server.stop()
    job, peer = statistics.median(jobs), statistics.median(hand)
    size = sum(len(p) for p in parts) / 2**20
    print(f"{args.rows} rows ({size:.1f} MB) in {args.files} objects, median of {args.repeat}")
    print(f"transform job (2 instances):  {job:6.2f} s  {args.rows / job:10.0f} rows/s")
    print(f"by hand (boto3 + predict):    {peer:6.2f} s  {args.rows / peer:10.0f} rows/s")
    print(f"ratio job / by hand: {job / peer:.2f}")


if __name__ == "__main__":
    main()
