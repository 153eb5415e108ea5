"""Each area is its own resource for jupyter_server's authorizer, so a deployer can grant
some areas and not others."""
from __future__ import annotations

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.gallery.handlers import gallery_handlers
from jupyter_mlstudio.handlers import core_handlers
from jupyter_mlstudio.handlers.base import API_PREFIX, AUTH_RESOURCES
from jupyter_mlstudio.jobs.handlers import training_handlers
from jupyter_mlstudio.kernels.handlers import kernels_handlers
from jupyter_mlstudio.s3.handlers import s3_handlers
from jupyter_mlstudio.serving.handlers import serving_handlers
from jupyter_mlstudio.tuning.handlers import tuning_handlers
from tests.wire_support import wire_call

#: The area of each REST route, by the route's first segment under /mlstudio/api.
ROUTE_AREAS = {"status": "status", "s3": "s3", "examples": "examples", "kernels": "kernels",
               "training-jobs": "training", "models": "endpoints",
               "endpoint-configs": "endpoints", "endpoints": "endpoints",
               "transform-jobs": "transform", "tuning-jobs": "tuning"}


class NoEndpointsAuthorizer(Authorizer):
    """Everything but endpoints, and transform jobs only to read."""

    seen: list[tuple[str, str]] = []

    def is_authorized(self, handler, user, action, resource) -> bool:
        NoEndpointsAuthorizer.seen.append((action, resource))
        if resource == AUTH_RESOURCES["endpoints"]:
            return False
        return not (resource == AUTH_RESOURCES["transform"] and action != "read")


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True},
                          "authorizer_class": NoEndpointsAuthorizer}}


def test_every_route_is_authorized_on_its_own_area():
    routes = [*core_handlers(), *s3_handlers(), *gallery_handlers(), *kernels_handlers(),
              *training_handlers(), *tuning_handlers(), *serving_handlers()]
    seen = set()
    for pattern, handler, *_ in routes:
        first = pattern[len(API_PREFIX) + 1:].split("/")[0]
        area = ROUTE_AREAS[first]
        assert handler.auth_resource == AUTH_RESOURCES[area], (pattern, handler)
        seen.add(area)
    assert seen == set(AUTH_RESOURCES)


async def _status(jp_fetch, *path, method="GET", body=None) -> int:
    try:
        reply = await jp_fetch("mlstudio", "api", *path, method=method, body=body)
    except HTTPClientError as err:
        return err.code
    return reply.code


async def test_a_refused_area_answers_403_and_the_others_still_work(jp_fetch, mlstudio_app):
    NoEndpointsAuthorizer.seen.clear()
    assert await _status(jp_fetch, "endpoints") == 403
    assert await _status(jp_fetch, "models") == 403
    assert await _status(jp_fetch, "transform-jobs") == 200
    assert await _status(jp_fetch, "transform-jobs", method="POST", body="{}") == 403
    assert await _status(jp_fetch, "training-jobs") == 200
    assert await _status(jp_fetch, "s3", "connections") == 200
    assert await _status(jp_fetch, "status") == 200
    resources = {resource for _, resource in NoEndpointsAuthorizer.seen}
    assert {AUTH_RESOURCES[a] for a in ("endpoints", "transform", "training", "s3",
                                        "status")} <= resources


@pytest.fixture
def jp_base_url():
    return "/"


async def test_wire_requests_go_through_the_authorizer_by_area(
        jp_fetch, jp_http_port, mlstudio_app):
    NoEndpointsAuthorizer.seen.clear()

    async def sagemaker(operation, body):
        return await wire_call(mlstudio_app, jp_http_port, "sagemaker", f"SageMaker.{operation}",
                               body)

    code, reply = await sagemaker("ListTrainingJobs", {})
    assert code == 200 and reply["TrainingJobSummaries"] == [], reply
    code, reply = await sagemaker("ListEndpoints", {})
    assert (code, reply["__type"]) == (400, "AccessDeniedException"), reply
    assert "sagemaker:ListEndpoints" in reply["message"]
    code, reply = await sagemaker("CreateEndpointConfig", {
        "EndpointConfigName": "c", "ProductionVariants": [
            {"VariantName": "v", "ModelName": "m", "InitialInstanceCount": 1,
             "InstanceType": "ml.m5.large"}]})
    assert reply["__type"] == "AccessDeniedException", reply
    # Transform jobs: reading is allowed (an unknown job is SageMaker's own answer).
    code, reply = await sagemaker("DescribeTransformJob", {"TransformJobName": "nope"})
    assert (code, reply["__type"]) == (400, "ValidationException"), reply
    code, reply = await sagemaker("StopTransformJob", {"TransformJobName": "nope"})
    assert reply["__type"] == "AccessDeniedException", reply
    # Tags go by the kind of resource their ARN names.
    code, reply = await sagemaker("ListTags", {
        "ResourceArn": "arn:aws:sagemaker:us-east-1:000000000000:endpoint/e"})
    assert reply["__type"] == "AccessDeniedException", reply
    code, reply = await sagemaker("ListTags", {
        "ResourceArn": "arn:aws:sagemaker:us-east-1:000000000000:training-job/j"})
    assert reply["__type"] == "ValidationException" and "not found" in reply["message"], reply
    # CloudWatch Logs by log group, Application Auto Scaling as endpoints.
    code, reply = await wire_call(mlstudio_app, jp_http_port, "logs",
                                  "Logs_20140328.DescribeLogStreams",
                                  {"logGroupName": "/aws/sagemaker/Endpoints/e"})
    assert reply["__type"] == "AccessDeniedException", reply
    code, reply = await wire_call(mlstudio_app, jp_http_port, "logs",
                                  "Logs_20140328.DescribeLogStreams",
                                  {"logGroupName": "/aws/sagemaker/TrainingJobs"})
    assert code == 200, reply
    code, reply = await wire_call(mlstudio_app, jp_http_port, "application-autoscaling",
                                  "AnyScaleFrontendService.DescribeScalableTargets",
                                  {"ServiceNamespace": "sagemaker"})
    assert reply["__type"] == "AccessDeniedException", reply
    assert ("write", AUTH_RESOURCES["transform"]) in NoEndpointsAuthorizer.seen
    assert ("read", AUTH_RESOURCES["training"]) in NoEndpointsAuthorizer.seen
