"""Endpoints through the AWS wire: Application Auto Scaling of a variant (boto3's own
``application-autoscaling`` client) changing what the endpoint service does, and the
CloudWatch Logs of endpoints and batch transform jobs (boto3 and the SageMaker SDK)."""
from __future__ import annotations

import pytest
import requests
from botocore.exceptions import ClientError

from tests.procs import wait_for
from tests.serving_support import call, deploy, joblib_bytes, trained_model, upload_model
from tests.wire_support import (printed, sdk_session, training_request, upload_source,
                                wire_fixtures, wire_url)

pytestmark = [pytest.mark.slow]

DIMENSION = "sagemaker:variant:DesiredInstanceCount"
RESOURCE = "endpoint/wire-ep/variant/AllTraffic"
VARIANT = {"ServiceNamespace": "sagemaker", "ResourceId": RESOURCE,
           "ScalableDimension": DIMENSION}
TRACKING = {"TargetValue": 70.0, "ScaleInCooldown": 120, "ScaleOutCooldown": 30,
            "DisableScaleIn": True,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}}


# A generous settle time: the endpoint test below must not depend on this machine's speed.
server, environment, sm, logs, aas = wire_fixtures(
    "serving-wire", "--MLStudioApp.sagemaker_api_settle_seconds=120")


@pytest.fixture(scope="module")
def model(server):
    uri = upload_model(server, "wire-models/model.tar.gz",
                       {"model.joblib": joblib_bytes(trained_model())})
    code, reply = call(server, "POST", "models", {"ModelName": "wire-model",
                                                  "PrimaryContainer": {"ModelDataUrl": uri}})
    assert code == 201, reply
    return "wire-model"


@pytest.fixture(scope="module")
def endpoint(server, model):
    desc = deploy(server, "wire-ep", [{"VariantName": "AllTraffic", "ModelName": model,
                                       "InitialInstanceCount": 1}])
    assert desc["EndpointStatus"] == "InService", desc
    return "wire-ep"


def variant_state(sm) -> tuple[str, int]:
    desc = sm.describe_endpoint(EndpointName="wire-ep")
    return desc["EndpointStatus"], desc["ProductionVariants"][0]["CurrentInstanceCount"]


def auto_scaling(server) -> dict | None:
    """What the endpoint service scales the variant by (REST DescribeEndpoint)."""
    variant = call(server, "GET", "endpoints/wire-ep")[1]["ProductionVariants"][0]
    return variant.get("AutoScaling")


