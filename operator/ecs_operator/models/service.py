"""The ECSService custom resource's spec: CreateService's request plus Application Auto Scaling."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field, model_validator

from ecs_operator.models.autoscaling_api import PutScalingPolicyRequest, RegisterScalableTargetRequest
from ecs_operator.models.base import EcsModel, Problem, duplicate_problems, field_path, raise_problems
from ecs_operator.models.cluster import strategy_problems
from ecs_operator.models.ecs_api import CreateServiceRequest, DeploymentConfiguration

ECS_NAMESPACE = "ecs"
DESIRED_COUNT_DIMENSION = "ecs:service:DesiredCount"
# The ECS defaults of deploymentConfiguration by scheduling strategy: (minimumHealthyPercent, maximumPercent).
DEPLOYMENT_DEFAULTS = {"REPLICA": (100, 200), "DAEMON": (0, 100)}
POLICY_CONFIGURATIONS = {
    "TargetTrackingScaling": "TargetTrackingScalingPolicyConfiguration",
    "StepScaling": "StepScalingPolicyConfiguration",
    "PredictiveScaling": "PredictiveScalingPolicyConfiguration",
}


def _implied_problems(model: EcsModel) -> Iterator[Problem]:
    """ServiceNamespace and ScalableDimension may be given, but only as the service's own."""
    namespace = getattr(model, "ServiceNamespace", None)
    dimension = getattr(model, "ScalableDimension", None)
    resource = getattr(model, "ResourceId", None)
    # The service's own scaling: what else these say is another resource's, not this service's (not an AWS error).
    if namespace is not None and namespace != ECS_NAMESPACE:
        yield Problem("ServiceNamespace", f'must be "{ECS_NAMESPACE}" (or left out)', aws_refuses=False)
    if dimension is not None and dimension != DESIRED_COUNT_DIMENSION:
        yield Problem("ScalableDimension", f'must be "{DESIRED_COUNT_DIMENSION}" (or left out)', aws_refuses=False)
    if resource is not None and not resource.startswith("service/"):
        yield Problem("ResourceId", 'must be "service/<cluster>/<service>" (or left out)', aws_refuses=False)


class ScalableTarget(RegisterScalableTargetRequest):
    """RegisterScalableTarget for the service's DesiredCount; the service itself is implied."""

    ServiceNamespace: str | None = Field(default=None, description="Implied: ecs.")  # type: ignore[assignment]
    ResourceId: str | None = Field(default=None, description="Implied: service/<cluster>/<service>.")  # type: ignore[assignment]
    ScalableDimension: str | None = Field(default=None, description="Implied: ecs:service:DesiredCount.")  # type: ignore[assignment]
    MinCapacity: int = Field(ge=0, description="The fewest tasks to scale in to (HPA minReplicas).")
    MaxCapacity: int = Field(ge=1, description="The most tasks to scale out to (HPA maxReplicas).")

    @model_validator(mode="after")
    def _cross_field(self) -> ScalableTarget:
        problems = list(_implied_problems(self))
        if self.MinCapacity > self.MaxCapacity:
            problems.append(Problem("MinCapacity", f"{self.MinCapacity} exceeds MaxCapacity ({self.MaxCapacity})"))
        raise_problems(problems)
        return self


class ScalingPolicy(PutScalingPolicyRequest):
    """PutScalingPolicy for the service; the service itself is implied."""

    ServiceNamespace: str | None = Field(default=None, description="Implied: ecs.")  # type: ignore[assignment]
    ResourceId: str | None = Field(default=None, description="Implied: service/<cluster>/<service>.")  # type: ignore[assignment]
    ScalableDimension: str | None = Field(default=None, description="Implied: ecs:service:DesiredCount.")  # type: ignore[assignment]

    @model_validator(mode="after")
    def _cross_field(self) -> ScalingPolicy:
        raise_problems([*_implied_problems(self), *_policy_type_problems(self)])
        return self


def _policy_type_problems(policy: ScalingPolicy) -> Iterator[Problem]:
    """The configuration given is the one PolicyType names, and no other."""
    if policy.PolicyType is None:
        yield Problem("PolicyType", "is required: " + ", ".join(POLICY_CONFIGURATIONS))
        return
    wanted = POLICY_CONFIGURATIONS[policy.PolicyType]
    if getattr(policy, wanted) is None:
        yield Problem(wanted, f"is required with PolicyType {policy.PolicyType}")
    for other in POLICY_CONFIGURATIONS.values():
        if other != wanted and getattr(policy, other) is not None:
            yield Problem(other, f"does not go with PolicyType {policy.PolicyType}")


