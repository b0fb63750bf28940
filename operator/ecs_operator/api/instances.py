"""Container instances are the Kubernetes nodes: ListContainerInstances, DescribeContainerInstances, ListAttributes.

A cluster's instances are the nodes of its node pools (every node when it declares none), as the operator
counts them for ``registeredContainerInstancesCount``. The instance ID is the node's name (what kubectl takes).
Resources are the node's capacity and what is left after its Pods' requests; attributes are ECS's standard
ones (``ecs.availability-zone``, ``ecs.instance-type``, ``ecs.os-type``, ``ecs.cpu-architecture``) from the
labels the placement translation reads, and every other node label as a custom attribute. A cordoned node is
DRAINING. ``filter`` takes the cluster query language expressions placement constraints take.
"""

from __future__ import annotations

import re
from typing import Any

from ecs_operator.api import clusters
from ecs_operator.api.clusters import ClusterRef
from ecs_operator.api.context import Call, JsonDict
from ecs_operator.api.errors import invalid_parameter
from ecs_operator.api.paging import page
from ecs_operator.k8s.client import matches_labels
from ecs_operator.models.cluster import CAPACITY_PROVIDER_LABEL
from ecs_operator.translate.context import LABEL_CLUSTER, TranslationError, label_value
from ecs_operator.translate.placement import ATTRIBUTE_LABELS, Requirement, parse_expression

MAX_DESCRIBE = 100
_QUANTITY = re.compile(r"^(?P<number>[0-9.]+)(?P<unit>[a-zA-Z]*)$")
_UNITS = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_./-]{1,128}$")
_UNANSWERABLE = re.compile(
    r"\b(task:group|ec2InstanceId|agentConnected|agentVersion|registeredAt|runningTasksCount)\b|=~|!~|\bmatches\b"
)


def cpu_units(quantity: str | None) -> int:
    """A CPU quantity ("4", "3500m") in ECS CPU units (1024 per CPU)."""
    if not quantity:
        return 0
    if quantity.endswith("m"):
        return int(float(quantity[:-1]) * 1024 / 1000)
    return int(float(quantity) * 1024)


def memory_mib(quantity: str | None) -> int:
    """A memory quantity ("16Gi", "512M") in MiB."""
    match = _QUANTITY.match(quantity or "")
    if match is None or match["unit"] not in _UNITS:
        return 0
    return int(float(match["number"]) * _UNITS[match["unit"]] / 2**20)


def selectors(cluster: ClusterRef) -> list[dict[str, str]]:
    pools = ((cluster.body or {}).get("spec") or {}).get("nodePools") or []
    return [pool.get("nodeSelector") or {CAPACITY_PROVIDER_LABEL: pool["capacityProvider"]} for pool in pools]


async def registered_nodes(call: Call, cluster: ClusterRef) -> list[JsonDict]:
    chosen = selectors(cluster)
    return [
        node
        for node in await call.objects("Node", None)
        if not chosen or any(matches_labels(node, selector) for selector in chosen)
    ]


def attributes(node: JsonDict) -> list[JsonDict]:
    labels = node["metadata"].get("labels") or {}
    standard = {label: name for name, label in ATTRIBUTE_LABELS.items()}
    found = []
    for key, value in sorted(labels.items()):
        name = standard.get(key, key)
        if _ATTRIBUTE_NAME.match(name):
            found.append(
                {"name": name, "value": value, "targetType": "container-instance", "targetId": node["metadata"]["name"]}
            )
    return found


def requested(pods: list[JsonDict], resource: str) -> list[str]:
    return [
        str(((c.get("resources") or {}).get("requests") or {}).get(resource))
        for pod in pods
        for c in pod["spec"]["containers"]
        if ((c.get("resources") or {}).get("requests") or {}).get(resource)
    ]


def describe(call: Call, cluster: ClusterRef, node: JsonDict, pods: list[JsonDict], include: set[str]) -> JsonDict:
    """The ECS ``ContainerInstance`` shape of a node; ``pods`` are the cluster's Pods on it."""
    meta, status = node["metadata"], node.get("status") or {}
    capacity = status.get("allocatable") or status.get("capacity") or {}
    cpu, memory = cpu_units(capacity.get("cpu")), memory_mib(capacity.get("memory"))
    used_cpu = sum(cpu_units(q) for q in requested(pods, "cpu"))
    used_memory = sum(memory_mib(q) for q in requested(pods, "memory"))
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
    phases = [(pod.get("status") or {}).get("phase") for pod in pods if not pod["metadata"].get("deletionTimestamp")]
    info = status.get("nodeInfo") or {}
    result: JsonDict = {
        "containerInstanceArn": call.arns.container_instance(cluster.name, meta["name"]),
        "ec2InstanceId": (node.get("spec") or {}).get("providerID") or meta["name"],
        "version": int(meta.get("resourceVersion") or 1) if str(meta.get("resourceVersion", "")).isdigit() else 1,
        "versionInfo": {
            "agentVersion": f"kubelet {info.get('kubeletVersion', '')}".strip(),
            "dockerVersion": info.get("containerRuntimeVersion", ""),
        },
        "registeredResources": resources_of(cpu, memory),
        "remainingResources": resources_of(max(cpu - used_cpu, 0), max(memory - used_memory, 0)),
        "status": "DRAINING" if (node.get("spec") or {}).get("unschedulable") else "ACTIVE",
        "agentConnected": ready,
        "runningTasksCount": sum(1 for phase in phases if phase == "Running"),
        "pendingTasksCount": sum(1 for phase in phases if phase in (None, "Pending")),
        "attributes": attributes(node),
        "registeredAt": meta.get("creationTimestamp"),
        "attachments": [],
    }
    provider = (meta.get("labels") or {}).get(CAPACITY_PROVIDER_LABEL)
    if provider:
        result["capacityProviderName"] = provider
    if "TAGS" in include:
        result["tags"] = []
    if "CONTAINER_INSTANCE_HEALTH" in include:
        overall = "OK" if ready else "IMPAIRED"
        result["healthStatus"] = {
            "overallStatus": overall,
            "details": [{"type": "CONTAINER_RUNTIME", "status": overall}],
        }
    return result


