"""ECSTaskSpec: RunTask's count, StopTask's desired status, overrides and placement."""

from __future__ import annotations

from typing import Any

import pytest

from tests.models.specs import Spec, problems


def run(**fields: Any) -> Spec:
    return {"taskDefinition": "batch:3", **fields}


VALID = {
    "minimal": run(),
    "count 1": run(count=1),
    "count 10": run(count=10),
    "stop with a reason": run(desiredStatus="STOPPED", stopReason="done"),
    "overrides in vCPU and GB": run(
        overrides={"cpu": "0.5 vCPU", "memory": "1 GB", "containerOverrides": [{"name": "a"}]}
    ),
    "capacity provider strategy": run(capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}]),
}


@pytest.mark.parametrize("spec", VALID.values(), ids=VALID.keys())
def test_valid_tasks(spec: Spec) -> None:
    assert problems("ECSTask", spec) == []


INVALID = {
    "count 0": (run(count=0), "spec.count: Input should be greater than or equal to 1"),
    "count 11": (run(count=11), "spec.count: Input should be less than or equal to 10"),
    "unknown desiredStatus": (
        run(desiredStatus="PAUSED"),
        "spec.desiredStatus: Input should be 'RUNNING' or 'STOPPED' (ECS accepts only these values)",
    ),
    "stopReason while running": (run(stopReason="x"), "spec.stopReason: only goes with desiredStatus: STOPPED"),
    "no task definition": (
        {"count": 1},
        "spec.taskDefinition: is required (the AWS CLI refuses it too: Missing required parameter in input: "
        '"taskDefinition")',
    ),
    "launchType and strategy": (
        run(launchType="FARGATE", capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}]),
        "spec.capacityProviderStrategy: give either launchType or capacityProviderStrategy, not both",
    ),
    "cpu override that is no size": (
        run(overrides={"cpu": "fast"}),
        'spec.overrides.cpu: "fast" is not a CPU size: give CPU units ("1024") or vCPUs ("1 vCPU")',
    ),
    "memory override that is no size": (
        run(overrides={"memory": "1 TB"}),
        'spec.overrides.memory: "1 TB" is not a memory size: give MiB ("2048") or GB ("2 GB")',
    ),
    "container override without a name": (
        run(overrides={"containerOverrides": [{"command": ["true"]}]}),
        "spec.overrides.containerOverrides[0].name: is required",
    ),
    "two overrides of one container": (
        run(overrides={"containerOverrides": [{"name": "a"}, {"name": "a"}]}),
        'spec.overrides.containerOverrides[1].name: duplicate container override "a" '
        "(also at overrides.containerOverrides[0].name)",
    ),
}


@pytest.mark.parametrize(("spec", "expected"), INVALID.values(), ids=INVALID.keys())
def test_invalid_tasks(spec: Spec, expected: str) -> None:
    assert problems("ECSTask", spec) == [expected]
