"""ECSServiceSpec: scheduling, placement, deployment and auto scaling rules, each naming its field path."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.models.service import ECSServiceSpec
from tests.models.specs import Spec, problems

TARGET = {"MinCapacity": 1, "MaxCapacity": 4}
TRACKING = {
    "PolicyName": "cpu",
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 60.0,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
    },
}


def service(**fields: Any) -> Spec:
    return {"taskDefinition": "web", "desiredCount": 2, **fields}


def scaling(target: Spec | None = None, *policies: Spec) -> Spec:
    return service(autoScaling={"scalableTarget": target or TARGET, "scalingPolicies": list(policies)})


VALID = {
    "minimal": service(),
    "no desiredCount (autoscaled)": {"taskDefinition": "web", "autoScaling": {"scalableTarget": TARGET}},
    "DAEMON": {"taskDefinition": "agent", "schedulingStrategy": "DAEMON"},
    "launch type": service(launchType="FARGATE"),
    "capacity provider strategy with one base": service(
        capacityProviderStrategy=[
            {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
            {"capacityProvider": "FARGATE_SPOT", "weight": 3},
        ]
    ),
    "single provider with weight 0": service(capacityProviderStrategy=[{"capacityProvider": "FARGATE"}]),
    "deployment 50..200": service(deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 200}),
    "deployment 0..100": service(deploymentConfiguration={"minimumHealthyPercent": 0, "maximumPercent": 100}),
    "DAEMON deployment 0..100 by default": {"taskDefinition": "a", "schedulingStrategy": "DAEMON"},
    "DAEMON deployment 50..100": {
        "taskDefinition": "a",
        "schedulingStrategy": "DAEMON",
        "deploymentConfiguration": {"minimumHealthyPercent": 50, "maximumPercent": 100},
    },
    "target tracking with the service's own namespace and dimension": scaling(
        {**TARGET, "ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount"},
        {**TRACKING, "ResourceId": "service/default/web"},
    ),
    "min equal to max": scaling({"MinCapacity": 2, "MaxCapacity": 2}),
    "two policies": scaling(TARGET, TRACKING, {**TRACKING, "PolicyName": "memory"}),
}


@pytest.mark.parametrize("spec", VALID.values(), ids=VALID.keys())
def test_valid_services(spec: Spec) -> None:
    assert problems("ECSService", spec) == []


STRATEGY = "spec.capacityProviderStrategy"
INVALID = {
    "launchType and capacityProviderStrategy": (
        service(launchType="EC2", capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}]),
        f"{STRATEGY}: give either launchType or capacityProviderStrategy, not both",
    ),
    "two providers with a base": (
        service(
            capacityProviderStrategy=[
                {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
                {"capacityProvider": "FARGATE_SPOT", "base": 2, "weight": 1},
            ]
        ),
        f"{STRATEGY}[1].base: only one capacity provider may have a base (also capacityProviderStrategy[0])",
    ),
    "all weights zero": (
        service(capacityProviderStrategy=[{"capacityProvider": "A", "weight": 0}, {"capacityProvider": "B"}]),
        f"{STRATEGY}: at least one capacity provider needs a weight above 0 to place tasks",
    ),
    "a provider twice": (
        service(
            capacityProviderStrategy=[{"capacityProvider": "A", "weight": 1}, {"capacityProvider": "A", "weight": 1}]
        ),
        f'{STRATEGY}[1].capacityProvider: duplicate capacity provider "A" '
        "(also at capacityProviderStrategy[0].capacityProvider)",
    ),
    "negative weight": (
        service(capacityProviderStrategy=[{"capacityProvider": "A", "weight": -1}]),
        f"{STRATEGY}[0].weight: must not be negative",
    ),
    "DAEMON with desiredCount": (
        {"taskDefinition": "a", "schedulingStrategy": "DAEMON", "desiredCount": 3},
        "spec.desiredCount: DAEMON services run one task per node and take no desiredCount",
    ),
    "DAEMON with placementStrategy": (
        {"taskDefinition": "a", "schedulingStrategy": "DAEMON", "placementStrategy": [{"type": "random"}]},
        "spec.placementStrategy: DAEMON services do not support placement strategies",
    ),
    "DAEMON on FARGATE": (
        {"taskDefinition": "a", "schedulingStrategy": "DAEMON", "launchType": "FARGATE"},
        "spec.launchType: FARGATE does not support the DAEMON scheduling strategy",
    ),
    "DAEMON with auto scaling": (
        {"taskDefinition": "a", "schedulingStrategy": "DAEMON", "autoScaling": {"scalableTarget": TARGET}},
        "spec.autoScaling: DAEMON services cannot be scaled",
    ),
    "DAEMON with CODE_DEPLOY": (
        {"taskDefinition": "a", "schedulingStrategy": "DAEMON", "deploymentController": {"type": "CODE_DEPLOY"}},
        "spec.deploymentController.type: DAEMON services need the ECS (rolling update) deployment controller",
    ),
    "DAEMON maximumPercent above 100": (
        {
            "taskDefinition": "a",
            "schedulingStrategy": "DAEMON",
            "deploymentConfiguration": {"minimumHealthyPercent": 50, "maximumPercent": 200},
        },
        "spec.deploymentConfiguration.maximumPercent: must be 100 (or left out) for DAEMON services, which run "
        "one task per node; not 200. Lower minimumHealthyPercent to let more tasks be replaced at once",
    ),
    "DAEMON maximumPercent below 100": (
        {"taskDefinition": "a", "schedulingStrategy": "DAEMON", "deploymentConfiguration": {"maximumPercent": 50}},
        "spec.deploymentConfiguration.maximumPercent: must be 100 (or left out) for DAEMON services, which run "
        "one task per node; not 50. Lower minimumHealthyPercent to let more tasks be replaced at once",
    ),
    "minimumHealthyPercent above 100": (
        service(deploymentConfiguration={"minimumHealthyPercent": 150, "maximumPercent": 200}),
        "spec.deploymentConfiguration.minimumHealthyPercent: must be 0..100",
    ),
    "maximumPercent below the default minimum": (
        service(deploymentConfiguration={"maximumPercent": 50}),
        "spec.deploymentConfiguration.maximumPercent: 50 is below minimumHealthyPercent (100): a deployment could "
        "never replace a task",
    ),
    "negative desiredCount": (
        service(desiredCount=-1),
        "spec.desiredCount: Input should be greater than or equal to 0",
    ),
    "MinCapacity above MaxCapacity": (
        scaling({"MinCapacity": 5, "MaxCapacity": 2}),
        "spec.autoScaling.scalableTarget.MinCapacity: 5 exceeds MaxCapacity (2)",
    ),
    "MaxCapacity missing": (
        scaling({"MinCapacity": 1}),
        "spec.autoScaling.scalableTarget.MaxCapacity: is required",
    ),
    "another service namespace": (
        scaling({**TARGET, "ServiceNamespace": "dynamodb"}),
        'spec.autoScaling.scalableTarget.ServiceNamespace: must be "ecs" (or left out)',
    ),
    "another scalable dimension": (
        scaling({**TARGET, "ScalableDimension": "ecs:service:Other"}),
        'spec.autoScaling.scalableTarget.ScalableDimension: must be "ecs:service:DesiredCount" (or left out)',
    ),
    "a resource other than a service": (
        scaling(TARGET, {**TRACKING, "ResourceId": "table/orders"}),
        'spec.autoScaling.scalingPolicies[0].ResourceId: must be "service/<cluster>/<service>" (or left out)',
    ),
    "target tracking without its configuration": (
        scaling(TARGET, {"PolicyName": "cpu", "PolicyType": "TargetTrackingScaling"}),
        "spec.autoScaling.scalingPolicies[0].TargetTrackingScalingPolicyConfiguration: "
        "is required with PolicyType TargetTrackingScaling",
    ),
    "configuration of another policy type": (
        scaling(TARGET, {**TRACKING, "StepScalingPolicyConfiguration": {"AdjustmentType": "ChangeInCapacity"}}),
        "spec.autoScaling.scalingPolicies[0].StepScalingPolicyConfiguration: "
        "does not go with PolicyType TargetTrackingScaling",
    ),
    "no PolicyType": (
        scaling(TARGET, {k: v for k, v in TRACKING.items() if k != "PolicyType"}),
        "spec.autoScaling.scalingPolicies[0].PolicyType: is required: "
        "TargetTrackingScaling, StepScaling, PredictiveScaling",
    ),
    "duplicate PolicyName": (
        scaling(TARGET, TRACKING, TRACKING),
        'spec.autoScaling.scalingPolicies[1].PolicyName: duplicate PolicyName "cpu" '
        "(also at scalingPolicies[0].PolicyName)",
    ),
}


@pytest.mark.parametrize(("spec", "expected"), INVALID.values(), ids=INVALID.keys())
def test_invalid_services(spec: Spec, expected: str) -> None:
    assert problems("ECSService", spec) == [expected]


@pytest.mark.parametrize(("strategy", "expected"), [(None, "REPLICA"), ("REPLICA", "REPLICA"), ("DAEMON", "DAEMON")])
def test_scheduling_strategy_defaults_to_replica(strategy: str | None, expected: str) -> None:
    spec = {"taskDefinition": "a"} | ({"schedulingStrategy": strategy} if strategy else {})
    assert ECSServiceSpec.model_validate(spec).scheduling_strategy == expected
