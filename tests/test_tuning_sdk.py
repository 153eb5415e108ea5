"""The real SageMaker SDK's HyperparameterTuner, unchanged, in a kernel the server started."""
from __future__ import annotations

import pytest

from tests.test_kernel_environment import _run_in_kernel

pytestmark = [pytest.mark.slow, pytest.mark.kernel]

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
    parser.add_argument("--solver", default="lbfgs")
    args = parser.parse_args()  # strict: SageMaker's own hyperparameters are not passed
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    model = LogisticRegression(C=args.C, solver=args.solver).fit(X, y)
    for epoch in (1, 2):
        print(f"epoch {epoch}: validation-loss={abs(np.log10(args.C)) + 1 / epoch:.5f}",
              flush=True)
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.pkl"), "wb") as f:
        pickle.dump(model, f)
"""

NOTEBOOK = """
import json, numpy as np, sagemaker
from sagemaker.sklearn import SKLearn
from sagemaker.tuner import (HyperparameterTuner, ContinuousParameter,
                             CategoricalParameter)

session = sagemaker.Session()
estimator = SKLearn(entry_point="train.py", source_dir={source!r},
                    role="arn:aws:iam::000000000000:role/SageMakerRole",
                    instance_type="ml.m5.large", instance_count=1,
                    framework_version="1.2-1", py_version="py3")
tuner = HyperparameterTuner(
    estimator, objective_metric_name="validation:loss", objective_type="Minimize",
    hyperparameter_ranges={{"C": ContinuousParameter(0.01, 100, scaling_type="Logarithmic"),
                           "solver": CategoricalParameter(["lbfgs", "liblinear"])}},
    metric_definitions=[{{"Name": "validation:loss",
                         "Regex": "validation-loss=([0-9.]+)"}}],
    strategy="Bayesian", max_jobs=4, max_parallel_jobs=2, base_tuning_job_name="sdk-tune")
tuner.fit(wait=False)
tuner.wait()
name = tuner.latest_tuning_job.name
described = session.sagemaker_client.describe_hyper_parameter_tuning_job(
    HyperParameterTuningJobName=name)
print("STATUS", described["HyperParameterTuningJobStatus"],
      described["TrainingJobStatusCounters"]["Completed"])
best = tuner.best_training_job()
print("BEST", best == described["BestTrainingJob"]["TrainingJobName"])
frame = tuner.analytics().dataframe()
print("FRAME", len(frame), sorted(c for c in frame.columns if c in (
    "C", "solver", "FinalObjectiveValue", "TrainingJobStatus", "TrainingElapsedTimeSeconds")))
print("BEST ROW", frame.sort_values("FinalObjectiveValue").iloc[0]["TrainingJobName"] == best)
attached = HyperparameterTuner.attach(name)
print("ATTACHED", attached.objective_metric_name, type(attached.estimator).__name__,
      sorted(attached._hyperparameter_ranges))
predictor = tuner.deploy(initial_instance_count=1, instance_type="ml.m5.large", wait=False)
session.sagemaker_client.get_waiter("endpoint_in_service").wait(
    EndpointName=predictor.endpoint_name, WaiterConfig={{"Delay": 1, "MaxAttempts": 120}})
print("PREDICT", json.dumps(np.asarray(predictor.predict([[0.0], [3.0]])).tolist()))
predictor.delete_endpoint()
client = session.sagemaker_client
names = [s["HyperParameterTuningJobName"] for page in client.get_paginator(
    "list_hyper_parameter_tuning_jobs").paginate() for s in
    page["HyperParameterTuningJobSummaries"]]
print("LISTED", name in names)
try:
    client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="no-such-tuning")
except client.exceptions.ClientError as err:
    print("MISSING", err.response["Error"]["Code"])
"""


async def test_hyperparameter_tuner_fit_wait_analytics_attach_deploy(
        jp_serverapp, jp_fetch, mlstudio_app, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text(TRAIN)
    output = await _run_in_kernel(jp_serverapp.kernel_manager,
                                  NOTEBOOK.format(source=str(source)))
    assert "STATUS Completed 4" in output, output
    assert "BEST True" in output, output
    assert "FRAME 4 ['C', 'FinalObjectiveValue', 'TrainingElapsedTimeSeconds', " \
           "'TrainingJobStatus', 'solver']" in output, output
    assert "BEST ROW True" in output, output
    assert "ATTACHED validation:loss SKLearn ['C', 'solver']" in output, output
    assert "PREDICT [0.0, 1.0]" in output or "PREDICT [0, 1]" in output, output
    assert "LISTED True" in output and "MISSING ResourceNotFound" in output, output
