"""Kernels started by the server reach the embedded store with no setup."""
from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.kernel]

SCRIPT = """
import os, boto3, pandas
s3 = boto3.client("s3")
s3.put_object(Bucket="mlstudio", Key="kernel/data.csv", Body=b"a,b\\n1,2\\n3,4\\n")
frame = pandas.read_csv("s3://mlstudio/kernel/data.csv")
print("RESULT", int(frame["b"].sum()), os.environ["JUPYTER_MLSTUDIO_URL"])
"""


async def _run_in_kernel(km, code: str) -> str:
    kernel_id = await km.start_kernel(kernel_name="python3")
    kernel = km.get_kernel(kernel_id)
    client = kernel.client()
    client.start_channels()
    out: list[str] = []

    def collect(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] in ("display_data", "execute_result"):
            out.append(msg["content"]["data"].get("text/plain", ""))  # rich tracebacks

    try:
        await client.wait_for_ready(timeout=60)
        reply = await client.execute_interactive(code, output_hook=collect, timeout=600)
        if reply["content"]["status"] == "error":
            out.append(f"\nERROR {reply['content']['ename']}: {reply['content']['evalue']}")
    finally:
        client.stop_channels()
        await km.shutdown_kernel(kernel_id, now=True)
    return "".join(out)


async def test_kernel_reads_and_writes_the_embedded_store(jp_serverapp, mlstudio_app):
    output = await _run_in_kernel(jp_serverapp.kernel_manager, SCRIPT)
    assert "RESULT 6" in output, output
    assert jp_serverapp.connection_url in output
    # The object really is in the store the server uses.
    body = mlstudio_app.s3.client().get_object(Bucket="mlstudio", Key="kernel/data.csv")["Body"]
    assert body.read().startswith(b"a,b")


async def test_environment_is_restored_when_the_extension_stops(jp_serverapp, mlstudio_app):
    import os

    assert os.environ["AWS_ENDPOINT_URL_S3"] == mlstudio_app.s3.endpoint_url
    await mlstudio_app.stop_extension()
    assert "AWS_ENDPOINT_URL_S3" not in os.environ
    assert "AWS_SECRET_ACCESS_KEY" not in os.environ
    secret = mlstudio_app.s3.embedded.credentials.secret_access_key
    assert secret not in json.dumps(dict(os.environ))


SAGEMAKER_SCRIPT = """
import boto3, sagemaker_config_probe
client = boto3.client("sagemaker")
reply = client.list_training_jobs(MaxResults=5)
print("JOBS", len(reply["TrainingJobSummaries"]), client.meta.endpoint_url)
print("CONFIG", sagemaker_config_probe.default_bucket())
"""

# What the SageMaker SDK reads from the file SAGEMAKER_USER_CONFIG_OVERRIDE names,
# read the way the SDK's loader does (YAML) without importing the SDK itself.
PROBE_MODULE = """
import os, yaml

def default_bucket():
    with open(os.environ["SAGEMAKER_USER_CONFIG_OVERRIDE"]) as f:
        doc = yaml.safe_load(f)
    return doc["SageMaker"]["PythonSDK"]["Modules"]["Session"]["DefaultS3Bucket"]
"""


async def test_kernel_reaches_the_servers_sagemaker_api(jp_serverapp, jp_fetch, mlstudio_app,
                                                        tmp_path, monkeypatch):
    """Plain boto3 in a kernel, no configuration: signed with the kernel's credentials.
    (``jp_fetch`` makes the test server listen on its port, which the kernel calls.)"""
    (tmp_path / "sagemaker_config_probe.py").write_text(PROBE_MODULE)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    output = await _run_in_kernel(jp_serverapp.kernel_manager, SAGEMAKER_SCRIPT)
    assert "JOBS 0 " in output, output
    assert "/mlstudio/aws/sagemaker" in output
    assert "CONFIG mlstudio" in output, output


AWS_SCRIPT = """
import boto3
logs = boto3.client("logs")
streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs")["logStreams"]
print("LOGS", len(streams), logs.meta.endpoint_url)
scaling = boto3.client("application-autoscaling")
targets = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
print("SCALING", len(targets), scaling.meta.endpoint_url)
print("RUNTIME", boto3.client("sagemaker-runtime").meta.endpoint_url)
import os
print("VALIDATE_ROLE", os.environ.get("SAGEMAKER_VALIDATE_ROLE"))
"""


async def test_kernel_reaches_logs_auto_scaling_and_the_endpoint_router(jp_serverapp, jp_fetch,
                                                                        mlstudio_app):
    """CloudWatch Logs and Application Auto Scaling answer a kernel's plain boto3 clients;
    sagemaker-runtime points at the endpoint router, whose port is chosen before any
    endpoint starts it."""
    output = await _run_in_kernel(jp_serverapp.kernel_manager, AWS_SCRIPT)
    assert "LOGS 0 " in output and "/mlstudio/aws/logs" in output, output
    assert "SCALING 0 " in output and "/mlstudio/aws/application-autoscaling" in output
    runtime_url = mlstudio_app.serving_service.runtime_url
    assert mlstudio_app.serving_service.router is None and runtime_url
    assert f"RUNTIME {runtime_url}" in output
    assert "VALIDATE_ROLE false" in output  # SDK 3.x: no IAM policy simulator here