def test_register_put_describe_deregister_drive_the_endpoint(server, aas, sm, endpoint):
    registered = aas.register_scalable_target(**VARIANT, MinCapacity=2, MaxCapacity=3)
    # One instance is below the new minimum: the variant grows at once.
    wait_for(lambda: variant_state(sm) == ("InService", 2), timeout=120)
    assert auto_scaling(server) == {"MinCapacity": 2, "MaxCapacity": 3}
    [target] = aas.describe_scalable_targets(ServiceNamespace="sagemaker",
                                             ResourceIds=[RESOURCE])["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 3)
    assert target["ScalableTargetARN"] == registered["ScalableTargetARN"]
    assert "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint" in target["RoleARN"]
    assert target["CreationTime"].tzinfo is not None
    assert target["SuspendedState"]["DynamicScalingInSuspended"] is False

    put = aas.put_scaling_policy(PolicyName="invocations", **VARIANT,
                                 PolicyType="TargetTrackingScaling",
                                 TargetTrackingScalingPolicyConfiguration=TRACKING)
    assert auto_scaling(server) == {
        "MinCapacity": 2, "MaxCapacity": 3, "TargetValue": 70.0, "ScaleInCooldown": 120,
        "ScaleOutCooldown": 30, "DisableScaleIn": True,
        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}
    [policy] = aas.describe_scaling_policies(ServiceNamespace="sagemaker",
                                             ResourceId=RESOURCE)["ScalingPolicies"]
    assert policy["PolicyARN"] == put["PolicyARN"] and policy["PolicyName"] == "invocations"
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert policy["TargetTrackingScalingPolicyConfiguration"] == TRACKING
    activities = aas.describe_scaling_activities(ServiceNamespace="sagemaker",
                                                 ResourceId=RESOURCE)["ScalingActivities"]
    assert activities[0]["StatusCode"] == "Successful"
    assert "below MinCapacity 2" in activities[0]["Cause"]
    assert activities[0]["ScalableDimension"] == DIMENSION

    with pytest.raises(ClientError) as err:  # one policy per target here
        aas.put_scaling_policy(PolicyName="another", **VARIANT,
                               PolicyType="TargetTrackingScaling",
                               TargetTrackingScalingPolicyConfiguration=TRACKING)
    assert err.value.response["Error"]["Code"] == "LimitExceededException"
    aas.register_scalable_target(**VARIANT, MaxCapacity=4)  # the rest is kept
    assert auto_scaling(server)["MaxCapacity"] == 4
    assert auto_scaling(server)["MinCapacity"] == 2

    aas.delete_scaling_policy(PolicyName="invocations", **VARIANT)
    assert aas.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"] == []
    assert auto_scaling(server) == {"MinCapacity": 2, "MaxCapacity": 4}
    aas.deregister_scalable_target(**VARIANT)
    assert aas.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
    assert auto_scaling(server) is None
    with pytest.raises(ClientError) as err:
        aas.deregister_scalable_target(**VARIANT)
    assert err.value.response["Error"]["Code"] == "ObjectNotFoundException"
    assert "No scalable target registered" in err.value.response["Error"]["Message"]


def test_bad_input_and_unknown_resources(server, environment, aas, endpoint):
    invalid = [
        ({**VARIANT, "ResourceId": "endpoint/wire-ep"}, "ValidationException"),
        ({**VARIANT, "ResourceId": "endpoint/wire-ep/variant/../x"}, "ValidationException"),
        ({**VARIANT, "ScalableDimension": "sagemaker:variant:DesiredProvisionedConcurrency"},
         "ValidationException"),
        ({**VARIANT, "ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount",
          "ResourceId": "service/default/web"}, "ValidationException"),
        ({**VARIANT, "ResourceId": "endpoint/nope/variant/AllTraffic"},
         "ObjectNotFoundException"),
        ({**VARIANT, "ResourceId": "endpoint/wire-ep/variant/Other"}, "ObjectNotFoundException"),
    ]
    for request, code in invalid:
        with pytest.raises(ClientError) as err:
            aas.register_scalable_target(**request, MinCapacity=1, MaxCapacity=2)
        assert err.value.response["Error"]["Code"] == code, request
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    checks = [
        (lambda: aas.register_scalable_target(**VARIANT, MinCapacity=3, MaxCapacity=2),
         "ValidationException"),
        (lambda: aas.register_scalable_target(**VARIANT, MinCapacity=1),
         "ValidationException"),
        (lambda: aas.put_scaling_policy(PolicyName="p", **VARIANT,
                                        PolicyType="TargetTrackingScaling",
                                        TargetTrackingScalingPolicyConfiguration=TRACKING),
         "ObjectNotFoundException"),
        (lambda: aas.delete_scaling_policy(PolicyName="p", **VARIANT),
         "ObjectNotFoundException"),
        (lambda: aas.describe_scalable_targets(ServiceNamespace="sagemaker", NextToken="x"),
         "InvalidNextTokenException"),
    ]
    for check, code in checks:
        with pytest.raises(ClientError) as err:
            check()
        assert err.value.response["Error"]["Code"] == code
    aas.register_scalable_target(**VARIANT, MinCapacity=1, MaxCapacity=2)
    try:
        for policy_type, config in [("StepScaling", {}),
                                    ("TargetTrackingScaling", {**TRACKING, "TargetValue": -1}),
                                    ("TargetTrackingScaling", {
                                        **TRACKING, "PredefinedMetricSpecification": {
                                            "PredefinedMetricType": "ALBRequestCountPerTarget"}})]:
            kwargs = {"TargetTrackingScalingPolicyConfiguration": config} if config else {}
            with pytest.raises(ClientError) as err:
                aas.put_scaling_policy(PolicyName="p", **VARIANT, PolicyType=policy_type,
                                       **kwargs)
            assert err.value.response["Error"]["Code"] == "ValidationException", policy_type
    finally:
        aas.deregister_scalable_target(**VARIANT)
    assert aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    bare = requests.post(wire_url(server, "application-autoscaling"), data=b"{}", timeout=10,
                         headers={"X-Amz-Target": "AnyScaleFrontendService."
                                                  "DescribeScalableTargets",
                                  "Content-Type": "application/x-amz-json-1.1"})
    assert bare.status_code == 403
    assert bare.json()["__type"] == "MissingAuthenticationTokenException"


def test_endpoint_logs_are_one_stream_per_instance(logs, endpoint):
    group = "/aws/sagemaker/Endpoints/wire-ep"
    names = [s["logStreamName"] for s in logs.describe_log_streams(
        logGroupName=group)["logStreams"]]
    assert "AllTraffic/AllTraffic-1" in names
    events = logs.get_log_events(logGroupName=group, logStreamName="AllTraffic/AllTraffic-1",
                                 startFromHead=True)["events"]
    assert any("model server: model loaded" in e["message"] for e in events)
    # What the SageMaker SDK asks before it streams an endpoint's logs.
    found = logs.filter_log_events(logGroupName=group, logStreamNamePrefix="AllTraffic/",
                                   filterPattern='"model loaded"')["events"]
    assert found and all(e["logStreamName"].startswith("AllTraffic/") for e in found)


def test_sdk_prints_a_transform_jobs_log(server, environment, sm, model, monkeypatch, capsys):
    server.s3_client().put_object(Bucket="mlstudio", Key="wire-batch/in/rows.csv",
                                  Body=b"0,0,0,0\n4,4,0,0\n")
    sm.create_transform_job(
        TransformJobName="wire-batch", ModelName=model,
        TransformInput={"DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://mlstudio/wire-batch/in/"}},
            "ContentType": "text/csv", "SplitType": "Line"},
        TransformOutput={"S3OutputPath": "s3://mlstudio/wire-batch/out"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1})
    wait_for(lambda: sm.describe_transform_job(TransformJobName="wire-batch")[
        "TransformJobStatus"] in ("Completed", "Failed"), timeout=120)
    session = sdk_session(server, environment, monkeypatch)
    session.logs_for_transform_job("wire-batch", wait=True)
    out = printed(capsys)
    assert "model server: model loaded" in out  # the instance's own log
    assert "rows.csv" in out  # the transform runner's, in the same stream
    assert out.count("model server: model loaded") == 1  # one stream, read once


