"""REST routes of models, endpoint configs, endpoints and transform jobs."""
from __future__ import annotations

import json

from jupyter_server.auth.decorator import authorized
from tornado import httpclient, web

from ..errors import MLStudioError
from ..handlers.base import AUTH_RESOURCES, API_PREFIX, MLStudioHandler
from .service import ServingService

_NAME = r"(?P<name>[a-zA-Z0-9-]{1,63})"
_VARIANT = r"(?P<variant>[a-zA-Z0-9-]{1,63})"
#: Request headers an invocation carries to the model, as sagemaker-runtime sends them.
_FORWARDED = ("Content-Type", "Accept", "X-Amzn-SageMaker-Target-Variant",
              "X-Amzn-SageMaker-Custom-Attributes")


class ServingHandler(MLStudioHandler):
    auth_resource = AUTH_RESOURCES["endpoints"]

    @property
    def serving(self) -> ServingService:
        return self.mlstudio.serving_service

    def no_content(self) -> None:
        self.set_status(204)
        self.finish()


class ModelsHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        """``ListModels``."""
        self.write_json(await self.in_thread(self.serving.resources.list_models,
                                             self.list_filter()))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """``CreateModel``."""
        self.write_json(await self.in_thread(self.serving.resources.create_model,
                                             self.json_body()), status=201)


class ModelHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.write_json(await self.in_thread(self.serving.resources.describe_model, name))

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        await self.in_thread(self.serving.resources.delete_model, name)
        self.no_content()


class EndpointConfigsHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.in_thread(self.serving.resources.list_endpoint_configs,
                                             self.list_filter()))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """``CreateEndpointConfig``."""
        self.write_json(await self.in_thread(self.serving.resources.create_endpoint_config,
                                             self.json_body()), status=201)


class EndpointConfigHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.write_json(await self.in_thread(self.serving.resources.describe_endpoint_config,
                                             name))

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        await self.in_thread(self.serving.resources.delete_endpoint_config, name)
        self.no_content()


class EndpointsHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        """``ListEndpoints``."""
        self.write_json(await self.in_thread(self.serving.list_endpoints, self.list_filter()))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """``CreateEndpoint``."""
        self.write_json(await self.serving.create_endpoint(self.json_body()), status=201)


class EndpointHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        """``DescribeEndpoint`` with ``RuntimeUrl``."""
        self.write_json(await self.in_thread(self.serving.describe_endpoint, name))

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        """``DeleteEndpoint``."""
        await self.serving.delete_endpoint(name)
        self.no_content()


class UpdateEndpointHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        """``UpdateEndpoint`` to another endpoint configuration."""
        self.write_json(await self.serving.update_endpoint(name, self.json_body()))


class WeightsHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        """``UpdateEndpointWeightsAndCapacities``."""
        self.write_json(await self.serving.update_weights_and_capacities(
            name, self.json_body()))


class ScalingPolicyHandler(ServingHandler):
    """A variant's auto-scaling: capacity bounds and a target-tracking policy."""

    @web.authenticated
    @authorized
    async def get(self, name: str, variant: str) -> None:
        described = await self.in_thread(self.serving.describe_endpoint, name)
        for v in described["ProductionVariants"]:
            if v["VariantName"] == variant and "AutoScaling" in v:
                self.write_json(v["AutoScaling"])
                return
        raise MLStudioError(404, f"variant {variant!r} of {name!r} has no scaling policy",
                            "ResourceNotFound")

    @web.authenticated
    @authorized
    async def put(self, name: str, variant: str) -> None:
        self.write_json(await self.serving.put_scaling_policy(name, variant, self.json_body()))

    @web.authenticated
    @authorized
    async def delete(self, name: str, variant: str) -> None:
        await self.serving.delete_scaling_policy(name, variant)
        self.no_content()


class ScalingActivitiesHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.write_json(await self.in_thread(self.serving.scaling_activities, name,
                                             self.int_argument("MaxResults", 50, low=1)))


class MetricsHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        since = self.number_argument("since", 0.0)  # epoch seconds
        self.write_json(await self.in_thread(self.serving.metrics, name, since))


class EndpointLogsHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.write_json(await self.in_thread(self.serving.logs, name))


