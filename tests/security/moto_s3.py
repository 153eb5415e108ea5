"""A real S3 server that accepts any key (moto's), and job runners started against it.

SeaweedFS refuses keys such as ``a/../../x``; real S3 and moto store them, so the
traversal tests run against moto on a free loopback port, stopped by the test.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import boto3
from moto.server import ThreadedMotoServer

from jupyter_mlstudio.jobs.spec import validate_training_job
from jupyter_mlstudio.s3.ports import free_ports


@dataclass
class MotoS3:
    endpoint: str
    client: Any

    def environment(self) -> dict[str, str]:
        """What a kernel or a job runner needs to reach this store."""
        return {"AWS_ENDPOINT_URL_S3": self.endpoint, "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@contextmanager
def moto_s3(bucket: str = "traversal") -> Iterator[MotoS3]:
    """moto's S3 on 127.0.0.1 with ``bucket`` created; stopped on exit."""
    (port,) = free_ports(1)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_bucket(Bucket=bucket)
        yield MotoS3(endpoint, client)
    finally:
        server.stop()


def job_request(name: str, channels: list[dict[str, Any]], *, count: int = 1,
                mode: str = "File", max_runtime: int = 60,
                metrics: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A CreateTrainingJob request running ``train.py`` from a local folder."""
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingInputMode": mode,
                                   "MetricDefinitions": metrics or []},
        "HyperParameters": {"sagemaker_program": '"train.py"',
                            "sagemaker_submit_directory": '"code"'},
        "InputDataConfig": channels,
        "OutputDataConfig": {"S3OutputPath": "s3://traversal/output"},
        "ResourceConfig": {"InstanceCount": count},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime},
    }


def channel(name: str, uri: str, distribution: str = "FullyReplicated",
            mode: str | None = None) -> dict[str, Any]:
    ch: dict[str, Any] = {"ChannelName": name, "DataSource": {"S3DataSource": {
        "S3Uri": uri, "S3DataType": "S3Prefix", "S3DataDistributionType": distribution}}}
    if mode:
        ch["InputMode"] = mode
    return ch


def run_runner(job_dir: Path, request: dict[str, Any], script: str, env: dict[str, str],
               timeout: float = 90.0) -> dict[str, Any]:
    """Run the job runner on ``request`` in ``job_dir`` (with ``script`` as train.py)
    to its end; return its ``state.json``."""
    code = job_dir.parent / "code"
    code.mkdir(parents=True, exist_ok=True)
    (code / "train.py").write_text(script)
    job_dir.mkdir(parents=True)
    plan = {"spec": validate_training_job(request, 16), "python": sys.executable,
            "code_dir": str(code), "workspace_root": str(code.parent),
            "stop_grace": 2.0, "max_log_bytes": 100_000}
    (job_dir / "plan.json").write_text(json.dumps(plan))
    with open(job_dir / "runner.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "jupyter_mlstudio.jobs.runner",
                                 str(job_dir)], env={**os.environ, **env}, cwd=job_dir,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        proc.wait(timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
    return json.loads((job_dir / "state.json").read_text())


def files_under(folder: Path) -> set[Path]:
    """Every file (not folder) below ``folder``."""
    return {p for p in folder.rglob("*") if p.is_file() or p.is_symlink()}
