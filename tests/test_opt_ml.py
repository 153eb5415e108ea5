"""The container contract at /opt/ml itself: each training host, model server and
transform instance in a private mount namespace; SAGEMAKER_BASE_DIR where none is made;
SageMaker's FailureReason; output.tar.gz and checkpoints uploaded as SageMaker does."""
from __future__ import annotations

import io
import json
import os
import sys
import tarfile
from pathlib import Path

import pytest

from jupyter_mlstudio import optml
from tests.local_user import run_as_other_user
from tests.procs import eventually
from tests.training_support import job_body, script_dir, wait_done

# A bring-your-own-container ``train``: absolute /opt/ml paths only, no SM_* variable.
BYOC_TRAIN = f"""#!{sys.executable}
import json, os, sys
hps = json.load(open("/opt/ml/input/config/hyperparameters.json"))
rows = open("/opt/ml/input/data/train/part.csv").read()
host = json.load(open("/opt/ml/input/config/resourceconfig.json"))["current_host"]
if hps.get("fail"):
    open("/opt/ml/output/failure", "w").write("the labels column is missing")
    sys.exit(2)
with open("/opt/ml/model/x", "w") as f:
    f.write(hps["greeting"] + ":" + rows)
names = ("SM_MODEL_DIR", "SM_CHANNEL_TRAIN", "SM_OUTPUT_DATA_DIR", "SAGEMAKER_BASE_DIR")
with open("/opt/ml/output/data/env.json", "w") as f:
    json.dump({{n: os.environ[n] for n in names}}, f)
print("TRAINED on", host, flush=True)
"""

# Two of these run at once, each writing its own name to the same absolute path.
SAME_PATH = """
import os, sys, time
me = os.environ["TRAINING_JOB_NAME"]
rendezvous = os.environ["RENDEZVOUS"]
with open("/opt/ml/model/x", "w") as f:
    f.write(me)
open(os.path.join(rendezvous, me), "w").close()
deadline = time.monotonic() + 60
while len(os.listdir(rendezvous)) < 2:  # until both jobs have written
    if time.monotonic() > deadline:
        sys.exit("the other job never started")
    time.sleep(0.02)
print("SEES", open("/opt/ml/model/x").read(), sorted(os.listdir("/opt/ml/model")), flush=True)
"""

# Through SAGEMAKER_BASE_DIR, as scripts that must run without /opt/ml do.
BASE_DIR = """
import json, os
base = os.environ["SAGEMAKER_BASE_DIR"]
open(os.path.join(base, "model", "x"), "w").write("via base dir")
print("ENV " + json.dumps({"base": base, "model": os.environ["SM_MODEL_DIR"]}), flush=True)
"""

CHECKPOINTS = """
import os, sys, time
import boto3
host = os.environ["SM_CURRENT_HOST"]
restored = open("/opt/ml/checkpoints/epoch-1.txt").read()
with open(f"/opt/ml/checkpoints/{host}-epoch-2.txt", "w") as f:
    f.write(host)
s3 = boto3.client("s3")
deadline = time.monotonic() + 60
while True:  # uploaded while the script still runs
    try:
        s3.head_object(Bucket="mlstudio", Key=f"checkpoints/run-1/{host}-epoch-2.txt")
        break
    except Exception:
        if time.monotonic() > deadline:
            sys.exit("the checkpoint was not uploaded during training")
        time.sleep(0.05)
with open(f"/opt/ml/checkpoints/{host}-final.txt", "w") as f:
    f.write("done")
with open(f"/opt/ml/model/{host}.txt", "w") as f:
    f.write(restored)
print("UPLOADED WHILE TRAINING", host, flush=True)
"""


@pytest.fixture
def jp_server_config(request):
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
            "LocalBackend": {"max_concurrent_jobs": 3, "stop_grace": 2.0,
                             "checkpoint_interval": 0.1,
                             "opt_ml_namespace": getattr(request, "param", "auto")}}


@pytest.fixture(autouse=True)
def host_opt_ml_untouched():
    """No test may create /opt/ml on the machine itself."""
    existed = os.path.lexists("/opt/ml")
    yield
    assert os.path.lexists("/opt/ml") == existed


