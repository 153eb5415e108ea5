"""Training runners and scripts never see the server's tokens, only what the contract gives."""
from __future__ import annotations

import asyncio
import json
import time

import pytest

from jupyter_mlstudio.process import SERVER_SECRETS

SCRIPT = """
import json, os
secrets = set(json.loads(os.environ["SECRET_NAMES"]))
runner = os.getppid()
with open(f"/proc/{runner}/environ", "rb") as f:
    runner_names = {item.split(b"=", 1)[0].decode() for item in f.read().split(b"\\0") if item}
print("ENV " + json.dumps({
    "script": sorted(secrets & set(os.environ)),
    "runner": sorted(secrets & runner_names),
    "runner_is_python": "python" in open(f"/proc/{runner}/cmdline", "rb").read().decode(),
    "s3": [k for k in ("AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
           if os.environ.get(k)],
}), flush=True)
"""


@pytest.fixture(params=[True, False], ids=["fork-server", "direct"])
def jp_server_config(request):
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
            "LocalBackend": {"use_fork_server": request.param}}


async def test_no_server_token_reaches_runner_or_script(jp_fetch, mlstudio_app, jp_root_dir,
                                                        monkeypatch):
    for name in SERVER_SECRETS:  # as a server started with a token has them
        monkeypatch.setenv(name, f"secret-{name.lower()}")
    (jp_root_dir / "env").mkdir()
    (jp_root_dir / "env" / "train.py").write_text(SCRIPT)
    body = {
        "TrainingJobName": "env-check",
        "AlgorithmSpecification": {"TrainingImage": "python"},
        "HyperParameters": {"sagemaker_program": "train.py", "sagemaker_submit_directory": "env"},
        "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/env-check"},
        "Environment": {"SECRET_NAMES": json.dumps(sorted(SERVER_SECRETS))},
    }
    resp = await jp_fetch("mlstudio", "api", "training-jobs", method="POST",
                          body=json.dumps(body))
    assert resp.code == 201
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = json.loads((await jp_fetch("mlstudio", "api", "training-jobs", "env-check")).body)
        if job["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            break
        await asyncio.sleep(0.2)
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    logs = json.loads((await jp_fetch("mlstudio", "api", "training-jobs", "env-check",
                                      "logs")).body)["text"]
    (line,) = [ln for ln in logs.splitlines() if ln.startswith("ENV ")]
    seen = json.loads(line[4:])
    assert seen["script"] == [] and seen["runner"] == [], seen
    assert seen["runner_is_python"]
    assert seen["s3"] == ["AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
