"""SageMaker's built-in XGBoost algorithm: trained with no script, served with no script,
tuned on its own metrics, and its hyperparameters and data checked as SageMaker does."""
from __future__ import annotations

import io
import json
import tarfile

import numpy as np
import pytest

from tests.rest_support import rest_api
from tests.training_support import wait_done
from tests.tuning_support import tuning_api, wait_tuning

pytestmark = pytest.mark.slow
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
            "LocalBackend": {"max_concurrent_jobs": 2}}


def rows(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 3))
    return x, 3 * x[:, 0] - 2 * x[:, 1] ** 2 + 0.05 * rng.normal(size=n)


def csv(x, y) -> bytes:
    return "".join(",".join(f"{v:.6f}" for v in (t, *f)) + "\n" for f, t in zip(x, y)).encode()


def channel(name: str, uri: str, content_type: str) -> dict:
    return {"ChannelName": name, "ContentType": content_type, "DataSource": {"S3DataSource": {
        "S3Uri": uri, "S3DataType": "S3Prefix", "S3DataDistributionType": "FullyReplicated"}}}


def body(name: str, hps: dict[str, str], channels: list[dict]) -> dict:
    return {"TrainingJobName": name,
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": "arn:aws:iam::000000000000:role/SageMakerRole",
            "HyperParameters": hps, "InputDataConfig": channels,
            "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/xgb-out"},
            "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                               "VolumeSizeInGB": 1},
            "StoppingCondition": {"MaxRuntimeInSeconds": 600}}


@pytest.fixture
def data(s3):
    x, y = rows(400, 1)
    vx, vy = rows(100, 2)
    s3.put_object(Bucket="mlstudio", Key="xgb/train/part-0.csv", Body=csv(x[:200], y[:200]))
    s3.put_object(Bucket="mlstudio", Key="xgb/train/part-1.csv", Body=csv(x[200:], y[200:]))
    s3.put_object(Bucket="mlstudio", Key="xgb/validation/v.csv", Body=csv(vx, vy))
    return [channel("train", "s3://mlstudio/xgb/train", "text/csv"),
            channel("validation", "s3://mlstudio/xgb/validation", "text/csv")]


async def test_trains_with_no_script_serves_and_reports_its_metrics(
        api, jp_fetch, mlstudio_app, s3, data):
    hps = {"num_round": "40", "objective": "reg:squarederror", "max_depth": "3",
           "eta": "0.3", "eval_metric": "rmse,mae"}
    code, reply = await api("POST", body=body("xgb-algo", hps, data))
    assert code == 201, reply
    job = await wait_done(api, "xgb-algo", timeout=180)
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    final = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert final["validation:rmse"] < 0.3 and "train:rmse" in final and \
        "validation:mae" in final, final
    code, points = await api("GET", "xgb-algo", "metrics")
    assert len(points["metrics"]["validation:rmse"]) == 40  # one per round
    key = job["ModelArtifacts"]["S3ModelArtifacts"].split("/", 3)[3]
    archive = tarfile.open(fileobj=io.BytesIO(
        s3.get_object(Bucket="mlstudio", Key=key)["Body"].read()))
    assert archive.getnames() == ["xgboost-model"]

    rest = rest_api(jp_fetch)
    code, reply = await rest("POST", "models", body={
        "ModelName": "xgb-algo", "ExecutionRoleArn": "arn:aws:iam::000000000000:role/R",
        "PrimaryContainer": {"Image": IMAGE,
                             "ModelDataUrl": job["ModelArtifacts"]["S3ModelArtifacts"]}})
    assert code == 201, reply
    s3.put_object(Bucket="mlstudio", Key="xgb-batch/rows.csv",
                  Body=b"0.5,0.0,0.1\n-0.5,0.0,0.1\n")
    code, reply = await rest("POST", "transform-jobs", body={
        "TransformJobName": "xgb-algo", "ModelName": "xgb-algo",
        "TransformInput": {"ContentType": "text/csv", "SplitType": "Line",
                           "DataSource": {"S3DataSource": {
                               "S3DataType": "S3Prefix",
                               "S3Uri": "s3://mlstudio/xgb-batch/"}}},
        "TransformOutput": {"S3OutputPath": "s3://mlstudio/xgb-batch-out"},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1}})
    assert code == 201, reply
    await mlstudio_app.serving_service.transforms.settle("xgb-algo", 120)
    code, done = await rest("GET", "transform-jobs", "xgb-algo")
    assert done["TransformJobStatus"] == "Completed", done
    out = s3.get_object(Bucket="mlstudio", Key="xgb-batch-out/rows.csv.out")["Body"].read()
    first, second = [float(v) for v in out.decode().split()]
    assert first == pytest.approx(1.5, abs=0.4) and second == pytest.approx(-1.5, abs=0.4)


