"""Clusters: ECSCluster custom resources. CreateCluster, DescribeClusters, ListClusters, UpdateCluster,
UpdateClusterSettings, PutClusterCapacityProviders, DeleteCluster.

A cluster lives in one of the caller's namespaces; a name is looked up in each of them in turn. Services and
tasks that name no cluster use ``default``, which (as for the operator) need not exist as a resource; it is
shown by DescribeClusters once created. The counts are those the operator writes in the status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ecs_operator.api import protocol, resources
from ecs_operator.api.context import Call, JsonDict, name_or
from ecs_operator.api.errors import EcsError, cluster_not_found, invalid_parameter
from ecs_operator.api.paging import page
from ecs_operator.models.cluster import ECSClusterSpec
from ecs_operator.models.references import parse_cluster
from ecs_operator.translate.context import DEFAULT_CLUSTER, LABEL_CLUSTER, ClusterContext, k8s_name, label_value

KIND = "ECSCluster"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
COUNTS = ("registeredContainerInstancesCount", "runningTasksCount", "pendingTasksCount", "activeServicesCount")


@dataclass(frozen=True)
class ClusterRef:
    """A cluster found for a call: its ECS name, namespace, and resource (None for an implicit ``default``)."""

    name: str
    namespace: str
    body: JsonDict | None = None

    @property
    def deleting(self) -> bool:
        return bool(self.body and self.body["metadata"].get("deletionTimestamp"))


def context(cluster: ClusterRef) -> ClusterContext:
    """What the translators know of a cluster (its spec; none for an implicit default)."""
    if cluster.body is None:
        return ClusterContext(cluster.name)
    return ClusterContext(cluster.name, ECSClusterSpec.model_validate(cluster.body.get("spec") or {}))


def cluster_name(call: Call, reference: str | None) -> str:
    """The cluster a request names (a name or an ARN); ``default`` when it names none."""
    if not reference:
        return DEFAULT_CLUSTER
    name = call.arns.name_in(reference, "cluster", call.operation)[0]
    if not _NAME.match(name):
        raise invalid_parameter(f"cluster: {reference!r} is not a cluster name or ARN")
    return name


async def find_cluster(call: Call, reference: str | None, *, implicit_default: bool = True) -> ClusterRef:
    """The cluster named in the caller's namespaces; ClusterNotFoundException if there is none."""
    name = cluster_name(call, reference)
    found = await lookup(call, name)
    if found is not None:
        return found
    if name == DEFAULT_CLUSTER and implicit_default:
        return ClusterRef(name, call.home)
    raise cluster_not_found(name)


async def lookup(call: Call, name: str) -> ClusterRef | None:
    for body in await call.objects_in_scope(KIND):
        if name_or(body, "clusterName") == name:
            return ClusterRef(name, body["metadata"]["namespace"], body)
    return None


async def active_cluster(call: Call, reference: str | None) -> ClusterRef:
    """A cluster that can take new services and tasks (not being deleted)."""
    cluster = await find_cluster(call, reference)
    if cluster.deleting:
        raise cluster_not_found(f"{cluster.name} is being deleted")
    return cluster


def describe(call: Call, cluster: ClusterRef, include: set[str] | None = None) -> JsonDict:
    """The ECS ``Cluster`` shape of a cluster resource."""
    include = include or set()
    body = cluster.body or {"metadata": {}, "spec": {}, "status": {}}
    spec, status = body.get("spec") or {}, body.get("status") or {}
    result: JsonDict = {
        "clusterArn": call.arns.cluster(cluster.name),
        "clusterName": cluster.name,
        "status": "DEPROVISIONING" if cluster.deleting else status.get("status") or "ACTIVE",
        **{count: int(status.get(count) or 0) for count in COUNTS},
        "capacityProviders": spec.get("capacityProviders") or [],
        "defaultCapacityProviderStrategy": spec.get("defaultCapacityProviderStrategy") or [],
    }
    if spec.get("serviceConnectDefaults"):
        result["serviceConnectDefaults"] = spec["serviceConnectDefaults"]
    if "TAGS" in include:
        result["tags"] = spec.get("tags") or []
    if "SETTINGS" in include:
        result["settings"] = spec.get("settings") or [{"name": "containerInsights", "value": "disabled"}]
    if "CONFIGURATIONS" in include and spec.get("configuration"):
        result["configuration"] = spec["configuration"]
    if "STATISTICS" in include:
        result["statistics"] = []
    if "ATTACHMENTS" in include:
        result["attachments"] = []
        result["attachmentsStatus"] = "UPDATE_COMPLETE"
    return result


