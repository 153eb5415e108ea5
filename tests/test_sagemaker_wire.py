"""SageMaker's own API on the server: boto3's ``sagemaker`` client, unchanged, signed."""
from __future__ import annotations

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from tests.wire_support import (SKLEARN_IMAGE, aws_client, signed_post, training_request,
                                upload_source, wait_status, wire_fixtures)

TRAIN_SCRIPT = b"""
import os, time
print("training", flush=True)
time.sleep(float(os.environ.get("SM_HP_SLEEP", "0")))
open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w").write("ok")
"""


server, environment, sm, logs, aas = wire_fixtures("wire")


def sagemaker_client(server, environment, **config):
    return aws_client(server, environment, "sagemaker", **config)


@pytest.fixture(scope="module")
def source_uri(server):
    """A sourcedir.tar.gz in the store, as the SageMaker SDK uploads one."""
    return upload_source(server, "wire/source/sourcedir.tar.gz", TRAIN_SCRIPT)


def test_training_job_through_boto3_appears_on_both_apis(server, sm, source_uri):
    arn = sm.create_training_job(**training_request("wire-job-1", source_uri))
    assert arn["TrainingJobArn"].endswith(":training-job/wire-job-1")
    job = wait_status(sm, "wire-job-1", {"Completed", "Failed"})
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert job["ModelArtifacts"]["S3ModelArtifacts"] == (
        "s3://mlstudio/wire/output/wire-job-1/output/model.tar.gz")
    assert job["CreationTime"].tzinfo is not None  # botocore parsed a timestamp
    names = [j["TrainingJobName"] for j in sm.list_training_jobs()["TrainingJobSummaries"]]
    assert "wire-job-1" in names
    rest = server.get("mlstudio/api/training-jobs/wire-job-1").json()
    assert rest["TrainingJobStatus"] == "Completed"

    with pytest.raises(ClientError) as dup:
        sm.create_training_job(**training_request("wire-job-1", source_uri))
    assert dup.value.response["Error"]["Code"] == "ResourceInUse"


def test_stop_training_job(sm, source_uri):
    sm.create_training_job(**training_request("wire-job-stop", source_uri, sleep=300))
    wait_status(sm, "wire-job-stop", {"InProgress"})
    sm.stop_training_job(TrainingJobName="wire-job-stop")
    job = wait_status(sm, "wire-job-stop", {"Stopped", "Failed", "Completed"})
    assert job["TrainingJobStatus"] == "Stopped"


def test_unknown_resources_answer_as_sagemaker_does(sm):
    for call, kwargs in [(sm.describe_training_job, {"TrainingJobName": "nope"}),
                         (sm.describe_model, {"ModelName": "nope"}),
                         (sm.describe_endpoint, {"EndpointName": "nope"}),
                         (sm.stop_training_job, {"TrainingJobName": "nope"})]:
        with pytest.raises(ClientError) as err:
            call(**kwargs)
        assert err.value.response["Error"]["Code"] == "ValidationException", call
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_models_list_in_pages(sm):
    for i in range(5):
        sm.create_model(ModelName=f"wire-model-{i}",
                        PrimaryContainer={"Image": SKLEARN_IMAGE,
                                          "ModelDataUrl": "s3://mlstudio/x/model.tar.gz"},
                        ExecutionRoleArn="arn:aws:iam::000000000000:role/R")
    first = sm.list_models(NameContains="wire-model-", MaxResults=2)
    assert len(first["Models"]) == 2 and first["NextToken"]
    pages = sm.get_paginator("list_models").paginate(NameContains="wire-model-",
                                                     PaginationConfig={"PageSize": 2})
    names = sorted(m["ModelName"] for page in pages for m in page["Models"])
    assert names == [f"wire-model-{i}" for i in range(5)]
    described = sm.describe_model(ModelName="wire-model-0")
    assert described["PrimaryContainer"]["ModelDataUrl"] == "s3://mlstudio/x/model.tar.gz"
    sm.delete_model(ModelName="wire-model-0")
    with pytest.raises(ClientError):
        sm.describe_model(ModelName="wire-model-0")


def test_lists_sort_and_filter_by_time(sm):
    created = []
    for name in ("wire-sort-b", "wire-sort-a", "wire-sort-c"):
        arn = sm.create_model(ModelName=name, PrimaryContainer={
            "Image": SKLEARN_IMAGE, "ModelDataUrl": "s3://mlstudio/x/model.tar.gz"},
            ExecutionRoleArn="arn:aws:iam::000000000000:role/R")["ModelArn"]
        created.append(sm.describe_model(ModelName=name)["CreationTime"])
        assert arn.endswith(f":model/{name}")
    by_name = sm.list_models(NameContains="wire-sort-", SortBy="Name", SortOrder="Ascending")
    assert [m["ModelName"] for m in by_name["Models"]] == [
        "wire-sort-a", "wire-sort-b", "wire-sort-c"]
    newest = sm.list_models(NameContains="wire-sort-")  # CreationTime, Descending
    assert [m["ModelName"] for m in newest["Models"]] == [
        "wire-sort-c", "wire-sort-a", "wire-sort-b"]
    later = sm.list_models(NameContains="wire-sort-", CreationTimeAfter=created[0])
    assert "wire-sort-b" not in [m["ModelName"] for m in later["Models"]]
    assert len(later["Models"]) == 2
    earlier = sm.list_models(NameContains="wire-sort-", CreationTimeBefore=created[1])
    assert [m["ModelName"] for m in earlier["Models"]] == ["wire-sort-b"]
    with pytest.raises(ClientError) as err:
        sm.list_endpoints(SortBy="Weight")
    assert err.value.response["Error"]["Code"] == "ValidationException"


