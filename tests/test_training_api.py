"""Training jobs on the local backend, end to end against the real embedded store."""
from __future__ import annotations

import asyncio
import io
import json
import tarfile

import pytest

from tests.procs import eventually
from tests.training_support import job_body, script_dir, wait_done

SKLEARN_SCRIPT = """
import argparse, glob, json, os
import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
parser.add_argument("--C", type=float, default=1.0)
parser.add_argument("--max-iter", dest="max_iter", type=int, default=100)
parser.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])
parser.add_argument("--train", default=os.environ["SM_CHANNEL_TRAIN"])
args = parser.parse_args()
frame = pd.concat(pd.read_csv(f) for f in glob.glob(os.path.join(args.train, "*.csv")))
model = LogisticRegression(C=args.C, max_iter=args.max_iter).fit(frame[["x"]], frame["y"])
accuracy = model.score(frame[["x"]], frame["y"])
for epoch in range(3):
    print(f"epoch={epoch} loss={1.0 / (epoch + 1):.4f}")
print(f"train accuracy: {accuracy:.3f}")
joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "env.json"), "w") as f:
    json.dump({"hps": json.loads(os.environ["SM_HPS"]), "C": args.C}, f)
"""


@pytest.fixture
def jp_server_config(tmp_path):
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
        "LocalBackend": {"max_concurrent_jobs": 2, "stop_grace": 2.0,
                         "max_log_bytes": 50_000},
    }


async def test_sklearn_job_trains_and_uploads_model(api, s3, jp_root_dir):
    for i, rows in enumerate(["x,y\n0,0\n1,0\n2,0\n", "x,y\n7,1\n8,1\n9,1\n"]):
        s3.put_object(Bucket="mlstudio", Key=f"train-data/part-{i}.csv", Body=rows.encode())
    folder = script_dir(jp_root_dir, "sk", SKLEARN_SCRIPT)
    metrics = [{"Name": "train:loss", "Regex": r"loss=([0-9.]+)"},
               {"Name": "train:accuracy", "Regex": r"train accuracy: ([0-9.]+)"}]
    code, reply = await api("POST", body=job_body(
        "sk-job", folder, hps={"C": "0.5", "max-iter": "200"},
        channels={"train": "s3://mlstudio/train-data/"}, metrics=metrics))
    assert code == 201 and reply["TrainingJobArn"].endswith("training-job/sk-job")
    job = await wait_done(api, "sk-job")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert [t["Status"] for t in job["SecondaryStatusTransitions"]] == [
        "Starting", "Downloading", "Training", "Uploading", "Completed"]
    transitions = job["SecondaryStatusTransitions"]
    assert all("EndTime" in t for t in transitions), transitions
    artifact = job["ModelArtifacts"]["S3ModelArtifacts"]
    assert artifact == "s3://mlstudio/training-output/sk-job/output/model.tar.gz"
    body = s3.get_object(Bucket="mlstudio", Key="training-output/sk-job/output/model.tar.gz")
    with tarfile.open(fileobj=io.BytesIO(body["Body"].read())) as tar:
        assert tar.getnames() == ["model.joblib"]
    out = s3.get_object(Bucket="mlstudio", Key="training-output/sk-job/output/output.tar.gz")
    with tarfile.open(fileobj=io.BytesIO(out["Body"].read())) as tar:
        env = json.load(tar.extractfile("env.json"))
    assert env == {"hps": {"C": 0.5, "max-iter": 200}, "C": 0.5}
    final = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert final == {"train:loss": pytest.approx(0.3333), "train:accuracy": 1.0}
    code, series = await api("GET", "sk-job", "metrics")
    assert [p["value"] for p in series["metrics"]["train:loss"]] == [1.0, 0.5, 0.3333]
    code, logs = await api("GET", "sk-job", "logs")
    assert "train accuracy: 1.000" in logs["text"]
    code, listing = await api("GET", params={"StatusEquals": "Completed"})
    assert "sk-job" in [s["TrainingJobName"] for s in listing["TrainingJobSummaries"]]


