"""The ECSTask custom resource's spec: one RunTask call, and StopTask by its desired status."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, model_validator

from ecs_operator.models.base import Problem, duplicate_problems, field_path, raise_problems
from ecs_operator.models.cluster import strategy_problems
from ecs_operator.models.ecs_api import RunTaskRequest
from ecs_operator.models.taskdefinition import task_cpu_units, task_memory_mib

MAX_RUN_TASK_COUNT = 10


class ECSTaskSpec(RunTaskRequest):
    """One RunTask call: `count` copies of a task definition, run to completion."""

    count: int | None = Field(
        default=None, ge=1, le=MAX_RUN_TASK_COUNT, description="How many copies of the task to run (1..10, default 1)."
    )
    desiredStatus: Literal["RUNNING", "STOPPED"] | None = Field(
        default=None, description="Set to STOPPED to stop the task (StopTask)."
    )
    stopReason: str | None = Field(default=None, max_length=255, description="The reason given to StopTask.")

    @model_validator(mode="after")
    def _cross_field(self) -> ECSTaskSpec:
        raise_problems(_task_problems(self))
        return self


def _task_problems(spec: ECSTaskSpec) -> Iterator[Problem]:
    if spec.launchType is not None and spec.capacityProviderStrategy:
        yield Problem("capacityProviderStrategy", "give either launchType or capacityProviderStrategy, not both")
    yield from strategy_problems(spec.capacityProviderStrategy or [], "capacityProviderStrategy")
    if spec.stopReason is not None and spec.desiredStatus != "STOPPED":
        yield Problem("stopReason", "only goes with desiredStatus: STOPPED", aws_refuses=False)
    overrides = spec.overrides
    if overrides is None:
        return
    for name, parse in (("cpu", task_cpu_units), ("memory", task_memory_mib)):
        value = getattr(overrides, name)
        if value is not None:
            try:
                parse(value)
            except ValueError as error:
                yield Problem(field_path("overrides", name), str(error))
    containers = overrides.containerOverrides or []
    for i, override in enumerate(containers):
        if override.name is None:
            yield Problem(field_path("overrides", "containerOverrides", i, "name"), "is required")
    named = [(field_path("overrides", "containerOverrides", i, "name"), c.name) for i, c in enumerate(containers)]
    yield from duplicate_problems(named, "container override")
