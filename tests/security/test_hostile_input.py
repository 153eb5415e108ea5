"""Every POST / PUT / PATCH / DELETE route of the extension, fed hostile input.

The routes come from the extension's own handler lists, so a new route is walked
without anyone adding it here. Each gets malformed bodies (deep nesting, non-objects,
invalid UTF-8, NaN, overflowing numbers) and, for each top-level field it knows, values
of every wrong kind (booleans for numbers, huge and negative numbers, huge strings, NUL,
deep structures). Whatever the route answers, it must be a 4xx (or a success) with a
JSON ``{"message", "reason"}`` body, never a 500 or a traceback page.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator

import pytest
from tornado.httpclient import HTTPResponse

from jupyter_mlstudio.db.models import Endpoint
from jupyter_mlstudio.gallery.handlers import gallery_handlers
from jupyter_mlstudio.gallery.ids import encode_id
from jupyter_mlstudio.handlers import core_handlers
from jupyter_mlstudio.handlers.base import API_PREFIX
from jupyter_mlstudio.jobs.handlers import training_handlers
from jupyter_mlstudio.kernels.handlers import kernels_handlers
from jupyter_mlstudio.s3.handlers import s3_handlers
from jupyter_mlstudio.sagemaker.validation import input_shape
from jupyter_mlstudio.serving.handlers import serving_handlers


def _nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for i in range(depth):
        value = {"a": value} if i % 2 else [value]
    return value


HUGE_STRING = "x" * 300_000
#: Values of every wrong kind, put in place of each top-level field in turn.
HOSTILE_VALUES: list[Any] = [
    None, True, False, 0, -1, -(2**63), 2**64, 10**80, 1.5, -1e308, "", HUGE_STRING,
    "nul\x00byte", "../../etc/passwd", "\u202egnp.exe", [], {}, [None, 1, "a", {}],
    {"": None, "\x00": [1]}, _nested(60),
]
#: Whole bodies that are not what any route takes.
HOSTILE_BODIES: list[bytes] = [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    b"[]", b'"text"', b"42", b"null", b"true",
    b"\xff\xfe{}", b'{"a": NaN}', b'{"a": -Infinity}', b'{"a": 1e999}',
    b'{"a": "\\ud800"}', b'{"a": 1', b'{"a": 1}{"b": 2}',
]
#: Path arguments: names of things that do not exist (no route may start real work).
PATH_VALUES = {
    "connection": "default", "bucket": "mlstudio", "name": "hostile-x", "variant": "v",
    "job_id": "abc123", "install_id": "abc123",
    "example_id": encode_id("builtin", "no-such-example.ipynb"),
}
#: Handlers that get a real example (they change nothing in it: Use copies, Review of a
#: shipped example is refused); every other route names one that does not exist.
REAL_EXAMPLE = encode_id("builtin", "data/s3-read-write.ipynb")
PATH_OVERRIDES = {"UseHandler": {"example_id": REAL_EXAMPLE},
                  "ReviewHandler": {"example_id": REAL_EXAMPLE}}
#: A plausible body per handler, whose fields are replaced one at a time. Each names
#: something missing (a model, a folder, a preset) so that no variation starts real work.
BASE_BODIES: dict[str, dict[str, Any]] = {
    "BucketsHandler": {"name": "hostile-bucket"},
    "PresignHandler": {"key": "none.txt", "expires_in": 60},
    "FoldersHandler": {"prefix": "hostile/"},
    "DeleteHandler": {"keys": ["none.txt"], "prefixes": ["none/"]},
    "CopyHandler": {"source": "none.txt", "dest": "none2.txt", "dest_bucket": "mlstudio",
                    "move": False},
    "OpenHandler": {"key": "none.txt"},
    "WorkspaceUploadHandler": {"path": "none.csv", "key": "none.csv", "overwrite": False},
    "ExamplesHandler": {"path": "none.ipynb", "title": "t", "summary": "s", "category": "c",
                        "tags": ["a"]},
    "UseHandler": {"folder": "f", "name": "n", "strip_outputs": False},
    "ReviewHandler": {"action": "approve"},
    "ValidationsHandler": {"ids": ["no-such-example"]},
    "InstallsHandler": {"kind": "python", "name": "hostile", "display_name": "H",
                        "replace": False, "options": {"preset": "no-such-preset"}},
    "TrainingJobsHandler": {
        "TrainingJobName": "hostile",
        "AlgorithmSpecification": {"TrainingImage": "python", "TrainingInputMode": "File"},
        "HyperParameters": {"sagemaker_program": '"train.py"',
                            "sagemaker_submit_directory": '"no-such-folder"'},
        "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/hostile"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "local", "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
    },
    "ModelsHandler": {"ModelName": "hostile",
                      "PrimaryContainer": {"ModelDataUrl": "s3://mlstudio/none/model.tar.gz"}},
    "EndpointConfigsHandler": {"EndpointConfigName": "hostile", "ProductionVariants": [
        {"VariantName": "v", "ModelName": "no-such-model"}]},
    "EndpointsHandler": {"EndpointName": "hostile", "EndpointConfigName": "no-such-config"},
    "UpdateEndpointHandler": {"EndpointConfigName": "no-such-config"},
    "WeightsHandler": {"DesiredWeightsAndCapacities": [{"VariantName": "v", "DesiredWeight": 1}]},
    "ScalingPolicyHandler": {"MinCapacity": 1, "MaxCapacity": 2, "TargetValue": 10,
                             "ScaleInCooldown": 1, "ScaleOutCooldown": 1,
                             "DisableScaleIn": False},
    "TransformJobsHandler": {
        "TransformJobName": "hostile", "ModelName": "no-such-model",
        "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": "s3://mlstudio/in/"}}},
        "TransformOutput": {"S3OutputPath": "s3://mlstudio/out"}},
}
#: Names made unique per request, so that one accepted request does not hide the next
#: behind "already exists".
UNIQUE_NAMES = {"ModelsHandler": "ModelName", "EndpointConfigsHandler": "EndpointConfigName",
                "EndpointsHandler": "EndpointName", "TransformJobsHandler": "TransformJobName",
                "TrainingJobsHandler": "TrainingJobName"}
#: Handlers speaking a SageMaker operation: every member of its request shape is walked.
OPERATIONS = {"TrainingJobsHandler": "CreateTrainingJob", "ModelsHandler": "CreateModel",
              "EndpointConfigsHandler": "CreateEndpointConfig",
              "EndpointsHandler": "CreateEndpoint", "UpdateEndpointHandler": "UpdateEndpoint",
              "WeightsHandler": "UpdateEndpointWeightsAndCapacities",
              "TransformJobsHandler": "CreateTransformJob"}
#: Values that mean "everything" to a route, which would start real work here.
STARTS_WORK = {("ValidationsHandler", "ids"): (None, [], {}, "", 0, False),
               ("InstallsHandler", "options"): (None, {})}
#: Bodies that are not JSON by design: invocations forward them to a model.
RAW_BODY_HANDLERS = {"InvocationsHandler", "UploadHandler"}
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def routes() -> list[tuple[str, type]]:
    """(concrete path, handler class) of every route, from the extension's own lists."""
    found = []
    for make in (core_handlers, s3_handlers, gallery_handlers, training_handlers,
                 serving_handlers, kernels_handlers):
        for pattern, handler, *_ in make():
            values = {**PATH_VALUES, **PATH_OVERRIDES.get(handler.__name__, {})}
            path = _GROUP.sub(lambda m: values[m.group(1)], pattern)
            found.append((path[len(API_PREFIX) + 1:], handler))
    return found


