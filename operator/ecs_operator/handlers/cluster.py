"""ECSCluster: a grouping label and capacity-provider defaults; its status counts what runs in it.

The counts (DescribeClusters), from the operator's caches: running and pending tasks are the Pods labelled with
the cluster, active services the ECSServices that name it, registered container instances the nodes of its node
pools (every node when it declares none), left out by an operator limited to namespaces (it may read no node:
docs/operator.md "Namespaced mode"). Events of those Pods, services and nodes queue the cluster (at most
once every ``refresh_seconds``), so the counts follow them without polling.
"""

from __future__ import annotations

from collections.abc import Mapping

from ecs_operator.handlers.common import JsonDict, Runtime, meta_of, parse_spec
from ecs_operator.k8s import Api
from ecs_operator.models.cluster import CAPACITY_PROVIDER_LABEL, ECSClusterSpec
from ecs_operator.status.conditions import Outcome
from ecs_operator.translate.context import TranslationError, label_value
from ecs_operator.translate.coverage import field_rejections, field_warnings

KIND = "ECSCluster"


def node_pool_selectors(spec: ECSClusterSpec) -> list[dict[str, str]]:
    return [pool.nodeSelector or {CAPACITY_PROVIDER_LABEL: pool.capacityProvider} for pool in spec.nodePools or []]


def is_registered(labels: Mapping[str, str], selectors: list[dict[str, str]]) -> bool:
    return not selectors or any(all(labels.get(k) == v for k, v in selector.items()) for selector in selectors)


async def reconcile_cluster(api: Api, body: JsonDict, runtime: Runtime) -> Outcome:
    meta = meta_of(body)
    spec = parse_spec(ECSClusterSpec, body)
    rejected = field_rejections(spec)
    if rejected:
        raise TranslationError(f"spec.{rejected[0][0]}", rejected[0][1])
    name = spec.clusterName or meta.name
    model = runtime.model
    live = [pod for pod in model.cluster_pods(meta.namespace, label_value(name)) if not pod.deleting]
    selectors = node_pool_selectors(spec)
    status = {
        "clusterName": name,
        "status": "ACTIVE",
        "runningTasksCount": sum(1 for pod in live if pod.phase == "Running"),
        "pendingTasksCount": sum(1 for pod in live if pod.phase in ("", "Pending")),
        "activeServicesCount": len(model.services_in(meta.namespace, name)),
    }
    nodes = model.nodes()
    if nodes is not None:
        status["registeredContainerInstancesCount"] = sum(1 for labels in nodes if is_registered(labels, selectors))
    warnings = [str(warning) for warning in field_warnings(meta.ref, spec)]
    return Outcome(status, reason="Active", message=f"cluster {name} is ACTIVE", warnings=warnings)
