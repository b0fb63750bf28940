"""The TaskDefinition custom resource's spec: RegisterTaskDefinition's request, checked across fields."""

from __future__ import annotations

from pydantic import Field

from ecs_operator.models.ecs_api import ContainerDefinition, RegisterTaskDefinitionRequest


class TaskDefinitionSpec(RegisterTaskDefinitionRequest):
    """A task definition family. Each change of the ECS fields registers a new revision."""

    family: str | None = Field(  # type: ignore[assignment]
        default=None,
        min_length=1,
        max_length=255,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The task definition family; defaults to the resource's name.",
    )
    containerDefinitions: list[ContainerDefinition] = Field(
        min_length=1, description="The containers that make up the task."
    )
    deregisteredRevisions: list[int] | None = Field(
        default=None,
        description="Revisions of this family to deregister (DeregisterTaskDefinition): they become INACTIVE; "
        "tasks already running them keep running. Not part of the registered revision.",
    )
