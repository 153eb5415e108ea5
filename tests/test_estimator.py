"""The SageMaker-SDK-shaped Python API and %%train, against a real server and store."""
from __future__ import annotations

import json
import textwrap

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from tests.rest_client.estimator import Estimator, SKLearn, TrainingInput, UnexpectedStatusException
from tests.servers import start_server

pytestmark = [pytest.mark.slow]

SCRIPT = """
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int)
parser.add_argument("--optimizer")
args = parser.parse_args()
rows = open(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "data.csv")).read().splitlines()
for epoch in range(args.epochs):
    print(f"epoch {epoch}: loss={1 / (epoch + 1):.3f}", flush=True)
open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w").write(
    f"{args.optimizer} {len(rows)} rows")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("estimator") / "home")
    yield server
    server.stop()


@pytest.fixture
def kernel_env(server, monkeypatch):
    """What a kernel started by the server has in its environment."""
    s3 = server.s3_client()
    monkeypatch.setenv("JUPYTER_MLSTUDIO_URL", server.url)
    monkeypatch.setenv("JUPYTER_MLSTUDIO_TOKEN", server.token)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3.meta.endpoint_url)
    creds = s3._request_signer._credentials
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", f"{server.url}mlstudio/aws/sagemaker")
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", f"{server.url}mlstudio/aws/logs")
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE",
                       str(server.data_dir / "sagemaker-sdk" / "config.yaml"))
    s3.put_object(Bucket="mlstudio", Key="est/train/data.csv", Body=b"a\nb\nc\n")
    return s3


def test_fit_streams_logs_and_returns_model_data(kernel_env, tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(SCRIPT)
    est = SKLearn(entry_point="train.py", source_dir=str(src),
                  hyperparameters={"epochs": 3, "optimizer": "adam"},
                  metric_definitions=[{"Name": "loss", "Regex": r"loss=([0-9.]+)"}])
    est.fit({"train": TrainingInput("s3://mlstudio/est/train/", content_type="text/csv")})
    out = capsys.readouterr().out
    assert "epoch 2: loss=0.333" in out
    job = est.latest_training_job.describe()
    assert job["TrainingJobStatus"] == "Completed"
    assert job["AlgorithmSpecification"]["TrainingImage"].endswith(
        "sagemaker-scikit-learn:1.2-1-cpu-py3")
    assert json.loads(job["HyperParameters"]["epochs"]) == 3
    assert est.model_data == job["ModelArtifacts"]["S3ModelArtifacts"]
    source = job["HyperParameters"]["sagemaker_submit_directory"]
    assert json.loads(source).endswith("/source/sourcedir.tar.gz")
    attached = Estimator.attach(est.latest_training_job.name)
    assert attached.model_data == est.model_data
    assert attached.hyperparameters_ == {"epochs": 3, "optimizer": "adam"}
    assert attached.metric_definitions == est.metric_definitions


def test_failed_job_raises_with_reason(kernel_env, tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("raise RuntimeError('no data today')\n")
    est = Estimator(entry_point=str(script))
    with pytest.raises(UnexpectedStatusException, match="no data today") as info:
        est.fit(logs=False)
    assert info.value.actual_status == "Failed"


def test_train_cell_magic(kernel_env, capsys):
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyter_mlstudio")
    cell = textwrap.dedent("""
        import os, sys
        print("hp", sys.argv[1:], flush=True)
        print("value=" + os.environ["SM_HP_LR"], flush=True)
        open(os.path.join(os.environ["SM_MODEL_DIR"], "m.txt"), "w").write("ok")
    """)
    est = shell.run_cell_magic(
        "train", "--name magic-job --hp lr=0.1 --hp kind=fast --metric v=value=([0-9.]+)"
        " --channel train=s3://mlstudio/est/train/", cell)
    out = capsys.readouterr().out
    assert "hp ['--kind', 'fast', '--lr', '0.1']" in out or \
        "hp ['--lr', '0.1', '--kind', 'fast']" in out, out
    assert "model: s3://mlstudio/magic-job/output/model.tar.gz" in out
    job = est.latest_training_job.describe()
    assert job["AlgorithmSpecification"]["TrainingImage"].endswith(
        "sagemaker-scikit-learn:1.2-1-cpu-py3")
    final = job["FinalMetricDataList"]
    assert final[0]["MetricName"] == "v" and final[0]["Value"] == 0.1
    with pytest.raises(UsageError, match="name=value"):
        shell.run_cell_magic("train", "--hp nonsense", "print(1)")
    with pytest.raises(UsageError, match="already exists"):
        shell.run_cell_magic("train", "--name magic-job", "print(1)")