async def test_failing_script_reports_traceback_tail(api, jp_root_dir):
    folder = script_dir(jp_root_dir, "bad", "print('starting')\ndef broken(:\n")
    await api("POST", body=job_body("bad-job", folder))
    job = await wait_done(api, "bad-job")
    assert job["TrainingJobStatus"] == "Failed"
    assert "SyntaxError" in job["FailureReason"] and "ModelArtifacts" not in job


async def test_failure_file_becomes_the_reason(api, jp_root_dir):
    folder = script_dir(jp_root_dir, "failfile", """
        import os, sys
        open(os.path.join(os.environ["SAGEMAKER_BASE_DIR"], "output", "failure"), "w").write(
            "the data had no labels")
        sys.exit(3)
    """)
    await api("POST", body=job_body("failfile-job", folder))
    job = await wait_done(api, "failfile-job")
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"] == "AlgorithmError: the data had no labels"


async def test_stop_and_max_runtime(api, jp_root_dir):
    folder = script_dir(jp_root_dir, "slow", """
        import os, time
        open(os.path.join(os.environ["SM_MODEL_DIR"], "partial.txt"), "w").write("so far")
        print("started", flush=True)
        time.sleep(120)
    """)
    await api("POST", body=job_body("stop-me", folder))
    await api("POST", body=job_body("too-long", folder, max_runtime=2))

    async def started():
        return "started" in (await api("GET", "stop-me", "logs"))[1]["text"]

    await eventually(started, 60)
    code, _ = await api("POST", "stop-me", "stop")
    assert code == 200
    stopped = await wait_done(api, "stop-me", 30)
    assert stopped["TrainingJobStatus"] == "Stopped" and stopped["SecondaryStatus"] == "Stopped"
    assert "ModelArtifacts" in stopped  # what the model dir held is kept, as SageMaker does
    timed_out = await wait_done(api, "too-long", 30)
    assert timed_out["TrainingJobStatus"] == "Stopped"
    assert timed_out["SecondaryStatus"] == "MaxRuntimeExceeded"
    code, body = await api("POST", "stop-me", "stop")
    assert code == 400


async def test_two_hosts_see_their_own_host(api, jp_root_dir, s3):
    folder = script_dir(jp_root_dir, "dist", """
        import json, os
        env = {k: os.environ[k] for k in ("SM_CURRENT_HOST", "SM_HOSTS", "RANK", "WORLD_SIZE",
                                          "MASTER_ADDR", "MASTER_PORT")}
        print("HOSTENV " + json.dumps(env), flush=True)
        with open(os.path.join(os.environ["SM_MODEL_DIR"], "host.json"), "w") as f:
            json.dump(env, f)
    """)
    await api("POST", body=job_body("two-hosts", folder, count=2))
    job = await wait_done(api, "two-hosts")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    code, logs = await api("GET", "two-hosts", "logs")
    envs = [json.loads(line.split("HOSTENV ", 1)[1]) for line in logs["text"].splitlines()
            if "HOSTENV" in line]
    assert sorted(e["SM_CURRENT_HOST"] for e in envs) == ["algo-1", "algo-2"]
    assert {e["SM_HOSTS"] for e in envs} == {'["algo-1", "algo-2"]'}
    assert sorted(e["RANK"] for e in envs) == ["0", "1"]
    assert {e["WORLD_SIZE"] for e in envs} == {"2"} and len({e["MASTER_PORT"] for e in envs}) == 1


