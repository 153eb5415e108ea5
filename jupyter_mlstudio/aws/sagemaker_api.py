"""SageMaker's own API (``SageMaker.<Operation>``) as a thin layer over the area services.

Each operation takes the request SageMaker's API defines, checks it against botocore's
model of that request, calls the same service method the ``/mlstudio/api`` route calls,
and answers in the operation's response shape. Domain errors become what SageMaker
answers: a missing training job, model, endpoint configuration or endpoint is a
``ValidationException`` with SageMaker's own message (the SDK looks for "Could not find
endpoint"), a duplicate name ``ResourceInUse`` where the operation declares it (botocore's
model lists each operation's errors), else a ``ValidationException``.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from ..sagemaker.paging import ListFilter
from ..errors import MLStudioError
from ..sagemaker.arns import arn
from ..sagemaker.tags import TagStore, check_tags
from ..handlers.base import AUTH_RESOURCES
from .api import AwsJsonApi, Handler, declared_errors, read_or_write
from .json_protocol import AwsError
from .notebook_instance import NotebookInstance

_DEFAULT_MAX_RESULTS = 10


# What SageMaker says when the named resource does not exist, by the request member
# naming it: (the resource's ARN kind, the message with {arn} and {name}).
_NOT_FOUND = {
    "TrainingJobName": ("training-job", "Requested resource not found."),
    "ModelName": ("model", 'Could not find model "{arn}".'),
    "EndpointConfigName": ("endpoint-config", 'Could not find endpoint configuration "{arn}".'),
    "EndpointName": ("endpoint", 'Could not find endpoint "{arn}".'),
    "TransformJobName": ("transform-job", "Could not find requested job with name {name}"),
    "HyperParameterTuningJobName": ("hyper-parameter-tuning-job",
                                    "Amazon SageMaker can't find a tuning job with name {name}"),
}


def not_found_message(params: dict[str, Any], region: str, fallback: str) -> str:
    """SageMaker's message for a request naming a resource that does not exist."""
    for member, (kind, message) in _NOT_FOUND.items():
        name = params.get(member)
        if isinstance(name, str):
            return message.format(arn=arn(region, kind, name), name=name)
    return fallback


def aws_error(operation: str, err: MLStudioError, params: dict[str, Any],
              region: str) -> AwsError:
    """The error SageMaker would answer ``operation`` with for a domain error."""
    if err.status >= 500:
        return AwsError("InternalFailure", err.message, 500)
    declared = declared_errors("sagemaker", operation)
    if err.reason == "ResourceNotFound" and "HyperParameterTuningJobName" in params \
            and "ResourceNotFound" in declared:  # tuning calls answer with their own error
        return AwsError("ResourceNotFound", not_found_message(params, region, err.message))
    if err.reason == "ResourceNotFound" and operation.startswith(("Describe", "Stop", "Delete",
                                                                  "Update")):
        return AwsError("ValidationException",
                        not_found_message(params, region, err.message))
    if err.reason == "ResourceInUse" and "ResourceInUse" in declared:
        return AwsError("ResourceInUse", err.message)
    if err.reason == "ResourceLimitExceeded" and "ResourceLimitExceeded" in declared:
        return AwsError("ResourceLimitExceeded", err.message)
    return AwsError("ValidationException", err.message)


@dataclass
class Services:
    """What the operations run on: the extension's area services."""

    training: Any
    tuning: Any
    serving: Any
    region: str
    notebook: Callable[[], NotebookInstance]
    tags: TagStore
    settle_seconds: float = 0.0


# The area an operation belongs to, by the resource its name holds (the first match);
# tag operations go by the kind in the ARN they name.
_AREAS = (("HyperParameterTuningJob", "tuning"), ("TrainingJob", "training"),
          ("TransformJob", "transform"),
          ("Endpoint", "endpoints"), ("Model", "endpoints"), ("NotebookInstance", "status"))
_ARN_AREAS = {"training-job": "training", "transform-job": "transform",
              "hyper-parameter-tuning-job": "tuning",
              "model": "endpoints", "endpoint-config": "endpoints", "endpoint": "endpoints"}