async def create_cluster(call: Call, params: JsonDict) -> JsonDict:
    name = params.get("clusterName") or DEFAULT_CLUSTER
    spec = {**params, "clusterName": name}
    resources.checked_spec(KIND, spec)
    existing = await lookup(call, name)
    if existing is not None and not existing.deleting:
        # As ECS: creating a cluster that exists returns it.
        return {"cluster": describe(call, existing, {"TAGS", "SETTINGS", "CONFIGURATIONS"})}
    if existing is not None:
        raise busy(call, existing)
    body = await resources.create(call, KIND, call.home, await free_name(call, name), spec)
    ref = ClusterRef(name, call.home, body)
    return {"cluster": describe(call, ref, {"TAGS", "SETTINGS", "CONFIGURATIONS"})}


async def free_name(call: Call, name: str) -> str:
    """The resource name for a new cluster: its ECS name as a Kubernetes name, made unique in the namespace."""
    taken = {body["metadata"]["name"] for body in await call.objects(KIND, call.home)}
    candidate = k8s_name(name)
    if candidate in taken:
        candidate = k8s_name(f"{name}-cluster")
    return candidate


async def describe_clusters(call: Call, params: JsonDict) -> JsonDict:
    include = set(params.get("include") or [])
    clusters, failures = [], []
    for reference in params.get("clusters") or [DEFAULT_CLUSTER]:
        name = cluster_name(call, reference)
        found = await lookup(call, name)
        if found is None:
            failures.append({"arn": call.arns.cluster(name), "reason": "MISSING"})
        else:
            clusters.append(describe(call, found, include))
    return {"clusters": clusters, "failures": failures}


async def list_clusters(call: Call, params: JsonDict) -> JsonDict:
    arns = [call.arns.cluster(name_or(body, "clusterName")) for body in await call.objects_in_scope(KIND)]
    chosen, token = page([(arn, arn) for arn in dict.fromkeys(arns)], params)
    return {"clusterArns": chosen, "nextToken": token}


async def update_cluster(call: Call, params: JsonDict) -> JsonDict:
    members = ("settings", "configuration", "serviceConnectDefaults")
    return await _update(call, params["cluster"], {key: params[key] for key in members if key in params})


async def update_cluster_settings(call: Call, params: JsonDict) -> JsonDict:
    cluster = await _existing(call, params["cluster"])
    settings = {item["name"]: item for item in (cluster.body or {}).get("spec", {}).get("settings") or []}
    settings.update({item["name"]: item for item in params["settings"]})
    return await _update(call, params["cluster"], {"settings": list(settings.values())})


async def put_cluster_capacity_providers(call: Call, params: JsonDict) -> JsonDict:
    """As ECS: a provider that an active service's capacity provider strategy uses cannot be removed."""
    cluster = await _existing(call, params["cluster"])
    kept = set(params["capacityProviders"])
    in_use = {
        f"{item['capacityProvider']} (service {name_or(body, 'serviceName')})"
        for body in await active_services(call, cluster)
        for item in (body.get("spec") or {}).get("capacityProviderStrategy") or []
        if item.get("capacityProvider") not in kept
    }
    if in_use:
        raise EcsError(
            "ResourceInUseException",
            f"The capacity providers are in use and cannot be removed from cluster {cluster.name}: "
            f"{', '.join(sorted(in_use))}; change the services' capacityProviderStrategy first.",
        )
    changes = {key: params[key] for key in ("capacityProviders", "defaultCapacityProviderStrategy")}
    return await _update(call, params["cluster"], changes)


