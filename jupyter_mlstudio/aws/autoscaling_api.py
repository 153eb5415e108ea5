"""Application Auto Scaling (``AnyScaleFrontendService.<Operation>``) for endpoint variants.

A thin layer over the endpoint service's scalable targets
(:mod:`..serving.scalingtargets`): ``ServiceNamespace`` ``sagemaker``, ``ResourceId``
``endpoint/<endpoint>/variant/<variant>``, ``ScalableDimension``
``sagemaker:variant:DesiredInstanceCount``, and target-tracking policies on
``SageMakerVariantInvocationsPerInstance``. Registering a target or changing its bounds
takes effect at once (a variant outside its new bounds is scaled into them); the
policy's target tracking from the next metrics period. Scaling activities are the
endpoint service's own record of capacity changes.

Errors as the service sends them: a variant, target or policy that does not exist is
``ObjectNotFoundException``; anything else wrong with a request (another namespace or
dimension, a malformed ResourceId, step scaling, another metric) ``ValidationException``;
a second policy on one target ``LimitExceededException``; a token this server did not
make ``InvalidNextTokenException``.
"""
from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any, Callable

from ..db.models import ScalableTarget
from ..errors import MLStudioError
from ..sagemaker.names import RESOURCE_NAME
from ..sagemaker.times import iso
from ..handlers.base import AUTH_RESOURCES
from .api import AwsJsonApi, read_or_write
from .json_protocol import AwsError
from .paging import InvalidToken, page

NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
MAX_RESULTS = 50
_RESOURCE_ID = re.compile(r"^endpoint/([^/]+)/variant/([^/]+)$")


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def variant_of(params: dict[str, Any]) -> tuple[str, str]:
    """The (endpoint, variant) a request names; ValidationException if it names none."""
    if params["ServiceNamespace"] != NAMESPACE:
        raise invalid(f"ServiceNamespace {params['ServiceNamespace']!r} is not supported "
                      f"here: only {NAMESPACE!r} (endpoint variants).")
    if params["ScalableDimension"] != DIMENSION:
        raise invalid(f"Unsupported scalable dimension {params['ScalableDimension']!r} for "
                      f"{NAMESPACE}: only {DIMENSION}.")
    found = _RESOURCE_ID.match(params["ResourceId"])
    if not found or not all(RESOURCE_NAME.match(part) for part in found.groups()):
        raise invalid(f"Unsupported resource ID {params['ResourceId'][:200]!r}: a SageMaker "
                      "variant is endpoint/<endpoint-name>/variant/<variant-name>.")
    return found.group(1), found.group(2)


def _wanted(params: dict[str, Any]) -> bool:
    """Whether a Describe request's namespace and dimension can match anything here."""
    return params["ServiceNamespace"] == NAMESPACE and \
        params.get("ScalableDimension", DIMENSION) == DIMENSION


