"""ECSCluster: a grouping label and capacity-provider defaults; its status counts what runs in it.

The counts (DescribeClusters) are refreshed by a timer: running and pending tasks are the Pods labelled
with the cluster, active services the ECSServices that name it, registered container instances the nodes
of its node pools (every node when it declares none).
"""

from __future__ import annotations

from ecs_operator.handlers.common import JsonDict, Runtime, meta_of, parse_spec
from ecs_operator.k8s import Api, matches_labels
from ecs_operator.models.cluster import CAPACITY_PROVIDER_LABEL, ECSClusterSpec
from ecs_operator.resolve.references import names_cluster
from ecs_operator.status.conditions import Outcome
from ecs_operator.translate.context import LABEL_CLUSTER, TranslationError, label_value
from ecs_operator.translate.coverage import field_rejections, field_warnings

KIND = "ECSCluster"


def node_pool_selectors(spec: ECSClusterSpec) -> list[dict[str, str]]:
    return [pool.nodeSelector or {CAPACITY_PROVIDER_LABEL: pool.capacityProvider} for pool in spec.nodePools or []]


def is_registered(node: JsonDict, selectors: list[dict[str, str]]) -> bool:
    return not selectors or any(matches_labels(node, selector) for selector in selectors)


async def reconcile_cluster(api: Api, body: JsonDict, runtime: Runtime) -> Outcome:
    meta = meta_of(body)
    spec = parse_spec(ECSClusterSpec, body)
    rejected = field_rejections(spec)
    if rejected:
        raise TranslationError(f"spec.{rejected[0][0]}", rejected[0][1])
    name = spec.clusterName or meta.name
    # The cluster label alone: a service's Pods are made by its ReplicaSets from a template without managed-by.
    pods = await api.list("Pod", meta.namespace, {LABEL_CLUSTER: label_value(name)})
    live = [pod for pod in pods if not pod["metadata"].get("deletionTimestamp")]
    services = [
        svc
        for svc in await api.list("ECSService", meta.namespace)
        if names_cluster((svc.get("spec") or {}).get("cluster"), name)
    ]
    selectors = node_pool_selectors(spec)
    nodes = [node for node in await api.list("Node", None) if is_registered(node, selectors)]
    status = {
        "clusterName": name,
        "status": "ACTIVE",
        "runningTasksCount": sum(1 for pod in live if (pod.get("status") or {}).get("phase") == "Running"),
        "pendingTasksCount": sum(1 for pod in live if (pod.get("status") or {}).get("phase") in (None, "Pending")),
        "activeServicesCount": sum(1 for svc in services if not svc["metadata"].get("deletionTimestamp")),
        "registeredContainerInstancesCount": len(nodes),
    }
    warnings = [str(warning) for warning in field_warnings(meta.ref, spec)]
    return Outcome(status, reason="Active", message=f"cluster {name} is ACTIVE", warnings=warnings)