async def active_services(call: Call, cluster: ClusterRef) -> list[JsonDict]:
    """The cluster's services that are not being deleted."""
    return [
        body
        for body in await call.objects("ECSService", cluster.namespace)
        if cluster_of(body) == cluster.name and not body["metadata"].get("deletionTimestamp")
    ]


async def active_tasks(call: Call, cluster: ClusterRef) -> list[str]:
    """The cluster's tasks that have not stopped, as they run now: its Pods (services' and RunTask's) that have
    not ended and are not being deleted."""
    pods = await call.objects("Pod", cluster.namespace, {LABEL_CLUSTER: label_value(cluster.name)})
    return sorted(
        pod["metadata"]["name"]
        for pod in pods
        if not pod["metadata"].get("deletionTimestamp")
        and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
    )


async def _existing(call: Call, reference: str) -> ClusterRef:
    cluster = await find_cluster(call, reference, implicit_default=False)
    if cluster.deleting:
        raise busy(call, cluster)
    return cluster


def busy(call: Call, cluster: ClusterRef) -> EcsError:
    """A cluster being deleted (DEPROVISIONING: the operator is releasing it) takes no change until it is gone:
    UpdateInProgressException where the operation's model has it, else ClientException."""
    message = (
        f"cluster {cluster.name} is being deleted (DEPROVISIONING); it takes no change until it is gone"
        f"{', then create it again' if call.operation == 'CreateCluster' else ''}"
    )
    return protocol.modelled_error(call.operation, "UpdateInProgressException", message)


async def _update(call: Call, reference: str, changes: dict[str, Any]) -> JsonDict:
    cluster = await _existing(call, reference)
    assert cluster.body is not None
    spec = {**(cluster.body.get("spec") or {}), **changes}
    resources.checked_spec(KIND, spec)
    body = await resources.replace_spec(call, cluster.body, spec)
    updated = ClusterRef(cluster.name, cluster.namespace, body)
    return {"cluster": describe(call, updated, {"SETTINGS", "CONFIGURATIONS"})}


async def delete_cluster(call: Call, params: JsonDict) -> JsonDict:
    """As ECS: refused while services are active in it, then while tasks still run in it (a deleted service's
    tasks too, until they have stopped)."""
    cluster = await _existing(call, params["cluster"])
    assert cluster.body is not None
    services = await active_services(call, cluster)
    if services:
        names = ", ".join(sorted(name_or(body, "serviceName") for body in services))
        raise EcsError(
            "ClusterContainsServicesException",
            f"The Cluster cannot be deleted while Services are active: {names}; delete them first.",
        )
    running = await active_tasks(call, cluster)
    if running:
        shown = ", ".join(running[:5]) + (f" and {len(running) - 5} more" if len(running) > 5 else "")
        raise EcsError(
            "ClusterContainsTasksException",
            f"The Cluster cannot be deleted while Tasks are active: {shown}; stop them first.",
        )
    meta = cluster.body["metadata"]
    await call.kube.delete(KIND, meta["namespace"], meta["name"])
    call.forget(KIND, meta["namespace"])
    result = describe(call, cluster)
    result["status"] = "INACTIVE"
    return {"cluster": result}


def cluster_of(body: JsonDict) -> str | None:
    """The cluster a service or task resource names (``default`` when none), read as the operator reads it;
    None when it names none validly."""
    reference = (body.get("spec") or {}).get("cluster")
    try:
        return parse_cluster(reference) if reference else DEFAULT_CLUSTER
    except ValueError:
        return None
