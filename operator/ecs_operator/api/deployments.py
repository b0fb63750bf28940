"""Service deployments and revisions, from the deployments the operator reports in a service's status.

Each of the operator's deployments (PRIMARY, and ACTIVE ones still being replaced) is an ECS service deployment
(``service-deployment/CLUSTER/SERVICE/ID``) whose target is a service revision of the same ID: the task
definition and the spec's placement, networking and load balancing. Only deployments in the status are known:
a completed rollout's predecessors are drained and forgotten. StopServiceDeployment with ROLLBACK returns the
service to the revision an in-progress deployment is replacing (as UpdateService to it would).
"""

from __future__ import annotations

from ecs_operator.api import clusters, resources, services
from ecs_operator.api.clusters import ClusterRef
from ecs_operator.api.context import Call, JsonDict, name_or, reconciled
from ecs_operator.api.errors import EcsError, invalid_parameter, service_not_found
from ecs_operator.api.paging import page
from ecs_operator.api.protocol import epoch_seconds

_STATUS = {"IN_PROGRESS": "IN_PROGRESS", "COMPLETED": "SUCCESSFUL", "FAILED": "ROLLBACK_FAILED"}
REVISION_MEMBERS = (
    "capacityProviderStrategy",
    "launchType",
    "platformVersion",
    "platformFamily",
    "loadBalancers",
    "serviceRegistries",
    "networkConfiguration",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)


def deployment_status(entry: JsonDict, primary: bool) -> str:
    state = str(entry.get("rolloutState") or "IN_PROGRESS")
    if not primary and state == "COMPLETED":
        return "STOPPED"  # replaced by the PRIMARY
    return _STATUS.get(state, "IN_PROGRESS")


def short_id(entry: JsonDict) -> str:
    return str(entry["id"]).removeprefix("ecs-svc/")


def brief(call: Call, cluster: ClusterRef, body: JsonDict, entry: JsonDict, primary: bool) -> JsonDict:
    name = name_or(body, "serviceName")
    status = deployment_status(entry, primary)
    result: JsonDict = {
        "serviceDeploymentArn": call.arns.service_deployment(cluster.name, name, short_id(entry)),
        "serviceArn": call.arns.service(cluster.name, name),
        "clusterArn": call.arns.cluster(cluster.name),
        "createdAt": entry.get("createdAt"),
        "startedAt": entry.get("createdAt"),
        "targetServiceRevisionArn": call.arns.service_revision(cluster.name, name, short_id(entry)),
        "status": status,
    }
    if entry.get("rolloutStateReason"):
        result["statusReason"] = entry["rolloutStateReason"]
    if status != "IN_PROGRESS":
        result["finishedAt"] = entry.get("updatedAt")
    return result


def revision(call: Call, cluster: ClusterRef, body: JsonDict, entry: JsonDict) -> JsonDict:
    """The service revision a deployment rolls out: its task definition and the spec's configuration."""
    name, spec = name_or(body, "serviceName"), body.get("spec") or {}
    family, _, number = str(entry.get("taskDefinition", "")).partition(":")
    result: JsonDict = {
        "serviceRevisionArn": call.arns.service_revision(cluster.name, name, short_id(entry)),
        "serviceArn": call.arns.service(cluster.name, name),
        "clusterArn": call.arns.cluster(cluster.name),
        "taskDefinition": call.arns.task_definition(family, int(number)) if number.isdigit() else None,
        "createdAt": entry.get("createdAt"),
        "guardDutyEnabled": False,
    }
    result.update({member: spec[member] for member in REVISION_MEMBERS if spec.get(member) is not None})
    return result


async def _service(call: Call, reference: str, cluster_reference: str | None) -> tuple[ClusterRef, JsonDict]:
    cluster = await clusters.find_cluster(call, cluster_reference)
    body = await services.find_service(call, cluster, reference)
    if body is None:
        raise service_not_found(reference)
    return cluster, body


def _entries(body: JsonDict) -> list[tuple[JsonDict, bool]]:
    deployments = (body.get("status") or {}).get("deployments") or []
    return [(entry, index == 0) for index, entry in enumerate(deployments)]


async def list_service_deployments(call: Call, params: JsonDict) -> JsonDict:
    cluster, body = await _service(call, params["service"], params.get("cluster"))
    wanted = set(params.get("status") or [])
    window = params.get("createdAt") or {}
    items = []
    for entry, primary in _entries(body):
        found = brief(call, cluster, body, entry, primary)
        created = found.get("createdAt")
        if wanted and found["status"] not in wanted:
            continue
        if created and not _within(created, window):
            continue
        items.append((found["serviceDeploymentArn"], found))
    chosen, token = page(items, params)
    return {"serviceDeployments": chosen, "nextToken": token}


