"""The AWS JSON 1.1 protocol: the operation a request names, and errors as AWS shapes them.

botocore sends ``POST /`` with ``X-Amz-Target: <TargetPrefix>.<Operation>`` and a JSON
body (``Content-Type: application/x-amz-json-1.1``), and reads an error from the body's
``__type`` and ``message`` (plus the ``x-amzn-ErrorType`` header) of a 4xx/5xx reply.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..errors import MLStudioError
from ..jsonbody import parse_json_object

CONTENT_TYPE = "application/x-amz-json-1.1"


class AwsError(Exception):
    """An error reply: AWS's ``code``, a ``message`` and the HTTP ``status``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def document(self) -> dict[str, str]:
        """The JSON body botocore parses into ``ClientError``."""
        return {"__type": self.code, "message": self.message}


def operation_name(target: str | None, prefix: str) -> str:
    """The operation of ``X-Amz-Target: <prefix>.<Operation>``, or an AwsError."""
    if not target:
        raise AwsError("MissingAction", "Missing X-Amz-Target header.")
    given, dot, operation = target.partition(".")
    if given != prefix or not dot or not operation.isalnum():
        raise AwsError("UnknownOperationException",
                       f"Unknown operation {target[:120]!r}.")
    return operation


def parse_body(body: bytes) -> dict[str, Any]:
    """The request's JSON object (an empty body is ``{}``), by the extension's one strict
    parser; what it refuses is a ``SerializationException``."""
    try:
        return parse_json_object(body)
    except MLStudioError as err:
        raise AwsError("SerializationException", err.message, 413 if err.status == 413
                       else 400) from None


def wire_output(value: Any, shape: Any) -> Any:
    """``value`` as AWS JSON 1.1 sends it for botocore's output ``shape``: timestamps as
    epoch seconds (botocore parses those fast; ISO text costs it a date parser per
    value), null members dropped."""
    if value is None:
        return None
    kind = getattr(shape, "type_name", None)
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: wire_output(v, members.get(k)) for k, v in value.items() if v is not None}
    if kind == "list" and isinstance(value, list):
        return [wire_output(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: wire_output(v, shape.value) for k, v in value.items() if v is not None}
    if kind == "timestamp" and isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return value
    return without_nulls(value)


def without_nulls(value: Any) -> Any:
    """``value`` with null members dropped, as AWS never sends them."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value
