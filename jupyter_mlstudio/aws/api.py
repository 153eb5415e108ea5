"""What every AWS JSON 1.1 service the server speaks shares: one dispatcher.

A service (SageMaker, CloudWatch Logs, Application Auto Scaling) is a table of its
operations, each an async function from the request to the reply. :meth:`AwsJsonApi.call`
refuses operations the service's botocore model does not know or the table lacks,
checks the request against botocore's model of it (with the project's one validator),
runs the operation and sends the reply in the operation's output shape. Domain errors
(:class:`~..errors.MLStudioError`) become the service's own through :meth:`aws_error`.
"""
from __future__ import annotations

import functools
from typing import Any, Awaitable, Callable

from ..errors import MLStudioError
from ..sagemaker.validation import describe_problems, request_problems, service_model
from .json_protocol import AwsError, wire_output

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


@functools.lru_cache(maxsize=None)
def declared_errors(service: str, operation: str) -> frozenset[str]:
    """The error codes botocore's model lists for ``operation``."""
    return frozenset(shape.name for shape in
                     service_model(service).operation_model(operation).error_shapes)


@functools.lru_cache(maxsize=None)
def _output_shape(service: str, operation: str) -> Any:
    return service_model(service).operation_model(operation).output_shape


@functools.lru_cache(maxsize=None)
def operation_names(service: str) -> frozenset[str]:
    """Every operation botocore's model of ``service`` knows."""
    return frozenset(service_model(service).operation_names)


class AwsJsonApi:
    """Dispatches ``<target_prefix>.<Operation>`` requests of one service."""

    #: botocore's name of the service (its model is the reference for requests).
    service = ""
    #: What ``X-Amz-Target`` starts with.
    target_prefix = ""
    #: The service's error code for a request its model refuses.
    invalid_request = "ValidationException"

    def __init__(self, operations: dict[str, Handler]) -> None:
        self._operations = operations

    def supports(self, operation: str) -> bool:
        return operation in self._operations

    def access(self, operation: str, params: dict[str, Any]) -> tuple[str, str] | None:
        """What ``operation`` needs of jupyter_server's authorizer: (``read`` or
        ``write``, the area's resource); None: nothing beyond the signature."""
        return None

    async def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run ``operation`` with ``params``; AwsError for anything the caller got wrong."""
        handler = self._operations.get(operation)
        if handler is None:
            if operation in operation_names(self.service):
                raise AwsError(self.invalid_request,
                               f"{operation} is not supported by this server.")
            raise AwsError("UnknownOperationException", f"Unknown operation {operation!r}.")
        problems = request_problems(operation, params, service=self.service)
        if problems:
            raise AwsError(self.invalid_request, describe_problems(problems))
        try:
            result = await self.run(operation, handler, params)
            return wire_output(result, _output_shape(self.service, operation))
        except MLStudioError as err:
            raise self.aws_error(operation, err, params) from None

    async def run(self, operation: str, handler: Handler,
                  params: dict[str, Any]) -> dict[str, Any]:
        """Run a checked request's handler (a service adds here what all its operations do)."""
        return await handler(params)

    def aws_error(self, operation: str, err: MLStudioError, params: dict[str, Any]) -> AwsError:
        """The error the service answers ``operation`` with for a domain error."""
        if err.status >= 500:
            return AwsError("InternalFailure", err.message, 500)
        return AwsError(self.invalid_request, err.message)


def read_or_write(operation: str) -> str:
    """``read`` for an operation that only looks (Describe*, List*, Get*, Filter*)."""
    return "read" if operation.startswith(("Describe", "List", "Get", "Filter")) else "write"
