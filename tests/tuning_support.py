"""Helpers of the tuning tests: a fast training script and tuning job requests."""
from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.rest_support import rest_api
from tests.training_support import job_body, script_dir

#: A noisy-free function of the hyperparameters, printed per epoch as SageMaker scripts
#: print metrics: ``loss`` falls towards (x - 0.3)^2 + (depth - 4)^2 / 10 (+ 1 for
#: kind b). ``fail=1`` exits with an error; ``silent=1`` prints no metric.
SCRIPT = """
import argparse, sys, time
p = argparse.ArgumentParser()
p.add_argument("--x", type=float, default=0.5)
p.add_argument("--depth", type=int, default=3)
p.add_argument("--kind", default="a")
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--pause", type=float, default=0.0)
p.add_argument("--fail", type=int, default=0)
p.add_argument("--silent", type=int, default=0)
a = p.parse_args()
if a.fail:
    sys.exit("failing on purpose")
target = (a.x - 0.3) ** 2 + (a.depth - 4) ** 2 / 10 + (1.0 if a.kind == "b" else 0.0)
for epoch in range(1, a.epochs + 1):
    loss = target + 1.0 / epoch
    if not a.silent:
        print(f"epoch={epoch} loss={loss:.6f}", flush=True)
    time.sleep(a.pause)
"""
METRICS = [{"Name": "validation:loss", "Regex": r"loss=([0-9.eE+-]+)"}]


def tuning_api(jp_fetch):
    return rest_api(jp_fetch, "tuning-jobs")


def definition(root, static: dict[str, str] | None = None) -> dict[str, Any]:
    """A TrainingJobDefinition running :data:`SCRIPT` from the workspace."""
    folder = script_dir(root, "tune-src", SCRIPT)
    body = job_body("unused", folder, metrics=METRICS, max_runtime=300)
    return {"StaticHyperParameters": {**body["HyperParameters"], **(static or {})},
            "AlgorithmSpecification": body["AlgorithmSpecification"],
            "RoleArn": "arn:aws:iam::000000000000:role/SageMakerRole",
            "OutputDataConfig": body["OutputDataConfig"],
            "ResourceConfig": body["ResourceConfig"],
            "StoppingCondition": body["StoppingCondition"]}


def tuning_body(name: str, root, *, strategy: str = "Bayesian", max_jobs: int = 4,
                parallel: int = 2, ranges: dict[str, Any] | None = None,
                static: dict[str, str] | None = None, **config: Any) -> dict[str, Any]:
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": strategy,
            "HyperParameterTuningJobObjective": {"Type": "Minimize",
                                                 "MetricName": "validation:loss"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": max_jobs,
                               "MaxParallelTrainingJobs": parallel},
            "ParameterRanges": ranges if ranges is not None else {
                "ContinuousParameterRanges": [{"Name": "x", "MinValue": "0",
                                               "MaxValue": "1", "ScalingType": "Linear"}],
                "IntegerParameterRanges": [{"Name": "depth", "MinValue": "1",
                                            "MaxValue": "8", "ScalingType": "Linear"}]},
            "RandomSeed": 7,
            **config,
        },
        "TrainingJobDefinition": definition(root, static),
    }


async def wait_tuning(api, name: str, timeout: float = 240.0) -> dict[str, Any]:
    """The tuning job once it has ended (its bells are the engine's; a REST client
    polls)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        code, job = await api("GET", name)
        assert code == 200, job
        if job["HyperParameterTuningJobStatus"] in ("Completed", "Failed", "Stopped"):
            return job
        if loop.time() > deadline:
            raise AssertionError(f"tuning job {name} did not end: {json.dumps(job)[:2000]}")
        await asyncio.sleep(0.5)
