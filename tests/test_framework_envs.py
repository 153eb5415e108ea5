"""Framework images run in an environment built for the image: the framework at the
version in the tag, SageMaker's toolkits beside it, built once and reused, for training
jobs and for the model servers of the same image.

The environments are kept in the suite's cache, so the first run of the suite builds
scikit-learn 1.2's (a minute) and later runs reuse it.
"""
from __future__ import annotations

import json

import pytest

from tests.kernels_support import TEST_CACHE
from tests.procs import wait_for
from tests.serving_support import call, runtime
from tests.wire_support import (SKLEARN_IMAGE, training_request, upload_source, wait_status,
                                wire_fixtures)

pytestmark = [pytest.mark.slow]

ENV_DIR = TEST_CACHE / "framework-envs"

server, environment, sm, logs, aas = wire_fixtures(
    "framework-envs", "--LocalBackend.build_framework_environments=True",
    f"--LocalBackend.framework_env_dir={ENV_DIR}")

# A script written for SageMaker's scikit-learn container: the toolkit's Environment,
# and handlers the container's model server calls.
SCRIPT = b"""
import json, os, pickle, sys
import numpy as np
import sklearn


def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.pkl"), "rb") as f:
        return pickle.load(f)


def predict_fn(data, model):
    return {"sklearn": sklearn.__version__, "python": sys.executable,
            "predictions": model.predict(np.asarray(data, dtype=float)).tolist()}


if __name__ == "__main__":
    from sagemaker_training import environment
    from sklearn.linear_model import LogisticRegression

    env = environment.Environment()
    print("SKLEARN", sklearn.__version__, "NUMPY", np.__version__, flush=True)
    print("HOSTS", env.hosts, "MODEL_DIR", env.model_dir == os.environ["SM_MODEL_DIR"])
    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    with open(os.path.join(env.model_dir, "model.pkl"), "wb") as f:
        pickle.dump(model, f)
"""


def job_log(logs, name: str) -> str:
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                        logStreamNamePrefix=name)["logStreams"]
    return "\n".join(e["message"] for s in streams for e in logs.get_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=s["logStreamName"],
        startFromHead=True)["events"])


