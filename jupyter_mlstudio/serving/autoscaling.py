"""Target tracking on invocations per instance per minute, as SageMaker's auto-scaling does.

A variant's policy holds ``TargetValue`` (invocations per instance per minute),
``MinCapacity`` / ``MaxCapacity`` and the two cool-downs. Scale-out answers the last
period; scale-in waits until several periods in a row want fewer instances, so a
short lull does not remove capacity that is needed a minute later. A variant with bounds
and no target (a scalable target without a policy) is only kept within its bounds;
``ScaleOutSuspended`` / ``ScaleInSuspended`` (dynamic scaling suspended) stop the
target tracking one way, not the bounds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

SCALE_IN_PERIODS = 3


@dataclass(frozen=True)
class Decision:
    """A change of instance count and the reason for it."""

    to_count: int
    cause: str


def _needed(per_minute: float, target: float) -> int:
    return max(1, math.ceil(per_minute / target - 1e-9))


def decide(policy: dict[str, Any], current: int, per_minute: Sequence[float],
           since_scale_out: float, since_scaling: float) -> Decision | None:
    """The instance count the policy wants now, or None to keep ``current``.

    ``per_minute`` is the variant's total invocations per minute over the latest periods
    (oldest first); ``since_scale_out`` / ``since_scaling`` are seconds since the last
    scale-out and since any scaling activity.
    """
    low, high, target = policy["MinCapacity"], policy["MaxCapacity"], policy.get("TargetValue")
    if current < low:
        return Decision(low, f"the instance count {current} is below MinCapacity {low}")
    if current > high:
        return Decision(high, f"the instance count {current} is above MaxCapacity {high}")
    if not per_minute or target is None:
        return None
    latest = per_minute[-1]
    wanted = min(max(_needed(latest, target), low), high)
    if wanted > current:
        if since_scale_out < policy["ScaleOutCooldown"] or policy.get("ScaleOutSuspended"):
            return None
        return Decision(wanted, f"{latest / current:.0f} invocations per instance per minute "
                                f"is above the target {target:g}")
    recent = per_minute[-SCALE_IN_PERIODS:]
    if policy.get("DisableScaleIn") or policy.get("ScaleInSuspended") \
            or len(recent) < SCALE_IN_PERIODS:
        return None
    wanted = min(max(max(_needed(v, target) for v in recent), low), high)
    if wanted < current and since_scaling >= policy["ScaleInCooldown"]:
        return Decision(wanted, f"{max(recent) / current:.0f} invocations per instance per "
                                f"minute is below the target {target:g} for "
                                f"{SCALE_IN_PERIODS} periods")
    return None