def test_create_training_job_answers_once_a_short_job_has_ended(server, sm):
    """The SDK's fit() describes the job once, then every 30 s: a short job is done by
    the time CreateTrainingJob answers, so fit() ends at its first look."""
    source = upload_source(server, "settle/sourcedir.tar.gz", b"print('quick', flush=True)")
    sm.create_training_job(**training_request("settle-job", source))
    job = sm.describe_training_job(TrainingJobName="settle-job")
    assert job["TrainingJobStatus"] == "Completed", job


def test_create_and_update_answer_once_the_endpoint_has_settled(sm, model):
    """The SDK's deploy() describes the endpoint once, then every 30 s: CreateEndpoint and
    UpdateEndpoint answer when the instances are up, so its first look sees InService."""
    for config, count in (("settle-1", 1), ("settle-2", 2)):
        sm.create_endpoint_config(EndpointConfigName=config, ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": model, "InitialInstanceCount": count,
            "InstanceType": "ml.m5.large"}])
    sm.create_endpoint(EndpointName="settle-ep", EndpointConfigName="settle-1")
    desc = sm.describe_endpoint(EndpointName="settle-ep")
    assert desc["EndpointStatus"] == "InService", desc
    sm.update_endpoint(EndpointName="settle-ep", EndpointConfigName="settle-2")
    desc = sm.describe_endpoint(EndpointName="settle-ep")
    assert desc["EndpointStatus"] == "InService", desc
    assert desc["EndpointConfigName"] == "settle-2"
    assert desc["ProductionVariants"][0]["CurrentInstanceCount"] == 2
    sm.delete_endpoint(EndpointName="settle-ep")
    sm.get_waiter("endpoint_deleted").wait(EndpointName="settle-ep",
                                           WaiterConfig={"Delay": 1, "MaxAttempts": 60})
