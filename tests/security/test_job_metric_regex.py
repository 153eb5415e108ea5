"""Metric regexes cannot hold a job past its stop or its time limit, and are checked
against SageMaker's limits when the job is created."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.sagemaker.errors import ValidationError
from jupyter_mlstudio.jobs.metrics import MetricParser, MetricWorker, validate_definitions
from tests.procs import eventually

SAGEMAKER_REGEXES = {
    "train:loss": r"train:loss=([0-9\.]+)",
    "validation:rmse": r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+"
                       r"(?:[eE][-+]?[0-9]+)?).*",
}
EVIL = [{"Name": "train:loss", "Regex": SAGEMAKER_REGEXES["train:loss"]},
        {"Name": "evil", "Regex": "(a+)+$"}]
BACKTRACKING_SCRIPT = """
import time
for i in range(3):
    print(f"train:loss={1.0 / (i + 1):.4f}", flush=True)
print("READY", flush=True)
while True:
    print("a" * 5000 + "!", flush=True)
    time.sleep(0.02)
"""


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
            "LocalBackend": {"max_concurrent_jobs": 2, "stop_grace": 2.0}}


@pytest.fixture
def api(jp_fetch, mlstudio_app):
    async def call(method, *path, body=None):
        try:
            resp = await jp_fetch("mlstudio", "api", "training-jobs", *path, method=method,
                                  body=json.dumps(body) if body is not None else
                                  (b"{}" if method == "POST" else None))
        except HTTPClientError as err:
            resp = err.response
        return resp.code, (json.loads(resp.body) if resp.body else None)

    return call


def request(name: str, folder: str, metrics: list, max_runtime: int = 3600) -> dict:
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingInputMode": "File", "MetricDefinitions": metrics},
        "HyperParameters": {"sagemaker_program": '"train.py"',
                            "sagemaker_submit_directory": json.dumps(folder)},
        "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/training-output"},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime},
    }


async def ended(api, name: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code, job = await api("GET", name)
        if job["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name} still {job['TrainingJobStatus']} after {timeout} s")


def kill_runner(app, name: str) -> None:
    """Whatever the test saw, leave no runner of ours (nor its hosts) behind."""
    state = app.training_service._get(name).backend_state
    if not state.get("pid"):
        return
    try:
        hosts = json.loads((Path(state["job_dir"]) / "state.json").read_text())["host_pids"]
    except (OSError, ValueError, KeyError):
        hosts = {}
    for kill, pid in [(os.kill, state["pid"]), *((os.killpg, p) for p in hosts.values())]:
        try:
            kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


async def test_backtracking_regex_neither_outlives_stop_nor_max_runtime(
        api, mlstudio_app, jp_root_dir):
    (jp_root_dir / "evil").mkdir()
    (jp_root_dir / "evil" / "train.py").write_text(BACKTRACKING_SCRIPT)
    assert (await api("POST", body=request("evil-stop", "evil", EVIL)))[0] == 201
    assert (await api("POST", body=request("evil-timeout", "evil", EVIL, 4)))[0] == 201
    try:
        async def backtracking():
            return "aaaa!" in (await api("GET", "evil-stop", "logs"))[1]["text"]

        await eventually(backtracking, 30)
        assert (await api("POST", "evil-stop", "stop"))[0] == 200
        # Left to the regex, these jobs would never end: the deadlines (the stop grace and
        # the run time, with a margin for a loaded machine) only bound the wait.
        stopped = await ended(api, "evil-stop", 2.0 + 30)
        assert stopped["TrainingJobStatus"] == "Stopped", stopped
        timed_out = await ended(api, "evil-timeout", 4 + 2.0 + 30)
        assert timed_out["TrainingJobStatus"] == "Stopped"
        assert timed_out["SecondaryStatus"] == "MaxRuntimeExceeded"
        for job in (stopped, timed_out):
            final = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
            assert final == {"train:loss": pytest.approx(0.3333)}, job["TrainingJobName"]
    finally:
        kill_runner(mlstudio_app, "evil-stop")
        kill_runner(mlstudio_app, "evil-timeout")


@pytest.mark.parametrize("metrics, message", [
    ([{"Name": "x", "Regex": 5}], "MetricDefinitions[0].Regex must be a string"),
    ([{"Name": "x", "Regex": r"(a)\1"}],
     "MetricDefinitions['x'].Regex '(a)\\\\1' is not supported"),
    ([{"Name": "look", "Regex": r"(?=loss)loss=(\d+)"}], "['look'].Regex"),
    ([{"Name": "x" * 256, "Regex": "(a)"}], "Name must have at most 255 characters"),
    ([{"Name": "", "Regex": "(a)"}], "Name must have at least 1 characters"),
    ([{"Name": "long", "Regex": "(a)" + "b" * 498}], "Regex must have at most 500 characters"),
    ([{"Name": "x", "Regex": ""}], "Regex must have at least 1 characters"),
    ([{"Name": f"m{i}", "Regex": "(a)"} for i in range(41)], "at most 40"),
    ([{"Name": "x", "Regex": "loss"}], "needs a group"),
    ([{"Name": "x", "Regex": "(unclosed"}], "not supported"),
    ("loss", "MetricDefinitions must be an array"),
])
async def test_bad_metric_definitions_are_400(api, jp_root_dir, metrics, message):
    (jp_root_dir / "ok").mkdir(exist_ok=True)
    (jp_root_dir / "ok" / "train.py").write_text("print('hi')")
    code, reply = await api("POST", body=request("bad-metrics", "ok", metrics))
    assert code == 400 and reply["reason"] == "ValidationException", reply
    assert message in reply["message"]


def test_sagemaker_regexes_are_accepted_and_match(tmp_path):
    definitions = [{"Name": k, "Regex": v} for k, v in SAGEMAKER_REGEXES.items()]
    assert validate_definitions(definitions) == definitions
    parser = MetricParser(definitions, tmp_path / "m.jsonl")
    parser.feed("epoch 1 train:loss=0.25")
    parser.feed("[12]#011train-rmse:0.61#011validation-rmse:4.5e-2")
    parser.close()
    points = [json.loads(line) for line in (tmp_path / "m.jsonl").read_text().splitlines()]
    assert [(p["name"], p["value"]) for p in points] == [("train:loss", 0.25),
                                                         ("validation:rmse", 0.045)]
    with pytest.raises(ValidationError, match="twice"):
        validate_definitions(definitions + definitions[:1])


def test_a_failing_metrics_file_never_blocks_the_runner(tmp_path):
    parser = MetricParser([{"Name": "loss", "Regex": r"loss=([0-9.]+)"}], tmp_path / "m.jsonl")
    parser.close()  # every write now fails, as on a full disk
    worker = MetricWorker(parser, capacity=1)
    assert worker.put([b"loss=1"], timeout=5) and worker.drained(timeout=5)
    assert isinstance(worker.error, ValueError)
    for _ in range(10):  # nothing is queued any more: never a wait
        assert worker.put([b"loss=2"], timeout=0)
    worker.close()
