"""Validation of ``CreateTrainingJob`` requests, field by field, with SageMaker's rules."""
from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

from ..algorithms.catalog import algorithm_for, with_metrics
from ..s3.names import s3_uri_field
from ..sagemaker.errors import ValidationError
from ..sagemaker.fields import int_field, known_fields, object_field, string_map_field
from ..sagemaker.names import resource_name
from ..sagemaker.validation import check_request
from ..sagemaker.images import is_runnable
from .metrics import validate_definitions

CHANNEL_NAME = re.compile(r"^[A-Za-z0-9.\-_]{1,64}$")
MAX_RUNTIME_LIMIT = 28 * 24 * 3600
DEFAULT_CHECKPOINT_PATH = "/opt/ml/checkpoints"
#: Hyperparameters SageMaker's SDK adds in script mode; never passed to the script.
SDK_HYPERPARAMETERS = {
    "sagemaker_program",
    "sagemaker_submit_directory",
    "sagemaker_container_log_level",
    "sagemaker_region",
    "sagemaker_job_name",
    "sagemaker_enable_cloudwatch_metrics",
    "sagemaker_estimator_class_name",
    "sagemaker_estimator_module",
    "sagemaker_s3_output",
    "default_user_module_name",
    "_tuning_objective_metric",  # added to a tuning job's trials
}
# Fields of CreateTrainingJob accepted and ignored here (no meaning on this backend).
_IGNORED = {
    "RoleArn", "VpcConfig", "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining", "DebugHookConfig",
    "DebugRuleConfigurations", "TensorBoardOutputConfig", "ExperimentConfig", "ProfilerConfig",
    "ProfilerRuleConfigurations", "RetryStrategy", "RemoteDebugConfig", "InfraCheckConfig",
    "SessionChainingConfig", "Backend",
}
_KNOWN = {
    "TrainingJobName", "AlgorithmSpecification", "HyperParameters", "InputDataConfig",
    "OutputDataConfig", "ResourceConfig", "StoppingCondition", "Environment", "Tags",
    "CheckpointConfig",
} | _IGNORED


def decode_hyperparameter(value: str) -> Any:
    """SageMaker's SDK JSON-encodes script-mode hyperparameters; decode when it did."""
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        return value


def _hyperparameters(value: Any) -> dict[str, str]:
    hps = object_field(value, "HyperParameters")
    if len(hps) > 100:
        raise ValidationError("HyperParameters may hold at most 100 entries")
    for key, item in hps.items():
        if not isinstance(item, str):
            raise ValidationError(
                f"HyperParameters[{key!r}] must be a string, as in SageMaker "
                f"(got {type(item).__name__}); the Estimator converts values for you"
            )
        if not key or len(key) > 256 or len(item) > 2500:
            raise ValidationError(f"HyperParameters[{key!r}] is too long")
    return dict(hps)


def _algorithm(value: Any) -> dict[str, Any]:
    algo = dict(object_field(value, "AlgorithmSpecification", required=True))
    if algo.get("AlgorithmName"):
        raise ValidationError("AlgorithmName (marketplace algorithms) cannot run locally")
    image = algo.get("TrainingImage")
    if image is not None and not isinstance(image, str):
        raise ValidationError("AlgorithmSpecification.TrainingImage must be a string")
    if not is_runnable(image):
        raise ValidationError(
            f"TrainingImage {image!r} is neither a SageMaker framework image nor "
            "'mlstudio/kernel:<name>': it cannot run without Docker here"
        )
    mode = algo.setdefault("TrainingInputMode", "File")
    if mode not in ("File", "FastFile"):
        raise ValidationError(f"TrainingInputMode {mode!r} is not supported here: use File "
                              "or FastFile")
    metrics = validate_definitions(algo.get("MetricDefinitions"))
    algo["MetricDefinitions"] = metrics
    return algo