def test_training_and_serving_run_on_the_images_framework_version(server, sm, logs):
    source = upload_source(server, "fw/sourcedir.tar.gz", SCRIPT)
    sm.create_training_job(**training_request("fw-sklearn", source))
    job = wait_status(sm, "fw-sklearn", {"Completed", "Failed", "Stopped"}, timeout=900)
    text = job_log(logs, "fw-sklearn")
    assert job["TrainingJobStatus"] == "Completed", (job.get("FailureReason"), text[-3000:])
    # scikit-learn 1.2 (from the tag 1.2-1) beside the toolkit, not the server's own.
    assert "SKLEARN 1.2." in text and "NUMPY 1." in text, text[-3000:]
    assert "HOSTS ['algo-1'] MODEL_DIR True" in text, text[-3000:]
    assert "framework environment sklearn-1.2-py311" in text, text[-3000:]
    record = json.loads((ENV_DIR / "sklearn-1.2-py311" / "mlstudio-framework-env.json")
                        .read_text())
    assert record["summary"].startswith("scikit-learn 1.2.")

    # The second job on the image reuses the environment.
    sm.create_training_job(**training_request("fw-sklearn-2", source))
    job = wait_status(sm, "fw-sklearn-2", {"Completed", "Failed", "Stopped"}, timeout=300)
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert "sklearn-1.2-py311: scikit-learn 1.2." in job_log(logs, "fw-sklearn-2")
    assert "(cached)" in job_log(logs, "fw-sklearn-2")

    # The model, served from the same image, loads in the same environment.
    sm.create_model(ModelName="fw-model", ExecutionRoleArn=job["RoleArn"], PrimaryContainer={
        "Image": SKLEARN_IMAGE, "ModelDataUrl": job["ModelArtifacts"]["S3ModelArtifacts"],
        "Environment": {"SAGEMAKER_PROGRAM": "train.py", "SAGEMAKER_SUBMIT_DIRECTORY": source}})
    sm.create_endpoint_config(EndpointConfigName="fw-config", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": "fw-model", "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large"}])
    sm.create_endpoint(EndpointName="fw-endpoint", EndpointConfigName="fw-config")
    desc = wait_for(lambda: (d := sm.describe_endpoint(EndpointName="fw-endpoint"))[
        "EndpointStatus"] != "Creating" and d, timeout=300)
    assert desc["EndpointStatus"] == "InService", desc.get("FailureReason")
    url = call(server, "GET", "endpoints/fw-endpoint")[1]["RuntimeUrl"]
    reply = runtime(server, url).invoke_endpoint(
        EndpointName="fw-endpoint", Body=b"[[0.0], [3.0]]", ContentType="application/json",
        Accept="application/json")
    answer = json.loads(reply["Body"].read())
    assert answer["sklearn"].startswith("1.2.") and answer["predictions"] == [0, 1], answer
    assert str(ENV_DIR / "sklearn-1.2-py311") in answer["python"], answer
    sm.delete_endpoint(EndpointName="fw-endpoint")


def test_an_image_no_environment_can_be_built_for_fails_the_job_naming_it(server, sm, logs):
    source = upload_source(server, "fw/old/sourcedir.tar.gz", b"print('never runs')")
    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:0.20.0-cpu-py3"
    request = training_request("fw-too-old", source)
    request["AlgorithmSpecification"]["TrainingImage"] = image
    sm.create_training_job(**request)
    job = wait_status(sm, "fw-too-old", {"Completed", "Failed", "Stopped"}, timeout=300)
    assert job["TrainingJobStatus"] == "Failed"
    reason = job["FailureReason"]
    assert reason.startswith("ClientError: no environment can be built for the image " + image)
    assert "scikit-learn 0.20 cannot be installed for Python 3.11" in reason, reason
    assert "never runs" not in job_log(logs, "fw-too-old")


def test_images_name_their_framework_and_version():
    from jupyter_mlstudio.jobs.framework_envs import image_framework

    ecr = "763104351884.dkr.ecr.us-west-2.amazonaws.com"
    cases = {
        SKLEARN_IMAGE: ("sklearn", (1, 2), None),
        f"{ecr}/pytorch-training:2.1.0-cpu-py310": ("pytorch", (2, 1), None),
        f"{ecr}/pytorch-inference:1.13.1-gpu-py39-cu117-ubuntu20.04-sagemaker":
            ("pytorch", (1, 13), None),
        f"{ecr}/tensorflow-training:2.14.1-cpu-py310-ubuntu20.04-sagemaker":
            ("tensorflow", (2, 14), None),
        "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1":
            ("xgboost", (1, 7), None),
        f"{ecr}/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04":
            ("huggingface", (4, 36), (2, 1)),
    }
    for image, (framework, release, torch) in cases.items():
        wanted = image_framework(image)
        assert wanted is not None, image
        assert (wanted.framework, wanted.release, wanted.torch) == (framework, release, torch)
    # No version in the tag, no framework, or a kernel: nothing to build.
    for image in ("sklearn", "python", "mlstudio/kernel:python3",
                  f"{ecr}/pytorch-training@sha256:{'a' * 64}", "my-registry/my-image:1.0"):
        assert image_framework(image) is None, image


def test_the_release_is_the_tags_or_the_nearest_of_the_same_major():
    import pytest

    from jupyter_mlstudio.jobs.framework_envs import (FrameworkEnvError, choose_release,
                                                      image_framework, requirements)

    wheels = ["1.9.1", "1.9.0", "1.4.2", "1.3.2", "1.1.3"]
    assert choose_release("scikit-learn", (1, 3), wheels) == (1, 3)
    assert choose_release("scikit-learn", (1, 2), wheels) == (1, 3)  # tie: the newer
    assert choose_release("scikit-learn", (1, 0), wheels) == (1, 1)
    with pytest.raises(FrameworkEnvError, match=r"scikit-learn 0\.23 cannot be installed"):
        choose_release("scikit-learn", (0, 23), wheels)
    old = image_framework(SKLEARN_IMAGE)
    assert requirements(old, (1, 2))[0] == "scikit-learn==1.2.*"
    assert "numpy<2" in requirements(old, (1, 2))  # built before NumPy 2
    assert "numpy<2" not in requirements(old, (1, 5))
    assert {"sagemaker-training", "sagemaker-inference", "pandas"} <= set(
        requirements(old, (1, 5)))


def test_only_listed_frameworks_get_a_built_environment():
    """scikit-learn and XGBoost by default; PyTorch (a CUDA wheel of GBs on PyPI) only
    when a deployer lists it."""
    import sys

    from jupyter_mlstudio.backends.local import LocalBackend

    torch_image = "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
    default = LocalBackend()
    assert default.environment_to_build(SKLEARN_IMAGE, sys.executable).name.startswith(
        "sklearn-1.2-")
    assert default.environment_to_build(torch_image, sys.executable) is None
    listed = LocalBackend(framework_env_frameworks=["sklearn", "pytorch"])
    assert listed.environment_to_build(torch_image, sys.executable).release == (2, 1)
    assert LocalBackend(build_framework_environments=False).environment_to_build(
        SKLEARN_IMAGE, sys.executable) is None
