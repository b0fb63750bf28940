"""Application Auto Scaling target tracking -> HorizontalPodAutoscaler."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.models.service import ServiceAutoScaling
from ecs_operator.translate.autoscaling import (
    ANNOTATION_SCALING_POLICIES,
    capacity_bounds,
    horizontal_pod_autoscaler,
    measured_resources,
    minimal_requests,
    service_scaling,
)
from ecs_operator.translate.context import TranslationError
from tests.k8s_schema import validate_object

RESOURCE = "ECSService/web"
TARGET = {"MinCapacity": 2, "MaxCapacity": 10}


def _policy(name: str = "cpu", metric: str = "ECSServiceAverageCPUUtilization", **config: Any) -> dict[str, Any]:
    return {
        "PolicyName": name,
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
            **config,
        },
    }


def _auto(*policies: dict[str, Any], **target: Any) -> ServiceAutoScaling:
    return ServiceAutoScaling.model_validate(
        {"scalableTarget": {**TARGET, **target}, "scalingPolicies": list(policies)}
    )


@pytest.mark.parametrize(
    ("metric", "resource"),
    [
        ("ECSServiceAverageCPUUtilization", "cpu"),
        ("ECSServiceAverageCPUUtilizationHighResolution", "cpu"),
        ("ECSServiceAverageMemoryUtilization", "memory"),
        ("ECSServiceAverageMemoryUtilizationHighResolution", "memory"),
    ],
)
def test_predefined_metrics_become_resource_utilization(metric: str, resource: str) -> None:
    scaling, warnings = service_scaling(_auto(_policy(metric=metric)), RESOURCE)
    assert scaling is not None
    assert scaling.metrics == [
        {
            "type": "Resource",
            "resource": {"name": resource, "target": {"type": "Utilization", "averageUtilization": 70}},
        }
    ]
    assert warnings == []


def test_several_policies_are_several_metrics() -> None:
    scaling, _ = service_scaling(_auto(_policy("cpu"), _policy("mem", "ECSServiceAverageMemoryUtilization")), RESOURCE)
    assert scaling is not None
    assert [m["resource"]["name"] for m in scaling.metrics] == ["cpu", "memory"]
    assert scaling.policy_names == ("cpu", "mem")


def test_no_policy_means_no_hpa() -> None:
    scaling, warnings = service_scaling(_auto(), RESOURCE)
    assert scaling is None
    assert warnings == []


@pytest.mark.parametrize(
    ("configs", "suspended", "behavior"),
    [
        ([{}], None, {}),
        (
            [{"ScaleOutCooldown": 60, "ScaleInCooldown": 300}],
            None,
            {"scaleUp": {"stabilizationWindowSeconds": 60}, "scaleDown": {"stabilizationWindowSeconds": 300}},
        ),
        (
            [{"ScaleInCooldown": 100}, {"ScaleInCooldown": 200}],
            None,
            {"scaleDown": {"stabilizationWindowSeconds": 200}},
        ),
        ([{"DisableScaleIn": True}], None, {"scaleDown": {"selectPolicy": "Disabled"}}),
        ([{}], {"DynamicScalingInSuspended": True}, {"scaleDown": {"selectPolicy": "Disabled"}}),
        ([{}], {"DynamicScalingOutSuspended": True}, {"scaleUp": {"selectPolicy": "Disabled"}}),
        ([{"ScaleOutCooldown": 7200}], None, {"scaleUp": {"stabilizationWindowSeconds": 3600}}),
    ],
)
def test_behavior(configs: list[dict[str, Any]], suspended: dict[str, bool] | None, behavior: dict[str, Any]) -> None:
    policies = [_policy(f"p{i}", **config) for i, config in enumerate(configs)]
    target = {"SuspendedState": suspended} if suspended else {}
    scaling, _ = service_scaling(_auto(*policies, **target), RESOURCE)
    assert scaling is not None
    assert scaling.behavior == behavior


def test_cooldown_warnings_and_a_partial_disable_scale_in() -> None:
    auto = _auto(_policy("a", ScaleOutCooldown=7200, DisableScaleIn=True), _policy("b"))
    scaling, warnings = service_scaling(auto, RESOURCE)
    assert scaling is not None
    assert scaling.behavior["scaleDown"] == {"selectPolicy": "Disabled"}
    messages = [w.message for w in warnings]
    assert any("3600" in m for m in messages)
    assert any("DisableScaleIn on some policies" in m for m in messages)


STEP = {"PolicyName": "s", "PolicyType": "StepScaling", "StepScalingPolicyConfiguration": {"Cooldown": 60}}
PREDICTIVE = {
    "PolicyName": "p",
    "PolicyType": "PredictiveScaling",
    "PredictiveScalingPolicyConfiguration": {
        "MetricSpecifications": [
            {
                "TargetValue": 50,
                "PredefinedMetricPairSpecification": {"PredefinedMetricType": "ECSServiceCPUUtilization"},
            }
        ]
    },
}
CUSTOMIZED = {
    "PolicyName": "c",
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 5,
        "CustomizedMetricSpecification": {"MetricName": "queue", "Namespace": "app", "Statistic": "Average"},
    },
}
CONFIG = "autoScaling.scalingPolicies[0].TargetTrackingScalingPolicyConfiguration"


@pytest.mark.parametrize(
    ("policy", "field", "says"),
    [
        (STEP, "autoScaling.scalingPolicies[0].PolicyType", "CloudWatch alarms"),
        (PREDICTIVE, "autoScaling.scalingPolicies[0].PolicyType", "forecasts"),
        (_policy(metric="ALBRequestCountPerTarget"), CONFIG, "ALBRequestCountPerTarget"),
        (_policy(metric="DynamoDBReadCapacityUtilization"), CONFIG, "DynamoDBReadCapacityUtilization"),
        (CUSTOMIZED, CONFIG, "customized metric"),
    ],
)
def test_untranslatable_policies_are_rejected(policy: dict[str, Any], field: str, says: str) -> None:
    with pytest.raises(TranslationError) as error:
        service_scaling(_auto(policy), RESOURCE)
    assert error.value.field == field
    assert says in error.value.message


def test_capacity_bounds() -> None:
    auto = ServiceAutoScaling.model_validate({"scalableTarget": {"MinCapacity": 0, "MaxCapacity": 4}})
    assert capacity_bounds(auto) == (0, 4)


def test_hpa_object_is_valid_and_keeps_at_least_one_replica() -> None:
    scaling, _ = service_scaling(_auto(_policy(ScaleInCooldown=120, DisableScaleIn=True)), RESOURCE)
    assert scaling is not None
    hpa = horizontal_pod_autoscaler({"name": "web", "namespace": "default"}, "Deployment", "web", scaling, (0, 6))
    assert hpa["spec"]["minReplicas"] == 1
    assert hpa["spec"]["maxReplicas"] == 6
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert hpa["metadata"]["annotations"] == {ANNOTATION_SCALING_POLICIES: "cpu"}
    validate_object(hpa)


def test_measured_resources_are_those_of_the_resource_metrics_once_each() -> None:
    scaling, _ = service_scaling(
        _auto(_policy("a"), _policy("b", "ECSServiceAverageMemoryUtilization"), _policy("c")), RESOURCE
    )
    assert scaling is not None
    assert measured_resources(scaling) == ["cpu", "memory"]


@pytest.mark.parametrize(
    ("container", "resources", "expected", "given"),
    [
        # No request: the smallest one, so the HPA can compute utilisation.
        ({"name": "a"}, ["cpu"], {"requests": {"cpu": "1m"}}, [("a", "cpu")]),
        (
            {"name": "a"},
            ["cpu", "memory"],
            {"requests": {"cpu": "1m", "memory": "1Mi"}},
            [("a", "cpu"), ("a", "memory")],
        ),
        # A request is kept as it is.
        ({"name": "a", "resources": {"requests": {"cpu": "250m"}}}, ["cpu"], {"requests": {"cpu": "250m"}}, []),
        # A limit alone needs nothing: Kubernetes makes the limit the request.
        ({"name": "a", "resources": {"limits": {"memory": "64Mi"}}}, ["memory"], {"limits": {"memory": "64Mi"}}, []),
        # Only the measured resource.
        (
            {"name": "a", "resources": {"requests": {"memory": "64Mi"}}},
            ["cpu"],
            {"requests": {"memory": "64Mi", "cpu": "1m"}},
            [("a", "cpu")],
        ),
    ],
)
def test_minimal_requests(
    container: dict[str, Any], resources: list[str], expected: dict[str, Any], given: list[tuple[str, str]]
) -> None:
    pod = {"containers": [{**container, "image": "x"}]}
    assert minimal_requests(pod, resources) == given
    assert pod["containers"][0].get("resources") == expected
    validate_object({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": pod})


def test_minimal_requests_cover_native_sidecars_but_not_run_to_completion_init_containers() -> None:
    # The HPA sums the requests of containers and of init containers that keep running (restartPolicy Always).
    pod = {
        "containers": [{"name": "web", "image": "x"}],
        "initContainers": [
            {"name": "proxy", "image": "x", "restartPolicy": "Always"},
            {"name": "migrate", "image": "x"},
        ],
    }
    assert minimal_requests(pod, ["cpu"]) == [("web", "cpu"), ("proxy", "cpu")]
    assert "resources" not in pod["initContainers"][1]
    validate_object({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": pod})
