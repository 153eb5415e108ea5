"""Variants registered for auto-scaling and their target-tracking policies, in the database.

Application Auto Scaling's model: a *scalable target* is a variant with ``MinCapacity``
and ``MaxCapacity`` (plus a role and a suspended state), and a target-tracking *policy*
on it holds ``TargetValue`` on invocations per instance per minute, the cool-downs and
``DisableScaleIn``. A target may have no policy (its bounds still hold) and has at most
one policy here. :meth:`ScalingTargets.effective` folds both into what
:mod:`.autoscaling` decides with; the REST route sets and removes both at once.
"""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from ..db import Database
from ..db.models import Endpoint, ScalableTarget, utcnow
from ..errors import MLStudioError
from ..sagemaker.errors import ResourceNotFound, ValidationError
from .specs import flat_policy, validate_capacity, validate_target_tracking

#: The role Application Auto Scaling uses for SageMaker variants when none is given.
SERVICE_ROLE = ("arn:aws:iam::000000000000:role/aws-service-role/sagemaker.application-"
                "autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_"
                "SageMakerEndpoint")
#: The name of the policy the REST route (and SageMaker's console) sets.
DEFAULT_POLICY = "SageMakerEndpointInvocationScalingPolicy"
SUSPENDED_FIELDS = ("DynamicScalingInSuspended", "DynamicScalingOutSuspended",
                    "ScheduledScalingSuspended")


class LimitExceeded(MLStudioError):
    def __init__(self, message: str) -> None:
        super().__init__(400, message, "LimitExceeded")


def resource_id(endpoint: str, variant: str) -> str:
    """Application Auto Scaling's name of a variant."""
    return f"endpoint/{endpoint}/variant/{variant}"


def _no_target(endpoint: str, variant: str) -> ResourceNotFound:
    return ResourceNotFound(
        "No scalable target registered for service namespace: sagemaker, resource ID: "
        f"{resource_id(endpoint, variant)}, scalable dimension: "
        "sagemaker:variant:DesiredInstanceCount")


def _suspended(value: Any) -> dict[str, bool]:
    if value is None:
        return {}
    if not isinstance(value, dict) or set(value) - set(SUSPENDED_FIELDS) or not all(
            isinstance(v, bool) for v in value.values()):
        raise ValidationError(f"SuspendedState takes the booleans {', '.join(SUSPENDED_FIELDS)}")
    return dict(value)