def _within(created: str, window: JsonDict) -> bool:
    moment = epoch_seconds(created) or 0.0
    after, before = epoch_seconds(window.get("after")), epoch_seconds(window.get("before"))
    return (after is None or moment >= after) and (before is None or moment <= before)


async def _by_arn(call: Call, arn: str, kind: str) -> tuple[ClusterRef, JsonDict, JsonDict, bool] | None:
    """The service, deployment entry and whether it is the PRIMARY, for a service deployment or revision ARN."""
    parsed = call.arns.parse(arn, call.operation)
    if parsed is None or parsed[0] != kind or len(parsed[1]) != 3:
        raise invalid_parameter(f"{arn!r} is not a {kind} ARN")
    cluster_name, service, wanted = parsed[1]
    try:
        cluster, body = await _service(call, service, cluster_name)
    except EcsError:
        return None
    return next(
        ((cluster, body, entry, primary) for entry, primary in _entries(body) if short_id(entry) == wanted), None
    )


async def describe_service_deployments(call: Call, params: JsonDict) -> JsonDict:
    found, failures = [], []
    for arn in params["serviceDeploymentArns"]:
        match = await _by_arn(call, arn, "service-deployment")
        if match is None:
            failures.append({"arn": arn, "reason": "MISSING"})
            continue
        cluster, body, entry, primary = match
        deployment = brief(call, cluster, body, entry, primary)
        target = deployment.pop("targetServiceRevisionArn")
        spec = body.get("spec") or {}
        deployment["targetServiceRevision"] = {
            "arn": target,
            "requestedTaskCount": entry.get("desiredCount", 0),
            "runningTaskCount": entry.get("runningCount", 0),
            "pendingTaskCount": entry.get("pendingCount", 0),
        }
        deployment["sourceServiceRevisions"] = [
            {
                "arn": call.arns.service_revision(cluster.name, name_or(body, "serviceName"), short_id(other)),
                "requestedTaskCount": other.get("desiredCount", 0),
                "runningTaskCount": other.get("runningCount", 0),
                "pendingTaskCount": other.get("pendingCount", 0),
            }
            for other, other_primary in _entries(body)
            if primary and not other_primary
        ]
        deployment["updatedAt"] = entry.get("updatedAt")
        if spec.get("deploymentConfiguration"):
            deployment["deploymentConfiguration"] = spec["deploymentConfiguration"]
            breaker = spec["deploymentConfiguration"].get("deploymentCircuitBreaker")
            if breaker:
                deployment["deploymentCircuitBreaker"] = {
                    "status": "TRIGGERED" if entry.get("rolloutState") == "FAILED" else "MONITORING",
                    "failureCount": entry.get("failedTasks", 0),
                    "threshold": 10,
                }
        found.append(deployment)
    return {"serviceDeployments": found, "failures": failures}


async def describe_service_revisions(call: Call, params: JsonDict) -> JsonDict:
    found, failures = [], []
    for arn in params["serviceRevisionArns"]:
        match = await _by_arn(call, arn, "service-revision")
        if match is None:
            failures.append({"arn": arn, "reason": "MISSING"})
            continue
        cluster, body, entry, _ = match
        found.append(revision(call, cluster, body, entry))
    return {"serviceRevisions": found, "failures": failures}


async def stop_service_deployment(call: Call, params: JsonDict) -> JsonDict:
    """ROLLBACK (the only stop type ECS supports) of an in-progress deployment to the one it replaces."""
    arn = params["serviceDeploymentArn"]
    match = await _by_arn(call, arn, "service-deployment")
    if match is None:
        raise EcsError("ServiceDeploymentNotFoundException", f"Service deployment not found: {arn}")
    cluster, body, entry, primary = match
    if params.get("stopType", "ROLLBACK") != "ROLLBACK":
        raise invalid_parameter("stopType: only ROLLBACK is supported")
    replaced = [other for other, other_primary in _entries(body) if not other_primary]
    if not primary or entry.get("rolloutState") != "IN_PROGRESS" or not replaced:
        raise EcsError("ConflictException", "only an IN_PROGRESS deployment that replaces another can be rolled back")
    spec = {**(body.get("spec") or {}), "taskDefinition": replaced[0]["taskDefinition"]}
    spec = await services.checked(call, cluster, spec, body["metadata"]["name"])
    updated = await resources.replace_spec(call, body, spec)
    if not reconciled(updated):
        await resources.after_reconcile(call, updated)
    return {"serviceDeploymentArn": arn}
