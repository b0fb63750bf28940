"""Application Auto Scaling of a service's desired count -> autoscaling/v2 HorizontalPodAutoscaler.

Target tracking on the service's average CPU or memory utilisation is what an HPA does with Resource
metrics; several policies become several metrics, and an HPA, like Application Auto Scaling, scales out when
any metric asks for it and in only when all agree. Step and predictive scaling act on CloudWatch alarms and
forecasts, which have no Kubernetes counterpart, and are rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ecs_operator.models.crds import GROUP
from ecs_operator.models.service import ScalingPolicy, ServiceAutoScaling
from ecs_operator.translate.context import FieldWarning, JsonDict, TranslationError

ANNOTATION_SCALING_POLICIES = f"{GROUP}/scaling-policies"

_RESOURCE_METRICS = {
    "ECSServiceAverageCPUUtilization": "cpu",
    "ECSServiceAverageCPUUtilizationHighResolution": "cpu",
    "ECSServiceAverageMemoryUtilization": "memory",
    "ECSServiceAverageMemoryUtilizationHighResolution": "memory",
}
_MAX_WINDOW = 3600  # the HPA's limit on a stabilization window
# The smallest requests there are: the HPA refuses a container without one, ECS counts it as reserving 0.
MINIMAL_REQUESTS = {"cpu": "1m", "memory": "1Mi"}
_PATH = "autoScaling"


@dataclass(frozen=True)
class Scaling:
    """What every HPA of a service shares: its metrics and behavior; each workload has its own bounds."""

    min_capacity: int
    max_capacity: int
    metrics: list[JsonDict]
    behavior: JsonDict
    policy_names: tuple[str, ...]


def service_scaling(auto: ServiceAutoScaling, resource: str) -> tuple[Scaling | None, list[FieldWarning]]:
    """The scaling of a service; None when there is no policy, so the desired count only stays within bounds."""
    # The model has checked the implied ServiceNamespace / ScalableDimension and the bounds' order.
    low, high = capacity_bounds(auto)
    policies = auto.scalingPolicies or []
    if not policies:
        return None, []
    metrics = [policy_metric(policy, f"{_PATH}.scalingPolicies[{index}]") for index, policy in enumerate(policies)]
    behavior, warnings = scaling_behavior(auto, policies, resource)
    return Scaling(low, high, metrics, behavior, tuple(policy.PolicyName for policy in policies)), warnings


def capacity_bounds(auto: ServiceAutoScaling) -> tuple[int, int]:
    """MinCapacity and MaxCapacity of the desired count."""
    return auto.scalableTarget.MinCapacity, auto.scalableTarget.MaxCapacity


def policy_metric(policy: ScalingPolicy, path: str) -> JsonDict:
    """One target tracking policy as an HPA Resource metric."""
    if policy.PolicyType in ("StepScaling", "PredictiveScaling"):
        raise TranslationError(
            f"{path}.PolicyType",
            f"{policy.PolicyType} acts on CloudWatch alarms or forecasts, which Kubernetes does not have; use "
            "TargetTrackingScaling on ECSServiceAverageCPUUtilization or ECSServiceAverageMemoryUtilization",
        )
    config = policy.TargetTrackingScalingPolicyConfiguration
    if config is None:
        raise TranslationError(path, "give TargetTrackingScalingPolicyConfiguration (target tracking is translated)")
    predefined = config.PredefinedMetricSpecification
    if predefined is None or predefined.PredefinedMetricType not in _RESOURCE_METRICS:
        name = predefined.PredefinedMetricType if predefined else "a customized metric"
        raise TranslationError(
            f"{path}.TargetTrackingScalingPolicyConfiguration",
            f"{name} needs a metrics adapter Kubernetes does not have by default; track "
            "ECSServiceAverageCPUUtilization or ECSServiceAverageMemoryUtilization, or manage an HPA with an "
            "External metric yourself",
        )
    # Utilisation is measured against the pods' requests, as ECS measures against the task's reservation.
    target = {"type": "Utilization", "averageUtilization": max(1, round(config.TargetValue))}
    return {
        "type": "Resource",
        "resource": {"name": _RESOURCE_METRICS[predefined.PredefinedMetricType], "target": target},
    }


def scaling_behavior(
    auto: ServiceAutoScaling, policies: Sequence[ScalingPolicy], resource: str
) -> tuple[JsonDict, list[FieldWarning]]:
    """Cooldowns -> stabilization windows (the longest given), scale-in disabled or suspended -> Disabled."""
    configs = [
        p.TargetTrackingScalingPolicyConfiguration for p in policies if p.TargetTrackingScalingPolicyConfiguration
    ]
    suspended = auto.scalableTarget.SuspendedState
    warnings: list[FieldWarning] = []
    behavior: JsonDict = {}
    for direction, cooldowns, stopped in (
        ("scaleUp", [c.ScaleOutCooldown for c in configs], suspended and suspended.DynamicScalingOutSuspended),
        ("scaleDown", [c.ScaleInCooldown for c in configs], suspended and suspended.DynamicScalingInSuspended),
    ):
        rules: JsonDict = {}
        given = [seconds for seconds in cooldowns if seconds is not None]
        if given:
            rules["stabilizationWindowSeconds"] = min(max(given), _MAX_WINDOW)
            if max(given) > _MAX_WINDOW:
                message = f"cooldown {max(given)} s is longer than an HPA window can be; {_MAX_WINDOW} s is used"
                warnings.append(FieldWarning(resource, f"{_PATH}.scalingPolicies", message))
        if stopped or (direction == "scaleDown" and any(c.DisableScaleIn for c in configs)):
            rules["selectPolicy"] = "Disabled"
        if rules:
            behavior[direction] = rules
    if any(c.DisableScaleIn for c in configs) and not all(c.DisableScaleIn for c in configs):
        message = "DisableScaleIn on some policies disables scale-in for the whole HPA, which has one behavior"
        warnings.append(FieldWarning(resource, f"{_PATH}.scalingPolicies", message))
    return behavior, warnings


def horizontal_pod_autoscaler(
    metadata: JsonDict, target_kind: str, target_name: str, scaling: Scaling, bounds: tuple[int, int]
) -> JsonDict:
    """The HPA of one workload; ``bounds`` are its share of the service's MinCapacity and MaxCapacity."""
    low, high = bounds
    spec: JsonDict = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": target_kind, "name": target_name},
        # An HPA cannot scale to zero (without an alpha feature gate): MinCapacity 0 keeps one task.
        "minReplicas": max(1, low),
        "maxReplicas": max(1, high),
        "metrics": scaling.metrics,
    }
    if scaling.behavior:
        spec["behavior"] = scaling.behavior
    annotations = {**metadata.get("annotations", {}), ANNOTATION_SCALING_POLICIES: ",".join(scaling.policy_names)}
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {**metadata, "annotations": annotations},
        "spec": spec,
    }