async def test_capacity_queue_and_log_cap(api, jp_root_dir):
    release = jp_root_dir / "release-queue"
    folder = script_dir(jp_root_dir, "chatty", f"""
        import os, sys, time
        for i in range(20000):
            print(f"line {{i}} " + "x" * 40)
        print("LAST LINE", flush=True)
        deadline = time.monotonic() + 120
        while not os.path.exists({str(release)!r}):  # hold the slot until the test is done
            if time.monotonic() > deadline:
                sys.exit("never released")
            time.sleep(0.05)
    """)
    for name in ("q1", "q2", "q3"):
        await api("POST", body=job_body(name, folder))

    async def third_waits():  # q1 and q2 hold both slots: q3 waits, and says so
        code, third = await api("GET", "q3")
        messages = [t.get("StatusMessage", "") for t in third["SecondaryStatusTransitions"]]
        return any("Waiting for capacity: 2 of 2" in m for m in messages) and third

    third = await eventually(third_waits, 60)
    assert third["SecondaryStatus"] == "Starting"
    release.touch()
    for name in ("q1", "q2", "q3"):
        assert (await wait_done(api, name))["TrainingJobStatus"] == "Completed"
    code, logs = await api("GET", "q1", "logs")
    text = logs["text"]
    assert len(text) < 80_000 and "log capped at 50000 bytes" in text and "LAST LINE" in text
    # A finished job's log says it is complete on the page that reaches its end.
    assert logs["complete"] is True
    code, rest = await api("GET", "q1", "logs", params={"offset": logs["next_offset"] - 10})
    assert rest["complete"] is True and rest["text"] == text[-10:]


@pytest.mark.parametrize("mutate, message", [
    (lambda b: b.update(TrainingJobName="bad_name!"), "TrainingJobName"),
    (lambda b: b["HyperParameters"].update(epochs=10), "must be a string"),
    (lambda b: b["HyperParameters"].pop("sagemaker_program"), "sagemaker_program"),
    (lambda b: b["HyperParameters"].update(sagemaker_program='"missing.py"'), "not found"),
    (lambda b: b["HyperParameters"].update(sagemaker_submit_directory='"../outside"'),
     "workspace"),
    (lambda b: b["AlgorithmSpecification"].update(TrainingImage="my/own:image"), "Docker"),
    (lambda b: b["AlgorithmSpecification"].update(TrainingInputMode="Pipe"), "Pipe"),
    (lambda b: b.update(InputDataConfig=[{"ChannelName": "train", "DataSource": {
        "S3DataSource": {"S3Uri": "s3://mlstudio/ground-truth/output.manifest",
                         "S3DataType": "AugmentedManifestFile",
                         "AttributeNames": ["source-ref", "label"]}}}]),
     "AugmentedManifestFile can only be used with Pipe input mode"),
    (lambda b: b["AlgorithmSpecification"].update(
        MetricDefinitions=[{"Name": "m", "Regex": "(unclosed"}]), "Regex"),
    (lambda b: b["ResourceConfig"].update(InstanceCount=0), "InstanceCount"),
    (lambda b: b.update(OutputDataConfig={"S3OutputPath": "/tmp/x"}), "S3OutputPath"),
    (lambda b: b.update(Surprise=1), "unknown fields"),
    (lambda b: b.update(CheckpointConfig={"S3Uri": "s3://mlstudio/c", "LocalPath": "/tmp/c"}),
     "LocalPath"),
    (lambda b: b.update(CheckpointConfig={"LocalPath": "/opt/ml/checkpoints"}), "S3Uri"),
])
async def test_bad_requests_are_400(api, jp_root_dir, mutate, message):
    body = job_body("valid-name", script_dir(jp_root_dir, "ok", "print('hi')"))
    mutate(body)
    code, reply = await api("POST", body=body)
    assert code == 400 and reply["reason"] == "ValidationException", reply
    assert message in reply["message"]
    code, _ = await api("GET", "valid-name")
    assert code == 404


async def test_duplicate_name_and_missing_channel_data(api, jp_root_dir):
    folder = script_dir(jp_root_dir, "ok", "print('hi')")
    body = job_body("dup", folder, channels={"train": "s3://mlstudio/nothing-here/"})
    assert (await api("POST", body=body))[0] == 201
    code, reply = await api("POST", body=body)
    assert code == 409 and reply["reason"] == "ResourceInUse"
    job = await wait_done(api, "dup")
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: Data download failed:No S3 objects "
                                           "found under S3 URL \"s3://mlstudio/nothing-here/\"")
    code, reply = await api("GET", "no-such-job")
    assert code == 404


async def test_list_and_logs_arguments_are_checked(api):
    code, reply = await api("GET", params={"SortOrder": "Sideways"})
    assert code == 400 and "SortOrder" in reply["message"]
    code, reply = await api("GET", "no-such-job", "logs", params={"follow": "perhaps"})
    assert code == 400 and "follow" in reply["message"]


