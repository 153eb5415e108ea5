"""Validation of the deploy requests, with SageMaker's field names and rules.

``CreateModel``, ``CreateEndpointConfig``, ``CreateEndpoint`` / ``UpdateEndpoint``,
``UpdateEndpointWeightsAndCapacities``, a target-tracking scaling policy and
``CreateTransformJob``. SageMaker's operations are first checked against SageMaker's
own request shapes (:mod:`jupyter_mlstudio.sagemaker.validation`), then against the
project's rules. Each returns the normalised request or raises a ValidationError naming
the field.
"""
from __future__ import annotations

import math
from typing import Any

from ..s3.names import s3_uri_field
from ..sagemaker.errors import ValidationError
from ..sagemaker.fields import int_field, known_fields, object_field, string_map_field
from ..sagemaker.names import resource_name
from ..sagemaker.validation import check_request, input_shape

MAX_WEIGHT = 1_000_000.0
MAX_TARGET_VALUE = 1e9  # invocations per instance per minute
INVOCATIONS_PER_INSTANCE = "SageMakerVariantInvocationsPerInstance"
SCALE_IN_COOLDOWN, SCALE_OUT_COOLDOWN = 300, 60  # seconds, when a policy sets none
MAX_COOLDOWN = 86400
SPLIT_TYPES = ("None", "Line")
BATCH_STRATEGIES = ("MultiRecord", "SingleRecord")
COMPRESSION_TYPES = ("None", "Gzip")


def _weight(value: Any, field: str, default: float | None = None) -> float:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not 0 <= value <= MAX_WEIGHT:
        raise ValidationError(f"{field} must be a number between 0 and {MAX_WEIGHT:g}")
    return float(value)


def _flag(body: dict[str, Any], field: str) -> bool:
    value = body.get(field, False)
    if not isinstance(value, bool):
        raise ValidationError(f"{field} must be true or false")
    return value


def validate_model(body: dict[str, Any]) -> dict[str, Any]:
    """``CreateModel``: a name and one container with its artifacts in S3."""
    check_request("CreateModel", body)
    known_fields(body, {"ModelName", "PrimaryContainer", "Containers", "Tags"},
                 {"ExecutionRoleArn", "VpcConfig", "EnableNetworkIsolation",
                  "InferenceExecutionConfig"})
    name = resource_name(body.get("ModelName"), "ModelName")
    container = body.get("PrimaryContainer")
    if container is None and isinstance(body.get("Containers"), list) \
            and len(body["Containers"]) == 1:
        container = body["Containers"][0]
    container = object_field(container, "PrimaryContainer", required=True)
    known_fields(container, {"Image", "ModelDataUrl", "Environment", "Mode"},
                 {"ContainerHostname", "ImageConfig", "ModelPackageName", "ModelDataSource",
                  "InferenceSpecificationName", "MultiModelConfig"})
    model_data = container.get("ModelDataUrl")
    if not model_data:
        raise ValidationError("PrimaryContainer.ModelDataUrl must name a model.tar.gz in S3")
    s3_uri_field(model_data, "PrimaryContainer.ModelDataUrl")
    if container.get("Mode", "SingleModel") != "SingleModel":
        raise ValidationError("PrimaryContainer.Mode: only SingleModel is supported here")
    image = container.get("Image") or "python"
    if not isinstance(image, str):
        raise ValidationError("PrimaryContainer.Image must be a string")
    environment = string_map_field(container.get("Environment"), "PrimaryContainer.Environment")
    submit = environment.get("SAGEMAKER_SUBMIT_DIRECTORY", "")
    if submit.startswith("s3://"):
        s3_uri_field(submit, "Environment.SAGEMAKER_SUBMIT_DIRECTORY")
    return {"ModelName": name,
            "PrimaryContainer": {"Image": image, "ModelDataUrl": model_data,
                                 "Environment": environment, "Mode": "SingleModel"},
            "Tags": body.get("Tags") or []}


