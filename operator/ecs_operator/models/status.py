"""What the operator writes under `.status`, kind by kind (docs/design.md, "Status contract").

These models are the status schemas of the CRDs, so a status patch that strays from the contract is refused
by the API server. Every field is optional: a status is written in parts as reconciliation goes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ecs_operator.models.base import EcsModel

ConditionType = Literal["Ready", "Progressing", "Degraded"]
LaunchType = Literal["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"]
TaskStatus = Literal[
    "PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"
]
StopCode = Literal[
    "TaskFailedToStart",
    "EssentialContainerExited",
    "UserInitiated",
    "ServiceSchedulerInitiated",
    "SpotInterruption",
    "TerminationNotice",
    "InfrastructureHealth",
]
MAX_SERVICE_EVENTS = 100
MAX_RUNNING_TASKS = 100


class Condition(EcsModel):
    """A Kubernetes-style condition (Argo CD and `kubectl wait` read these)."""

    type: ConditionType = Field(description="Ready, Progressing or Degraded.")
    status: Literal["True", "False", "Unknown"] = Field(description='"True", "False" or "Unknown".')
    reason: str | None = Field(
        default=None, pattern=r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$", description="CamelCase reason."
    )
    message: str | None = Field(default=None, description="What happened, for people.")
    lastTransitionTime: datetime | None = Field(default=None, description="When status last changed (RFC 3339).")


class ResourceStatus(EcsModel):
    """What every kind's status has."""

    observedGeneration: int | None = Field(default=None, ge=0, description="The spec generation last reconciled.")
    conditions: list[Condition] | None = Field(default=None, description="Ready, Progressing and Degraded.")
    warnings: list[str] | None = Field(default=None, description="Fields accepted with no effect on Kubernetes.")


class ECSClusterStatus(ResourceStatus):
    """DescribeClusters, counted from the Kubernetes cluster."""

    clusterName: str | None = Field(default=None, description="The ECS cluster name.")
    status: Literal["ACTIVE", "PROVISIONING", "DEPROVISIONING", "FAILED", "INACTIVE"] | None = Field(
        default=None, description="The cluster's status."
    )
    runningTasksCount: int | None = Field(default=None, ge=0, description="Tasks in the RUNNING state.")
    pendingTasksCount: int | None = Field(default=None, ge=0, description="Tasks in the PENDING state.")
    activeServicesCount: int | None = Field(default=None, ge=0, description="Services in the ACTIVE state.")
    registeredContainerInstancesCount: int | None = Field(default=None, ge=0, description="Nodes that can run tasks.")


class TaskDefinitionRevisionStatus(EcsModel):
    """One registered revision of the family."""

    revision: int = Field(ge=1, description="The revision number.")
    status: Literal["ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"] = Field(
        description="ACTIVE, or INACTIVE once deregistered."
    )
    registeredAt: datetime | None = Field(default=None, description="When the revision was registered.")
    deregisteredAt: datetime | None = Field(default=None, description="When the revision was deregistered.")
    digest: str | None = Field(default=None, description="A digest of the revision's ECS fields.")


class TaskDefinitionStatus(ResourceStatus):
    """DescribeTaskDefinition of the latest revision, and every revision's state."""

    family: str | None = Field(default=None, description="The task definition family.")
    revision: int | None = Field(default=None, ge=1, description="The latest revision.")
    taskDefinition: str | None = Field(default=None, description="family:revision of the latest revision.")
    taskDefinitionArn: str | None = Field(default=None, description="The latest revision's ARN.")
    status: Literal["ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"] | None = Field(
        default=None, description="The latest revision's status."
    )
    revisions: list[TaskDefinitionRevisionStatus] | None = Field(default=None, description="Every revision.")


class ServiceDeployment(EcsModel):
    """One deployment of the service (a task definition revision being rolled out or kept running)."""

    id: str = Field(description="The deployment's ID.")
    status: Literal["PRIMARY", "ACTIVE", "INACTIVE"] = Field(description="PRIMARY (newest) or ACTIVE (older).")
    taskDefinition: str | None = Field(default=None, description="family:revision the deployment runs.")
    desiredCount: int | None = Field(default=None, ge=0, description="Tasks the deployment should run.")
    runningCount: int | None = Field(default=None, ge=0, description="Tasks RUNNING.")
    pendingCount: int | None = Field(default=None, ge=0, description="Tasks PENDING.")
    failedTasks: int | None = Field(default=None, ge=0, description="Tasks that failed to start.")
    rolloutState: Literal["IN_PROGRESS", "COMPLETED", "FAILED"] | None = Field(
        default=None, description="IN_PROGRESS, COMPLETED or FAILED."
    )
    rolloutStateReason: str | None = Field(default=None, description="Why the rollout is in its state.")
    createdAt: datetime | None = Field(default=None, description="When the deployment was created.")
    updatedAt: datetime | None = Field(default=None, description="When the deployment last changed.")


class ServiceEvent(EcsModel):
    """An ECS service event ("... has reached a steady state.")."""

    id: str = Field(description="The event's ID.")
    createdAt: datetime | None = Field(default=None, description="When the event happened.")
    message: str = Field(description="The event's message.")


