"""Symbolic links in a training source folder never bring a file from outside the root."""
from __future__ import annotations

import asyncio
import json
import time

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.errors import MLStudioError
from tests.rest_client.estimator import Estimator
from jupyter_mlstudio.jobs.sourcedir import UnsafeSourceLink, source_files

READ_SCRIPT = """
print("SHARED", open("shared.txt").read(), flush=True)
"""


@pytest.fixture
def api(jp_fetch, mlstudio_app):
    async def call(method, *path, body=None):
        try:
            resp = await jp_fetch("mlstudio", "api", "training-jobs", *path, method=method,
                                  body=json.dumps(body) if body is not None else None)
        except HTTPClientError as err:
            resp = err.response
        return resp.code, (json.loads(resp.body) if resp.body else None)

    return call


def request(name: str, folder: str) -> dict:
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingInputMode": "File"},
        "HyperParameters": {"sagemaker_program": '"train.py"',
                            "sagemaker_submit_directory": json.dumps(folder)},
        "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/training-output"},
    }


@pytest.fixture
def outside(tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("not for the job")
    return secret


@pytest.mark.parametrize("link", ["secret.txt", "lib/secret.txt", "outdir"])
async def test_link_out_of_the_workspace_is_a_400(api, jp_root_dir, outside, link):
    src = jp_root_dir / "src"
    (src / "lib").mkdir(parents=True)
    (src / "train.py").write_text("print('hi')")
    target = outside.parent if link == "outdir" else outside
    (src / link).symlink_to(target)
    code, reply = await api("POST", body=request("linked", "src"))
    assert code == 400 and reply["reason"] == "ValidationException", reply
    assert repr(link) in reply["message"] and "outside" in reply["message"]
    assert (await api("GET", "linked"))[0] == 404


async def test_entry_point_link_out_is_a_400(api, jp_root_dir, outside):
    src = jp_root_dir / "src"
    src.mkdir()
    (src / "train.py").symlink_to(outside)
    code, reply = await api("POST", body=request("linked-entry", "src"))
    assert code == 400 and "'train.py'" in reply["message"], reply


async def test_links_inside_the_workspace_still_work(api, jp_root_dir):
    (jp_root_dir / "shared").mkdir()
    (jp_root_dir / "shared" / "data.txt").write_text("from the workspace")
    src = jp_root_dir / "src"
    src.mkdir()
    (src / "train.py").write_text(READ_SCRIPT)
    (src / "shared.txt").symlink_to(jp_root_dir / "shared" / "data.txt")
    code, reply = await api("POST", body=request("inside-link", "src"))
    assert code == 201, reply
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        code, job = await api("GET", "inside-link")
        if job["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            break
        await asyncio.sleep(0.2)
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    code, logs = await api("GET", "inside-link", "logs")
    assert "SHARED from the workspace" in logs["text"]


def test_link_loops_are_refused(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text("")
    (tmp_path / "src" / "again").symlink_to(tmp_path / "src")
    with pytest.raises(UnsafeSourceLink, match="'again'.*loops"):
        source_files(tmp_path / "src", tmp_path)


@pytest.mark.parametrize("with_source_dir", [True, False])
def test_estimator_refuses_a_link_out_of_its_source_dir(tmp_path, outside, with_source_dir):
    src = tmp_path / "src"
    src.mkdir()
    if with_source_dir:
        (src / "train.py").write_text("print('hi')")
        (src / "key.pem").symlink_to(outside)
        est = Estimator("train.py", source_dir=str(src), client=object())
        name = "'key.pem'"
    else:
        (src / "train.py").symlink_to(outside)
        est = Estimator(str(src / "train.py"), client=object())
        name = "'train.py'"
    with pytest.raises(MLStudioError) as err:
        est._upload_source("job")  # refused before anything is packed or sent
    assert name in err.value.message and "outside" in err.value.message
