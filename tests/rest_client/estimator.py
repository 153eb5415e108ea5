"""A small client of this server's REST training routes, shaped like the SDK's ``Estimator``.

Notebooks use the real SageMaker Python SDK (the ``sdk`` extra), which reaches this server
through its SageMaker API; this module is part of the project's tests (of the REST routes,
with the Jupyter token) and takes no argument it does not use.

    from tests.rest_client.estimator import Estimator
    est = Estimator(entry_point="train.py", source_dir="src",
                    hyperparameters={"epochs": 10}, instance_count=1,
                    metric_definitions=[{"Name": "loss", "Regex": "loss=([0-9.]+)"}])
    est.fit({"train": "s3://mlstudio/data/train/"})
    est.model_data   # s3://…/output/model.tar.gz

Inside a kernel started by the server it needs no configuration; elsewhere set
``JUPYTER_MLSTUDIO_URL`` / ``JUPYTER_MLSTUDIO_TOKEN`` and the S3 environment.
"""
from __future__ import annotations

import io
import json
import os
import sys
import tarfile
import time
from pathlib import Path
from typing import Any, TextIO

from jupyter_mlstudio.client import MLStudioClient
from jupyter_mlstudio.errors import MLStudioError
from jupyter_mlstudio.jobs.sourcedir import real_inside, source_files

from .deploy import Model, Predictor, Session, Transformer, unique_name

SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
PYTORCH_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310"
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
TERMINAL = ("Completed", "Failed", "Stopped")


class UnexpectedStatusException(MLStudioError):
    """A job ended otherwise than Completed (the SageMaker SDK's exception of that name)."""

    def __init__(self, message: str, actual_status: str) -> None:
        super().__init__(400, message, "UnexpectedStatus")
        self.actual_status = actual_status


def TrainingInput(s3_data: str, content_type: str | None = None,
                  distribution: str = "FullyReplicated", input_mode: str | None = None
                  ) -> dict[str, Any]:
    """A channel definition, like ``sagemaker.inputs.TrainingInput``."""
    channel: dict[str, Any] = {"DataSource": {"S3DataSource": {
        "S3Uri": s3_data, "S3DataType": "S3Prefix", "S3DataDistributionType": distribution}}}
    if content_type:
        channel["ContentType"] = content_type
    if input_mode:
        channel["InputMode"] = input_mode
    return channel


class TrainingJob:
    """A handle on one training job: describe, wait, logs, stop."""

    def __init__(self, name: str, client: MLStudioClient) -> None:
        self.name = name
        self.job_name = name
        self.client = client

    def describe(self) -> dict[str, Any]:
        return self.client.get(f"training-jobs/{self.name}")

    def stop(self) -> None:
        self.client.post(f"training-jobs/{self.name}/stop")

    def stream_logs(self, out: TextIO | None = None, poll: float = 20.0) -> None:
        """Print the log as it grows until the job ends."""
        out = out or sys.stdout
        offset = 0
        while True:
            reply = self.client.get(f"training-jobs/{self.name}/logs", offset=offset,
                                    follow=1, timeout=int(poll))
            if reply["text"]:
                out.write(reply["text"])
                out.flush()
            offset = reply["next_offset"]
            if reply["complete"]:
                return

    def wait(self, logs: bool = True, poll: float = 0.5) -> dict[str, Any]:
        """Block until the job ends; raise :class:`UnexpectedStatusException` unless Completed."""
        if logs:
            self.stream_logs()
        while True:
            desc = self.describe()
            if desc["TrainingJobStatus"] in TERMINAL:
                break
            time.sleep(poll)
        status = desc["TrainingJobStatus"]
        if status != "Completed":
            reason = desc.get("FailureReason") or desc.get("SecondaryStatus")
            raise UnexpectedStatusException(
                f"Error for training job {self.name}: {status}. Reason: {reason}", status)
        return desc


