"""The ECSTask custom resource's spec: one RunTask call, and StopTask by its desired status."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ecs_operator.models.ecs_api import RunTaskRequest


class ECSTaskSpec(RunTaskRequest):
    """One RunTask call: `count` copies of a task definition, run to completion."""

    desiredStatus: Literal["RUNNING", "STOPPED"] | None = Field(
        default=None, description="Set to STOPPED to stop the task (StopTask)."
    )
    stopReason: str | None = Field(default=None, max_length=255, description="The reason given to StopTask.")
