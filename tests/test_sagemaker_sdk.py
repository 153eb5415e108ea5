"""The real SageMaker Python SDK, unchanged, in a kernel the server started.

The SDK's own endpoint waits poll every 30 s; here botocore's waiters (as a notebook may
use them) poll every second, to keep the suite short.

The notebook code below is what a SageMaker user writes; nothing in it names this server.
"""
from __future__ import annotations

import json
import os
import textwrap
from datetime import datetime, timezone

import pytest

from jupyter_mlstudio.aws.notebook_instance import NotebookInstance, write_metadata_file
from jupyter_mlstudio.sagemaker.paging import ListFilter

from tests.test_kernel_environment import _run_in_kernel

pytestmark = [pytest.mark.slow]

pytest.importorskip("sagemaker", reason="the test extra installs the SageMaker SDK")

TRAIN = """
import argparse, os, pickle
import numpy as np


def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.pkl"), "rb") as f:
        return pickle.load(f)


if __name__ == "__main__":
    from sklearn.linear_model import LogisticRegression
    parser = argparse.ArgumentParser()
    parser.add_argument("--C", type=float, default=1.0)
    args, _ = parser.parse_known_args()
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    model = LogisticRegression(C=args.C).fit(X, y)
    print("fitted with C =", args.C, flush=True)
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.pkl"), "wb") as f:
        pickle.dump(model, f)
"""

NOTEBOOK = """
import json, boto3, numpy as np, sagemaker
from sagemaker.sklearn import SKLearn

session = sagemaker.Session()
bucket = session.default_bucket()
print("ROLE", sagemaker.get_execution_role())
estimator = SKLearn(entry_point="train.py", source_dir={source!r},
                    role="arn:aws:iam::000000000000:role/SageMakerRole",
                    instance_type="ml.m5.large", instance_count=1,
                    framework_version="1.2-1", py_version="py3",
                    hyperparameters={{"C": 0.5}})
estimator.fit(wait=True, logs={logs!r})
job = estimator.latest_training_job.describe()
print("JOB", job["TrainingJobStatus"], estimator.model_data.startswith("s3://" + bucket))

predictor = estimator.deploy(initial_instance_count=1, instance_type="ml.m5.large", wait=False)
session.sagemaker_client.get_waiter("endpoint_in_service").wait(
    EndpointName=predictor.endpoint_name, WaiterConfig={{"Delay": 1, "MaxAttempts": 120}})
print("PREDICT", json.dumps(np.asarray(predictor.predict([[0.0], [3.0]])).tolist()))

predictor.update_endpoint(initial_instance_count=2, instance_type="ml.m5.large", wait=False)
session.sagemaker_client.get_waiter("endpoint_in_service").wait(
    EndpointName=predictor.endpoint_name, WaiterConfig={{"Delay": 1, "MaxAttempts": 120}})
described = session.sagemaker_client.describe_endpoint(EndpointName=predictor.endpoint_name)
print("UPDATED", described["EndpointStatus"],
      described["ProductionVariants"][0]["CurrentInstanceCount"])

inputs = session.upload_data({csv!r}, bucket=bucket, key_prefix="sdk-test/batch")
transformer = estimator.transformer(instance_count=1, instance_type="ml.m5.large",
                                    output_path=f"s3://{{bucket}}/sdk-test/batch-out")
transformer.transform(inputs, content_type="text/csv", split_type="Line")
transformer.wait(logs=False)
out = boto3.client("s3").get_object(Bucket=bucket, Key="sdk-test/batch-out/rows.csv.out")
print("TRANSFORM", out["Body"].read().decode().split())

predictor.delete_endpoint()
session.sagemaker_client.get_waiter("endpoint_deleted").wait(
    EndpointName=predictor.endpoint_name, WaiterConfig={{"Delay": 1, "MaxAttempts": 60}})
try:
    session.sagemaker_client.describe_endpoint(EndpointName=predictor.endpoint_name)
except session.sagemaker_client.exceptions.ClientError as err:
    print("GONE", err.response["Error"]["Code"])
"""


