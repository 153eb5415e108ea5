"""A tuning job across a Jupyter server restart: taken up where it was."""
from __future__ import annotations

import signal

import pytest

from tests.procs import wait_for
from tests.servers import start_server
from tests.tuning_support import tuning_body

pytestmark = [pytest.mark.slow]


def describe(server, name: str) -> dict:
    reply = server.get(f"mlstudio/api/tuning-jobs/{name}")
    assert reply.status_code == 200, reply.text
    return reply.json()


def trials(server, name: str) -> list[dict]:
    reply = server.get(f"mlstudio/api/tuning-jobs/{name}/training-jobs",
                       params={"MaxResults": "100"})
    assert reply.status_code == 200, reply.text
    return reply.json()["TrainingJobSummaries"]


def test_a_killed_server_takes_its_tuning_job_up_where_it_was(tmp_path):
    home = tmp_path / "home"
    (home / "work").mkdir(parents=True)
    body = tuning_body("resumed", home / "work", max_jobs=4, parallel=2,
                       static={"epochs": "8", "pause": "0.5"})
    server = start_server(home)
    try:
        reply = server.request("POST", "mlstudio/api/tuning-jobs", json=body)
        assert reply.status_code == 201, reply.text
        # both first trials are training when the server dies
        wait_for(lambda: describe(server, "resumed")["TrainingJobStatusCounters"][
            "InProgress"] == 2 and all(
            server.get(f"mlstudio/api/training-jobs/{t['TrainingJobName']}").json()[
                "SecondaryStatus"] == "Training" for t in trials(server, "resumed")))
        before = {t["TrainingJobName"] for t in trials(server, "resumed")}
    finally:
        server.stop(signal.SIGKILL)

    again = start_server(home)
    try:
        job = wait_for(lambda: (d := describe(again, "resumed"))[
            "HyperParameterTuningJobStatus"] != "InProgress" and d, timeout=180)
        assert job["HyperParameterTuningJobStatus"] == "Completed", job
        after = trials(again, "resumed")
        assert before <= {t["TrainingJobName"] for t in after}
        assert len(after) == 4 and len({t["TrainingJobName"][:11] for t in after}) == 4
        # the trials that ran across the restart were followed to their end
        assert all(t["ObjectiveStatus"] == "Succeeded" for t in after), after
        assert job["ObjectiveStatusCounters"]["Succeeded"] == 4
        log = again.get("mlstudio/api/tuning-jobs/resumed/log").json()["text"]
        assert "resuming with 2 training jobs started" in log
    finally:
        again.stop()
