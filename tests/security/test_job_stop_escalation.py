"""StopTrainingJob and MaxRuntimeInSeconds end a job even when its runner cannot act."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.procs import wait_gone

pytestmark = [pytest.mark.slow]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
            "LocalBackend": {"stop_grace": 1.0, "stop_timeout": 3.0},
            "TrainingService": {"overdue_slack": 1.0}}


async def _job(jp_fetch, name: str) -> dict:
    return json.loads((await jp_fetch("mlstudio", "api", "training-jobs", name)).body)


async def _frozen_job(jp_fetch, app, root: Path, name: str, max_runtime: int = 3600
                      ) -> tuple[dict, dict]:
    """Start a job whose script sleeps, then freeze its runner (SIGSTOP) once training:
    a runner that can no longer do anything. Returns the backend state and host pids."""
    (root / "slow").mkdir(exist_ok=True)
    (root / "slow" / "train.py").write_text(
        "import time\nprint('started', flush=True)\ntime.sleep(300)\n")
    body = {"TrainingJobName": name, "AlgorithmSpecification": {"TrainingImage": "python"},
            "HyperParameters": {"sagemaker_program": "train.py",
                                "sagemaker_submit_directory": "slow"},
            "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/frozen"},
            "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime}}
    await jp_fetch("mlstudio", "api", "training-jobs", method="POST", body=json.dumps(body))
    deadline = time.monotonic() + 60
    while (await _job(jp_fetch, name))["SecondaryStatus"] != "Training":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    state = app.training_service._get(name).backend_state
    hosts = json.loads((Path(state["job_dir"]) / "state.json").read_text())["host_pids"]
    os.kill(state["pid"], signal.SIGSTOP)
    return state, hosts


def _kill(state: dict, hosts: dict) -> None:
    """Leave nothing of ours behind, whatever the test saw."""
    for kill, pid in [(os.kill, state["pid"]), *((os.killpg, p) for p in hosts.values())]:
        try:
            kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


async def _ended(jp_fetch, name: str, since: float, within: float) -> dict:
    while (job := await _job(jp_fetch, name))["TrainingJobStatus"] not in (
            "Stopped", "Failed", "Completed"):
        assert time.monotonic() - since < within, job
        await asyncio.sleep(0.2)
    return job


async def test_a_frozen_runner_is_killed_and_the_job_ends_stopped(jp_fetch, mlstudio_app,
                                                                  jp_root_dir):
    state, hosts = await _frozen_job(jp_fetch, mlstudio_app, jp_root_dir, "frozen")
    try:
        asked = time.monotonic()
        await jp_fetch("mlstudio", "api", "training-jobs", "frozen", "stop", method="POST",
                       body=b"{}")
        assert (await _job(jp_fetch, "frozen"))["TrainingJobStatus"] == "Stopping"
        # Frozen, the runner would never end the job: stop_timeout, then a margin for load.
        job = await _ended(jp_fetch, "frozen", asked, 3.0 + 30)
        assert job["TrainingJobStatus"] == "Stopped" and "killed" in json.dumps(
            job["SecondaryStatusTransitions"])
        assert wait_gone(state["pid"], 10) and all(wait_gone(p, 10) for p in hosts.values())
    finally:
        _kill(state, hosts)


async def test_a_frozen_runner_past_max_runtime_is_stopped_by_the_server(
        jp_fetch, mlstudio_app, jp_root_dir):
    state, hosts = await _frozen_job(jp_fetch, mlstudio_app, jp_root_dir, "frozen-long", 3)
    frozen = time.monotonic()
    try:
        # 3 s limit + 1 s stop_grace + the server's 1 s slack, then 3 s stop_timeout
        job = await _ended(jp_fetch, "frozen-long", frozen, 3 + 1 + 1 + 3 + 30)
        assert job["TrainingJobStatus"] == "Stopped", job
        assert job["SecondaryStatus"] == "MaxRuntimeExceeded"
        assert "killed" in json.dumps(job["SecondaryStatusTransitions"])
        assert wait_gone(state["pid"], 10)
    finally:
        _kill(state, hosts)