def members(s3, key: str) -> dict[str, bytes]:
    body = s3.get_object(Bucket="mlstudio", Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def keys(s3, prefix: str) -> list[str]:
    listing = s3.list_objects_v2(Bucket="mlstudio", Prefix=prefix)
    return sorted(o["Key"] for o in listing.get("Contents", []))


async def logs(api, name: str) -> str:
    return (await api("GET", name, "logs"))[1]["text"]


async def test_train_program_works_with_absolute_opt_ml_paths(api, s3, jp_root_dir):
    s3.put_object(Bucket="mlstudio", Key="byoc/part.csv", Body=b"1,2\n")
    folder = script_dir(jp_root_dir, "byoc", BYOC_TRAIN, program="train")
    body = job_body("byoc", folder, program="train", hps={"greeting": "hello"},
                    channels={"train": "s3://mlstudio/byoc/"})
    assert (await api("POST", body=body))[0] == 201
    job = await wait_done(api, "byoc")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert members(s3, "training-output/byoc/output/model.tar.gz") == {"x": b"hello:1,2\n"}
    env = json.loads(members(s3, "training-output/byoc/output/output.tar.gz")["env.json"])
    assert env == {"SM_MODEL_DIR": "/opt/ml/model",
                   "SM_CHANNEL_TRAIN": "/opt/ml/input/data/train",
                   "SM_OUTPUT_DATA_DIR": "/opt/ml/output/data", "SAGEMAKER_BASE_DIR": "/opt/ml"}
    text = await logs(api, "byoc")
    assert "/opt/ml in a private mount namespace" in text and "TRAINED on algo-1" in text


async def test_two_jobs_at_once_each_see_their_own_opt_ml(api, s3, jp_root_dir, tmp_path):
    folder = script_dir(jp_root_dir, "same", SAME_PATH)
    (tmp_path / "rendezvous").mkdir()
    for name in ("first", "second"):
        body = job_body(name, folder)
        body["Environment"] = {"RENDEZVOUS": str(tmp_path / "rendezvous")}
        assert (await api("POST", body=body))[0] == 201
    for name in ("first", "second"):
        job = await wait_done(api, name)
        assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
        assert members(s3, f"training-output/{name}/output/model.tar.gz") == {
            "x": name.encode()}
        assert f"SEES {name} ['x']" in await logs(api, name)


ENTRYPOINT_SCRIPT = (
    "set -e; cat /opt/ml/input/config/hyperparameters.json > /opt/ml/model/hps.json; "
    "cp /opt/ml/input/data/drivers/run.sh /opt/ml/model/; echo ENTRYPOINT ran \"$@\"")


async def test_container_entrypoint_runs_instead_of_a_script(api, s3, jp_root_dir):
    """What SDK 3.x's ModelTrainer sends: no sagemaker_program, a ContainerEntrypoint with
    ContainerArguments, its drivers in a channel, all reached by absolute /opt/ml paths."""
    s3.put_object(Bucket="mlstudio", Key="entry/drivers/run.sh", Body=b"echo driver\n")
    body = job_body("entry", "", channels={"drivers": "s3://mlstudio/entry/drivers/"})
    body["HyperParameters"] = {"epochs": "2"}
    body["AlgorithmSpecification"]["ContainerEntrypoint"] = ["/bin/sh", "-c",
                                                             ENTRYPOINT_SCRIPT, "sh"]
    body["AlgorithmSpecification"]["ContainerArguments"] = ["--fast", "yes"]
    assert (await api("POST", body=body))[0] == 201
    job = await wait_done(api, "entry")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    model = members(s3, "training-output/entry/output/model.tar.gz")
    assert json.loads(model["hps.json"]) == {"epochs": "2"}
    assert model["run.sh"] == b"echo driver\n"
    assert "ENTRYPOINT ran --fast yes" in await logs(api, "entry")
    bare = job_body("entry-nothing", "")
    bare["HyperParameters"] = {}
    code, reply = await api("POST", body=bare)
    assert code == 400 and "ContainerEntrypoint" in reply["message"]


@pytest.mark.parametrize("jp_server_config", ["off"], indirect=True)
async def test_without_a_namespace_the_contract_is_at_sagemaker_base_dir(api, s3, jp_root_dir,
                                                                         jp_fetch):
    folder = script_dir(jp_root_dir, "based", BASE_DIR)
    assert (await api("POST", body=job_body("based", folder)))[0] == 201
    job = await wait_done(api, "based")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert members(s3, "training-output/based/output/model.tar.gz") == {"x": b"via base dir"}
    text = await logs(api, "based")
    (line,) = [ln for ln in text.splitlines() if ln.startswith("ENV ")]
    seen = json.loads(line[4:])
    assert seen["base"].endswith("/jobs/based/hosts/algo-1")
    assert seen["model"] == seen["base"] + "/model"
    assert "/opt/ml is not private (opt_ml_namespace is 'off')" in text
    status = json.loads((await jp_fetch("mlstudio", "api", "status")).body)["opt_ml"]
    assert status["private"] is False and status["reason"] == "opt_ml_namespace is 'off'"


async def test_status_says_opt_ml_is_private(jp_fetch, mlstudio_app):
    status = json.loads((await jp_fetch("mlstudio", "api", "status")).body)["opt_ml"]
    assert status == optml.isolation().as_dict()
    assert status["private"], status["reason"]  # root here, or user namespaces allowed
    assert status["message"].startswith("/opt/ml in a private mount namespace")


# As another, unprivileged account: the namespace comes with a user namespace of its own
# where the kernel allows one, else the probe says why not.
OTHER_USER = """
import json, os, pathlib, subprocess, sys, tempfile
sys.path.insert(0, sys.argv[1])
from jupyter_mlstudio import optml
isolation = optml.probe()
seen = None
if isolation.private:
    folder = pathlib.Path(tempfile.mkdtemp())
    (folder / "x").write_text("mine")
    proc = subprocess.run(["sh", "-c", "cat /opt/ml/x; echo; id -u"], capture_output=True,
                          text=True, preexec_fn=optml.preexec(isolation, optml.View(folder)))
    seen = proc.stdout.split()
print(json.dumps({"isolation": isolation.as_dict(), "seen": seen, "uid": os.getuid()}))
"""


def test_another_user_gets_a_private_opt_ml_or_a_reason():
    report = run_as_other_user(OTHER_USER, str(Path(__file__).resolve().parents[1]))
    isolation = report["isolation"]
    if not isolation["private"]:
        assert isolation["reason"].startswith("no mount namespace"), isolation
        return
    assert isolation["user_namespace"], isolation
    content, uid = report["seen"]
    assert content == "mine" and int(uid) == report["uid"]


async def test_failure_reasons_are_sagemakers(api, s3, jp_root_dir, mlstudio_app):
    s3.put_object(Bucket="mlstudio", Key="byoc-fail/part.csv", Body=b"1,2\n")
    byoc = script_dir(jp_root_dir, "byoc", BYOC_TRAIN, program="train")
    raising = script_dir(jp_root_dir, "raising", """
        print("loading", flush=True)
        open("/opt/ml/output/data/diag.txt", "w").write("half done")
        open("/opt/ml/model/partial.bin", "w").write("never uploaded")
        raise ValueError("the labels are missing")
    """)
    killed = script_dir(jp_root_dir, "killed", """
        import os, signal
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    await api("POST", body=job_body("failure-file", byoc, program="train",
                                    hps={"fail": "1"},
                                    channels={"train": "s3://mlstudio/byoc-fail/"}))
    await api("POST", body=job_body("raising", raising, hps={"epochs": "3"}))
    await api("POST", body=job_body("killed", killed))

    job = await wait_done(api, "failure-file")
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"] == "AlgorithmError: the labels column is missing"

    job = await wait_done(api, "raising")
    assert job["TrainingJobStatus"] == "Failed" and "ModelArtifacts" not in job
    python = sys.executable
    program = mlstudio_app.training_service.backend.job_dir("raising") / "code" / "train.py"
    assert job["FailureReason"] == (
        "AlgorithmError: ExecuteUserScriptError:\nExitCode 1\n"
        'ErrorMessage "raise ValueError("the labels are missing")\n'
        'ValueError: the labels are missing"\n'
        f'Command "{python} {program} --epochs 3"')
    # output/data is uploaded for a failed job too; the model is not.
    assert members(s3, "training-output/raising/output/output.tar.gz") == {
        "diag.txt": b"half done"}
    assert keys(s3, "training-output/raising/") == [
        "training-output/raising/output/output.tar.gz"]

    job = await wait_done(api, "killed")
    assert job["TrainingJobStatus"] == "Failed"
    reason = job["FailureReason"]
    assert reason.startswith("AlgorithmError: ExecuteUserScriptError:\nExitCode 137\n"), reason
    assert 'ExtraInfo "OutOfMemory: Process killed by SIGKILL (signal 9)"' in reason


async def test_checkpoints_are_restored_and_uploaded(api, s3, jp_root_dir):
    s3.put_object(Bucket="mlstudio", Key="checkpoints/run-1/epoch-1.txt", Body=b"restored")
    folder = script_dir(jp_root_dir, "ckpt", CHECKPOINTS)
    body = job_body("ckpt", folder, count=2)
    body["CheckpointConfig"] = {"S3Uri": "s3://mlstudio/checkpoints/run-1"}
    assert (await api("POST", body=body))[0] == 201
    job = await wait_done(api, "ckpt")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert job["CheckpointConfig"] == {"S3Uri": "s3://mlstudio/checkpoints/run-1",
                                       "LocalPath": "/opt/ml/checkpoints"}
    assert keys(s3, "checkpoints/run-1/") == [
        f"checkpoints/run-1/{name}" for name in (
            "algo-1-epoch-2.txt", "algo-1-final.txt", "algo-2-epoch-2.txt",
            "algo-2-final.txt", "epoch-1.txt")]
    text = await logs(api, "ckpt")
    assert "UPLOADED WHILE TRAINING algo-1" in text and "UPLOADED WHILE TRAINING algo-2" in text
    # Every host's model/ is in the one model.tar.gz.
    assert members(s3, "training-output/ckpt/output/model.tar.gz") == {
        "algo-1.txt": b"restored", "algo-2.txt": b"restored"}


# Written for a SageMaker inference container: reads /opt/ml/model by absolute path.
INFERENCE = """
import json, os


def model_fn(model_dir):
    weight = open("/opt/ml/model/weights.txt").read().strip()
    try:
        open("/opt/ml/model/scribble", "w").close()
        writable = True
    except OSError:
        writable = False
    return {"weight": weight, "model_dir": model_dir, "writable": writable,
            "opt_ml": sorted(os.listdir("/opt/ml"))}


def transform_fn(model, body, content_type, accept):
    return json.dumps(model) + "\\n", "application/json"
"""


def model_archive(s3, key: str, weight: str) -> str:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in (("weights.txt", weight), ("code/inference.py", INFERENCE)):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    s3.put_object(Bucket="mlstudio", Key=key, Body=buffer.getvalue())
    return f"s3://mlstudio/{key}"


async def test_model_servers_and_transform_instances_read_opt_ml_model(jp_fetch, s3):
    async def rest(method, *path, body=None):
        resp = await jp_fetch("mlstudio", "api", *path, method=method,
                              body=json.dumps(body) if body is not None else None)
        return json.loads(resp.body) if resp.body else None

    for name in ("heavy", "light"):
        uri = model_archive(s3, f"models/{name}/model.tar.gz", f"{name}-weights")
        await rest("POST", "models",
                   body={"ModelName": name, "PrimaryContainer": {"ModelDataUrl": uri}})
        await rest("POST", "endpoint-configs", body={
            "EndpointConfigName": name, "ProductionVariants": [{
                "VariantName": "main", "ModelName": name, "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large"}]})
        await rest("POST", "endpoints",
                   body={"EndpointName": name, "EndpointConfigName": name})
    s3.put_object(Bucket="mlstudio", Key="batch-in/rows.csv", Body=b"1,2\n")
    await rest("POST", "transform-jobs", body={
        "TransformJobName": "weights", "ModelName": "light",
        "TransformInput": {"DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://mlstudio/batch-in/"}}},
        "TransformOutput": {"S3OutputPath": "s3://mlstudio/batch-out"},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1}})

    for name in ("heavy", "light"):  # both at once, each with its own /opt/ml/model
        async def in_service(name=name):
            status = (await rest("GET", "endpoints", name))["EndpointStatus"]
            assert status != "Failed"
            return status == "InService"

        await eventually(in_service, 120)
        seen = await rest("POST", "endpoints", name, "invocations", body={})
        assert seen == {"weight": f"{name}-weights", "model_dir": "/opt/ml/model",
                        "writable": False, "opt_ml": ["model"]}

    async def transformed():
        job = await rest("GET", "transform-jobs", "weights")
        assert job["TransformJobStatus"] in ("InProgress", "Completed"), job
        return job["TransformJobStatus"] == "Completed"

    await eventually(transformed, 120)
    out = s3.get_object(Bucket="mlstudio", Key="batch-out/rows.csv.out")["Body"].read()
    assert json.loads(out)["weight"] == "light-weights"
