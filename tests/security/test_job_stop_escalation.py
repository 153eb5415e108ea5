"""StopTrainingJob ends a job even when its runner cannot act on the stop."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.procs import wait_gone


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
            "LocalBackend": {"stop_grace": 1.0, "stop_timeout": 3.0}}


async def _job(jp_fetch, name: str) -> dict:
    return json.loads((await jp_fetch("mlstudio", "api", "training-jobs", name)).body)


async def test_a_frozen_runner_is_killed_and_the_job_ends_stopped(jp_fetch, mlstudio_app,
                                                                  jp_root_dir):
    (jp_root_dir / "slow").mkdir()
    (jp_root_dir / "slow" / "train.py").write_text(
        "import time\nprint('started', flush=True)\ntime.sleep(300)\n")
    body = {"TrainingJobName": "frozen", "AlgorithmSpecification": {"TrainingImage": "python"},
            "HyperParameters": {"sagemaker_program": "train.py",
                                "sagemaker_submit_directory": "slow"},
            "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/frozen"}}
    await jp_fetch("mlstudio", "api", "training-jobs", method="POST", body=json.dumps(body))
    service = mlstudio_app.training_service
    deadline = time.monotonic() + 60
    while (await _job(jp_fetch, "frozen"))["SecondaryStatus"] != "Training":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    state = service._get("frozen").backend_state
    hosts = json.loads((Path(state["job_dir"]) / "state.json").read_text())["host_pids"]
    os.kill(state["pid"], signal.SIGSTOP)  # a runner that can no longer do anything
    try:
        asked = time.monotonic()
        await jp_fetch("mlstudio", "api", "training-jobs", "frozen", "stop", method="POST",
                       body=b"{}")
        assert (await _job(jp_fetch, "frozen"))["TrainingJobStatus"] == "Stopping"
        while (job := await _job(jp_fetch, "frozen"))["TrainingJobStatus"] == "Stopping":
            assert time.monotonic() - asked < 3.0 + 10, job
            await asyncio.sleep(0.1)
        assert job["TrainingJobStatus"] == "Stopped" and "killed" in json.dumps(
            job["SecondaryStatusTransitions"])
        assert wait_gone(state["pid"], 10) and all(wait_gone(p, 10) for p in hosts.values())
    finally:
        for pid in [state["pid"], *hosts.values()]:
            try:
                os.killpg(pid, signal.SIGKILL) if pid != state["pid"] else os.kill(
                    pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
