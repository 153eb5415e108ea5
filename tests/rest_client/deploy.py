"""A small client of this server's REST deployment routes, shaped like the SDK's classes
(see :mod:`.estimator`: notebooks use the real SageMaker SDK).

    predictor = estimator.deploy(initial_instance_count=1)
    predictor.predict([[5.1, 3.5, 1.4, 0.2]])
    predictor.update_weights({"A": 0.7, "B": 0.3})
    predictor.delete_endpoint()

    estimator.transformer(instance_count=1).transform("s3://bucket/batch/", split_type="Line")

``Session`` offers the API calls themselves (``create_model``, ``create_endpoint_config``,
``create_endpoint``, …) with SageMaker's request fields.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import requests

from jupyter_mlstudio.aws.credentials import kernel_keyring
from jupyter_mlstudio.aws.signing import RequestsSigV4
from jupyter_mlstudio.client import MLStudioAPIError, MLStudioClient
from jupyter_mlstudio.errors import MLStudioError

from .serializers import JSONDeserializer, JSONSerializer

ENDPOINT_SETTLED = ("InService", "Failed")
# The router's refusals of a signature: the Jupyter server's route is tried instead.
_AUTH_REFUSED = {"MissingAuthenticationTokenException", "IncompleteSignature",
                 "InvalidSignatureException", "UnrecognizedClientException"}
TRANSFORM_ENDED = ("Completed", "Failed", "Stopped")


class DeployError(MLStudioError):
    """An endpoint or transform job did not reach the state it was waited for."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(400, message, "UnexpectedStatus")
        self.actual_status = status


