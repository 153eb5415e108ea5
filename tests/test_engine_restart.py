"""Every kind of work that runs inside the Jupyter server, across a killed server: the
run that was cut off ends Failed with that reason (it cannot outlive its server), and the
one still waiting in its queue starts after the restart. (Training jobs are reattached:
tests/test_training_restart.py; tuning jobs resume: tests/test_tuning_restart.py.)"""
from __future__ import annotations

import json
import signal
from dataclasses import dataclass
from typing import Any, Callable

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.procs import wait_for
from tests.servers import TEST_CONFIG, LiveServer, start_server
from tests.serving_support import put_slow_model

pytestmark = [pytest.mark.slow, pytest.mark.kernel]
RESTARTED = "the Jupyter server stopped while it ran"


@dataclass
class Kind:
    """A kind's routes: ``create(server, name)`` starts work that runs until stopped and
    returns its id; ``describe`` gives (status, started, failure reason)."""

    create: Callable[[LiveServer, str], str]
    describe: Callable[[LiveServer, str], tuple[str, bool, str]]
    stop: Callable[[LiveServer, str], None]


def _ok(reply, code: int) -> dict[str, Any]:
    assert reply.status_code == code, reply.text
    return reply.json()


def install_kind(index_url: str) -> Kind:
    def create(server, name):
        return _ok(server.request("POST", "mlstudio/api/kernels/installs", json={
            "kind": "python", "name": name,
            "options": {"packages": ["six"], "index_url": index_url}}), 202)["id"]

    def describe(server, job):
        d = _ok(server.get(f"mlstudio/api/kernels/installs/{job}"), 200)
        return d["status"], bool(d["started"]), d.get("error") or d.get("message") or ""

    def stop(server, job):
        _ok(server.request("POST", f"mlstudio/api/kernels/installs/{job}/cancel"), 202)

    return Kind(create, describe, stop)


def validation_kind(examples) -> Kind:
    def create(server, name):
        nb = new_notebook(cells=[new_code_cell("import time\ntime.sleep(600)")])
        nb.metadata["mlstudio"] = {"title": f"Slow {name}", "tags": []}
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(nb, examples / f"{name}.ipynb")
        listing = _ok(server.get("mlstudio/api/examples", params={"q": f"Slow {name}"}), 200)
        [example] = [e for e in listing["examples"] if e["title"] == f"Slow {name}"]
        return _ok(server.request("POST", "mlstudio/api/examples/validations",
                                  json={"ids": [example["id"]]}), 202)["id"]

    def describe(server, job):
        d = _ok(server.get(f"mlstudio/api/examples/validations/{job}"), 200)
        return d["status"], bool(d["started"]), json.dumps(d)

    def stop(server, job):
        _ok(server.request("POST", f"mlstudio/api/examples/validations/{job}/stop"), 202)

    return Kind(create, describe, stop)


def transform_kind() -> Kind:
    def create(server, name):
        put_slow_model(server.s3_client())
        _ok(server.request("POST", "mlstudio/api/models", json={
            "ModelName": f"slow-{name}",
            "PrimaryContainer": {"ModelDataUrl": "s3://mlstudio/slow/model.tar.gz"}}), 201)
        _ok(server.request("POST", "mlstudio/api/transform-jobs", json={
            "TransformJobName": name, "ModelName": f"slow-{name}",
            "TransformInput": {"ContentType": "text/csv", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": "s3://mlstudio/slow-in/"}}},
            "TransformOutput": {"S3OutputPath": f"s3://mlstudio/slow-out/{name}"}}), 201)
        return name

    def describe(server, job):
        d = _ok(server.get(f"mlstudio/api/transform-jobs/{job}"), 200)
        return d["TransformJobStatus"], bool(d.get("TransformStartTime")), \
            d.get("FailureReason", "")

    def stop(server, job):
        _ok(server.request("POST", f"mlstudio/api/transform-jobs/{job}/stop"), 200)

    return Kind(create, describe, stop)


@pytest.mark.parametrize("kind_name", ["kernel-install", "example-validation", "transform"])
def test_a_killed_server_ends_the_cut_off_run_and_starts_the_waiting_one(
        kind_name, tmp_path, silent_index):
    home = tmp_path / "home"
    examples = tmp_path / "examples"
    examples.mkdir()
    (home / "config").mkdir(parents=True)
    (home / "config" / "jupyter_server_config.json").write_text(json.dumps({
        **TEST_CONFIG,
        "JobEngine": {"capacity": {kind_name: 1}},
        "KernelsApp": {"env_dir": str(tmp_path / "envs")},
        "PythonKernelInstaller": {"pip_options": ["--timeout", "60", "--retries", "0"]},
        "Gallery": {"sources": [{"name": "team", "kind": "directory", "path": str(examples),
                                 "reviewed": True, "writable": True}]}}))
    kind = {"kernel-install": lambda: install_kind(silent_index),
            "example-validation": lambda: validation_kind(examples),
            "transform": transform_kind}[kind_name]()
    server = start_server(home)
    try:
        first = kind.create(server, "first")
        wait_for(lambda: kind.describe(server, first)[:2] == ("InProgress", True), timeout=120)
        second = kind.create(server, "second")
        assert not kind.describe(server, second)[1]  # waiting for the first
    finally:
        server.stop(signal.SIGKILL)

    again = start_server(home)
    try:
        status, _, reason = wait_for(lambda: (d := kind.describe(again, first))[0]
                                     != "InProgress" and d, timeout=60)
        assert status == "Failed" and RESTARTED in reason, (status, reason)
        wait_for(lambda: kind.describe(again, second)[:2] == ("InProgress", True),
                 timeout=120)
        kind.stop(again, second)
        assert wait_for(lambda: (d := kind.describe(again, second))[0] in (
            "Stopped", "Failed") and d, timeout=60)[0] == "Stopped"
    finally:
        again.stop()