def sagemaker_area(operation: str, params: dict[str, Any]) -> str:
    """The authorizer's area of a SageMaker operation."""
    if operation.endswith("Tags"):
        kind = str(params.get("ResourceArn", "")).split(":")[-1].partition("/")[0]
        return _ARN_AREAS.get(kind, "status")
    return next((area for noun, area in _AREAS if noun in operation), "status")


class SageMakerApi(AwsJsonApi):
    """Dispatches ``SageMaker.<Operation>`` requests to the services."""

    service = "sagemaker"
    target_prefix = "SageMaker"

    def __init__(self, services: Services) -> None:
        self.training = services.training
        self.tuning = services.tuning
        self.serving = services.serving
        self.region = services.region
        self.notebook = services.notebook
        self.tags = services.tags
        self.settle_seconds = services.settle_seconds
        super().__init__({
            "CreateTrainingJob": self._create_training_job,
            "DescribeTrainingJob": self._named(self.training.describe, "TrainingJobName"),
            "ListTrainingJobs": self._list(self.training.list),
            "StopTrainingJob": self._stop_training_job,
            "CreateHyperParameterTuningJob": self._create_tuning_job,
            "DescribeHyperParameterTuningJob": self._named(self.tuning.describe,
                                                           "HyperParameterTuningJobName"),
            "ListHyperParameterTuningJobs": self._list(self.tuning.list),
            "StopHyperParameterTuningJob": self._stop_tuning_job,
            "ListTrainingJobsForHyperParameterTuningJob": self._tuning_training_jobs,
            "CreateModel": self._threaded(self.serving.resources.create_model),
            "DescribeModel": self._named(self.serving.resources.describe_model, "ModelName"),
            "ListModels": self._list(self.serving.resources.list_models),
            "DeleteModel": self._deleted(self.serving.resources.delete_model, "ModelName"),
            "CreateEndpointConfig": self._threaded(
                self.serving.resources.create_endpoint_config),
            "DescribeEndpointConfig": self._named(
                self.serving.resources.describe_endpoint_config, "EndpointConfigName"),
            "ListEndpointConfigs": self._list(self.serving.resources.list_endpoint_configs),
            "DeleteEndpointConfig": self._deleted(
                self.serving.resources.delete_endpoint_config, "EndpointConfigName"),
            "CreateEndpoint": self._create_endpoint,
            "DescribeEndpoint": self._named(self.serving.describe_endpoint, "EndpointName"),
            "ListEndpoints": self._list(self.serving.list_endpoints),
            "UpdateEndpoint": self._update_endpoint,
            "UpdateEndpointWeightsAndCapacities": self._update_weights,
            "DeleteEndpoint": self._deleted_async(self.serving.delete_endpoint, "EndpointName"),
            "CreateTransformJob": self._create_transform_job,
            "DescribeTransformJob": self._named(self.serving.transforms.describe,
                                                "TransformJobName"),
            "ListTransformJobs": self._list(self.serving.transforms.list),
            "StopTransformJob": self._stop_transform_job,
            "DescribeNotebookInstance": self._describe_notebook_instance,
            "ListNotebookInstances": self._list_notebook_instances,
            "AddTags": self._add_tags,
            "ListTags": self._list_tags,
            "DeleteTags": self._delete_tags,
        })

    def access(self, operation: str, params: dict[str, Any]) -> tuple[str, str]:
        return read_or_write(operation), AUTH_RESOURCES[sagemaker_area(operation, params)]

    async def run(self, operation: str, handler: Handler,
                  params: dict[str, Any]) -> dict[str, Any]:
        """The operation, with its ``Tags`` checked, and a created resource tagged."""
        check_tags(params.get("Tags") or [])
        result = await handler(params)
        if operation.startswith("Create"):
            await self._tag_created(result, params.get("Tags") or [])
        return result

    def aws_error(self, operation: str, err: MLStudioError, params: dict[str, Any]) -> AwsError:
        return aws_error(operation, err, params, self.region)

    # -- adapters: request shape -> service call -> response shape --------------------------
    @staticmethod
    def _threaded(fn: Callable[..., Any]) -> Handler:
        async def call(params: dict[str, Any]) -> dict[str, Any]:
            return await asyncio.to_thread(fn, params)
        return call

    @staticmethod
    def _named(fn: Callable[[str], Any], member: str) -> Handler:
        async def call(params: dict[str, Any]) -> dict[str, Any]:
            return await asyncio.to_thread(fn, params[member])
        return call

    @staticmethod
    def _deleted(fn: Callable[[str], Any], member: str) -> Handler:
        async def call(params: dict[str, Any]) -> dict[str, Any]:
            await asyncio.to_thread(fn, params[member])
            return {}
        return call

    @staticmethod
    def _deleted_async(fn: Callable[[str], Awaitable[Any]], member: str) -> Handler:
        async def call(params: dict[str, Any]) -> dict[str, Any]:
            await fn(params[member])
            return {}
        return call

    @staticmethod
    def _list(fn: Callable[[ListFilter], dict[str, Any]]) -> Handler:
        async def call(params: dict[str, Any]) -> dict[str, Any]:
            return await asyncio.to_thread(
                fn, ListFilter.from_request(params, _DEFAULT_MAX_RESULTS))
        return call

    async def _create_training_job(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await self.training.create(params)
        await self.training.settle(params["TrainingJobName"], self.settle_seconds)
        return result

    async def _stop_training_job(self, params: dict[str, Any]) -> dict[str, Any]:
        await self.training.stop(params["TrainingJobName"])
        return {}

    async def _create_tuning_job(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await self.tuning.create(params)
        await self.tuning.settle(params["HyperParameterTuningJobName"], self.settle_seconds)
        return result

    async def _stop_tuning_job(self, params: dict[str, Any]) -> dict[str, Any]:
        await self.tuning.stop(params["HyperParameterTuningJobName"])
        return {}

    async def _tuning_training_jobs(self, params: dict[str, Any]) -> dict[str, Any]:
        filters = self.tuning.trial_filter(
            {k: v for k, v in params.items() if k != "HyperParameterTuningJobName"})
        if "MaxResults" not in params:
            filters.max_results = _DEFAULT_MAX_RESULTS
        return await asyncio.to_thread(self.tuning.training_jobs,
                                       params["HyperParameterTuningJobName"], filters)

    async def _create_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await self.serving.create_endpoint(params)
        await self.serving.settle(params["EndpointName"], self.settle_seconds)
        return result

    async def _update_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        body = {k: v for k, v in params.items() if k != "EndpointName"}
        result = await self.serving.update_endpoint(params["EndpointName"], body)
        await self.serving.settle(params["EndpointName"], self.settle_seconds)
        return result

    async def _update_weights(self, params: dict[str, Any]) -> dict[str, Any]:
        body = {k: v for k, v in params.items() if k != "EndpointName"}
        return await self.serving.update_weights_and_capacities(params["EndpointName"], body)

    async def _create_transform_job(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await self.serving.transforms.create(params, self.serving.max_instances)
        await self.serving.transforms.settle(params["TransformJobName"], self.settle_seconds)
        return result

    async def _stop_transform_job(self, params: dict[str, Any]) -> dict[str, Any]:
        await self.serving.transforms.stop(params["TransformJobName"])
        return {}

    async def _tag_created(self, result: dict[str, Any], tags: list[dict[str, str]]) -> None:
        """A new resource has exactly its request's tags (none left from a namesake)."""
        resource_arn = next((v for k, v in result.items() if k.endswith("Arn")), None)
        if resource_arn:
            await asyncio.to_thread(self.tags.add, resource_arn, tags, True)

    async def _add_tags(self, params: dict[str, Any]) -> dict[str, Any]:
        await asyncio.to_thread(self.tags.add, params["ResourceArn"], params["Tags"])
        return {"Tags": params["Tags"]}

    async def _list_tags(self, params: dict[str, Any]) -> dict[str, Any]:
        return await asyncio.to_thread(self.tags.list, params["ResourceArn"],
                                       params.get("NextToken", ""),
                                       params.get("MaxResults", 50))

    async def _delete_tags(self, params: dict[str, Any]) -> dict[str, Any]:
        await asyncio.to_thread(self.tags.delete, params["ResourceArn"], params["TagKeys"])
        return {}

    async def _describe_notebook_instance(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.notebook().describe(params["NotebookInstanceName"])

    async def _list_notebook_instances(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.notebook().list(name_contains=params.get("NameContains", ""),
                                    status=params.get("StatusEquals", ""))