def _channels(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 20:
        raise ValidationError("InputDataConfig must be a list of at most 20 channels")
    seen: set[str] = set()
    channels = []
    for ch in value:
        ch = dict(object_field(ch, "InputDataConfig[]", required=True))
        name = ch.get("ChannelName")
        if not isinstance(name, str) or not CHANNEL_NAME.match(name):
            raise ValidationError(f"invalid ChannelName {name!r}")
        if name in seen:
            raise ValidationError(f"duplicate ChannelName {name!r}")
        seen.add(name)
        data_source = object_field(ch.get("DataSource"), f"channel {name}: DataSource", True)
        source = object_field(data_source.get("S3DataSource"),
                              f"channel {name}: DataSource.S3DataSource", True)
        source = dict(source)
        s3_uri_field(source.get("S3Uri"), f"channel {name}: S3Uri")
        source.setdefault("S3DataType", "S3Prefix")
        if source["S3DataType"] == "AugmentedManifestFile":
            # SageMaker streams augmented manifests only in Pipe input mode.
            raise ValidationError(f"channel {name}: AugmentedManifestFile can only be used "
                                  "with Pipe input mode, which this server does not offer: "
                                  "use S3Prefix or ManifestFile in File mode")
        if source["S3DataType"] not in ("S3Prefix", "ManifestFile"):
            raise ValidationError(f"channel {name}: S3DataType {source['S3DataType']!r} is not "
                                  "supported here: use S3Prefix or ManifestFile")
        if source["S3DataType"] == "ManifestFile" and source["S3Uri"].endswith("/"):
            raise ValidationError(f"channel {name}: with S3DataType ManifestFile, S3Uri names "
                                  "the manifest object, not a prefix")
        source.setdefault("S3DataDistributionType", "FullyReplicated")
        if source["S3DataDistributionType"] not in ("FullyReplicated", "ShardedByS3Key"):
            raise ValidationError(f"channel {name}: invalid S3DataDistributionType")
        ch["DataSource"] = {"S3DataSource": source}
        if ch.get("InputMode", "File") not in ("File", "FastFile"):
            raise ValidationError(f"channel {name}: InputMode {ch['InputMode']!r} is not "
                                  "supported here")
        ch.setdefault("CompressionType", "None")
        channels.append(ch)
    return channels


def _checkpoints(value: Any) -> dict[str, str] | None:
    """``CheckpointConfig``: ``S3Uri``, and ``LocalPath`` (default /opt/ml/checkpoints),
    which must lie below /opt/ml, the only folder a job has of its own here."""
    if value is None:
        return None
    config = object_field(value, "CheckpointConfig")
    s3_uri_field(config.get("S3Uri"), "CheckpointConfig.S3Uri")
    local = config.get("LocalPath") or DEFAULT_CHECKPOINT_PATH
    path = PurePosixPath(local)
    parts = path.parts
    if (not path.is_absolute() or ".." in parts or len(parts) < 4
            or parts[:3] != ("/", "opt", "ml") or parts[3] in ("input", "code")):
        raise ValidationError(f"CheckpointConfig.LocalPath {local!r} must be a folder below "
                              "/opt/ml (not in input or code), e.g. /opt/ml/checkpoints")
    return {"S3Uri": config["S3Uri"], "LocalPath": str(path)}


def validate_training_job(body: dict[str, Any], max_instances: int) -> dict[str, Any]:
    """A complete, normalised CreateTrainingJob request, or a ValidationError naming the field."""
    known_fields(body, _KNOWN)
    # SageMaker's own checks of every member it defines (types, lengths, patterns, enums);
    # the project fills in RoleArn and the input mode, takes an empty channel list (the
    # panel's and the Estimator's "no channels") as none, and ``Backend`` is its own.
    check_request("CreateTrainingJob",
                  {k: v for k, v in body.items()
                   if k != "Backend" and not (k == "InputDataConfig" and v == [])},
                  optional={"RoleArn", "AlgorithmSpecification.TrainingInputMode"})
    name = resource_name(body.get("TrainingJobName"), "TrainingJobName")
    hps = _hyperparameters(body.get("HyperParameters"))
    program = decode_hyperparameter(hps.get("sagemaker_program", ""))
    # A ContainerEntrypoint (what SDK 3.x's ModelTrainer sends) runs instead of a script.
    entrypoint = (body.get("AlgorithmSpecification") or {}).get("ContainerEntrypoint")
    algorithm = algorithm_for(body.get("AlgorithmSpecification") or {}, hps)
    if algorithm is not None:
        algorithm.check(hps)  # before the job is made, as the algorithm would refuse them
    elif not entrypoint and (not isinstance(program, str) or not program):
        raise ValidationError("HyperParameters.sagemaker_program must name the entry point "
                              "script (script mode), or AlgorithmSpecification."
                              "ContainerEntrypoint the program to run, or TrainingImage a "
                              "built-in algorithm")
    if program and (program.startswith("/") or ".." in program.split("/")):
        raise ValidationError("sagemaker_program must be a path inside the source directory")
    output = object_field(body.get("OutputDataConfig"), "OutputDataConfig", required=True)
    s3_uri_field(output.get("S3OutputPath"), "OutputDataConfig.S3OutputPath")
    resources = dict(object_field(body.get("ResourceConfig"), "ResourceConfig"))
    resources["InstanceCount"] = int_field(resources.get("InstanceCount"),
                                           "ResourceConfig.InstanceCount", 1, max_instances, 1)
    resources.setdefault("InstanceType", "local")
    resources["VolumeSizeInGB"] = int_field(resources.get("VolumeSizeInGB"),
                                            "ResourceConfig.VolumeSizeInGB", 1, 16384, 30)
    stopping = dict(object_field(body.get("StoppingCondition"), "StoppingCondition"))
    stopping["MaxRuntimeInSeconds"] = int_field(stopping.get("MaxRuntimeInSeconds"),
                                                "StoppingCondition.MaxRuntimeInSeconds", 1,
                                                MAX_RUNTIME_LIMIT, 86400)
    tags = body.get("Tags") or []
    if not isinstance(tags, list) or not all(
            isinstance(t, dict) and isinstance(t.get("Key"), str) for t in tags):
        raise ValidationError("Tags must be a list of {Key, Value}")
    algorithm_spec = _algorithm(body.get("AlgorithmSpecification"))
    if algorithm is not None:
        algorithm_spec["MetricDefinitions"] = with_metrics(
            algorithm, algorithm_spec["MetricDefinitions"])
    spec = {
        "TrainingJobName": name,
        "AlgorithmSpecification": algorithm_spec,
        "HyperParameters": hps,
        "InputDataConfig": _channels(body.get("InputDataConfig")),
        "OutputDataConfig": dict(output),
        "ResourceConfig": resources,
        "StoppingCondition": stopping,
        "Environment": string_map_field(body.get("Environment"), "Environment"),
        "Tags": tags,
    }
    if body.get("RoleArn"):
        spec["RoleArn"] = body["RoleArn"]
    checkpoints = _checkpoints(body.get("CheckpointConfig"))
    if checkpoints:
        spec["CheckpointConfig"] = checkpoints
    return spec


def user_hyperparameters(hps: dict[str, str]) -> dict[str, Any]:
    """The hyperparameters the script sees (SDK ones removed, JSON values decoded)."""
    return {k: decode_hyperparameter(v) for k, v in hps.items() if k not in SDK_HYPERPARAMETERS}
