"""Helpers of the training-job tests that run real jobs in pytest-jupyter's server."""
from __future__ import annotations

import asyncio
import json
import textwrap

from tests.rest_support import rest_api


def training_api(jp_fetch):
    """The training-jobs routes (see :func:`tests.rest_support.rest_api`)."""
    return rest_api(jp_fetch, "training-jobs")


def script_dir(root, name, source, program="train.py"):
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / program).write_text(textwrap.dedent(source).lstrip())
    return name


def job_body(name, folder, *, hps=None, channels=None, count=1, max_runtime=None,
             metrics=None, program="train.py"):
    body = {
        "TrainingJobName": name,
        "AlgorithmSpecification": {
            "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/"
                             "sagemaker-scikit-learn:1.2-1-cpu-py3",
            "TrainingInputMode": "File",
            "MetricDefinitions": metrics or [],
        },
        "HyperParameters": {"sagemaker_program": json.dumps(program),
                            "sagemaker_submit_directory": json.dumps(folder), **(hps or {})},
        "InputDataConfig": [
            {"ChannelName": ch, "DataSource": {"S3DataSource": {
                "S3Uri": uri, "S3DataType": "S3Prefix",
                "S3DataDistributionType": "FullyReplicated"}}, "ContentType": "text/csv"}
            for ch, uri in (channels or {}).items()],
        "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/training-output"},
        "ResourceConfig": {"InstanceCount": count, "InstanceType": "ml.m5.large",
                           "VolumeSizeInGB": 1},
    }
    if max_runtime:
        body["StoppingCondition"] = {"MaxRuntimeInSeconds": max_runtime}
    return body


async def wait_done(api, name, timeout=90):
    for _ in range(int(timeout / 0.25)):
        code, job = await api("GET", name)
        if job["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            return job
        await asyncio.sleep(0.25)
    raise AssertionError(f"job {name} did not end: {job}")
