"""Training jobs across a Jupyter server restart: reattached, or failed with a reason."""
from __future__ import annotations

import json
import os
import signal

import pytest

from tests.procs import wait_for, wait_gone
from tests.servers import start_server

pytestmark = [pytest.mark.slow]

SCRIPT = """
import os, time
print("working", flush=True)
time.sleep(float(os.environ.get("SLEEP", "6")))
open(os.path.join(os.environ["SM_MODEL_DIR"], "done.txt"), "w").write("ok")
print("finished", flush=True)
"""


def submit(server, name: str, sleep: float) -> None:
    body = {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": "python"},
        "HyperParameters": {"sagemaker_program": "train.py",
                            "sagemaker_submit_directory": "job-src"},
        "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/restart"},
        "Environment": {"SLEEP": str(sleep)},
    }
    resp = server.request("POST", "mlstudio/api/training-jobs", json=body)
    assert resp.status_code == 201, resp.text


def describe(server, name: str) -> dict:
    return server.get(f"mlstudio/api/training-jobs/{name}").json()


def test_jobs_survive_a_server_restart(tmp_path):
    home = tmp_path / "home"
    (home / "work" / "job-src").mkdir(parents=True)
    (home / "work" / "job-src" / "train.py").write_text(SCRIPT)
    server = start_server(home)
    try:
        submit(server, "survivor", sleep=6)
        submit(server, "orphan", sleep=30)
        wait_for(lambda: all(describe(server, n)["SecondaryStatus"] == "Training"
                             for n in ("survivor", "orphan")))
        orphan_state = json.loads(
            (server.data_dir / "jobs" / "orphan" / "state.json").read_text())
    finally:
        server.stop(signal.SIGKILL)
    # While the server is down the orphan's runner dies too.
    os.kill(orphan_state["runner_pid"], signal.SIGKILL)
    assert wait_gone(orphan_state["runner_pid"])

    again = start_server(home)
    try:
        survivor = wait_for(lambda: (d := describe(again, "survivor"))["TrainingJobStatus"]
                            in ("Completed", "Failed") and d)
        assert survivor["TrainingJobStatus"] == "Completed", survivor.get("FailureReason")
        assert survivor["ModelArtifacts"]["S3ModelArtifacts"].endswith(
            "survivor/output/model.tar.gz")
        orphan = wait_for(lambda: (d := describe(again, "orphan"))["TrainingJobStatus"]
                          != "InProgress" and d)
        assert orphan["TrainingJobStatus"] == "Failed"
        assert "exited unexpectedly" in orphan["FailureReason"]
        listing = again.get("mlstudio/api/training-jobs").json()
        assert {s["TrainingJobName"] for s in listing["TrainingJobSummaries"]} == {
            "survivor", "orphan"}
    finally:
        again.stop()