class InvocationsHandler(ServingHandler):
    """``InvokeEndpoint`` through the Jupyter server: authenticated, then to the router."""

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        limit = self.serving.max_payload_mb * 1024 * 1024
        if len(self.request.body) > limit:
            raise MLStudioError(413, f"the request body is larger than "
                                f"{self.serving.max_payload_mb} MB", "ValidationError")
        await self.in_thread(self.serving.describe_endpoint, name)  # 404 for unknown names
        base = self.serving.runtime_url
        if self.serving.router is None or base is None:
            raise MLStudioError(503, f"endpoint {name!r} is not in service",
                                "ServiceUnavailable")
        headers = {h: self.request.headers[h] for h in _FORWARDED if h in self.request.headers}
        # The router takes the server's own control token in place of a SigV4 signature.
        headers["Authorization"] = self.serving.router.authorization
        request = httpclient.HTTPRequest(
            f"{base}/endpoints/{name}/invocations", method="POST", body=self.request.body,
            headers=headers, request_timeout=self.serving.invocation_timeout + 35.0)
        try:
            resp = await httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError as err:
            raise MLStudioError(503, f"the endpoint router did not answer: {err}",
                                "ServiceUnavailable") from None
        error_type = resp.headers.get("x-amzn-ErrorType")
        if resp.code >= 400 and error_type:
            try:
                error = json.loads(resp.body)
            except ValueError:
                error = {}
            # A model's own refusal (415, 413, 500…) keeps its status here, as it would
            # when calling the model server; sagemaker-runtime wraps it in a 424 ModelError.
            status = int(error.get("OriginalStatusCode") or resp.code)
            message = error.get("OriginalMessage") or error.get("message") or resp.reason
            if isinstance(message, str) and message.startswith("{"):
                try:
                    message = json.loads(message).get("message", message)
                except (ValueError, AttributeError):
                    pass
            raise MLStudioError(status, str(message), error_type.split(":")[0])
        self.set_status(resp.code)
        for header in ("Content-Type", "X-Amzn-Invoked-Production-Variant"):
            if header in resp.headers:
                self.set_header(header, resp.headers[header])
        self.finish(resp.body)


class TransformHandler(ServingHandler):
    auth_resource = AUTH_RESOURCES["transform"]


class TransformJobsHandler(TransformHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        """``ListTransformJobs``."""
        self.write_json(await self.in_thread(self.serving.transforms.list, self.list_filter()))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """``CreateTransformJob``."""
        self.write_json(await self.serving.transforms.create(
            self.json_body(), self.serving.max_instances), status=201)


class TransformJobHandler(TransformHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        """``DescribeTransformJob``."""
        self.write_json(await self.in_thread(self.serving.transforms.describe, name))

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        await self.serving.transforms.delete(name)
        self.no_content()


class StopTransformJobHandler(TransformHandler):
    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        """``StopTransformJob``."""
        await self.serving.transforms.stop(name)
        self.write_json({})


class TransformLogsHandler(TransformHandler):
    """The log from ``offset``; with ``follow=1`` waits up to ``timeout`` s for new text."""

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        offset = self.int_argument("offset", 0, low=0)
        if self.bool_argument("follow"):
            timeout = min(self.int_argument("timeout", 20, low=0), 60)
            self.write_json(await self.serving.transforms.follow_logs(name, offset, timeout))
        else:
            self.write_json(await self.in_thread(self.serving.transforms.logs, name, offset))


def serving_handlers() -> list[tuple]:
    """The routes of models, endpoint configs, endpoints and transform jobs."""
    api = API_PREFIX
    endpoint = rf"{api}/endpoints/{_NAME}"
    return [
        (rf"{api}/models", ModelsHandler),
        (rf"{api}/models/{_NAME}", ModelHandler),
        (rf"{api}/endpoint-configs", EndpointConfigsHandler),
        (rf"{api}/endpoint-configs/{_NAME}", EndpointConfigHandler),
        (rf"{api}/endpoints", EndpointsHandler),
        (endpoint, EndpointHandler),
        (rf"{endpoint}/update", UpdateEndpointHandler),
        (rf"{endpoint}/weights-and-capacities", WeightsHandler),
        (rf"{endpoint}/invocations", InvocationsHandler),
        (rf"{endpoint}/variants/{_VARIANT}/scaling", ScalingPolicyHandler),
        (rf"{endpoint}/scaling-activities", ScalingActivitiesHandler),
        (rf"{endpoint}/metrics", MetricsHandler),
        (rf"{endpoint}/logs", EndpointLogsHandler),
        (rf"{api}/transform-jobs", TransformJobsHandler),
        (rf"{api}/transform-jobs/{_NAME}", TransformJobHandler),
        (rf"{api}/transform-jobs/{_NAME}/stop", StopTransformJobHandler),
        (rf"{api}/transform-jobs/{_NAME}/logs", TransformLogsHandler),
    ]