def unique_name(base: str) -> str:
    """``base`` with a timestamp, at most 63 characters (SageMaker's naming)."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d-%H-%M-%S-%f")[:-3]
    return f"{base[:63 - len(stamp) - 1]}-{stamp}"


class Session:
    """The deploy calls of the extension's API, one method per SageMaker action."""

    def __init__(self, client: MLStudioClient | None = None) -> None:
        self.client = client or MLStudioClient.from_environment()

    def create_model(self, **request: Any) -> dict[str, Any]:
        return self.client.post("models", request)

    def describe_model(self, ModelName: str) -> dict[str, Any]:  # noqa: N803 - SageMaker's
        return self.client.get(f"models/{ModelName}")

    def delete_model(self, ModelName: str) -> None:  # noqa: N803
        self.client.delete(f"models/{ModelName}")

    def create_endpoint_config(self, **request: Any) -> dict[str, Any]:
        return self.client.post("endpoint-configs", request)

    def delete_endpoint_config(self, EndpointConfigName: str) -> None:  # noqa: N803
        self.client.delete(f"endpoint-configs/{EndpointConfigName}")

    def create_endpoint(self, **request: Any) -> dict[str, Any]:
        return self.client.post("endpoints", request)

    def describe_endpoint(self, EndpointName: str) -> dict[str, Any]:  # noqa: N803
        return self.client.get(f"endpoints/{EndpointName}")

    def update_endpoint(self, EndpointName: str, EndpointConfigName: str) -> dict[str, Any]:  # noqa: N803,E501
        return self.client.post(f"endpoints/{EndpointName}/update",
                                {"EndpointConfigName": EndpointConfigName})

    def update_endpoint_weights_and_capacities(
            self, EndpointName: str,  # noqa: N803
            DesiredWeightsAndCapacities: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        return self.client.post(f"endpoints/{EndpointName}/weights-and-capacities",
                                {"DesiredWeightsAndCapacities": DesiredWeightsAndCapacities})

    def delete_endpoint(self, EndpointName: str) -> None:  # noqa: N803
        self.client.delete(f"endpoints/{EndpointName}")

    def wait_for_endpoint(self, name: str, poll: float = 0.5,
                          timeout: float = 600.0) -> dict[str, Any]:
        """Wait until the endpoint is InService; raise DeployError if it failed."""
        deadline = time.monotonic() + timeout
        while True:
            desc = self.describe_endpoint(name)
            if desc["EndpointStatus"] in ENDPOINT_SETTLED or time.monotonic() > deadline:
                break
            time.sleep(poll)
        if desc["EndpointStatus"] != "InService":
            raise DeployError(f"Error hosting endpoint {name}: {desc['EndpointStatus']}. "
                              f"Reason: {desc.get('FailureReason', 'timed out')}",
                              desc["EndpointStatus"])
        return desc

    def create_transform_job(self, **request: Any) -> dict[str, Any]:
        return self.client.post("transform-jobs", request)

    def describe_transform_job(self, TransformJobName: str) -> dict[str, Any]:  # noqa: N803
        return self.client.get(f"transform-jobs/{TransformJobName}")

    def stop_transform_job(self, TransformJobName: str) -> None:  # noqa: N803
        self.client.post(f"transform-jobs/{TransformJobName}/stop")

    def wait_for_transform_job(self, name: str, poll: float = 0.5,
                               progress: bool = True) -> dict[str, Any]:
        """Wait for the job to end (a tqdm bar of files done); raise unless Completed."""
        bar = None
        try:
            while True:
                desc = self.describe_transform_job(name)
                done = desc.get("Progress", {})
                if progress and done.get("files_total"):
                    if bar is None:
                        from tqdm.auto import tqdm

                        bar = tqdm(total=done["files_total"], desc=name, unit="file")
                    bar.update(done.get("files_done", 0) - bar.n)
                if desc["TransformJobStatus"] in TRANSFORM_ENDED:
                    break
                time.sleep(poll)
        finally:
            if bar is not None:
                bar.close()
        if desc["TransformJobStatus"] != "Completed":
            raise DeployError(f"Error for transform job {name}: {desc['TransformJobStatus']}. "
                              f"Reason: {desc.get('FailureReason')}", desc["TransformJobStatus"])
        return desc


class Predictor:
    """Sends requests to a real-time endpoint (``sagemaker.predictor.Predictor``)."""

    def __init__(self, endpoint_name: str, serializer: Any = None, deserializer: Any = None,
                 session: Session | None = None) -> None:
        self.endpoint_name = endpoint_name
        self.serializer = serializer or JSONSerializer()
        self.deserializer = deserializer or JSONDeserializer()
        self.session = session or Session()
        self._runtime_url: str | None = None
        self._http = requests.Session()
        self._signer: RequestsSigV4 | None = None

    def _runtime(self) -> str | None:
        """The router's URL when this process has credentials to sign for it, else ""."""
        if self._runtime_url is None:
            self._signer = _signer()
            self._runtime_url = self._signer and self.session.describe_endpoint(
                self.endpoint_name).get("RuntimeUrl") or ""
        return self._runtime_url

    def predict(self, data: Any, initial_args: dict[str, Any] | None = None,
                target_variant: str | None = None) -> Any:
        """Serialize ``data``, invoke the endpoint, deserialize the answer."""
        body = self.serializer.serialize(data)
        headers = {"Content-Type": self.serializer.content_type,
                   "Accept": self.deserializer.accept}
        for key, header in (("ContentType", "Content-Type"), ("Accept", "Accept"),
                            ("TargetVariant", "X-Amzn-SageMaker-Target-Variant"),
                            ("CustomAttributes", "X-Amzn-SageMaker-Custom-Attributes")):
            if (initial_args or {}).get(key):
                headers[header] = initial_args[key]
        if target_variant:
            headers["X-Amzn-SageMaker-Target-Variant"] = target_variant
        resp = self._invoke(body, headers)
        self.last_variant = resp.headers.get("X-Amzn-Invoked-Production-Variant")
        return self.deserializer.deserialize(resp.content, resp.headers.get("Content-Type", ""))

    def _invoke(self, body: bytes, headers: dict[str, str]) -> requests.Response:
        runtime = self._runtime()
        if runtime:  # the router itself, when this process can reach it
            try:
                resp = self._http.post(f"{runtime}/endpoints/{self.endpoint_name}/invocations",
                                       data=body, headers=headers, timeout=120,
                                       auth=self._signer)
            except requests.ConnectionError:
                self._runtime_url = ""
            else:
                error_type = resp.headers.get("x-amzn-ErrorType")
                if error_type in _AUTH_REFUSED:
                    self._runtime_url = ""  # not this router's keys: use the server's route
                elif resp.status_code >= 400:
                    try:
                        message = resp.json().get("message", resp.text)
                    except ValueError:
                        message = resp.text
                    raise MLStudioAPIError(resp.status_code, message, error_type)
                else:
                    return resp
        client = self.session.client
        resp = client._session.post(client.url(f"endpoints/{self.endpoint_name}/invocations"),
                                    data=body, headers=headers, timeout=120)
        if resp.status_code >= 400:
            try:
                err = resp.json()
            except ValueError:
                err = {"message": resp.text}
            raise MLStudioAPIError(resp.status_code, err.get("message", ""), err.get("reason"))
        return resp

    def describe(self) -> dict[str, Any]:
        return self.session.describe_endpoint(self.endpoint_name)

    def update_weights(self, weights: dict[str, float], wait: bool = True) -> dict[str, Any]:
        """Give each named variant a new weight (traffic share = weight / sum of weights)."""
        self.session.update_endpoint_weights_and_capacities(
            self.endpoint_name,
            [{"VariantName": v, "DesiredWeight": w} for v, w in weights.items()])
        return self.session.wait_for_endpoint(self.endpoint_name) if wait else self.describe()

    def update_capacity(self, counts: dict[str, int], wait: bool = True) -> dict[str, Any]:
        """Give each named variant a new instance count."""
        self.session.update_endpoint_weights_and_capacities(
            self.endpoint_name,
            [{"VariantName": v, "DesiredInstanceCount": n} for v, n in counts.items()])
        return self.session.wait_for_endpoint(self.endpoint_name) if wait else self.describe()

    def delete_endpoint(self, delete_endpoint_config: bool = True) -> None:
        """Delete the endpoint (requests in flight finish) and, by default, its config."""
        config = self.describe()["EndpointConfigName"]
        self.session.delete_endpoint(self.endpoint_name)
        if delete_endpoint_config:
            try:
                self.session.delete_endpoint_config(config)
            except MLStudioAPIError as err:
                if err.status != 404:
                    raise

    def delete_model(self) -> None:
        for variant in self.describe()["ProductionVariants"]:
            self.session.delete_model(variant["ModelName"])


class Transformer:
    """Batch transform with one model (``sagemaker.transformer.Transformer``)."""

    def __init__(self, model_name: str, instance_count: int = 1, instance_type: str = "local",
                 strategy: str | None = None, assemble_with: str | None = None,
                 output_path: str | None = None, accept: str | None = None,
                 max_concurrent_transforms: int | None = None, max_payload: int | None = None,
                 env: dict[str, str] | None = None, base_transform_job_name: str | None = None,
                 session: Session | None = None) -> None:
        self.model_name = model_name
        self.instance_count = instance_count
        self.instance_type = instance_type
        self.strategy = strategy
        self.assemble_with = assemble_with
        self.output_path = output_path
        self.accept = accept
        self.max_concurrent_transforms = max_concurrent_transforms
        self.max_payload = max_payload
        self.env = env or {}
        self.base_transform_job_name = base_transform_job_name or model_name
        self.session = session or Session()
        self.latest_transform_job: str | None = None

    def transform(self, data: str, content_type: str = "text/csv", split_type: str = "None",
                  compression_type: str = "None", join_source: str = "None",
                  job_name: str | None = None, wait: bool = True,
                  logs: bool = True) -> dict[str, Any] | None:
        """Run the model over every object under the ``data`` prefix."""
        name = job_name or unique_name(self.base_transform_job_name)
        request: dict[str, Any] = {
            "TransformJobName": name,
            "ModelName": self.model_name,
            "TransformInput": {"DataSource": {"S3DataSource": {
                                   "S3DataType": "S3Prefix", "S3Uri": data}},
                               "ContentType": content_type, "SplitType": split_type,
                               "CompressionType": compression_type},
            "TransformOutput": {"S3OutputPath": self.output_path or
                                f"{data.rstrip('/')}-transformed/{name}",
                                **({"Accept": self.accept} if self.accept else {}),
                                **({"AssembleWith": self.assemble_with}
                                   if self.assemble_with else {})},
            "TransformResources": {"InstanceType": self.instance_type,
                                   "InstanceCount": self.instance_count},
            "DataProcessing": {"JoinSource": join_source},
            "Environment": self.env,
        }
        for field, value in (("BatchStrategy", self.strategy),
                             ("MaxConcurrentTransforms", self.max_concurrent_transforms),
                             ("MaxPayloadInMB", self.max_payload)):
            if value is not None:
                request[field] = value
        self.session.create_transform_job(**request)
        self.latest_transform_job = name
        self.output_path = request["TransformOutput"]["S3OutputPath"]
        if wait:
            return self.wait(progress=logs)
        return None

    def wait(self, progress: bool = True) -> dict[str, Any]:
        if self.latest_transform_job is None:
            raise ValueError("no transform job yet: call transform() first")
        return self.session.wait_for_transform_job(self.latest_transform_job, progress=progress)


class Model:
    """A model archive in S3 and the code that serves it (``sagemaker.model.Model``)."""

    def __init__(self, model_data: str, image_uri: str | None = None,
                 env: dict[str, str] | None = None, name: str | None = None,
                 session: Session | None = None) -> None:
        self.model_data = model_data
        self.image_uri = image_uri
        self.env = dict(env or {})
        self.name = name
        self.session = session or Session()

    def create(self) -> str:
        """``CreateModel`` once; returns the model's name."""
        if self.name is None or not self._exists():
            self.name = self.name or unique_name("model")
            container: dict[str, Any] = {"ModelDataUrl": self.model_data,
                                         "Environment": self.env}
            if self.image_uri:
                container["Image"] = self.image_uri
            self.session.create_model(ModelName=self.name, PrimaryContainer=container)
        return self.name

    def _exists(self) -> bool:
        try:
            self.session.describe_model(self.name)
        except MLStudioAPIError as err:
            if err.status == 404:
                return False
            raise
        return True

    def deploy(self, initial_instance_count: int = 1, instance_type: str = "local",
               serializer: Any = None, deserializer: Any = None,
               endpoint_name: str | None = None, variant_name: str = "AllTraffic",
               wait: bool = True) -> Predictor:
        """Create an endpoint config and an endpoint serving this model; a Predictor for it."""
        model_name = self.create()
        endpoint_name = endpoint_name or unique_name(model_name[:30])
        self.session.create_endpoint_config(
            EndpointConfigName=endpoint_name,
            ProductionVariants=[{"VariantName": variant_name, "ModelName": model_name,
                                 "InitialInstanceCount": initial_instance_count,
                                 "InstanceType": instance_type, "InitialVariantWeight": 1}])
        self.session.create_endpoint(EndpointName=endpoint_name,
                                     EndpointConfigName=endpoint_name)
        if wait:
            self.session.wait_for_endpoint(endpoint_name)
        return Predictor(endpoint_name, serializer, deserializer, self.session)

    def transformer(self, instance_count: int = 1, instance_type: str = "local",
                    **kwargs: Any) -> Transformer:
        return Transformer(self.create(), instance_count, instance_type,
                           session=self.session, **kwargs)


def _signer() -> RequestsSigV4 | None:
    """SigV4 signing with the credentials boto3 finds in this process (a kernel's), if any."""
    import boto3

    keyring = kernel_keyring({})
    if not keyring:
        return None
    (credential,) = keyring.values()
    return RequestsSigV4(credential, boto3.Session().region_name or "us-east-1")
