"""The same state machine for every kind of job the engine runs, through each REST API:
a second job waits at capacity, a waiting one stops at once without starting, a running
one stops, and its finished log says so followed or not."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.kernels_support import PIP_CACHE, server_config
from tests.rest_support import rest_api
from tests.serving_support import put_slow_model

pytestmark = [pytest.mark.slow, pytest.mark.kernel]  # validation runs start a kernel
KINDS = ["training", "transform", "kernel-install", "example-validation", "tuning"]


@pytest.fixture
def jp_server_config(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_CACHE_DIR", str(PIP_CACHE))
    examples = tmp_path / "examples"
    examples.mkdir()
    return server_config(
        tmp_path / "envs",
        MLStudioApp={"embedded_s3": "auto"},
        JobEngine={"capacity": {kind: 1 for kind in KINDS}},
        Gallery={"sources": [{"name": "team", "kind": "directory", "path": str(examples),
                              "reviewed": True, "writable": True}]},
        PythonKernelInstaller={"pip_options": ["--timeout", "60", "--retries", "0"]},
    )


@dataclass
class Kind:
    """One kind's REST calls: ``create(name)`` starts a job that runs until stopped and
    prints a line first; the others take what ``create`` returned."""

    create: Callable[[str], Awaitable[str]]
    describe: Callable[[str], Awaitable[dict[str, Any]]]
    stop: Callable[[str], Awaitable[None]]
    log: Callable[[str, int, bool], Awaitable[dict[str, Any]]]
    status: Callable[[dict[str, Any]], str]
    started: Callable[[dict[str, Any]], bool]


def training_kind(jp_fetch, root) -> Kind:
    api = rest_api(jp_fetch, "training-jobs")
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "slow.py").write_text(
        "import time\nprint('working', flush=True)\ntime.sleep(600)\n")

    async def create(name: str) -> str:
        code, reply = await api("POST", body={
            "TrainingJobName": name, "AlgorithmSpecification": {"TrainingImage": "python"},
            "HyperParameters": {"sagemaker_program": "slow.py",
                                "sagemaker_submit_directory": "src"},
            "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/out"}})
        assert code == 201, reply
        return name

    async def describe(name: str) -> dict[str, Any]:
        return (await api("GET", name))[1]

    async def stop(name: str) -> None:
        assert (await api("POST", name, "stop"))[0] == 200

    async def log(name: str, offset: int, follow: bool) -> dict[str, Any]:
        params = {"offset": str(offset), **({"follow": "1", "timeout": "20"} if follow else {})}
        return (await api("GET", name, "logs", params=params))[1]

    return Kind(create, describe, stop, log, lambda d: d["TrainingJobStatus"],
                lambda d: bool(d.get("TrainingStartTime")))


def tuning_kind(jp_fetch, root) -> Kind:
    from tests.tuning_support import tuning_body

    api = rest_api(jp_fetch, "tuning-jobs")

    async def create(name: str) -> str:
        body = tuning_body(name, root, max_jobs=2, parallel=1,
                           static={"epochs": "1000", "pause": "1"})
        code, reply = await api("POST", body=body)
        assert code == 201, reply
        return name

    async def describe(name: str) -> dict[str, Any]:
        return (await api("GET", name))[1]

    async def stop(name: str) -> None:
        assert (await api("POST", name, "stop"))[0] == 200

    async def log(name: str, offset: int, follow: bool) -> dict[str, Any]:
        params = {"offset": str(offset), **({"follow": "1", "timeout": "20"} if follow else {})}
        return (await api("GET", name, "log", params=params))[1]

    return Kind(create, describe, stop, log, lambda d: d["HyperParameterTuningJobStatus"],
                lambda d: bool(d.get("ConsumedResources")))


def transform_kind(jp_fetch, s3) -> Kind:
    api = rest_api(jp_fetch)
    put_slow_model(s3)

    async def create(name: str) -> str:
        code, reply = await api("POST", "models", body={
            "ModelName": f"slow-{name}",
            "PrimaryContainer": {"ModelDataUrl": "s3://mlstudio/slow/model.tar.gz"}})
        assert code == 201, reply
        code, reply = await api("POST", "transform-jobs", body={
            "TransformJobName": name, "ModelName": f"slow-{name}",
            "TransformInput": {"ContentType": "text/csv", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": "s3://mlstudio/slow-in/"}}},
            "TransformOutput": {"S3OutputPath": f"s3://mlstudio/slow-out/{name}"}})
        assert code == 201, reply
        return name

    async def describe(name: str) -> dict[str, Any]:
        return (await api("GET", "transform-jobs", name))[1]

    async def stop(name: str) -> None:
        assert (await api("POST", "transform-jobs", name, "stop"))[0] == 200

    async def log(name: str, offset: int, follow: bool) -> dict[str, Any]:
        params = {"offset": str(offset), **({"follow": "1", "timeout": "20"} if follow else {})}
        return (await api("GET", "transform-jobs", name, "logs", params=params))[1]

    return Kind(create, describe, stop, log, lambda d: d["TransformJobStatus"],
                lambda d: bool(d.get("TransformStartTime")))


def install_kind(jp_fetch, index_url: str) -> Kind:
    api = rest_api(jp_fetch, "kernels")

    async def create(name: str) -> str:
        code, reply = await api("POST", "installs", body={
            "kind": "python", "name": name,
            "options": {"packages": ["six"], "index_url": index_url}})
        assert code == 202, reply
        return reply["id"]

    async def describe(job_id: str) -> dict[str, Any]:
        return (await api("GET", "installs", job_id))[1]

    async def stop(job_id: str) -> None:
        assert (await api("POST", "installs", job_id, "cancel"))[0] == 202

    async def log(job_id: str, offset: int, follow: bool) -> dict[str, Any]:
        params = {"offset": str(offset), **({"wait": "20"} if follow else {})}
        page = (await api("GET", "installs", job_id, "log", params=params))[1]
        return {**page, "complete": page["finished"]}

    return Kind(create, describe, stop, log, lambda d: d["status"], lambda d: bool(d["started"]))


def validation_kind(jp_fetch, examples) -> Kind:
    api = rest_api(jp_fetch, "examples")

    async def create(name: str) -> str:
        nb = new_notebook(cells=[new_code_cell(
            "import time\nprint('working', flush=True)\ntime.sleep(600)")])
        nb.metadata["mlstudio"] = {"title": f"Slow {name}", "tags": []}
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(nb, examples / f"{name}.ipynb")
        code, listing = await api("GET", params={"q": f"Slow {name}"})
        [example] = [e for e in listing["examples"] if e["title"] == f"Slow {name}"]
        code, reply = await api("POST", "validations", body={"ids": [example["id"]]})
        assert code == 202, reply
        return reply["id"]

    async def describe(job_id: str) -> dict[str, Any]:
        return (await api("GET", "validations", job_id))[1]

    async def stop(job_id: str) -> None:
        assert (await api("POST", "validations", job_id, "stop"))[0] == 202

    async def log(job_id: str, offset: int, follow: bool) -> dict[str, Any]:
        params = {"offset": str(offset), **({"wait": "20"} if follow else {})}
        return (await api("GET", "validations", job_id, "log", params=params))[1]

    return Kind(create, describe, stop, log, lambda d: d["status"], lambda d: bool(d["started"]))


async def until(kind: Kind, job: str, check: Callable[[dict[str, Any]], bool],
                timeout: float = 60.0) -> dict[str, Any]:
    """The job's description once ``check`` holds, following its log meanwhile (each
    long poll returns when the job writes or changes, so this waits on events)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    offset = 0
    while not check(described := await kind.describe(job)):
        assert loop.time() < deadline, described
        page = await kind.log(job, offset, True)
        offset = page["next_offset"]
        if page["complete"] and not check(described := await kind.describe(job)):
            raise AssertionError(f"the job ended otherwise: {described}")
    return described