def writing_methods(handler: type) -> list[str]:
    """The methods the handler itself defines among POST, PUT, PATCH and DELETE."""
    return [m for m in ("post", "put", "patch", "delete")
            if any(m in vars(cls) for cls in handler.__mro__
                   if cls.__module__.startswith("jupyter_mlstudio"))
            and handler.__name__ != "NotFoundHandler"]


def fields_of(handler: type) -> list[str]:
    base = BASE_BODIES.get(handler.__name__, {})
    operation = OPERATIONS.get(handler.__name__)
    members = list(input_shape(operation).members) if operation else []
    return list(dict.fromkeys([*base, *members]))


_SHAPE_TYPES: dict[str, Any] = {
    "string": str, "integer": int, "long": int, "float": (int, float), "double": (int, float),
    "boolean": bool, "structure": dict, "map": dict, "list": list, "timestamp": (str, int)}


def must_refuse(handler: type, field: str, value: Any) -> bool:
    """Whether SageMaker itself refuses ``value`` as the top-level ``field`` of the
    handler's operation (a JSON boolean is no number, whatever Python thinks)."""
    operation = OPERATIONS.get(handler.__name__)
    if operation is None or value is None:
        return False
    shape = input_shape(operation).members.get(field)
    if shape is None:
        return True  # not a member of the operation at all
    if shape.type_name in ("integer", "long", "float", "double") and isinstance(value, bool):
        return True
    return not isinstance(value, _SHAPE_TYPES.get(shape.type_name, object))


def cases() -> list[tuple[str, str, str, bytes | None]]:
    """(label, method, path, body) of every hostile request; deletions come last, of
    sub-resources (a variant's scaling policy) before their parents (the endpoint)."""
    return sorted(_cases(), key=lambda case: (case[1] == "DELETE",
                                              -case[2].count("/") if case[1] == "DELETE" else 0))