async def test_libsvm_channels(api, s3):
    x, y = rows(300, 3)
    lines = "".join(f"{t:.5f} " + " ".join(f"{i + 1}:{v:.5f}" for i, v in enumerate(f)) + "\n"
                    for f, t in zip(x, y))
    s3.put_object(Bucket="mlstudio", Key="svm/train/t.libsvm", Body=lines.encode())
    code, reply = await api("POST", body=body("xgb-svm", {"num_round": "10"}, [
        channel("train", "s3://mlstudio/svm/train", "text/libsvm")]))
    assert code == 201, reply
    job = await wait_done(api, "xgb-svm", timeout=180)
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert "train:rmse" in {m["MetricName"] for m in job["FinalMetricDataList"]}


@pytest.mark.parametrize("hps, message", [
    ({"objective": "reg:squarederror"}, "the hyperparameter num_round is required"),
    ({"num_round": "10", "eta": "2"}, "eta = '2' is not valid: it must be a number in [0, 1]"),
    ({"num_round": "0"}, "num_round = '0' is not valid: it must be an integer in [1, inf]"),
    ({"num_round": "10", "learning_rate": "0.1"}, "unknown hyperparameters learning_rate"),
    ({"num_round": "10", "objective": "reg:nonsense"}, "objective = 'reg:nonsense'"),
])
async def test_hyperparameters_sagemaker_refuses(api, hps, message, data):
    code, reply = await api("POST", body=body("xgb-bad", hps, data))
    assert code == 400 and message in reply["message"], reply


async def test_data_it_cannot_read_fails_the_job_with_the_reason(api, s3):
    s3.put_object(Bucket="mlstudio", Key="hdr/train/t.csv", Body=b"y,a,b\n1,2,3\n")
    code, reply = await api("POST", body=body("xgb-header", {"num_round": "5"}, [
        channel("train", "s3://mlstudio/hdr/train", "text/csv")]))
    job = await wait_done(api, "xgb-header", timeout=180)
    assert job["TrainingJobStatus"] == "Failed"
    assert "train channel: t.csv line 1 is not numeric CSV" in job["FailureReason"], job


async def test_a_tuning_job_over_its_hyperparameters_reads_its_own_metrics(jp_fetch, data):
    tuning = tuning_api(jp_fetch)
    definition = body("unused", {"num_round": "15", "objective": "reg:squarederror"}, data)
    code, reply = await tuning("POST", body={
        "HyperParameterTuningJobName": "xgb-tune",
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random", "RandomSeed": 3,
            "HyperParameterTuningJobObjective": {"Type": "Minimize",
                                                 "MetricName": "validation:rmse"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 3, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {
                "ContinuousParameterRanges": [{"Name": "eta", "MinValue": "0.05",
                                               "MaxValue": "0.5"}],
                "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "1",
                                            "MaxValue": "5"}]}},
        "TrainingJobDefinition": {
            "StaticHyperParameters": definition["HyperParameters"],
            **{k: definition[k] for k in ("AlgorithmSpecification", "RoleArn",
                                          "InputDataConfig", "OutputDataConfig",
                                          "ResourceConfig", "StoppingCondition")}}})
    assert code == 201, reply
    job = await wait_tuning(tuning, "xgb-tune")
    assert job["HyperParameterTuningJobStatus"] == "Completed", json.dumps(job)[:3000]
    assert job["ObjectiveStatusCounters"]["Succeeded"] == 3
    assert job["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"][
        "MetricName"] == "validation:rmse"


SDK = """
import sagemaker
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.serializers import CSVSerializer

session = sagemaker.Session()
image = sagemaker.image_uris.retrieve("xgboost", session.boto_region_name, "1.7-1")
est = Estimator(image_uri=image, role="arn:aws:iam::000000000000:role/SageMakerRole",
                instance_count=1, instance_type="ml.m5.large",
                output_path=f"s3://{session.default_bucket()}/xgb-sdk")
est.set_hyperparameters(objective="reg:squarederror", num_round=30, max_depth=3)
est.fit({"train": TrainingInput("s3://mlstudio/xgb/train", content_type="text/csv"),
         "validation": TrainingInput("s3://mlstudio/xgb/validation", content_type="text/csv")},
        logs=False)
job = est.latest_training_job.describe()
print("METRIC", [m["MetricName"] for m in job["FinalMetricDataList"]
                 if m["MetricName"] == "validation:rmse"])
predictor = est.deploy(initial_instance_count=1, instance_type="ml.m5.large",
                       serializer=CSVSerializer(), wait=False)
session.sagemaker_client.get_waiter("endpoint_in_service").wait(
    EndpointName=predictor.endpoint_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
print("PREDICT", round(float(predictor.predict([0.5, 0.0, 0.1]).decode()), 1))
predictor.delete_endpoint()
"""


@pytest.mark.kernel
async def test_the_sdks_generic_estimator_on_the_algorithm_image(jp_serverapp, jp_fetch,
                                                                 mlstudio_app, data):
    from tests.test_kernel_environment import _run_in_kernel

    output = await _run_in_kernel(jp_serverapp.kernel_manager, SDK)
    assert "METRIC ['validation:rmse']" in output, output
    assert "PREDICT 1.5" in output or "PREDICT 1.4" in output or "PREDICT 1.6" in output, \
        output
