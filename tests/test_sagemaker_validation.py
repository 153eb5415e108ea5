"""SageMaker-shaped requests checked against botocore's service model, plus the project's rules."""
from __future__ import annotations

import pytest

from jupyter_mlstudio.sagemaker.errors import ValidationError
from jupyter_mlstudio.sagemaker.validation import describe_problems, request_problems
from jupyter_mlstudio.serving.specs import (validate_endpoint, validate_endpoint_config,
                                            validate_model, validate_scaling_policy,
                                            validate_transform_job,
                                            validate_weights_and_capacities)

URI = "s3://mlstudio/models/m/model.tar.gz"
MODEL = {"ModelName": "m", "PrimaryContainer": {"ModelDataUrl": URI}}
CONFIG = {"EndpointConfigName": "c", "ProductionVariants": [{"VariantName": "v", "ModelName": "m"}]}
TRANSFORM = {"TransformJobName": "t", "ModelName": "m",
             "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": "s3://mlstudio/in/"}}},
             "TransformOutput": {"S3OutputPath": "s3://mlstudio/out"}}


def test_what_the_project_sends_is_accepted():
    model = validate_model({**MODEL, "Tags": [{"Key": "mlstudio:backend", "Value": "local"},
                                              {"Key": "ünïcode tag", "Value": ""}],
                            "PrimaryContainer": {"ModelDataUrl": URI,
                                                 "Image": "mlstudio/kernel:py-env",
                                                 "Environment": {"SAGEMAKER_PROGRAM": "t.py"}},
                            "ExecutionRoleArn": "arn:aws:iam::000000000000:role/SageMaker"})
    assert model["PrimaryContainer"]["Image"] == "mlstudio/kernel:py-env"
    config = validate_endpoint_config({**CONFIG, "ProductionVariants": [
        {"VariantName": "a", "ModelName": "m", "InstanceType": "local",
         "InitialInstanceCount": 2, "InitialVariantWeight": 0.5},
        {"VariantName": "b", "ModelName": "m", "InstanceType": "ml.m5.large"}]}, 4)
    assert [v["InstanceType"] for v in config["ProductionVariants"]] == ["local", "ml.m5.large"]
    assert validate_endpoint({"EndpointName": "e", "EndpointConfigName": "c"})
    assert validate_endpoint({"EndpointName": "e", "EndpointConfigName": "c",
                              "RetainAllVariantProperties": True})
    job = validate_transform_job({**TRANSFORM, "TransformResources": {"InstanceCount": 1}}, 4)
    assert job["TransformResources"] == {"InstanceType": "local", "InstanceCount": 1}
    assert validate_transform_job(TRANSFORM, 4)["TransformInput"]["SplitType"] == "None"
    assert validate_weights_and_capacities(
        {"DesiredWeightsAndCapacities": [{"VariantName": "v", "DesiredWeight": 2}]}, ["v"], 4)