def resources_of(cpu: int, memory: int) -> list[JsonDict]:
    return [
        {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
        {"name": "MEMORY", "type": "INTEGER", "integerValue": memory},
    ]


def filter_terms(expression: str) -> list[list[Requirement]]:
    """A filter as node selector terms. Placement warns about and leaves out what no node label answers (task
    groups, regular expressions); a filter leaving it out would list instances it does not mean, so it is refused."""
    unanswerable = _UNANSWERABLE.search(expression)
    if unanswerable:
        raise invalid_parameter(
            f"filter: {unanswerable.group(0)!r} is not supported here: only attribute:<name> conditions with ==, !=, "
            "in, not in, exists and not exists (on node labels)"
        )
    try:
        return parse_expression(expression, "filter")
    except TranslationError as error:
        raise invalid_parameter(f"filter: {error.message}") from error


def satisfies(node: JsonDict, terms: list[list[Requirement]]) -> bool:
    """Whether a node's labels satisfy node selector terms (OR of ANDed requirements)."""
    labels = node["metadata"].get("labels") or {}

    def holds(requirement: Requirement) -> bool:
        value, operator, values = labels.get(requirement["key"]), requirement["operator"], requirement.get("values", [])
        if operator == "In":
            return value in values
        if operator == "NotIn":
            return value not in values
        if operator in ("Gt", "Lt"):
            if value is None or not value.lstrip("-").isdigit():
                return False
            return int(value) > int(values[0]) if operator == "Gt" else int(value) < int(values[0])
        return bool((value is not None) == (operator == "Exists"))

    return any(all(holds(requirement) for requirement in term) for term in terms)


async def list_container_instances(call: Call, params: JsonDict) -> JsonDict:
    cluster = await clusters.find_cluster(call, params.get("cluster"))
    nodes = await registered_nodes(call, cluster)
    if params.get("filter"):
        nodes = [node for node in nodes if satisfies(node, filter_terms(params["filter"]))]
    if params.get("status"):
        wanted = params["status"]
        nodes = [
            node
            for node in nodes
            if ("DRAINING" if (node.get("spec") or {}).get("unschedulable") else "ACTIVE") == wanted
        ]
    arns = [call.arns.container_instance(cluster.name, node["metadata"]["name"]) for node in nodes]
    chosen, token = page([(arn, arn) for arn in arns], params)
    return {"containerInstanceArns": chosen, "nextToken": token}


async def describe_container_instances(call: Call, params: JsonDict) -> JsonDict:
    references = params["containerInstances"]
    if len(references) > MAX_DESCRIBE:
        raise invalid_parameter(f"containerInstances: at most {MAX_DESCRIBE} per call")
    cluster = await clusters.find_cluster(call, params.get("cluster"))
    nodes = {node["metadata"]["name"]: node for node in await registered_nodes(call, cluster)}
    pods = await call.objects("Pod", cluster.namespace, {LABEL_CLUSTER: label_value(cluster.name)})
    include = set(params.get("include") or [])
    found, failures = [], []
    for reference in references:
        name = call.arns.name_in(reference, "container-instance", call.operation)[-1]
        node = nodes.get(name)
        if node is None:
            failures.append({"arn": call.arns.container_instance(cluster.name, name), "reason": "MISSING"})
            continue
        on_node = [pod for pod in pods if pod["spec"].get("nodeName") == name]
        found.append(describe(call, cluster, node, on_node, include))
    return {"containerInstances": found, "failures": failures}


async def list_attributes(call: Call, params: JsonDict) -> JsonDict:
    cluster = await clusters.find_cluster(call, params.get("cluster"))
    found: list[tuple[str, Any]] = []
    for node in await registered_nodes(call, cluster):
        for attribute in attributes(node):
            if params.get("attributeName") and attribute["name"] != params["attributeName"]:
                continue
            if params.get("attributeValue") and attribute["value"] != params["attributeValue"]:
                continue
            found.append((f"{attribute['targetId']}/{attribute['name']}", attribute))
    chosen, token = page(found, params)
    return {"attributes": chosen, "nextToken": token}
