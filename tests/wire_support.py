"""Helpers of the AWS wire tests: boto3 clients signed as a kernel, training jobs, polling."""
from __future__ import annotations

import io
import re
import tarfile
import time
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from jupyter_mlstudio.aws.credentials import Credential
from jupyter_mlstudio.aws.signing import sign_headers
from tests.servers import LiveServer, start_server

SKLEARN_IMAGE = ("683313688378.dkr.ecr.us-east-1.amazonaws.com/"
                 "sagemaker-scikit-learn:1.2-1-cpu-py3")
#: The route of each service botocore names, under the server's URL.
ROUTES = {"sagemaker": "sagemaker", "logs": "logs",
          "application-autoscaling": "application-autoscaling"}


def wire_url(server: LiveServer, service: str) -> str:
    return f"{server.url}mlstudio/aws/{ROUTES[service]}"


def aws_client(server: LiveServer, environment: dict[str, str], service: str, **config: Any):
    """boto3's own ``service`` client, signed with the kernels' credentials."""
    return boto3.client(
        service, endpoint_url=wire_url(server, service),
        region_name="us-east-1", aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 1}, **config))


def wire_fixtures(name: str, *server_args: str) -> tuple:
    """The module-scoped fixtures of a wire test module: ``server`` (a live server started
    with ``server_args``), ``environment`` (what its kernels get) and boto3's clients
    ``sm``, ``logs`` and ``aas`` signed with it. Assign them to the module's names:
    ``server, environment, sm, logs, aas = wire_fixtures("name")``."""

    @pytest.fixture(scope="module", name="server")
    def server(tmp_path_factory):
        # CreateTrainingJob answers at once (tests watch jobs change state), unless
        # ``server_args`` say otherwise.
        settle = "--MLStudioApp.sagemaker_api_settle_seconds="
        args = [*server_args] if any(a.startswith(settle) for a in server_args) else \
            [f"{settle}0", *server_args]
        live = start_server(tmp_path_factory.mktemp(name) / "home", "server", *args)
        yield live
        live.stop()

    @pytest.fixture(scope="module", name="environment")
    def environment(server):
        return server.s3_environment()

    def client(service: str, fixture: str):
        @pytest.fixture(scope="module", name=fixture)
        def make(server, environment):
            return aws_client(server, environment, service)
        return make

    return (server, environment, client("sagemaker", "sm"), client("logs", "logs"),
            client("application-autoscaling", "aas"))


def sdk_session(server: LiveServer, environment: dict[str, str], monkeypatch):
    """The real SageMaker SDK's Session, configured as in one of the server's kernels."""
    for key, value in {**environment,
                       "AWS_ENDPOINT_URL_SAGEMAKER": wire_url(server, "sagemaker"),
                       "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": wire_url(server, "logs"),
                       "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
                       "SAGEMAKER_USER_CONFIG_OVERRIDE": str(
                           server.data_dir / "sagemaker-sdk" / "config.yaml")}.items():
        monkeypatch.setenv(key, value)
    import sagemaker

    return sagemaker.session.Session(boto_session=boto3.Session(region_name="us-east-1"))


def printed(capsys) -> str:
    """What was printed since the last call, without the SDK's colours."""
    return re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)


def signed_post(server: LiveServer, environment: dict[str, str], service: str, target: str,
                body: bytes, signing_name: str | None = None) -> requests.Response:
    """A request signed as boto3 signs one (for ``signing_name``, default the service's),
    with any body."""
    url = wire_url(server, service)
    credential = Credential(environment["AWS_ACCESS_KEY_ID"],
                            environment["AWS_SECRET_ACCESS_KEY"])
    headers = sign_headers("POST", url, body, {
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"},
        credential, "us-east-1", signing_name or service)
    return requests.post(url, data=body, headers=headers, timeout=30)


def upload_source(server: LiveServer, key: str, script: bytes) -> str:
    """A sourcedir.tar.gz holding ``train.py`` in the store, as the SageMaker SDK uploads
    one; its s3:// URI."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("train.py")
        info.size = len(script)
        tar.addfile(info, io.BytesIO(script))
    server.s3_client().put_object(Bucket="mlstudio", Key=key, Body=buffer.getvalue())
    return f"s3://mlstudio/{key}"


def training_request(name: str, source: str, sleep: float = 0, count: int = 1) -> dict:
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": SKLEARN_IMAGE,
                                   "TrainingInputMode": "File"},
        "RoleArn": "arn:aws:iam::000000000000:role/SageMakerRole",
        "HyperParameters": {"sagemaker_program": '"train.py"',
                            "sagemaker_submit_directory": f'"{source}"',
                            "sleep": str(sleep)},
        "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/wire/output"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": count,
                           "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }


def wait_status(sm, name: str, done: set[str], timeout: float = 120) -> dict:
    """DescribeTrainingJob once the job's status is one of ``done`` (or at the time-out)."""
    deadline = time.monotonic() + timeout
    while True:
        job = sm.describe_training_job(TrainingJobName=name)
        if job["TrainingJobStatus"] in done or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


async def wire_call(mlstudio_app, port, service, target, body, signing_name=None):
    """A SigV4-signed wire request to the in-process server (base URL ``/``) as a kernel
    of the server makes it: (status, reply)."""
    import json

    from tornado.httpclient import AsyncHTTPClient

    from jupyter_mlstudio.aws.credentials import Credential
    from jupyter_mlstudio.aws.signing import sign_headers

    env = mlstudio_app.s3.kernel_environment()
    url = f"http://localhost:{port}/mlstudio/aws/{service}"
    data = json.dumps(body).encode()
    headers = sign_headers("POST", url, data, {
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"},
        Credential(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]), "us-east-1",
        signing_name or service)
    reply = await AsyncHTTPClient().fetch(url, method="POST", body=data, headers=headers,
                                          raise_error=False)
    return reply.code, json.loads(reply.body or b"{}")


async def sagemaker_call(mlstudio_app, port, operation, body):
    """``SageMaker.<operation>`` through :func:`wire_call`."""
    return await wire_call(mlstudio_app, port, "sagemaker", f"SageMaker.{operation}", body)