def test_tags_are_added_listed_and_deleted(sm):
    arn = sm.create_model(ModelName="wire-tagged", PrimaryContainer={
        "Image": SKLEARN_IMAGE, "ModelDataUrl": "s3://mlstudio/x/model.tar.gz"},
        ExecutionRoleArn="arn:aws:iam::000000000000:role/R",
        Tags=[{"Key": "team", "Value": "vision"}])["ModelArn"]
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "vision"}]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "nlp"},
                                       {"Key": "stage", "Value": "dev"}])
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}
    assert tags == {"team": "nlp", "stage": "dev"}
    sm.delete_tags(ResourceArn=arn, TagKeys=["team", "absent"])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "stage", "Value": "dev"}]
    for bad in ({"ResourceArn": arn, "Tags": [{"Key": "aws:owner", "Value": "x"}]},
                {"ResourceArn": arn.replace("wire-tagged", "wire-nobody"),
                 "Tags": [{"Key": "a", "Value": "b"}]},
                {"ResourceArn": "arn:aws:s3:::bucket", "Tags": [{"Key": "a", "Value": "b"}]}):
        with pytest.raises(ClientError) as err:
            sm.add_tags(**bad)
        assert err.value.response["Error"]["Code"] == "ValidationException", bad
    # A model made again under the same name starts with its own request's tags.
    sm.delete_model(ModelName="wire-tagged")
    sm.create_model(ModelName="wire-tagged", PrimaryContainer={
        "Image": SKLEARN_IMAGE, "ModelDataUrl": "s3://mlstudio/x/model.tar.gz"},
        ExecutionRoleArn="arn:aws:iam::000000000000:role/R")
    assert sm.list_tags(ResourceArn=arn)["Tags"] == []


def test_requests_are_validated_on_the_server(server, environment):
    unchecked = sagemaker_client(server, environment, parameter_validation=False)
    with pytest.raises(ClientError) as err:
        unchecked.create_model(ModelName="bad name!", PrimaryContainer={"Image": 5},
                               ExecutionRoleArn="arn:aws:iam::000000000000:role/R")
    error = err.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "ModelName" in error["Message"] and "PrimaryContainer.Image" in error["Message"]


def test_unsigned_or_wrongly_signed_requests_are_refused(server, environment):
    url = f"{server.url}mlstudio/aws/sagemaker"
    target = {"X-Amz-Target": "SageMaker.ListModels",
              "Content-Type": "application/x-amz-json-1.1"}
    bare = requests.post(url, data=b"{}", headers=target, timeout=10)
    assert bare.status_code == 403
    assert bare.json()["__type"] == "MissingAuthenticationTokenException"
    # The Jupyter token is not a way in either.
    with_token = requests.post(url, data=b"{}", timeout=10,
                               headers={**target, "Authorization": f"token {server.token}"})
    assert with_token.status_code == 403
    wrong = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1",
                         aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
                         aws_secret_access_key="not-the-secret")
    with pytest.raises(ClientError) as err:
        wrong.list_models()
    assert err.value.response["Error"]["Code"] == "InvalidSignatureException"
    stranger = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1",
                            aws_access_key_id="AKIDSTRANGER", aws_secret_access_key="x")
    with pytest.raises(ClientError) as err:
        stranger.list_models()
    assert err.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_unknown_and_unsupported_operations(sm):
    sm.meta.events.register("before-sign.sagemaker.ListModels", _retarget)
    try:
        with pytest.raises(ClientError) as err:
            sm.list_models()
    finally:
        sm.meta.events.unregister("before-sign.sagemaker.ListModels", _retarget)
    assert err.value.response["Error"]["Code"] == "UnknownOperationException"
    with pytest.raises(ClientError) as err:
        sm.list_domains()
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert "not supported" in err.value.response["Error"]["Message"]


def _retarget(request, **_):
    request.headers.replace_header("X-Amz-Target", "SageMaker.Frobnicate")


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b"[1, 2]", b"{nope",
                                  b'{"ModelName": NaN}', b"\xff\xfe"])
def test_malformed_bodies_are_serialization_errors(server, environment, body):
    reply = signed_post(server, environment, "sagemaker", "SageMaker.DescribeModel", body)
    assert reply.status_code == 400
    assert reply.json()["__type"] == "SerializationException"
    assert reply.headers["x-amzn-ErrorType"] == "SerializationException"


def test_the_server_answers_as_its_own_notebook_instance(server, sm):
    described = sm.describe_notebook_instance(NotebookInstanceName="mlstudio")
    assert described["NotebookInstanceStatus"] == "InService"
    assert described["RoleArn"] == "arn:aws:iam::000000000000:role/MLStudioExecutionRole"
    host = server.url.split("://", 1)[1].rstrip("/")
    assert described["Url"] == host
    assert described["CreationTime"].tzinfo is not None
    listed = sm.list_notebook_instances()["NotebookInstances"]
    assert [n["NotebookInstanceName"] for n in listed] == ["mlstudio"]
    assert sm.list_notebook_instances(NameContains="other")["NotebookInstances"] == []
    with pytest.raises(ClientError) as err:
        sm.describe_notebook_instance(NotebookInstanceName="another-instance")
    assert err.value.response["Error"] == {"Code": "ValidationException",
                                           "Message": "RecordNotFound"}