def _cases() -> Iterator[tuple[str, str, str, bytes | None]]:
    for path, handler in routes():
        name = handler.__name__
        for method in writing_methods(handler):
            if method == "delete" or name in RAW_BODY_HANDLERS:
                yield f"{name} {method}", method.upper(), path, b"" if method != "delete" else None
                continue
            for i, body in enumerate(HOSTILE_BODIES):
                yield f"{name} {method} body#{i}", method.upper(), path, body
            base = BASE_BODIES.get(name, {})
            for field in fields_of(handler):
                skipped = STARTS_WORK.get((name, field), ())
                for j, value in enumerate(HOSTILE_VALUES):
                    if any(value is s or (type(value) is type(s) and value == s)
                           for s in skipped):
                        continue
                    unique = {UNIQUE_NAMES[name]: f"hostile-{j}-{len(field)}-{field[:20]}"
                              } if name in UNIQUE_NAMES else {}
                    body = json.dumps({**base, **unique, field: value}).encode()
                    refuse = "!" if must_refuse(handler, field, value) else ""
                    yield (f"{name} {method} {field}=value#{j}{refuse}", method.upper(), path,
                           body)


def problem(resp: HTTPResponse) -> str | None:
    """What is wrong with an answer to a hostile request, or None.

    A 500 is the server's own failure; 502-504 say that a dependency (a model, S3) is
    unavailable, and are fine with a JSON body.
    """
    if resp.code == 500 or resp.code < 200 or resp.code > 504:
        return f"status {resp.code}: {resp.body[:300]!r}"
    if resp.code >= 400:
        try:
            body = json.loads(resp.body)
        except ValueError:
            return f"status {resp.code} without a JSON body: {resp.body[:200]!r}"
        if not isinstance(body, dict) or not {"message", "reason"} <= set(body):
            return f"status {resp.code} without message and reason: {body!r:.200}"
        if "Traceback" in resp.body.decode("utf-8", "replace"):
            return f"status {resp.code} shows a traceback"
    return None


@pytest.fixture
def recorded_endpoint(mlstudio_app):
    """An endpoint record named like the walk's paths, so that routes on an existing
    endpoint (scaling policies) reach their body's validation; no instance runs."""
    with mlstudio_app.serving_service.db.session() as s:
        s.add(Endpoint(name=PATH_VALUES["name"], config_name="none", status="Failed",
                       variants=[{"VariantName": PATH_VALUES["variant"], "ModelName": "none",
                                  "CurrentWeight": 1.0, "DesiredWeight": 1.0,
                                  "CurrentInstanceCount": 1, "DesiredInstanceCount": 1}]))


@pytest.fixture
def fetch(jp_fetch, mlstudio_app):
    async def call(method: str, path: str, body: bytes | None) -> HTTPResponse:
        kwargs: dict[str, Any] = {"method": method, "raise_error": False,
                                  "request_timeout": 60}
        if body is not None:
            kwargs["body"] = body
        return await jp_fetch("mlstudio", "api", *path.split("/"), **kwargs)
    return call


def test_the_walk_covers_every_writing_route():
    walked = {(name.split()[0], name.split()[1]) for name, *_ in cases()}
    assert len(walked) >= 25, walked
    for handler in ("ModelsHandler", "InstallsHandler", "UseHandler", "PresignHandler",
                    "ScalingPolicyHandler", "UploadHandler", "TransformJobsHandler"):
        assert any(h == handler for h, _ in walked), handler


async def test_hostile_input_never_gets_a_500(fetch, recorded_endpoint):
    failures = []
    for label, method, path, body in cases():
        resp = await fetch(method, path, body)
        found = problem(resp)
        if label.endswith("!") and resp.code < 400:
            found = f"status {resp.code}: a value of the wrong type was accepted"
        if found:
            failures.append(f"{label} {method} {path}: {found}")
    assert not failures, f"{len(failures)} hostile requests went wrong:\n" + "\n".join(
        failures[:60])


async def test_hostile_upload_keys_and_path_names(fetch, jp_fetch):
    for key in ("nul\x00key", "x" * 2000, "/abs", "a/../b", "\x1b[31m", ""):
        resp = await jp_fetch("mlstudio", "api", "s3", "default", "buckets", "mlstudio",
                              "upload", method="PUT", body=b"data", params={"key": key},
                              raise_error=False)
        assert resp.code == 400 and problem(resp) is None, (key, resp.body)
    for name in ("x" * 300, "..", "nul\x00", "%00", "a b"):
        resp = await fetch("DELETE", f"kernels/{name}", None)
        assert 400 <= resp.code < 500 and problem(resp) is None, (name, resp.body)


async def test_deleting_a_policy_of_an_endpoint_being_deleted_is_not_a_500(fetch,
                                                                           recorded_endpoint):
    policy = {"MinCapacity": 1, "MaxCapacity": 2, "TargetValue": 10}
    endpoint = f"endpoints/{PATH_VALUES['name']}"
    scaling = f"{endpoint}/variants/{PATH_VALUES['variant']}/scaling"
    assert (await fetch("PUT", scaling, json.dumps(policy).encode())).code == 200
    assert (await fetch("DELETE", endpoint, None)).code == 204
    resp = await fetch("DELETE", scaling, None)
    assert problem(resp) is None, resp.body


async def test_error_messages_do_not_echo_huge_values(fetch):
    resp = await fetch("POST", "models", json.dumps({"ModelName": HUGE_STRING}).encode())
    body = json.loads(resp.body)
    assert resp.code == 400 and "ModelName" in body["message"]
    assert len(body["message"]) <= 2100
