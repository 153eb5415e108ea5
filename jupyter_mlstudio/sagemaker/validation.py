"""Checks of AWS requests against the services' own request shapes.

The shapes come from botocore's service models (what boto3 sends and the service
enforces): ``sagemaker`` by default, and the other services the server speaks (``logs``,
``application-autoscaling``). botocore's :class:`~botocore.validate.ParamValidator`
reports types, required members, unknown members and minimum lengths / values; the rest
of the model's constraints (maximum lengths and values, enums, patterns, no JSON booleans
for numbers) are checked here. :func:`request_problems` returns what is wrong, each naming
the field's path (``ProductionVariants[0].InstanceType``); callers raise their own error
(a REST 400, an AWS ``ValidationException``) and add the project's rules on top.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Iterable

import botocore.session
from botocore.model import ServiceModel, Shape
from botocore.validate import ParamValidator

from ..jsontypes import json_type
from .errors import ValidationError

#: Project values SageMaker's enums do not list: local instances (the SageMaker SDK's
#: local mode names them so) are what every backend here accepts.
LOCAL_INSTANCE_TYPES = frozenset({"local", "local_gpu"})
MAX_REPORTED = 5
_NUMBER_NAMES = {"integer": "an integer", "long": "an integer", "float": "a number",
                 "double": "a number"}
_NUMBERS = tuple(_NUMBER_NAMES)
# Java's Unicode classes, which the model's patterns use and Python's re lacks.
_UNICODE_CLASSES = {r"\p{L}": r"\w", r"\p{N}": r"\w",
                    r"\p{Z}": r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"}
_INDEX = re.compile(r"\[\d+\]")
# botocore's names of the Python types it wanted, as JSON calls them.
_TYPE_NAMES = {"<class 'str'>": "a string", "<class 'int'>": "an integer",
               "<class 'float'>": "a number", "<class 'decimal.Decimal'>": "a number",
               "<class 'bool'>": "a boolean", "<class 'dict'>": "an object",
               "<class 'list'>": "an array", "<class 'tuple'>": "an array",
               "<class 'datetime.datetime'>": "a time", "timestamp-string": "a time"}


@functools.lru_cache(maxsize=None)
def service_model(service: str = "sagemaker") -> ServiceModel:
    """botocore's model of ``service`` (loaded once: it takes a while)."""
    return botocore.session.get_session().get_service_model(service)


@functools.lru_cache(maxsize=None)
def input_shape(operation: str, service: str = "sagemaker") -> Shape:
    """The request shape of an operation (``CreateModel``…) of ``service``."""
    return service_model(service).operation_model(operation).input_shape


@functools.lru_cache(maxsize=256)
def _pattern(java: str) -> re.Pattern[str] | None:
    text = java
    for unicode_class, python in _UNICODE_CLASSES.items():
        text = text.replace(unicode_class, python)
    try:
        return re.compile(text)
    except re.error:  # a construct Python's re lacks: length and type checks still apply
        return None


def _path(name: str) -> str:
    return name[1:] if name.startswith(".") else name


def _shape_at(shape: Shape, name: str) -> Shape | None:
    """The shape of the member botocore names ``.A.B[0].C`` under ``shape``."""
    for token in re.findall(r"\.([^.\[]+)|\[\d+\]", name):
        if token and shape.type_name == "structure":
            shape = shape.members.get(token)
        elif not token and shape.type_name == "list":
            shape = shape.member
        else:
            return None
        if shape is None:
            return None
    return shape


def _botocore_problem(kind: str, name: str, details: dict[str, Any],
                      root: Shape) -> str:
    where = _path(name)
    if kind == "missing required field":
        field = f"{where}.{details['required_name']}" if where else details["required_name"]
        return f"{field} is required"
    if kind == "unknown field":
        return (f"unknown fields{' in ' + where if where else ''}: {details['unknown_param']} "
                f"(known: {', '.join(details['valid_names'])})")
    if kind == "invalid type":
        expected = {_TYPE_NAMES.get(t, t) for t in details["valid_types"]}
        if "a number" in expected:
            expected.discard("an integer")
        return f"{where} must be {' or '.join(sorted(expected))}, not " \
               f"{json_type(details['param'])}"
    if kind == "invalid length":
        shape = _shape_at(root, name)
        unit = "characters" if shape is not None and shape.type_name == "string" else "items"
        return f"{where} must have at least {details['min_allowed']} {unit}"
    if kind == "invalid range":
        return f"{where} must be at least {details['min_allowed']}"
    return f"{where or 'the request'}: {kind}"