class Estimator:
    """Train a script the way SageMaker's framework estimators do (script mode)."""

    image_uri_default: str | None = None

    def __init__(
        self,
        entry_point: str,
        source_dir: str | None = None,
        hyperparameters: dict[str, Any] | None = None,
        instance_count: int = 1,
        instance_type: str = "local",
        metric_definitions: list[dict[str, str]] | None = None,
        output_path: str | None = None,
        image_uri: str | None = None,
        base_job_name: str | None = None,
        max_run: int = 24 * 3600,
        environment: dict[str, str] | None = None,
        role: str | None = None,
        volume_size: int = 30,
        client: MLStudioClient | None = None,
    ) -> None:
        self.entry_point = entry_point
        self.source_dir = source_dir
        self.hyperparameters_ = dict(hyperparameters or {})
        self.instance_count = instance_count
        self.instance_type = instance_type
        self.metric_definitions = metric_definitions or []
        self.bucket = os.environ.get("MLSTUDIO_DEFAULT_BUCKET", "mlstudio")
        self.output_path = output_path or f"s3://{self.bucket}/training-output"
        self.image_uri = image_uri or self.image_uri_default
        self.base_job_name = base_job_name or Path(entry_point).stem.replace("_", "-")
        self.max_run = max_run
        self.environment = environment or {}
        self.role = role
        self.volume_size = volume_size
        self.client = client or MLStudioClient.from_environment()
        self.latest_training_job: TrainingJob | None = None
        self._model_data: str | None = None

    def hyperparameters(self) -> dict[str, str]:
        """The user's hyperparameters JSON-encoded, as the SageMaker SDK sends them."""
        return {k: json.dumps(v) for k, v in self.hyperparameters_.items()}

    def _upload_source(self, job_name: str) -> str:
        """Pack ``source_dir`` (or the entry point alone) into sourcedir.tar.gz on S3.

        Symbolic links are followed while they stay inside ``source_dir`` (the entry
        point's folder without one); one that leads out of it is refused, naming it."""
        from jupyter_mlstudio.s3.files import client as s3_client

        script = Path(self.source_dir, self.entry_point) if self.source_dir \
            else Path(self.entry_point)
        if not script.is_file():
            raise FileNotFoundError(f"entry point {script} not found")
        root = Path(self.source_dir) if self.source_dir else script.parent
        files = source_files(root, root) if self.source_dir else \
            [(script.name, real_inside(script, script.name, root))]
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for rel, real in files:
                tar.add(real, arcname=rel, recursive=False)
        key = f"{job_name}/source/sourcedir.tar.gz"
        s3_client().put_object(Bucket=self.bucket, Key=key, Body=buffer.getvalue())
        return f"s3://{self.bucket}/{key}"

    def _channels(self, inputs: Any) -> list[dict[str, Any]]:
        if inputs is None:
            return []
        if isinstance(inputs, str):
            inputs = {"training": inputs}
        if not isinstance(inputs, dict):
            raise TypeError("inputs must be an s3:// URI or a dict of channel name to input")
        channels = []
        for name, value in inputs.items():
            channel = TrainingInput(value) if isinstance(value, str) else dict(value)
            channels.append({"ChannelName": name, **channel})
        return channels

    def training_job_request(self, job_name: str, inputs: Any, submit_dir: str
                             ) -> dict[str, Any]:
        """The CreateTrainingJob request ``fit`` sends (SageMaker's field names)."""
        program = self.entry_point if self.source_dir else Path(self.entry_point).name
        request: dict[str, Any] = {
            "TrainingJobName": job_name,
            "AlgorithmSpecification": {"TrainingInputMode": "File",
                                       "MetricDefinitions": self.metric_definitions},
            "HyperParameters": {**self.hyperparameters(),
                                "sagemaker_program": json.dumps(program),
                                "sagemaker_submit_directory": json.dumps(submit_dir),
                                "sagemaker_container_log_level": "20",
                                "sagemaker_job_name": json.dumps(job_name)},
            "InputDataConfig": self._channels(inputs),
            "OutputDataConfig": {"S3OutputPath": self.output_path},
            "ResourceConfig": {"InstanceCount": self.instance_count,
                               "InstanceType": self.instance_type,
                               "VolumeSizeInGB": self.volume_size},
            "StoppingCondition": {"MaxRuntimeInSeconds": self.max_run},
            "Environment": self.environment,
        }
        if self.image_uri:
            request["AlgorithmSpecification"]["TrainingImage"] = self.image_uri
        if self.role:
            request["RoleArn"] = self.role
        return request

    def fit(self, inputs: Any = None, wait: bool = True, logs: bool = True,
            job_name: str | None = None) -> None:
        """Start a training job on ``inputs`` (an s3:// URI or {channel: URI or
        TrainingInput}); with ``wait``, stream its log and raise if it does not complete."""
        job_name = job_name or unique_name(self.base_job_name)
        submit_dir = self._upload_source(job_name)
        self.client.post("training-jobs", self.training_job_request(job_name, inputs,
                                                                    submit_dir))
        self.latest_training_job = TrainingJob(job_name, self.client)
        self._model_data = None
        if wait:
            desc = self.latest_training_job.wait(logs=logs)
            self._model_data = desc.get("ModelArtifacts", {}).get("S3ModelArtifacts")

    @property
    def model_data(self) -> str | None:
        """The S3 URI of the trained ``model.tar.gz``."""
        if self._model_data is None and self.latest_training_job is not None:
            desc = self.latest_training_job.describe()
            self._model_data = desc.get("ModelArtifacts", {}).get("S3ModelArtifacts")
        return self._model_data

    def create_model(self, name: str | None = None, env: dict[str, str] | None = None
                     ) -> Model:
        """A Model of the trained archive, served by the training script's ``model_fn``
        (or the defaults), as SageMaker's framework estimators do."""
        if self.latest_training_job is None or not self.model_data:
            raise ValueError("no trained model yet: call fit() first")
        hps = self.latest_training_job.describe()["HyperParameters"]
        program = _decode(hps.get("sagemaker_program", '""'))
        submit = _decode(hps.get("sagemaker_submit_directory", '""'))
        serving_env = {}
        # Only a source archive in S3 can travel with the model; a workspace folder cannot.
        if program and isinstance(submit, str) and submit.startswith("s3://"):
            serving_env = {"SAGEMAKER_PROGRAM": Path(program).name,
                           "SAGEMAKER_SUBMIT_DIRECTORY": submit}
        return Model(self.model_data, image_uri=self.image_uri,
                     env={**serving_env, **(env or {})},
                     name=name or self.latest_training_job.name,
                     session=Session(self.client))

    def deploy(self, initial_instance_count: int = 1, instance_type: str = "local",
               serializer: Any = None, deserializer: Any = None,
               endpoint_name: str | None = None, wait: bool = True,
               model_name: str | None = None, **kwargs: Any) -> Predictor:
        """Serve the trained model on a real-time endpoint; returns its Predictor."""
        return self.create_model(model_name).deploy(
            initial_instance_count, instance_type, serializer, deserializer,
            endpoint_name=endpoint_name, wait=wait, **kwargs)

    def transformer(self, instance_count: int = 1, instance_type: str = "local",
                    model_name: str | None = None, **kwargs: Any) -> Transformer:
        """A Transformer that runs batch transform jobs with the trained model."""
        model = self.create_model(model_name)
        return model.transformer(instance_count, instance_type, **kwargs)

    def logs(self) -> None:
        if self.latest_training_job is None:
            raise ValueError("no training job yet: call fit() first")
        self.latest_training_job.stream_logs()

    @classmethod
    def attach(cls, training_job_name: str, client: MLStudioClient | None = None
               ) -> "Estimator":
        """An estimator for an existing job (the SDK's ``Estimator.attach``)."""
        client = client or MLStudioClient.from_environment()
        desc = client.get(f"training-jobs/{training_job_name}")
        hps = desc["HyperParameters"]
        program = json.loads(hps.get("sagemaker_program", '""'))
        user = {k: _decode(v) for k, v in hps.items() if not k.startswith("sagemaker_")}
        est = cls(
            entry_point=program,
            hyperparameters=user,
            instance_count=desc["ResourceConfig"]["InstanceCount"],
            instance_type=desc["ResourceConfig"]["InstanceType"],
            metric_definitions=desc["AlgorithmSpecification"].get("MetricDefinitions", []),
            output_path=desc["OutputDataConfig"]["S3OutputPath"],
            image_uri=desc["AlgorithmSpecification"].get("TrainingImage"),
            max_run=desc["StoppingCondition"]["MaxRuntimeInSeconds"],
            environment=desc.get("Environment", {}),
            client=client,
        )
        est.latest_training_job = TrainingJob(training_job_name, client)
        est._model_data = desc.get("ModelArtifacts", {}).get("S3ModelArtifacts")
        return est


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


class SKLearn(Estimator):
    """Script mode with SageMaker's scikit-learn image (``sagemaker.sklearn.SKLearn``)."""

    image_uri_default = SKLEARN_IMAGE


class PyTorch(Estimator):
    """Script mode with SageMaker's PyTorch image (``sagemaker.pytorch.PyTorch``)."""

    image_uri_default = PYTORCH_IMAGE


class XGBoost(Estimator):
    """Script mode with SageMaker's XGBoost image (``sagemaker.xgboost.XGBoost``)."""

    image_uri_default = XGBOOST_IMAGE