def validate_endpoint_config(body: dict[str, Any], max_instances: int) -> dict[str, Any]:
    """``CreateEndpointConfig``: one to ten production variants with distinct names."""
    check_request("CreateEndpointConfig", body)
    known_fields(body, {"EndpointConfigName", "ProductionVariants", "Tags"},
                 {"KmsKeyId", "DataCaptureConfig", "AsyncInferenceConfig", "ExplainerConfig",
                  "ShadowProductionVariants", "ExecutionRoleArn", "VpcConfig",
                  "EnableNetworkIsolation"})
    name = resource_name(body.get("EndpointConfigName"), "EndpointConfigName")
    variants = body.get("ProductionVariants")
    if not isinstance(variants, list) or not 1 <= len(variants) <= 10:
        raise ValidationError("ProductionVariants must list 1 to 10 variants")
    seen: set[str] = set()
    normalised: list[dict[str, Any]] = []
    for i, variant in enumerate(variants):
        field = f"ProductionVariants[{i}]"
        variant = object_field(variant, field, required=True)
        known_fields(variant, {"VariantName", "ModelName", "InitialInstanceCount",
                               "InitialVariantWeight", "InstanceType"},
                     {"AcceleratorType", "CoreDumpConfig", "ServerlessConfig",
                      "VolumeSizeInGB", "ModelDataDownloadTimeoutInSeconds",
                      "ContainerStartupHealthCheckTimeoutInSeconds", "EnableSSMAccess",
                      "ManagedInstanceScaling", "RoutingConfig", "InferenceAmiVersion"})
        vname = resource_name(variant.get("VariantName"), f"{field}.VariantName")
        if vname in seen:
            raise ValidationError(f"variant name {vname!r} is used twice")
        seen.add(vname)
        normalised.append({
            "VariantName": vname,
            "ModelName": resource_name(variant.get("ModelName"), f"{field}.ModelName"),
            "InitialInstanceCount": int_field(variant.get("InitialInstanceCount"),
                                              f"{field}.InitialInstanceCount", 1, max_instances, 1),
            "InitialVariantWeight": _weight(variant.get("InitialVariantWeight"),
                                            f"{field}.InitialVariantWeight", 1.0),
            "InstanceType": str(variant.get("InstanceType") or "local"),
        })
    if not any(v["InitialVariantWeight"] > 0 for v in normalised):
        raise ValidationError("at least one production variant needs a weight above 0")
    return {"EndpointConfigName": name, "ProductionVariants": normalised,
            "Tags": body.get("Tags") or []}


def validate_endpoint(body: dict[str, Any], operation: str | None = None) -> dict[str, Any]:
    """``CreateEndpoint`` / ``UpdateEndpoint``: an endpoint name and a config name.

    Without ``operation``, a body with members only ``UpdateEndpoint`` has is checked
    as one, any other as ``CreateEndpoint``.
    """
    if operation is None:
        creating = set(body) <= set(input_shape("CreateEndpoint").members)
        operation = "CreateEndpoint" if creating else "UpdateEndpoint"
    check_request(operation, body)
    known_fields(body, {"EndpointName", "EndpointConfigName", "Tags"},
                 {"DeploymentConfig", "RetainAllVariantProperties",
                  "ExcludeRetainedVariantProperties", "RetainDeploymentConfig"})
    return {"EndpointName": resource_name(body.get("EndpointName"), "EndpointName"),
            "EndpointConfigName": resource_name(body.get("EndpointConfigName"),
                                                "EndpointConfigName")}


def validate_weights_and_capacities(body: dict[str, Any], variants: list[str],
                                    max_instances: int) -> list[dict[str, Any]]:
    """``UpdateEndpointWeightsAndCapacities``: changes to existing variants."""
    check_request("UpdateEndpointWeightsAndCapacities", body, optional={"EndpointName"})
    known_fields(body, {"EndpointName", "DesiredWeightsAndCapacities"})
    changes = body.get("DesiredWeightsAndCapacities")
    if not isinstance(changes, list) or not changes:
        raise ValidationError("DesiredWeightsAndCapacities must list at least one variant")
    normalised = []
    for i, change in enumerate(changes):
        field = f"DesiredWeightsAndCapacities[{i}]"
        change = object_field(change, field, required=True)
        known_fields(change, {"VariantName", "DesiredWeight", "DesiredInstanceCount"},
                     {"ServerlessUpdateConfig"})
        name = change.get("VariantName")
        if name not in variants:
            raise ValidationError(f"{field}.VariantName: the endpoint has no variant {name!r}")
        item: dict[str, Any] = {"VariantName": name}
        if change.get("DesiredWeight") is not None:
            item["DesiredWeight"] = _weight(change["DesiredWeight"], f"{field}.DesiredWeight")
        if change.get("DesiredInstanceCount") is not None:
            item["DesiredInstanceCount"] = int_field(change["DesiredInstanceCount"],
                                                     f"{field}.DesiredInstanceCount", 1,
                                                     max_instances)
        if len(item) == 1:
            raise ValidationError(f"{field} changes neither DesiredWeight nor "
                                  "DesiredInstanceCount")
        normalised.append(item)
    return normalised