def measured_resources(scaling: Scaling) -> list[str]:
    """The resources (cpu, memory) whose utilisation the HPA measures."""
    names = [metric["resource"]["name"] for metric in scaling.metrics if metric["type"] == "Resource"]
    return list(dict.fromkeys(names))


def minimal_requests(pod: JsonDict, resources: Sequence[str]) -> list[tuple[str, str]]:
    """Give every container the HPA measures a request for each measured resource; (container, resource) given.

    The HPA sums requests over the containers and the sidecars that run alongside them (init containers with
    ``restartPolicy: Always``) and fails on one without a request ("missing request for cpu"). ECS divides
    the service's use by its reservation, to which a container that reserves nothing adds 0: the smallest
    request is closest. A limit without a request needs nothing: Kubernetes makes the limit the request.
    """
    measured = [
        *pod.get("containers", []),
        *(c for c in pod.get("initContainers", []) if c.get("restartPolicy") == "Always"),
    ]
    given = []
    for container in measured:
        for resource in resources:
            current = container.get("resources", {})
            if resource in current.get("requests", {}) or resource in current.get("limits", {}):
                continue
            container.setdefault("resources", {}).setdefault("requests", {})[resource] = MINIMAL_REQUESTS[resource]
            given.append((container["name"], resource))
    return given