def source_dir(tmp_path):
    """The notebook's ``source_dir``: a folder holding :data:`TRAIN` as ``train.py``."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text(TRAIN)
    return source


@pytest.mark.kernel
async def test_script_mode_estimator_fit_deploy_predict_transform(
        jp_serverapp, jp_fetch, mlstudio_app, tmp_path):
    source = source_dir(tmp_path)
    csv = tmp_path / "rows.csv"
    csv.write_text("0.0\n3.0\n")
    code = NOTEBOOK.format(source=str(source), csv=str(csv), logs=True)
    output = await _run_in_kernel(jp_serverapp.kernel_manager, textwrap.dedent(code))
    if os.access("/opt/ml", os.W_OK) or os.access("/opt", os.W_OK):
        assert "ROLE arn:aws:iam::000000000000:role/MLStudioExecutionRole" in output, output
    assert "JOB Completed True" in output, output
    assert "PREDICT [0.0, 1.0]" in output or "PREDICT [0, 1]" in output, output
    assert "UPDATED InService 2" in output, output
    assert "TRANSFORM" in output and "GONE ValidationException" in output, output
    # The panels see what the SDK made: the same services answer the REST routes.
    jobs = mlstudio_app.training_service.list(ListFilter())
    assert any(j["TrainingJobName"].startswith("sagemaker-scikit-learn-")
               for j in jobs["TrainingJobSummaries"])


def test_notebook_metadata_file_is_written_once_and_never_over_a_foreign_one(tmp_path):
    instance = NotebookInstance(name="lab", role_arn="arn:aws:iam::000000000000:role/R",
                                url="http://127.0.0.1:8888/", region="us-east-1",
                                started=datetime.now(timezone.utc))
    path = tmp_path / "opt" / "ml" / "metadata" / "resource-metadata.json"
    assert "names lab" in write_metadata_file(instance, path)
    doc = json.loads(path.read_text())
    assert doc["ResourceName"] == "lab" and doc["ExecutionRoleArn"].endswith(":role/R")
    assert path.stat().st_mode & 0o777 == 0o644
    path.write_text(json.dumps({"ResourceName": "a-real-instance"}))
    assert "left as it is" in write_metadata_file(instance, path)
    assert json.loads(path.read_text()) == {"ResourceName": "a-real-instance"}


GENERIC = """
import sagemaker
from sagemaker.estimator import Estimator

session = sagemaker.Session()
image = sagemaker.image_uris.retrieve("sklearn", session.boto_region_name, "1.2-1")
estimator = Estimator(image_uri=image, role=sagemaker.get_execution_role(),
                      instance_count=1, instance_type="ml.m5.large",
                      entry_point="train.py", source_dir={source!r},
                      output_path=f"s3://{{session.default_bucket()}}/generic-out")
estimator.set_hyperparameters(C=2.0)
estimator.fit(wait=True, logs=False)
job = estimator.latest_training_job.describe()
print("GENERIC", job["TrainingJobStatus"], job["HyperParameters"]["C"],
      estimator.model_data.startswith(f"s3://{{session.default_bucket()}}/generic-out/"))
client = session.sagemaker_client
names = [j["TrainingJobName"] for page in client.get_paginator("list_training_jobs").paginate(
    PaginationConfig={{"PageSize": 1}}) for j in page["TrainingJobSummaries"]]
print("LISTED", estimator.latest_training_job.name in names)
try:
    client.describe_training_job(TrainingJobName="no-such-job")
except client.exceptions.ClientError as err:
    print("MISSING", err.response["Error"]["Code"])
"""


@pytest.mark.kernel
async def test_generic_estimator_and_boto3_paths(
        jp_serverapp, jp_fetch, mlstudio_app, tmp_path):
    source = source_dir(tmp_path)
    code = GENERIC.format(source=str(source))
    output = await _run_in_kernel(jp_serverapp.kernel_manager, code)
    assert "GENERIC Completed 2.0 True" in output, output
    assert "LISTED True" in output and "MISSING ValidationException" in output, output


PLAIN = """
import sagemaker
session = sagemaker.Session()
uri = session.upload_data({path!r}, key_prefix="plain-process")
print("UPLOADED", uri)
print("BUCKET", session.default_bucket())
print("JOBS", type(session.sagemaker_client.list_training_jobs()["TrainingJobSummaries"]))
"""


async def test_a_plain_process_with_the_kernel_environment(jp_serverapp, jp_fetch, mlstudio_app,
                                                           tmp_path):
    """The same variables outside a kernel (a script, a terminal) reach the same server."""
    import asyncio
    import subprocess
    import sys

    data = tmp_path / "rows.csv"
    data.write_text("1,2\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(mlstudio_app.kernel_environment())
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PLAIN.format(path=str(data)), env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = (await asyncio.wait_for(proc.communicate(), 120))[0].decode()
    assert "UPLOADED s3://mlstudio/plain-process/rows.csv" in output, output
    assert "BUCKET mlstudio" in output and "JOBS <class 'list'>" in output, output
    body = mlstudio_app.s3.client().get_object(Bucket="mlstudio", Key="plain-process/rows.csv")
    assert body["Body"].read() == b"1,2\n"