def validate_capacity(low: Any, high: Any, max_instances: int) -> tuple[int, int]:
    """A scalable target's ``MinCapacity`` and ``MaxCapacity``."""
    low = int_field(low, "MinCapacity", 1, max_instances)
    high = int_field(high, "MaxCapacity", 1, max_instances)
    if low > high:
        raise ValidationError("MinCapacity must not exceed MaxCapacity")
    return low, high


def validate_target_tracking(config: dict[str, Any]) -> dict[str, Any]:
    """A ``TargetTrackingScalingPolicyConfiguration`` on
    ``SageMakerVariantInvocationsPerInstance``; members left out stay out (their defaults
    are :func:`flat_policy`'s)."""
    config = object_field(config, "TargetTrackingScalingPolicyConfiguration", required=True)
    known_fields(config, {"TargetValue", "PredefinedMetricSpecification", "ScaleInCooldown",
                          "ScaleOutCooldown", "DisableScaleIn"})
    metric = object_field(config.get("PredefinedMetricSpecification"),
                          "PredefinedMetricSpecification", required=True)
    known_fields(metric, {"PredefinedMetricType"}, {"ResourceLabel"})
    if metric.get("PredefinedMetricType") != INVOCATIONS_PER_INSTANCE:
        raise ValidationError(f"PredefinedMetricType: only {INVOCATIONS_PER_INSTANCE} is "
                              "supported")
    target = config.get("TargetValue")
    if isinstance(target, bool) or not isinstance(target, (int, float)) \
            or not 0 < target <= MAX_TARGET_VALUE or not math.isfinite(target):
        raise ValidationError("TargetValue must be a positive number of invocations per "
                              f"instance per minute, at most {MAX_TARGET_VALUE:g}")
    normal: dict[str, Any] = {
        "TargetValue": float(target),
        "PredefinedMetricSpecification": {"PredefinedMetricType": INVOCATIONS_PER_INSTANCE}}
    for field in ("ScaleInCooldown", "ScaleOutCooldown"):
        if config.get(field) is not None:
            normal[field] = int_field(config[field], field, 0, MAX_COOLDOWN)
    if config.get("DisableScaleIn") is not None:
        normal["DisableScaleIn"] = _flag(config, "DisableScaleIn")
    return normal


def flat_policy(low: int, high: int, config: dict[str, Any]) -> dict[str, Any]:
    """A variant's bounds and target-tracking configuration as one object, defaults filled
    in: what the REST route takes and shows and what auto-scaling decides with."""
    return {
        "MinCapacity": low, "MaxCapacity": high, "TargetValue": config["TargetValue"],
        "ScaleInCooldown": config.get("ScaleInCooldown", SCALE_IN_COOLDOWN),
        "ScaleOutCooldown": config.get("ScaleOutCooldown", SCALE_OUT_COOLDOWN),
        "DisableScaleIn": config.get("DisableScaleIn", False),
        "PredefinedMetricType": config["PredefinedMetricSpecification"]["PredefinedMetricType"],
    }


def validate_scaling_policy(body: dict[str, Any], max_instances: int) -> dict[str, Any]:
    """A target-tracking policy on ``SageMakerVariantInvocationsPerInstance``.

    The fields of Application Auto Scaling's ``RegisterScalableTarget`` (MinCapacity,
    MaxCapacity) and ``TargetTrackingScalingPolicyConfiguration`` (TargetValue,
    ScaleInCooldown, ScaleOutCooldown, DisableScaleIn) in one object (see
    :func:`flat_policy`).
    """
    known_fields(body, {"MinCapacity", "MaxCapacity", "TargetValue", "ScaleInCooldown",
                        "ScaleOutCooldown", "DisableScaleIn", "PredefinedMetricType"})
    low, high = validate_capacity(body.get("MinCapacity"), body.get("MaxCapacity"),
                                  max_instances)
    config = validate_target_tracking({
        "TargetValue": body.get("TargetValue"),
        "PredefinedMetricSpecification": {"PredefinedMetricType": body.get(
            "PredefinedMetricType", INVOCATIONS_PER_INSTANCE)},
        **{k: body[k] for k in ("ScaleInCooldown", "ScaleOutCooldown", "DisableScaleIn")
           if k in body}})
    return flat_policy(low, high, config)