class ServiceAutoScaling(EcsModel):
    """Application Auto Scaling for the service, in that API's own shapes (as `aws application-autoscaling` takes)."""

    scalableTarget: ScalableTarget = Field(description="MinCapacity and MaxCapacity of the service's desired count.")
    scalingPolicies: list[ScalingPolicy] | None = Field(
        default=None, description="Target tracking scaling policies (PutScalingPolicy requests)."
    )

    @model_validator(mode="after")
    def _cross_field(self) -> ServiceAutoScaling:
        named = [
            (field_path("scalingPolicies", i, "PolicyName"), p.PolicyName)
            for i, p in enumerate(self.scalingPolicies or [])
        ]
        raise_problems(duplicate_problems(named, "PolicyName"))
        return self


class ECSServiceSpec(CreateServiceRequest):
    """An ECS service: keeps desiredCount copies of a task definition running."""

    serviceName: str | None = Field(  # type: ignore[assignment]
        default=None,
        min_length=1,
        max_length=255,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The service name; defaults to the resource's name.",
    )
    desiredCount: int | None = Field(default=None, ge=0, description="How many tasks to keep running (REPLICA).")
    healthCheckGracePeriodSeconds: int | None = Field(
        default=None, ge=0, le=2147483647, description="Seconds to ignore failing health checks after a task starts."
    )
    autoScaling: ServiceAutoScaling | None = Field(
        default=None, description="Application Auto Scaling of the service's desired count (becomes an HPA)."
    )
    forceNewDeployment: str | None = Field(
        default=None,
        max_length=63,
        description="UpdateService --force-new-deployment, declaratively: every new value (a timestamp, a counter) "
        "replaces all of the service's tasks with new ones of the same task definition.",
    )

    @property
    def scheduling_strategy(self) -> str:
        """The strategy in effect: ECS's default is REPLICA."""
        return self.schedulingStrategy or "REPLICA"

    @model_validator(mode="after")
    def _cross_field(self) -> ECSServiceSpec:
        raise_problems([*_placement_problems(self), *_daemon_problems(self), *_deployment_problems(self)])
        return self


def _placement_problems(spec: ECSServiceSpec) -> Iterator[Problem]:
    if spec.launchType is not None and spec.capacityProviderStrategy:
        yield Problem("capacityProviderStrategy", "give either launchType or capacityProviderStrategy, not both")
    yield from strategy_problems(spec.capacityProviderStrategy or [], "capacityProviderStrategy")


def _daemon_problems(spec: ECSServiceSpec) -> Iterator[Problem]:
    """DAEMON runs one task per node: there is no count to set, strategy to place by, or count to scale."""
    if spec.scheduling_strategy != "DAEMON":
        return
    if spec.desiredCount is not None:
        yield Problem("desiredCount", "DAEMON services run one task per node and take no desiredCount")
    if spec.placementStrategy:
        yield Problem("placementStrategy", "DAEMON services do not support placement strategies")
    if spec.autoScaling is not None:
        yield Problem("autoScaling", "DAEMON services cannot be scaled")
    if spec.launchType == "FARGATE":
        yield Problem("launchType", "FARGATE does not support the DAEMON scheduling strategy")
    if spec.deploymentController is not None and spec.deploymentController.type != "ECS":
        yield Problem(
            "deploymentController.type", "DAEMON services need the ECS (rolling update) deployment controller"
        )


def _deployment_problems(spec: ECSServiceSpec) -> Iterator[Problem]:
    config = spec.deploymentConfiguration or DeploymentConfiguration()
    default_min, default_max = DEPLOYMENT_DEFAULTS[spec.scheduling_strategy]
    low = config.minimumHealthyPercent if config.minimumHealthyPercent is not None else default_min
    high = config.maximumPercent if config.maximumPercent is not None else default_max
    if not 0 <= low <= 100:
        yield Problem("deploymentConfiguration.minimumHealthyPercent", "must be 0..100")
    if high < 0:
        yield Problem("deploymentConfiguration.maximumPercent", "must not be negative")
    elif spec.scheduling_strategy == "DAEMON" and high != default_max:
        # One task per node: there is never a second task on a node to start first (ECS refuses it too).
        yield Problem(
            "deploymentConfiguration.maximumPercent",
            f"must be {default_max} (or left out) for DAEMON services, which run one task per node; "
            f"not {high}. Lower minimumHealthyPercent to let more tasks be replaced at once",
        )
    elif spec.scheduling_strategy == "REPLICA" and high < low:
        # Equal (100/100, a singleton) is translated with a warning: a surge of one lets the rollout progress.
        yield Problem(
            "deploymentConfiguration.maximumPercent",
            f"{high} is below minimumHealthyPercent ({low}): a deployment could never replace a task",
        )