@pytest.mark.parametrize("kind_name", KINDS)
async def test_queue_stop_and_log_ends(kind_name, jp_fetch, mlstudio_app, jp_root_dir,
                                       tmp_path, silent_index):
    kind = {"training": lambda: training_kind(jp_fetch, jp_root_dir),
            "transform": lambda: transform_kind(jp_fetch, mlstudio_app.s3.client()),
            "kernel-install": lambda: install_kind(jp_fetch, silent_index),
            "example-validation": lambda: validation_kind(jp_fetch, tmp_path / "examples"),
            "tuning": lambda: tuning_kind(jp_fetch, jp_root_dir),
            }[kind_name]()
    first = await kind.create("first")
    running = await until(kind, first, kind.started)
    assert kind.status(running) == "InProgress"

    second = await kind.create("second")
    waiting = await kind.describe(second)
    assert kind.status(waiting) in {"Pending", "InProgress"} and not kind.started(waiting)
    await kind.stop(second)
    stopped = await kind.describe(second)
    assert kind.status(stopped) == "Stopped" and not kind.started(stopped), stopped
    assert (await kind.log(second, 0, False))["complete"]

    offset, loop = 0, asyncio.get_running_loop()
    deadline = loop.time() + 60
    while not (page := await kind.log(first, offset, True))["text"]:  # it is working
        assert loop.time() < deadline and not page["complete"], page
        offset = page["next_offset"]
    await kind.stop(first)
    ended = await until(kind, first, lambda d: kind.status(d) == "Stopped")
    assert kind.started(ended)
    text, offset = "", 0
    while True:  # followed: the log ends with complete, no waiting out the time-out
        page = await kind.log(first, offset, True)
        text, offset = text + page["text"], page["next_offset"]
        if page["complete"]:
            break
    assert text
    again = await kind.log(first, offset, False)  # not followed: complete all the same
    assert again["complete"] and again["text"] == ""


async def test_an_example_running_past_its_time_out_fails_with_the_reason(
        jp_fetch, mlstudio_app, tmp_path):
    mlstudio_app.gallery_service.config.cell_timeout = 2
    kind = validation_kind(jp_fetch, tmp_path / "examples")
    run = await kind.create("stuck")
    done = await until(kind, run, lambda d: d["status"] in ("Completed", "Failed"),
                       timeout=120)
    assert done["status"] == "Completed" and done["message"] == "0 passed, 1 failed", done
    [result] = done["results"]
    assert result["status"] == "failing" and "a cell ran longer than 2 s" in result["error"]