_TRANSFORM_DEFAULTS = frozenset({
    "TransformResources", "TransformResources.InstanceType", "TransformResources.InstanceCount",
    "TransformInput.DataSource.S3DataSource.S3DataType"})


def validate_transform_job(body: dict[str, Any], max_instances: int) -> dict[str, Any]:
    """``CreateTransformJob``; instance type and count, and the S3 data type, have defaults."""
    check_request("CreateTransformJob", body, optional=_TRANSFORM_DEFAULTS)
    known_fields(body, {"TransformJobName", "ModelName", "MaxConcurrentTransforms",
                        "MaxPayloadInMB", "BatchStrategy", "Environment", "TransformInput",
                        "TransformOutput", "TransformResources", "DataProcessing", "Tags"},
                 {"ModelClientConfig", "ExperimentConfig", "DataCaptureConfig"})
    name = resource_name(body.get("TransformJobName"), "TransformJobName")
    model = resource_name(body.get("ModelName"), "ModelName")
    tin = object_field(body.get("TransformInput"), "TransformInput", required=True)
    data_source = object_field(tin.get("DataSource"), "TransformInput.DataSource", True)
    source = object_field(data_source.get("S3DataSource"),
                          "TransformInput.DataSource.S3DataSource", True)
    if source.get("S3DataType", "S3Prefix") != "S3Prefix":
        raise ValidationError("S3DataSource.S3DataType: only S3Prefix is supported here")
    tout = object_field(body.get("TransformOutput"), "TransformOutput", required=True)
    resources = object_field(body.get("TransformResources"), "TransformResources")
    processing = object_field(body.get("DataProcessing"), "DataProcessing")
    split = tin.get("SplitType", "None")
    strategy = body.get("BatchStrategy", "MultiRecord" if split == "Line" else "SingleRecord")
    checks = (("TransformInput.SplitType", split, SPLIT_TYPES),
              ("BatchStrategy", strategy, BATCH_STRATEGIES),
              ("TransformInput.CompressionType", tin.get("CompressionType", "None"),
               COMPRESSION_TYPES),
              ("TransformOutput.AssembleWith", tout.get("AssembleWith", "None"), SPLIT_TYPES),
              ("DataProcessing.JoinSource", processing.get("JoinSource", "None"),
               ("None", "Input")))
    for field, value, allowed in checks:
        if value not in allowed:
            raise ValidationError(f"{field} must be one of {', '.join(allowed)}")
    if processing.get("JoinSource") == "Input" and split != "Line":
        raise ValidationError("DataProcessing.JoinSource Input needs TransformInput.SplitType "
                              "Line")
    return {
        "TransformJobName": name,
        "ModelName": model,
        "MaxConcurrentTransforms": int_field(body.get("MaxConcurrentTransforms"),
                                             "MaxConcurrentTransforms", 1, 64, 1),
        "MaxPayloadInMB": int_field(body.get("MaxPayloadInMB"), "MaxPayloadInMB", 1, 100, 6),
        "BatchStrategy": strategy,
        "Environment": string_map_field(body.get("Environment"), "Environment"),
        "TransformInput": {
            "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": s3_uri_field(source.get("S3Uri"), "S3DataSource.S3Uri")}},
            "ContentType": str(tin.get("ContentType") or "text/csv"),
            "CompressionType": tin.get("CompressionType", "None"),
            "SplitType": split,
        },
        "TransformOutput": {
            "S3OutputPath": s3_uri_field(tout.get("S3OutputPath"), "TransformOutput.S3OutputPath"),
            "Accept": str(tout.get("Accept") or "text/csv"),
            "AssembleWith": tout.get("AssembleWith", "None"),
        },
        "TransformResources": {
            "InstanceType": str(resources.get("InstanceType") or "local"),
            "InstanceCount": int_field(resources.get("InstanceCount"),
                                       "TransformResources.InstanceCount", 1, max_instances, 1),
        },
        "DataProcessing": {"JoinSource": processing.get("JoinSource", "None")},
        "Tags": body.get("Tags") or [],
    }
