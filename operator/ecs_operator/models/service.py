"""The ECSService custom resource's spec: CreateService's request plus Application Auto Scaling."""

from __future__ import annotations

from pydantic import Field

from ecs_operator.models.autoscaling_api import PutScalingPolicyRequest, RegisterScalableTargetRequest
from ecs_operator.models.base import EcsModel
from ecs_operator.models.ecs_api import CreateServiceRequest


class ScalableTarget(RegisterScalableTargetRequest):
    """RegisterScalableTarget for the service's DesiredCount; the service itself is implied."""

    ServiceNamespace: str | None = Field(default=None, description="Implied: ecs.")  # type: ignore[assignment]
    ResourceId: str | None = Field(default=None, description="Implied: service/<cluster>/<service>.")  # type: ignore[assignment]
    ScalableDimension: str | None = Field(default=None, description="Implied: ecs:service:DesiredCount.")  # type: ignore[assignment]


class ScalingPolicy(PutScalingPolicyRequest):
    """PutScalingPolicy for the service; the service itself is implied."""

    ServiceNamespace: str | None = Field(default=None, description="Implied: ecs.")  # type: ignore[assignment]
    ResourceId: str | None = Field(default=None, description="Implied: service/<cluster>/<service>.")  # type: ignore[assignment]
    ScalableDimension: str | None = Field(default=None, description="Implied: ecs:service:DesiredCount.")  # type: ignore[assignment]


class ServiceAutoScaling(EcsModel):
    """Application Auto Scaling for the service, in that API's own shapes (as `aws application-autoscaling` takes)."""

    scalableTarget: ScalableTarget = Field(description="MinCapacity and MaxCapacity of the service's desired count.")
    scalingPolicies: list[ScalingPolicy] | None = Field(
        default=None, description="Target tracking scaling policies (PutScalingPolicy requests)."
    )


class ECSServiceSpec(CreateServiceRequest):
    """An ECS service: keeps desiredCount copies of a task definition running."""

    serviceName: str | None = Field(  # type: ignore[assignment]
        default=None,
        min_length=1,
        max_length=255,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The service name; defaults to the resource's name.",
    )
    autoScaling: ServiceAutoScaling | None = Field(
        default=None, description="Application Auto Scaling of the service's desired count (becomes an HPA)."
    )