async def test_a_job_stopped_as_it_launches_is_stopped_for_real(api, jp_root_dir, mlstudio_app,
                                                                monkeypatch):
    """StopTrainingJob while the runner is being launched (made slow here, as a cold fork
    server is): the job is either stopped before its runner starts, or its runner is
    stopped and only then reported Stopped; never Stopped while its script runs."""
    import psutil

    backend = mlstudio_app.training_service.backend
    launch = backend.start

    launching: dict[str, asyncio.Event] = {}
    launched: dict[str, asyncio.Event] = {}

    async def slow_start(name, *args, **kwargs):
        launching.setdefault(name, asyncio.Event()).set()
        await asyncio.sleep(0.5)
        try:
            return await launch(name, *args, **kwargs)
        finally:
            launched.setdefault(name, asyncio.Event()).set()

    monkeypatch.setattr(backend, "start", slow_start)
    folder = script_dir(jp_root_dir, "sleeper", "import time\ntime.sleep(120)\n")

    def scripts_of(name):
        code = str(backend.job_dir(name) / "code")
        return [p for p in psutil.process_iter(["cmdline", "status"])
                if code in " ".join(p.info.get("cmdline") or [])
                and p.info.get("status") != psutil.STATUS_ZOMBIE]

    for i in range(3):
        name = f"launch-stop-{i}"
        assert (await api("POST", body=job_body(name, folder)))[0] == 201
        # The queue has picked the job up and is launching it.
        await asyncio.wait_for(launching.setdefault(name, asyncio.Event()).wait(), 30)
        assert (await api("POST", name, "stop"))[0] == 200
        assert (await wait_done(api, name))["TrainingJobStatus"] == "Stopped"
        # The launch under way when the stop came has finished by now, or finishes soon.
        await asyncio.wait_for(launched.setdefault(name, asyncio.Event()).wait(), 10)
        assert scripts_of(name) == [], f"{name} is Stopped but its script still runs"


LIST_CHANNEL = """
import os
root = os.environ["SM_CHANNEL_TRAIN"]
for folder, _, files in sorted(os.walk(root)):
    for name in sorted(files):
        print("FILE " + os.path.relpath(os.path.join(folder, name), root), flush=True)
"""


async def test_channels_laid_out_as_sagemaker_does(api, jp_root_dir, s3):
    """A prefix without a slash, nested keys, and a manifest (keys relative to its prefix)."""
    for key in ("layout/data/train/MNIST/raw/x.bin", "layout/data/train/top.csv",
                "layout/data/other/skip.csv"):
        s3.put_object(Bucket="mlstudio", Key=key, Body=b"1")
    manifest = json.dumps([{"prefix": "s3://mlstudio/layout/data/"}, "train/top.csv",
                           "other/skip.csv"])
    s3.put_object(Bucket="mlstudio", Key="layout/manifest.json", Body=manifest.encode())
    folder = script_dir(jp_root_dir, "layout", LIST_CHANNEL)
    await api("POST", body=job_body("layout-prefix", folder,
                                    channels={"train": "s3://mlstudio/layout/data/train"}))
    body = job_body("layout-manifest", folder,
                    channels={"train": "s3://mlstudio/layout/manifest.json"})
    body["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3DataType"] = "ManifestFile"
    await api("POST", body=body)
    for name, expected in (("layout-prefix", ["MNIST/raw/x.bin", "top.csv"]),
                           ("layout-manifest", ["other/skip.csv", "train/top.csv"])):
        job = await wait_done(api, name)
        assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
        _, logs = await api("GET", name, "logs")
        files = [line.split("FILE ", 1)[1] for line in logs["text"].splitlines()
                 if "FILE " in line]
        assert sorted(files) == expected, (name, files)
    body = job_body("layout-bad-manifest", folder,
                    channels={"train": "s3://mlstudio/layout/data/train/top.csv"})
    body["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3DataType"] = "ManifestFile"
    await api("POST", body=body)
    job = await wait_done(api, "layout-bad-manifest")
    assert job["TrainingJobStatus"] == "Failed"
    assert "must be a JSON list" in job["FailureReason"] or "not JSON" in job["FailureReason"]