_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "integer": int, "long": int, "float": (int, float), "double": (int, float),
    "string": str, "structure": dict, "list": list, "map": dict, "boolean": bool}


def _of_python_type(value: Any, kind: str) -> bool:
    return isinstance(value, _PYTHON_TYPES.get(kind, object))


def _constraint_problems(params: Any, shape: Shape) -> Iterable[str]:
    """What botocore leaves unchecked; values of the wrong type are botocore's to report."""
    stack: list[tuple[Any, Shape, str]] = [(params, shape, "")]
    while stack:
        value, shape, where = stack.pop()
        meta, kind = shape.metadata, shape.type_name
        if value is None or not _of_python_type(value, kind):
            continue
        if kind in _NUMBERS and isinstance(value, bool):
            yield f"{where} must be {_NUMBER_NAMES[kind]}, not a boolean"
            continue
        if kind in _NUMBERS and "max" in meta and value > meta["max"]:
            yield f"{where} must be at most {meta['max']}"
        if kind in ("string", "list", "map") and "max" in meta and len(value) > meta["max"]:
            unit = "characters" if kind == "string" else "items"
            yield f"{where} must have at most {meta['max']} {unit}"
        children: list[tuple[Any, Shape, str]] = []
        if kind == "string":
            yield from _string_problems(value, shape, where)
        elif kind == "structure":
            children = [(item, shape.members[key], f"{where}.{key}" if where else key)
                        for key, item in value.items() if key in shape.members]
        elif kind == "list":
            children = [(item, shape.member, f"{where}[{i}]") for i, item in enumerate(value)]
        elif kind == "map":
            for key, item in value.items():
                children.append((key, shape.key, f"{where} key"))
                children.append((item, shape.value, f"{where}.{key}"))
        stack.extend(reversed(children))  # report in the request's own order


def _string_problems(value: str, shape: Shape, where: str) -> Iterable[str]:
    enum = shape.enum
    if enum and value not in enum and not (
            shape.name.endswith("InstanceType") and value in LOCAL_INSTANCE_TYPES):
        shown = ", ".join(enum[:12]) + (", …" if len(enum) > 12 else "")
        yield f"{where} must be one of {shown}; not {value[:80]!r}"
        return
    pattern = _pattern(shape.metadata["pattern"]) if "pattern" in shape.metadata else None
    if pattern is not None and not pattern.fullmatch(value):
        yield (f"{where} {value[:80]!r} does not match the pattern "
               f"{shape.metadata['pattern']}")


def request_problems(operation: str, params: dict[str, Any],
                     optional: Iterable[str] = (), service: str = "sagemaker") -> list[str]:
    """What is wrong with ``params`` as a request of ``service``'s ``operation``; ``[]``
    when nothing.

    ``optional`` names members the service requires that the caller fills in itself (a
    default, or the name in the URL), as dotted paths with ``[]`` for list items.
    ``service`` is botocore's name of the service whose model applies (``logs``, ``kms``…).
    """
    shape = input_shape(operation, service)
    skip = set(optional)
    problems = []
    # ValidationErrors keeps its findings as (kind, name, details) in _errors; its only
    # public view is a text report that quotes whole values.
    for kind, name, details in ParamValidator().validate(params, shape)._errors:
        if kind == "invalid type" and details["param"] is None:
            continue  # null is absence; required members are the caller's to insist on
        if kind == "missing required field":
            where = _INDEX.sub("[]", _path(name))
            if (f"{where}.{details['required_name']}" if where else
                    details["required_name"]) in skip:
                continue
        problems.append(_botocore_problem(kind, name, details, shape))
    problems.extend(_constraint_problems(params, shape))
    return problems


def describe_problems(problems: list[str]) -> str:
    """One message for a list of problems, as SageMaker counts them."""
    if len(problems) == 1:
        return problems[0]
    shown = "; ".join(problems[:MAX_REPORTED])
    more = f"; and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
    return f"{len(problems)} validation errors: {shown}{more}"


def check_request(operation: str, params: dict[str, Any], optional: Iterable[str] = ()) -> None:
    """Raise a 400 ``ValidationException`` listing what SageMaker would refuse in
    ``params`` as a request of ``operation`` (see :func:`request_problems`)."""
    problems = request_problems(operation, params, optional)
    if problems:
        raise ValidationError(describe_problems(problems))