class ScalingTargets:
    """Scalable targets and their policies, checked against the endpoints they scale."""

    def __init__(self, db: Database, max_instances: int) -> None:
        self.db = db
        self.max_instances = max_instances

    @staticmethod
    def _variant_exists(s: Session, endpoint: str, variant: str) -> None:
        row = s.get(Endpoint, endpoint)
        if row is None:
            raise ResourceNotFound(f'Could not find endpoint "{endpoint}".')
        if variant not in [v["VariantName"] for v in row.variants]:
            raise ResourceNotFound(f'Endpoint "{endpoint}" has no variant "{variant}".')

    @staticmethod
    def _target(s: Session, endpoint: str, variant: str) -> ScalableTarget:
        target = s.get(ScalableTarget, (endpoint, variant))
        if target is None:
            raise _no_target(endpoint, variant)
        return target

    # -- changes ----------------------------------------------------------------------
    def register(self, endpoint: str, variant: str, *, min_capacity: Any = None,
                 max_capacity: Any = None, role_arn: str | None = None,
                 suspended: Any = None) -> ScalableTarget:
        """``RegisterScalableTarget``: a new target needs both capacities; registering
        again changes what is given and keeps the rest."""
        with self.db.session() as s:
            self._variant_exists(s, endpoint, variant)
            target = s.get(ScalableTarget, (endpoint, variant))
            if target is None:
                if min_capacity is None or max_capacity is None:
                    raise ValidationError("MinCapacity and MaxCapacity are required to "
                                          "register a new scalable target")
                target = ScalableTarget(endpoint_name=endpoint, variant_name=variant,
                                        role_arn=role_arn or SERVICE_ROLE, suspended={})
                s.add(target)
            target.min_capacity, target.max_capacity = validate_capacity(
                target.min_capacity if min_capacity is None else min_capacity,
                target.max_capacity if max_capacity is None else max_capacity,
                self.max_instances)
            if role_arn:
                target.role_arn = role_arn
            if suspended is not None:
                target.suspended = {**target.suspended, **_suspended(suspended)}
            return target

    def deregister(self, endpoint: str, variant: str) -> None:
        """``DeregisterScalableTarget``: the target goes, and its policy with it."""
        with self.db.session() as s:  # one statement: a concurrent removal is no error
            # A DELETE's result is a CursorResult; Session.execute is typed for any statement.
            gone = cast(CursorResult[Any], s.execute(delete(ScalableTarget).where(
                ScalableTarget.endpoint_name == endpoint,
                ScalableTarget.variant_name == variant))).rowcount
        if not gone:
            raise _no_target(endpoint, variant)

    def put_policy(self, endpoint: str, variant: str, name: str,
                   config: dict[str, Any]) -> ScalableTarget:
        """``PutScalingPolicy`` (target tracking): creates the target's policy or changes
        it; LimitExceeded if the target has a policy of another name."""
        config = validate_target_tracking(config)
        with self.db.session() as s:
            self._variant_exists(s, endpoint, variant)
            target = self._target(s, endpoint, variant)
            if target.policy_name not in (None, name):
                raise LimitExceeded(f"{resource_id(endpoint, variant)} already has the scaling "
                                    f"policy {target.policy_name!r}; this server keeps one "
                                    "policy per scalable target")
            if target.policy_name is None:
                target.policy_created_at = utcnow()
            target.policy_name, target.policy = name, config
            return target

    def delete_policy(self, endpoint: str, variant: str, name: str) -> None:
        """``DeleteScalingPolicy``: the target stays."""
        with self.db.session() as s:
            target = s.get(ScalableTarget, (endpoint, variant))
            if target is None or target.policy_name != name:
                raise ResourceNotFound(
                    "No scaling policy found for service namespace: sagemaker, resource ID: "
                    f"{resource_id(endpoint, variant)}, scalable dimension: "
                    f"sagemaker:variant:DesiredInstanceCount, policy name: {name}")
            target.policy_name = target.policy = target.policy_created_at = None

    def set_flat(self, endpoint: str, variant: str, policy: dict[str, Any]) -> None:
        """Register the variant with ``policy``'s bounds and make its target tracking the
        target's policy (the REST route's one object, see :func:`.specs.flat_policy`)."""
        config = {"TargetValue": policy["TargetValue"],
                  "PredefinedMetricSpecification": {
                      "PredefinedMetricType": policy["PredefinedMetricType"]},
                  **{k: policy[k] for k in ("ScaleInCooldown", "ScaleOutCooldown",
                                            "DisableScaleIn")}}
        with self.db.session() as s:
            self._variant_exists(s, endpoint, variant)
            target = s.get(ScalableTarget, (endpoint, variant))
            if target is None:
                target = ScalableTarget(endpoint_name=endpoint, variant_name=variant,
                                        role_arn=SERVICE_ROLE, suspended={})
                s.add(target)
            target.min_capacity, target.max_capacity = policy["MinCapacity"], \
                policy["MaxCapacity"]
            if target.policy_name is None:
                target.policy_name, target.policy_created_at = DEFAULT_POLICY, utcnow()
            target.policy = config

    def keep_variants(self, endpoint: str, variants: set[str]) -> None:
        """Forget the targets of the endpoint's variants not in ``variants``."""
        with self.db.session() as s:
            for target in s.scalars(select(ScalableTarget).where(
                    ScalableTarget.endpoint_name == endpoint)):
                if target.variant_name not in variants:
                    s.delete(target)

    # -- reading ----------------------------------------------------------------------
    def targets(self, endpoint: str | None = None) -> list[ScalableTarget]:
        """The targets (of one endpoint, or all), by endpoint and variant."""
        query = select(ScalableTarget).order_by(ScalableTarget.endpoint_name,
                                                ScalableTarget.variant_name)
        if endpoint is not None:
            query = query.where(ScalableTarget.endpoint_name == endpoint)
        with self.db.session() as s:
            return list(s.scalars(query))

    def effective(self, endpoint: str | None = None) -> dict[str, dict[str, dict[str, Any]]]:
        """By endpoint and variant: what auto-scaling decides with — the bounds and, with
        a policy, :func:`.specs.flat_policy`; ``ScaleInSuspended`` / ``ScaleOutSuspended``
        where dynamic scaling is suspended."""
        found: dict[str, dict[str, dict[str, Any]]] = {}
        for target in self.targets(endpoint):
            low, high = target.min_capacity, target.max_capacity
            policy = flat_policy(low, high, target.policy) if target.policy else \
                {"MinCapacity": low, "MaxCapacity": high}
            if target.suspended.get("DynamicScalingInSuspended"):
                policy["ScaleInSuspended"] = True
            if target.suspended.get("DynamicScalingOutSuspended"):
                policy["ScaleOutSuspended"] = True
            found.setdefault(target.endpoint_name, {})[target.variant_name] = policy
        return found