class ECSServiceStatus(ResourceStatus):
    """DescribeServices."""

    serviceName: str | None = Field(default=None, description="The ECS service name.")
    clusterName: str | None = Field(default=None, description="The cluster the service runs in.")
    status: Literal["ACTIVE", "DRAINING", "INACTIVE"] | None = Field(default=None, description="ACTIVE or DRAINING.")
    launchType: LaunchType | None = Field(default=None, description="The launch type the service uses.")
    schedulingStrategy: Literal["REPLICA", "DAEMON"] | None = Field(default=None, description="REPLICA or DAEMON.")
    desiredCount: int | None = Field(default=None, ge=0, description="Tasks the service should run.")
    runningCount: int | None = Field(default=None, ge=0, description="Tasks RUNNING.")
    pendingCount: int | None = Field(default=None, ge=0, description="Tasks PENDING.")
    taskDefinition: str | None = Field(default=None, description="family:revision of the PRIMARY deployment.")
    deployments: list[ServiceDeployment] | None = Field(default=None, description="PRIMARY and ACTIVE deployments.")
    events: list[ServiceEvent] | None = Field(
        default=None, max_length=MAX_SERVICE_EVENTS, description="Service events, newest first (at most 100)."
    )
    runningTasks: list[str] | None = Field(
        default=None,
        max_length=MAX_RUNNING_TASKS,
        description="The service's tasks (Pod names) whose desiredStatus is RUNNING, as last seen: the next "
        "events name the tasks started and stopped since. Left out above 100 tasks (the events then only count).",
    )


class ContainerStatus(EcsModel):
    """One container of a task, as DescribeTasks shows it."""

    name: str = Field(description="The container's ECS name.")
    lastStatus: str | None = Field(default=None, description="PENDING, RUNNING or STOPPED.")
    exitCode: int | None = Field(default=None, description="The exit code, once stopped.")
    reason: str | None = Field(default=None, description="Why the container stopped or is waiting.")
    image: str | None = Field(default=None, description="The container's image.")


class TaskInstanceStatus(EcsModel):
    """One task (one Pod) of the RunTask call."""

    taskArn: str | None = Field(default=None, description="The task's ARN.")
    podName: str | None = Field(default=None, description="The Pod that runs the task.")
    lastStatus: TaskStatus | None = Field(default=None, description="The task's last known state.")
    desiredStatus: Literal["RUNNING", "PENDING", "STOPPED"] | None = Field(
        default=None, description="Where it is headed."
    )
    stopCode: StopCode | None = Field(default=None, description="Why the task stopped.")
    stoppedReason: str | None = Field(default=None, description="Why the task stopped, for people.")
    cpu: str | None = Field(default=None, description="Task size: CPU units (1024 = 1 vCPU), when set.")
    memory: str | None = Field(default=None, description="Task size: memory in MiB, when set.")
    capacityProviderName: str | None = Field(default=None, description="The capacity provider the task runs on.")
    createdAt: datetime | None = Field(default=None, description="When the task (its Pod) was created.")
    startedAt: datetime | None = Field(default=None, description="When the task's containers were all running.")
    stoppingAt: datetime | None = Field(default=None, description="When the task began stopping.")
    stoppedAt: datetime | None = Field(default=None, description="When the task was STOPPED.")
    containers: list[ContainerStatus] | None = Field(default=None, description="The task's containers.")


class ECSTaskStatus(ResourceStatus):
    """DescribeTasks, summarised over the tasks of the RunTask call."""

    lastStatus: TaskStatus | None = Field(default=None, description="The tasks' last known state, summarised.")
    desiredStatus: Literal["RUNNING", "PENDING", "STOPPED"] | None = Field(
        default=None, description="Where it is headed."
    )
    taskDefinition: str | None = Field(default=None, description="family:revision the tasks run.")
    clusterName: str | None = Field(default=None, description="The cluster the tasks run in.")
    launchType: LaunchType | None = Field(default=None, description="The launch type the tasks use.")
    capacityProviderName: str | None = Field(default=None, description="The capacity provider the tasks use.")
    group: str | None = Field(default=None, description="The task group.")
    startedBy: str | None = Field(default=None, description="Who started the tasks.")
    createdAt: datetime | None = Field(default=None, description="When the tasks were created.")
    startedAt: datetime | None = Field(default=None, description="When the tasks started.")
    stoppingAt: datetime | None = Field(default=None, description="When the tasks began stopping.")
    stoppedAt: datetime | None = Field(default=None, description="When the tasks stopped.")
    stopCode: StopCode | None = Field(default=None, description="Why the tasks stopped.")
    stoppedReason: str | None = Field(default=None, description="Why the tasks stopped, for people.")
    tasks: list[TaskInstanceStatus] | None = Field(default=None, description="One entry per task (Pod).")


class SecurityGroupStatus(ResourceStatus):
    """The security group as EC2 would describe it, and how many tasks it selects."""

    GroupId: str | None = Field(default=None, description="The group's ID (sg-...).")
    members: int | None = Field(default=None, ge=0, description="Pods that are members of the group.")


STATUS_MODELS: dict[str, type[ResourceStatus]] = {
    "ECSCluster": ECSClusterStatus,
    "TaskDefinition": TaskDefinitionStatus,
    "ECSService": ECSServiceStatus,
    "ECSTask": ECSTaskStatus,
    "SecurityGroup": SecurityGroupStatus,
}
