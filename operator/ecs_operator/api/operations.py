"""Every operation of botocore's ECS model answers: implemented (``IMPLEMENTED``) or refused with the reason it
has no meaning here (``NOT_SUPPORTED``). An operation a newer botocore adds, which neither table knows yet,
is refused the same way, so no operation ever answers 500 or nothing (tests/api walks the model).

A refusal is the operation's own ``UnsupportedFeatureException`` where the model lists it for the operation,
else ``ClientException``; the message names the operation and says why and what to use instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ecs_operator.api import (
    capacity,
    clusters,
    deployments,
    instances,
    protocol,
    services,
    tags,
    taskdefinitions,
    tasks,
)
from ecs_operator.api.context import Call
from ecs_operator.api.errors import EcsError

JsonDict = dict[str, Any]
Handler = Callable[[Call, JsonDict], Awaitable[JsonDict]]

IMPLEMENTED: dict[str, Handler] = {
    "CreateCluster": clusters.create_cluster,
    "DescribeClusters": clusters.describe_clusters,
    "ListClusters": clusters.list_clusters,
    "UpdateCluster": clusters.update_cluster,
    "UpdateClusterSettings": clusters.update_cluster_settings,
    "PutClusterCapacityProviders": clusters.put_cluster_capacity_providers,
    "DeleteCluster": clusters.delete_cluster,
    "RegisterTaskDefinition": taskdefinitions.register_task_definition,
    "DescribeTaskDefinition": taskdefinitions.describe_task_definition,
    "ListTaskDefinitions": taskdefinitions.list_task_definitions,
    "ListTaskDefinitionFamilies": taskdefinitions.list_task_definition_families,
    "DeregisterTaskDefinition": taskdefinitions.deregister_task_definition,
    "DeleteTaskDefinitions": taskdefinitions.delete_task_definitions,
    "CreateService": services.create_service,
    "DescribeServices": services.describe_services,
    "ListServices": services.list_services,
    "ListServicesByNamespace": services.list_services_by_namespace,
    "UpdateService": services.update_service,
    "DeleteService": services.delete_service,
    "RunTask": tasks.run_task,
    "StartTask": tasks.start_task,
    "StopTask": tasks.stop_task,
    "DescribeTasks": tasks.describe_tasks,
    "ListTasks": tasks.list_tasks,
    "ListContainerInstances": instances.list_container_instances,
    "DescribeContainerInstances": instances.describe_container_instances,
    "ListAttributes": instances.list_attributes,
    "TagResource": tags.tag_resource,
    "UntagResource": tags.untag_resource,
    "ListTagsForResource": tags.list_tags_for_resource,
    "DescribeCapacityProviders": capacity.describe_capacity_providers,
    "ListAccountSettings": capacity.list_account_settings,
    "ListServiceDeployments": deployments.list_service_deployments,
    "DescribeServiceDeployments": deployments.describe_service_deployments,
    "DescribeServiceRevisions": deployments.describe_service_revisions,
    "StopServiceDeployment": deployments.stop_service_deployment,
}

_AGENT = (
    "it is called by the ECS container agent on EC2 instances; here the kubelet runs tasks and the operator "
    "reports their state"
)
_TASK_SETS = (
    "task sets belong to the EXTERNAL and CODE_DEPLOY deployment controllers; services here use the ECS "
    "rolling deployment (a Deployment), which UpdateService drives"
)
_GATEWAYS = "ECS gateways and Express services run on AWS-managed load balancers, which Kubernetes does not have"
_CAPACITY = (
    "capacity providers are node pools here: label the nodes and list them in the ECSCluster's "
    "capacityProviders and nodePools (DescribeCapacityProviders and PutClusterCapacityProviders work)"
)
_DAEMONS = (
    "ECS Managed Daemons run on Managed Instances capacity providers; here a DAEMON service (CreateService with "
    "schedulingStrategy DAEMON, a DaemonSet) runs one task on each node of its cluster's node pools"
)
_ACCOUNT = "account settings are fixed here (long ARN formats, no opt-ins); ListAccountSettings shows them"
NOT_SUPPORTED: dict[str, str] = {
    "DiscoverPollEndpoint": _AGENT,
    "RegisterContainerInstance": _AGENT,
    "DeregisterContainerInstance": _AGENT + "; remove a node with kubectl",
    "SubmitTaskStateChange": _AGENT,
    "SubmitContainerStateChange": _AGENT,
    "SubmitAttachmentStateChanges": _AGENT,
    "UpdateContainerAgent": _AGENT,
    "UpdateContainerInstancesState": (
        "container instances are Kubernetes nodes, which the ECS API does not change: drain one with "
        "`kubectl drain <node>` (its tasks are rescheduled as ECS does for DRAINING)"
    ),
    "ExecuteCommand": "ECS Exec needs SSM Session Manager; use `kubectl exec <task ID = Pod name> -c <container>`",
    "CreateTaskSet": _TASK_SETS,
    "UpdateTaskSet": _TASK_SETS,
    "DeleteTaskSet": _TASK_SETS,
    "DescribeTaskSets": _TASK_SETS,
    "UpdateServicePrimaryTaskSet": _TASK_SETS,
    "CreateCapacityProvider": _CAPACITY,
    "UpdateCapacityProvider": _CAPACITY,
    "DeleteCapacityProvider": _CAPACITY,
    "PutAccountSetting": _ACCOUNT,
    "PutAccountSettingDefault": _ACCOUNT,
    "DeleteAccountSetting": _ACCOUNT,
    "AssociateGatewayWithCluster": _GATEWAYS,
    "DisassociateGatewayFromCluster": _GATEWAYS,
    "CreateGateway": _GATEWAYS,
    "UpdateGateway": _GATEWAYS,
    "DeleteGateway": _GATEWAYS,
    "DescribeGateway": _GATEWAYS,
    "DescribeGatewayResources": _GATEWAYS,
    "DescribeGatewayRoute": _GATEWAYS,
    "ListGateways": _GATEWAYS,
    "ListGatewayRoutes": _GATEWAYS,
    "ListGatewayClusterAssociations": _GATEWAYS,
    "CreateExpressGatewayService": _GATEWAYS,
    "UpdateExpressGatewayService": _GATEWAYS,
    "DeleteExpressGatewayService": _GATEWAYS,
    "DescribeExpressGatewayService": _GATEWAYS,
    "GetTaskProtection": (
        "task scale-in protection has no Kubernetes equivalent the operator manages; a PodDisruptionBudget "
        "protects a service's tasks from evictions"
    ),
    "UpdateTaskProtection": (
        "task scale-in protection has no Kubernetes equivalent the operator manages; a PodDisruptionBudget "
        "protects a service's tasks from evictions"
    ),
    "ContinueServiceDeployment": "deployment lifecycle hooks (Lambda functions) do not run here",
    **dict.fromkeys(
        (
            "CreateDaemon",
            "UpdateDaemon",
            "DeleteDaemon",
            "DescribeDaemon",
            "ListDaemons",
            "DescribeDaemonDeployments",
            "ListDaemonDeployments",
            "DescribeDaemonRevisions",
            "RegisterDaemonTaskDefinition",
            "DescribeDaemonTaskDefinition",
            "ListDaemonTaskDefinitions",
            "DeleteDaemonTaskDefinition",
        ),
        _DAEMONS,
    ),
    "PutAttributes": "container instance attributes are node labels here: set them with `kubectl label node`",
    "DeleteAttributes": "container instance attributes are node labels here: remove them with `kubectl label node`",
}
_NEWER = "this operation is newer than this version of ecs-operator"


def unsupported(operation: str) -> EcsError:
    """The refusal of an operation that is not implemented: its reason, in the operation's own error."""
    reason = NOT_SUPPORTED.get(operation, _NEWER)
    message = f"{operation} is not supported by ecs-operator: {reason}."
    return protocol.modelled_error(operation, "UnsupportedFeatureException", message)


def handler_for(operation: str) -> Handler:
    handler = IMPLEMENTED.get(operation)
    if handler is not None:
        return handler

    async def refuse(call: Call, params: JsonDict) -> JsonDict:
        raise unsupported(operation)

    return refuse