@pytest.mark.parametrize("validate, body, words", [
    (validate_model, {**MODEL, "Tags": "notalist"}, ["Tags must be an array, not a string"]),
    (validate_model, {**MODEL, "Tags": [{"Key": "k"}]}, ["Tags[0].Value is required"]),
    (validate_model, {**MODEL, "Tags": [{"Key": "a\x00b", "Value": "v"}]}, ["Tags[0].Key"]),
    (validate_model, {**MODEL, "Tags": [{"Key": f"k{i}", "Value": ""} for i in range(51)]},
     ["Tags must have at most 50 items"]),
    (validate_model, {**MODEL, "PrimaryContainer": {"ModelDataUrl": URI, "Image": {"x": 1}}},
     ["PrimaryContainer.Image must be a string, not an object"]),
    (validate_model, {**MODEL, "PrimaryContainer": {"ModelDataUrl": URI, "Image": "a b"}},
     ["PrimaryContainer.Image"]),
    (validate_model, {**MODEL, "PrimaryContainer": {"ModelDataUrl": URI,
                                                    "Environment": {"A": 1}}},
     ["PrimaryContainer.Environment.A must be a string, not an integer"]),
    (validate_model, {**MODEL, "ExecutionRoleArn": "me"}, ["ExecutionRoleArn"]),
    (validate_model, {**MODEL, "EnableNetworkIsolation": "yes"},
     ["EnableNetworkIsolation must be a boolean"]),
    (validate_model, {**MODEL, "ModelName": "x" * 64}, ["ModelName must have at most 63"]),
    (validate_model, {**MODEL, "Evil": 1}, ["unknown fields: Evil"]),
    (validate_endpoint_config, {**CONFIG, "ProductionVariants": [
        {"VariantName": "v", "ModelName": "m", "InstanceType": {"x": 1}}]},
     ["ProductionVariants[0].InstanceType must be a string, not an object"]),
    (validate_endpoint_config, {**CONFIG, "ProductionVariants": [
        {"VariantName": "v", "ModelName": "m", "InstanceType": "ml.huge"}]},
     ["ProductionVariants[0].InstanceType must be one of"]),
    (validate_endpoint_config, {**CONFIG, "ProductionVariants": [
        {"VariantName": "v", "ModelName": "m", "InitialInstanceCount": True}]},
     ["ProductionVariants[0].InitialInstanceCount must be an integer, not a boolean"]),
    (validate_endpoint_config, {**CONFIG, "ProductionVariants": [
        {"VariantName": "v", "ModelName": "m", "InitialVariantWeight": True}]},
     ["InitialVariantWeight must be a number, not a boolean"]),
    (validate_endpoint_config, {**CONFIG, "ProductionVariants": "v"},
     ["ProductionVariants must be an array"]),
    (validate_endpoint_config, {**CONFIG, "ProductionVariants": [
        {"VariantName": "v", "ModelName": "m", "InitialInstanceCount": 2**40}]},
     ["InitialInstanceCount"]),
    (validate_endpoint, {"EndpointName": ["e"], "EndpointConfigName": "c"},
     ["EndpointName must be a string, not an array"]),
    (validate_endpoint, {"EndpointName": "e"}, ["EndpointConfigName is required"]),
    (validate_endpoint, {"EndpointName": "e", "EndpointConfigName": "c", "Tags": {}},
     ["Tags must be an array, not an object"]),
    (validate_transform_job, {**TRANSFORM, "MaxPayloadInMB": True},
     ["MaxPayloadInMB must be an integer, not a boolean"]),
    (validate_transform_job, {**TRANSFORM, "MaxConcurrentTransforms": -1},
     ["MaxConcurrentTransforms must be at least 0"]),
    (validate_transform_job, {**TRANSFORM, "TransformResources": {"InstanceType": 5}},
     ["TransformResources.InstanceType must be a string, not an integer"]),
    (validate_transform_job, {**TRANSFORM, "TransformInput": {"DataSource": {
        "S3DataSource": {"S3Uri": "s3://mlstudio/in/", "S3DataType": "Everything"}}}},
     ["S3DataType must be one of"]),
    (validate_transform_job, {**TRANSFORM, "TransformInput": {"DataSource": {}}},
     ["TransformInput.DataSource.S3DataSource is required"]),
    (validate_transform_job, {**TRANSFORM, "Environment": {"K": {"v": 1}}},
     ["Environment.K must be a string, not an object"]),
    (validate_transform_job, {**TRANSFORM, "TransformOutput": None},
     ["TransformOutput must be an object"]),
])
def test_sagemaker_refuses_and_so_do_we(validate, body, words):
    args = {validate_endpoint_config: (4,), validate_transform_job: (4,)}.get(validate, ())
    with pytest.raises(ValidationError) as err:
        validate(body, *args)
    assert err.value.status == 400 and err.value.reason == "ValidationException"
    for word in words:
        assert word in err.value.message, err.value.message


def test_weights_and_scaling_policies_refuse_booleans_and_huge_numbers():
    for change in ({"VariantName": "v", "DesiredWeight": True},
                   {"VariantName": "v", "DesiredInstanceCount": True},
                   {"VariantName": "v", "DesiredWeight": 1e300}):
        with pytest.raises(ValidationError):
            validate_weights_and_capacities({"DesiredWeightsAndCapacities": [change]}, ["v"], 4)
    for policy in ({"MinCapacity": 1, "MaxCapacity": 2, "TargetValue": 10**400},
                   {"MinCapacity": 1, "MaxCapacity": 2, "TargetValue": True},
                   {"MinCapacity": True, "MaxCapacity": 2, "TargetValue": 10},
                   {"MinCapacity": 1, "MaxCapacity": 2, "TargetValue": 10,
                    "DisableScaleIn": "no"}):
        with pytest.raises(ValidationError):
            validate_scaling_policy(policy, 4)


def test_many_problems_are_counted_and_named():
    problems = request_problems("CreateModel", {"Tags": "x", "PrimaryContainer": 3})
    assert problems == ["ModelName is required", "Tags must be an array, not a string",
                        "PrimaryContainer must be an object, not an integer"]
    message = describe_problems([f"p{i}" for i in range(8)])
    assert message.startswith("8 validation errors: p0; p1") and "and 3 more" in message
