"""Validation of ``CreateTrainingJob`` requests, field by field, with SageMaker's rules."""
from __future__ import annotations

import json
import re
from typing import Any

from ..s3.errors import S3Error
from ..s3.names import parse_uri
from .errors import ValidationError
from .frameworks import is_runnable

JOB_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
CHANNEL_NAME = re.compile(r"^[A-Za-z0-9.\-_]{1,64}$")
ENV_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]{0,1023}$")
MAX_RUNTIME_LIMIT = 28 * 24 * 3600
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
}
# Fields of CreateTrainingJob accepted and ignored here (no meaning on this backend).
_IGNORED = {
    "RoleArn", "VpcConfig", "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining", "CheckpointConfig", "DebugHookConfig",
    "DebugRuleConfigurations", "TensorBoardOutputConfig", "ExperimentConfig", "ProfilerConfig",
    "ProfilerRuleConfigurations", "RetryStrategy", "RemoteDebugConfig", "InfraCheckConfig",
    "SessionChainingConfig", "Backend",
}
_KNOWN = {
    "TrainingJobName", "AlgorithmSpecification", "HyperParameters", "InputDataConfig",
    "OutputDataConfig", "ResourceConfig", "StoppingCondition", "Environment", "Tags",
} | _IGNORED


def _dict(value: Any, field: str, required: bool = False) -> dict[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{field} must be an object")
    return value


def _int(value: Any, field: str, low: int, high: int, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{field} must be an integer between {low} and {high}")
    return value


def _s3_uri(value: Any, field: str) -> str:
    try:
        parse_uri(value)
    except S3Error as err:
        raise ValidationError(f"{field}: {err.message}") from None
    return value


def decode_hyperparameter(value: str) -> Any:
    """SageMaker's SDK JSON-encodes script-mode hyperparameters; decode when it did."""
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        return value


def _hyperparameters(value: Any) -> dict[str, str]:
    hps = _dict(value, "HyperParameters")
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
    algo = dict(_dict(value, "AlgorithmSpecification", required=True))
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
    metrics = algo.get("MetricDefinitions") or []
    if not isinstance(metrics, list) or len(metrics) > 40:
        raise ValidationError("MetricDefinitions must be a list of at most 40 entries")
    for m in metrics:
        if not isinstance(m, dict) or not isinstance(m.get("Name"), str) or not m["Name"]:
            raise ValidationError("each MetricDefinition needs a Name and a Regex")
        try:
            pattern = re.compile(m.get("Regex") or "")
        except re.error as err:
            raise ValidationError(f"MetricDefinitions[{m['Name']!r}].Regex: {err}") from None
        if pattern.groups < 1:
            raise ValidationError(f"MetricDefinitions[{m['Name']!r}].Regex needs a group "
                                  "that captures the value")
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
        ch = dict(_dict(ch, "InputDataConfig[]", required=True))
        name = ch.get("ChannelName")
        if not isinstance(name, str) or not CHANNEL_NAME.match(name):
            raise ValidationError(f"invalid ChannelName {name!r}")
        if name in seen:
            raise ValidationError(f"duplicate ChannelName {name!r}")
        seen.add(name)
        source = _dict(_dict(ch.get("DataSource"), f"channel {name}: DataSource", True).get(
            "S3DataSource"), f"channel {name}: DataSource.S3DataSource", True)
        source = dict(source)
        _s3_uri(source.get("S3Uri"), f"channel {name}: S3Uri")
        source.setdefault("S3DataType", "S3Prefix")
        if source["S3DataType"] != "S3Prefix":
            raise ValidationError(f"channel {name}: S3DataType {source['S3DataType']!r} is not "
                                  "supported here: use S3Prefix")
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


def _string_map(value: Any, field: str) -> dict[str, str]:
    env = _dict(value, field)
    for key, item in env.items():
        if not ENV_NAME.match(key) or not isinstance(item, str):
            raise ValidationError(f"{field}[{key!r}] must be a valid name with a string value")
    return dict(env)


def validate_training_job(body: dict[str, Any], max_instances: int) -> dict[str, Any]:
    """A complete, normalised CreateTrainingJob request, or a ValidationError naming the field."""
    unknown = set(body) - _KNOWN
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(unknown))}")
    name = body.get("TrainingJobName")
    if not isinstance(name, str) or not JOB_NAME.match(name):
        raise ValidationError(
            f"TrainingJobName {name!r} must be 1-63 letters, digits and hyphens, starting "
            "with a letter or digit"
        )
    hps = _hyperparameters(body.get("HyperParameters"))
    program = decode_hyperparameter(hps.get("sagemaker_program", ""))
    if not isinstance(program, str) or not program:
        raise ValidationError("HyperParameters.sagemaker_program must name the entry point "
                              "script (script mode)")
    if program.startswith("/") or ".." in program.split("/"):
        raise ValidationError("sagemaker_program must be a path inside the source directory")
    output = _dict(body.get("OutputDataConfig"), "OutputDataConfig", required=True)
    _s3_uri(output.get("S3OutputPath"), "OutputDataConfig.S3OutputPath")
    resources = dict(_dict(body.get("ResourceConfig"), "ResourceConfig"))
    resources["InstanceCount"] = _int(resources.get("InstanceCount"),
                                      "ResourceConfig.InstanceCount", 1, max_instances, 1)
    resources.setdefault("InstanceType", "local")
    resources["VolumeSizeInGB"] = _int(resources.get("VolumeSizeInGB"),
                                       "ResourceConfig.VolumeSizeInGB", 1, 16384, 30)
    stopping = dict(_dict(body.get("StoppingCondition"), "StoppingCondition"))
    stopping["MaxRuntimeInSeconds"] = _int(stopping.get("MaxRuntimeInSeconds"),
                                           "StoppingCondition.MaxRuntimeInSeconds", 1,
                                           MAX_RUNTIME_LIMIT, 86400)
    tags = body.get("Tags") or []
    if not isinstance(tags, list) or not all(
            isinstance(t, dict) and isinstance(t.get("Key"), str) for t in tags):
        raise ValidationError("Tags must be a list of {Key, Value}")
    spec = {
        "TrainingJobName": name,
        "AlgorithmSpecification": _algorithm(body.get("AlgorithmSpecification")),
        "HyperParameters": hps,
        "InputDataConfig": _channels(body.get("InputDataConfig")),
        "OutputDataConfig": dict(output),
        "ResourceConfig": resources,
        "StoppingCondition": stopping,
        "Environment": _string_map(body.get("Environment"), "Environment"),
        "Tags": tags,
    }
    if body.get("RoleArn"):
        spec["RoleArn"] = body["RoleArn"]
    return spec


def user_hyperparameters(hps: dict[str, str]) -> dict[str, Any]:
    """The hyperparameters the script sees (SDK ones removed, JSON values decoded)."""
    return {k: decode_hyperparameter(v) for k, v in hps.items() if k not in SDK_HYPERPARAMETERS}