def _in_pages(items: list[dict[str, Any]], key: Callable[[dict[str, Any]], list],
              params: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    limit = params.get("MaxResults", MAX_RESULTS)
    if not 1 <= limit <= MAX_RESULTS:
        raise invalid(f"MaxResults must be between 1 and {MAX_RESULTS}.")
    try:
        return page(sorted(items, key=key), key, limit, params.get("NextToken"))
    except InvalidToken:
        raise AwsError("InvalidNextTokenException", "Invalid token") from None


class AutoScalingApi(AwsJsonApi):
    """Dispatches ``AnyScaleFrontendService.<Operation>`` to the endpoint service."""

    service = "application-autoscaling"
    target_prefix = "AnyScaleFrontendService"

    def __init__(self, serving: Any, region: str) -> None:
        self.serving = serving
        self.targets = serving.scaling
        self.region = region
        super().__init__({
            "RegisterScalableTarget": self.register_scalable_target,
            "DeregisterScalableTarget": self.deregister_scalable_target,
            "DescribeScalableTargets": self.describe_scalable_targets,
            "PutScalingPolicy": self.put_scaling_policy,
            "DescribeScalingPolicies": self.describe_scaling_policies,
            "DeleteScalingPolicy": self.delete_scaling_policy,
            "DescribeScalingActivities": self.describe_scaling_activities,
        })

    def access(self, operation: str, params: dict[str, Any]) -> tuple[str, str]:
        return read_or_write(operation), AUTH_RESOURCES["endpoints"]

    def aws_error(self, operation: str, err: MLStudioError, params: dict[str, Any]) -> AwsError:
        code = {"ResourceNotFound": "ObjectNotFoundException",
                "LimitExceeded": "LimitExceededException"}.get(err.reason)
        return AwsError(code, err.message) if code and err.status < 500 else \
            super().aws_error(operation, err, params)

    # -- shapes -----------------------------------------------------------------------
    def _ids(self, target: ScalableTarget, kind: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mlstudio:{kind}:{target.endpoint_name}/"
                                                  f"{target.variant_name}:"
                                                  f"{iso(target.created_at)}"))

    def _target(self, target: ScalableTarget) -> dict[str, Any]:
        return {
            "ServiceNamespace": NAMESPACE,
            "ResourceId": f"endpoint/{target.endpoint_name}/variant/{target.variant_name}",
            "ScalableDimension": DIMENSION,
            "MinCapacity": target.min_capacity, "MaxCapacity": target.max_capacity,
            "RoleARN": target.role_arn, "CreationTime": iso(target.created_at),
            "SuspendedState": {"DynamicScalingInSuspended": False,
                               "DynamicScalingOutSuspended": False,
                               "ScheduledScalingSuspended": False, **target.suspended},
            "ScalableTargetARN": f"arn:aws:application-autoscaling:{self.region}:"
                                 f"000000000000:scalable-target/"
                                 f"{self._ids(target, 'target').replace('-', '')}",
        }

    def _policy(self, target: ScalableTarget) -> dict[str, Any]:
        resource = f"endpoint/{target.endpoint_name}/variant/{target.variant_name}"
        return {
            "PolicyARN": f"arn:aws:autoscaling:{self.region}:000000000000:scalingPolicy:"
                         f"{self._ids(target, 'policy')}:resource/{NAMESPACE}/{resource}:"
                         f"policyName/{target.policy_name}",
            "PolicyName": target.policy_name, "ServiceNamespace": NAMESPACE,
            "ResourceId": resource, "ScalableDimension": DIMENSION,
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": target.policy,
            "Alarms": [], "CreationTime": iso(target.policy_created_at),
        }

    # -- operations -------------------------------------------------------------------
    async def register_scalable_target(self, params: dict[str, Any]) -> dict[str, Any]:
        endpoint, variant = variant_of(params)
        target = await asyncio.to_thread(
            self.targets.register, endpoint, variant, min_capacity=params.get("MinCapacity"),
            max_capacity=params.get("MaxCapacity"), role_arn=params.get("RoleARN"),
            suspended=params.get("SuspendedState"))
        await self.serving.scaling_changed(endpoint)
        return {"ScalableTargetARN": self._target(target)["ScalableTargetARN"]}

    async def deregister_scalable_target(self, params: dict[str, Any]) -> dict[str, Any]:
        await asyncio.to_thread(self.targets.deregister, *variant_of(params))
        return {}

    async def describe_scalable_targets(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = set(params.get("ResourceIds") or [])
        found = [self._target(t) for t in await asyncio.to_thread(self.targets.targets)] \
            if _wanted(params) else []
        found = [t for t in found if not wanted or t["ResourceId"] in wanted]
        targets, token = _in_pages(found, lambda t: [t["ResourceId"]], params)
        return {"ScalableTargets": targets, "NextToken": token}

    async def put_scaling_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        endpoint, variant = variant_of(params)
        if params.get("PolicyType", "StepScaling") != "TargetTrackingScaling":
            raise invalid("Only PolicyType TargetTrackingScaling is supported here.")
        config = params.get("TargetTrackingScalingPolicyConfiguration")
        if config is None:
            raise invalid("TargetTrackingScalingPolicyConfiguration is required for a "
                          "TargetTrackingScaling policy.")
        if "CustomizedMetricSpecification" in config:
            raise invalid("Only PredefinedMetricSpecification SageMakerVariantInvocations"
                          "PerInstance is supported here.")
        target = await asyncio.to_thread(self.targets.put_policy, endpoint, variant,
                                         params["PolicyName"], config)
        return {"PolicyARN": self._policy(target)["PolicyARN"], "Alarms": []}

    async def describe_scaling_policies(self, params: dict[str, Any]) -> dict[str, Any]:
        names = set(params.get("PolicyNames") or [])
        found = [self._policy(t) for t in await asyncio.to_thread(self.targets.targets)
                 if t.policy_name] if _wanted(params) else []
        found = [p for p in found if (not names or p["PolicyName"] in names)
                 and params.get("ResourceId") in (None, p["ResourceId"])]
        policies, token = _in_pages(found, lambda p: [p["ResourceId"], p["PolicyName"]],
                                    params)
        return {"ScalingPolicies": policies, "NextToken": token}

    async def delete_scaling_policy(self, params: dict[str, Any]) -> dict[str, Any]:
        endpoint, variant = variant_of(params)
        await asyncio.to_thread(self.targets.delete_policy, endpoint, variant,
                                params["PolicyName"])
        return {}

    async def describe_scaling_activities(self, params: dict[str, Any]) -> dict[str, Any]:
        if not _wanted(params):
            return {"ScalingActivities": []}
        endpoint = variant = None
        if params.get("ResourceId") is not None:
            endpoint, variant = variant_of({**params, "ScalableDimension": DIMENSION})
        token = params.get("NextToken", "")
        if token and not token.isdigit():
            raise AwsError("InvalidNextTokenException", "Invalid token")
        limit = params.get("MaxResults", MAX_RESULTS)
        if not 1 <= limit <= MAX_RESULTS:
            raise invalid(f"MaxResults must be between 1 and {MAX_RESULTS}.")
        listed = await asyncio.to_thread(self.serving.scaling_activities, endpoint, limit,
                                         variant, token)
        return {"ScalingActivities": [{
            "ActivityId": a["ActivityId"], "ServiceNamespace": NAMESPACE,
            "ResourceId": a["ResourceId"], "ScalableDimension": DIMENSION,
            "Description": a["Description"], "Cause": a["Cause"],
            "StartTime": a["StartTime"], "EndTime": a["EndTime"],
            "StatusCode": a["StatusCode"],
            "StatusMessage": f"Successfully set desired instance count to {a['ToCount']}. "
                             "Change successfully fulfilled by sagemaker."
            if a["StatusCode"] == "Successful" else a["StatusCode"],
        } for a in listed["ScalingActivities"]], "NextToken": listed["NextToken"]}
