"""Services: ECSService resources. CreateService, DescribeServices, ListServices, ListServicesByNamespace,
UpdateService, DeleteService.

The request is the spec, with the task definition pinned: ``family`` becomes the ``family:N`` it resolves to at
the call, as ECS resolves it (the operator would otherwise roll out every new revision of a bare family).
Counts, deployments and events are what the operator reports in the status; until it has reconciled a change,
DescribeServices shows the spec's desiredCount and the deployments it last reported.

``forceNewDeployment`` sets the spec's ``forceNewDeployment`` to the time of the call: the operator puts the value
on the pod template, so every task is replaced with a new one of the same revision. The operator's status keeps
one deployment per revision, so while the replacement rolls out DescribeServices shows it as ECS does, a new
PRIMARY deployment of the same revision beside the previous one (now ACTIVE), read from the workloads' rollout
status, and ``services-stable`` waits for it.

A deleted service is remembered for an hour by a Kubernetes Event
(``ServiceInactive``), from which DescribeServices answers it INACTIVE, as ECS does.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from ecs_operator.api import clusters, protocol, resources, taskdefinitions
from ecs_operator.api.clusters import ClusterRef, cluster_of
from ecs_operator.api.context import ANNOTATION_CREATED_BY, GROUP, Call, JsonDict, name_or, now, precise_now, reconciled
from ecs_operator.api.errors import EcsError, invalid_parameter, service_not_found
from ecs_operator.api.paging import page
from ecs_operator.api.protocol import epoch_seconds
from ecs_operator.models.service import DEPLOYMENT_DEFAULTS, ECSServiceSpec
from ecs_operator.translate.context import (
    API_VERSION,
    LABEL_CLUSTER,
    LABEL_SERVICE,
    MANAGED_BY,
    Meta,
    TaskDefinitionRevision,
    TranslationError,
    k8s_name,
    label_value,
)
from ecs_operator.translate.service import ANNOTATION_FORCE_NEW_DEPLOYMENT, render_service

KIND = "ECSService"
INACTIVE_REASON = "ServiceInactive"
ANNOTATION_DESCRIBED = f"{GROUP}/described"
WORKLOADS = ("Deployment", "DaemonSet")
MAX_DESCRIBE = 10


def update_members() -> list[str]:
    """UpdateService's members that are CreateService's too: what an update changes in the spec."""
    model = protocol.service_model()
    create = model.operation_model("CreateService").input_shape.members
    update = model.operation_model("UpdateService").input_shape.members
    return [name for name in update if name in create and name not in ("cluster", "service")]


def service_name(call: Call, cluster: ClusterRef, reference: str) -> str | None:
    """The service a name or ARN names; None for an ARN of a service in another cluster."""
    path = call.arns.name_in(reference, "service", call.operation)
    if len(path) == 2 and path[0] != cluster.name:
        return None
    return path[-1]


async def services_of(call: Call, cluster: ClusterRef) -> list[JsonDict]:
    return [body for body in await call.objects(KIND, cluster.namespace) if cluster_of(body) == cluster.name]


async def find_service(call: Call, cluster: ClusterRef, reference: str) -> JsonDict | None:
    name = service_name(call, cluster, reference)
    return next((body for body in await services_of(call, cluster) if name_or(body, "serviceName") == name), None)


async def existing_service(call: Call, params: JsonDict) -> tuple[ClusterRef, JsonDict]:
    cluster = await clusters.find_cluster(call, params.get("cluster"))
    body = await find_service(call, cluster, params["service"])
    if body is None:
        raise service_not_found(params["service"])
    return cluster, body


def _arn(call: Call, reference: str | None) -> str | None:
    if not reference:
        return None
    family, _, revision = reference.rpartition("/")[2].partition(":")
    return call.arns.task_definition(family, int(revision)) if revision.isdigit() else reference


def deployment(call: Call, entry: JsonDict, spec: JsonDict, primary: bool) -> JsonDict:
    """One of the operator's deployments, in ECS's ``Deployment`` shape."""
    result: JsonDict = {
        "id": entry["id"],
        "status": entry["status"],
        "taskDefinition": _arn(call, entry.get("taskDefinition")),
        **{key: entry.get(key, 0) for key in ("desiredCount", "pendingCount", "runningCount", "failedTasks")},
        **{key: entry[key] for key in ("createdAt", "updatedAt", "rolloutState", "rolloutStateReason") if key in entry},
    }
    for member in ("launchType", "capacityProviderStrategy", "platformVersion", "networkConfiguration"):
        if spec.get(member) is not None:
            result[member] = spec[member]
    if primary:
        for member in ("serviceConnectConfiguration", "volumeConfigurations"):
            if spec.get(member):
                result[member] = spec[member]
    return result


def rolled_out(workload: JsonDict) -> bool:
    """Whether a Deployment or DaemonSet has finished rolling out its current template."""
    status, generation = workload.get("status") or {}, workload["metadata"].get("generation")
    if generation is not None and int(status.get("observedGeneration") or 0) < int(generation):
        return False
    if workload["kind"] == "DaemonSet":
        desired = int(status.get("desiredNumberScheduled") or 0)
        return int(status.get("updatedNumberScheduled") or 0) == desired == int(status.get("numberAvailable") or 0)
    replicas = int((workload.get("spec") or {}).get("replicas", 1))
    updated, available = int(status.get("updatedReplicas") or 0), int(status.get("availableReplicas") or 0)
    return updated == replicas and available >= replicas and int(status.get("replicas") or 0) == replicas


def restart(body: JsonDict, workloads: list[JsonDict]) -> JsonDict | None:
    """A forceNewDeployment not rolled out yet (the workloads' template lacks its value, or is still rolling):
    the ECS deployment it stands for, a new PRIMARY of the same revision as ECS shows it; None when done."""
    wanted = (body.get("spec") or {}).get("forceNewDeployment")
    if not wanted:
        return None
    for workload in workloads:
        template = (workload.get("spec") or {}).get("template") or {}
        applied = (template.get("metadata", {}).get("annotations") or {}).get(ANNOTATION_FORCE_NEW_DEPLOYMENT)
        if applied != wanted or not rolled_out(workload):
            status = workload.get("status") or {}
            digest = hashlib.sha256(f"{body['metadata'].get('uid')}/{wanted}".encode()).hexdigest()
            ready = int(status.get("readyReplicas") or status.get("numberReady") or 0)
            updated = int(status.get("updatedReplicas") or status.get("updatedNumberScheduled") or 0)
            stamp = wanted if epoch_seconds(wanted) is not None else None
            return {
                "id": f"ecs-svc/{int(digest[:16], 16) % 10**19:019d}",
                "status": "PRIMARY",
                "runningCount": min(updated, ready) if applied == wanted else 0,
                "pendingCount": 0,
                "failedTasks": 0,
                "rolloutState": "IN_PROGRESS",
                "rolloutStateReason": "ECS deployment in progress (forceNewDeployment).",
                "createdAt": stamp,
                "updatedAt": stamp,
            }
    return None


async def workloads_of(call: Call, namespace: str) -> dict[str, list[JsonDict]]:
    """The services' Deployments and DaemonSets in a namespace, by owner uid."""
    found: dict[str, list[JsonDict]] = {}
    for kind in WORKLOADS:
        for workload in await call.objects(kind, namespace, {**MANAGED_BY, LABEL_SERVICE: None}):
            for owner in workload["metadata"].get("ownerReferences") or []:
                found.setdefault(str(owner.get("uid")), []).append(workload)
    return found


def describe(
    call: Call,
    cluster: ClusterRef,
    body: JsonDict,
    include: set[str] | None = None,
    workloads: list[JsonDict] | None = None,
) -> JsonDict:
    """The ECS ``Service`` shape of a service resource (with its workloads: a restart under way shows)."""
    spec, status, meta = body.get("spec") or {}, body.get("status") or {}, body["metadata"]
    name = name_or(body, "serviceName")
    strategy = spec.get("schedulingStrategy") or "REPLICA"
    minimum, maximum = DEPLOYMENT_DEFAULTS[strategy]
    fresh = reconciled(body)
    result: JsonDict = {
        "serviceArn": call.arns.service(cluster.name, name),
        "serviceName": name,
        "clusterArn": call.arns.cluster(cluster.name),
        "status": "DRAINING" if meta.get("deletionTimestamp") else status.get("status") or "ACTIVE",
        "desiredCount": status.get("desiredCount", 0) if fresh or strategy == "DAEMON" else spec.get("desiredCount", 1),
        "runningCount": status.get("runningCount", 0),
        "pendingCount": status.get("pendingCount", 0),
        "taskDefinition": _arn(call, status.get("taskDefinition") if fresh else spec.get("taskDefinition")),
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": maximum,
            "minimumHealthyPercent": minimum,
            **(spec.get("deploymentConfiguration") or {}),
        },
        "deployments": [
            deployment(call, entry, spec, index == 0) for index, entry in enumerate(status.get("deployments") or [])
        ],
        "events": status.get("events") or [],
        "createdAt": meta.get("creationTimestamp"),
        "schedulingStrategy": strategy,
        "deploymentController": spec.get("deploymentController") or {"type": "ECS"},
        "enableECSManagedTags": spec.get("enableECSManagedTags", False),
        "propagateTags": spec.get("propagateTags") or "NONE",
        "enableExecuteCommand": spec.get("enableExecuteCommand", False),
        "loadBalancers": spec.get("loadBalancers") or [],
        "serviceRegistries": spec.get("serviceRegistries") or [],
        "placementConstraints": spec.get("placementConstraints") or [],
        "placementStrategy": spec.get("placementStrategy") or [],
    }
    for member in (
        "launchType",
        "capacityProviderStrategy",
        "platformVersion",
        "platformFamily",
        "networkConfiguration",
        "healthCheckGracePeriodSeconds",
        "availabilityZoneRebalancing",
    ):
        if spec.get(member) is not None:
            result[member] = spec[member]
    if spec.get("role"):
        role = spec["role"]
        result["roleArn"] = role if role.startswith("arn:") else f"arn:aws:iam::{call.config.account_id}:role/{role}"
    if (meta.get("annotations") or {}).get(ANNOTATION_CREATED_BY):
        result["createdBy"] = meta["annotations"][ANNOTATION_CREATED_BY]
    if "TAGS" in (include or set()):
        result["tags"] = spec.get("tags") or []
    restarting = restart(body, workloads or [])
    if restarting is not None and result["deployments"]:
        current = result["deployments"][0]
        restarting.update(taskDefinition=current["taskDefinition"], desiredCount=current["desiredCount"])
        result["deployments"] = [restarting, {**current, "status": "ACTIVE"}, *result["deployments"][1:]]
    return result


async def checked(call: Call, cluster: ClusterRef, spec: JsonDict, name: str) -> JsonDict:
    """The spec, its task definition pinned to the revision it names now; refused, naming the field, if the
    operator could not run it."""
    _, revision = await taskdefinitions.find_revision(call, spec["taskDefinition"], cluster.namespace, active=True)
    spec = {**spec, "taskDefinition": revision.family_revision}
    model = resources.checked_spec(KIND, spec, call.operation)
    assert isinstance(model, ECSServiceSpec)
    td = TaskDefinitionRevision(revision.family, revision.number, revision.spec(), namespace=cluster.namespace)
    try:
        render_service(
            model,
            Meta(KIND, name, cluster.namespace),
            td,
            clusters.context(cluster),
            await resources.security_groups(call, cluster.namespace),
        )
    except TranslationError as error:
        raise resources.untranslatable(error) from error
    return spec


async def create_service(call: Call, params: JsonDict) -> JsonDict:
    cluster = await clusters.active_cluster(call, params.get("cluster"))
    name = params["serviceName"]
    existing = await find_service(call, cluster, name)
    if existing is not None:
        if existing["metadata"].get("deletionTimestamp"):
            raise invalid_parameter(f"service {name} is being deleted (DRAINING); create it again once it is gone")
        raise invalid_parameter("Creation of service was not idempotent.")
    if "taskDefinition" not in params:
        raise invalid_parameter("taskDefinition: is required (family, family:revision or ARN)")
    spec = {key: value for key, value in params.items() if key != "clientToken"}
    if params.get("cluster"):
        spec["cluster"] = cluster.name
    resource_name = await free_name(call, cluster, name)
    spec = await checked(call, cluster, spec, resource_name)
    body = await resources.create(call, KIND, cluster.namespace, resource_name, spec)
    done = await resources.after_reconcile(call, body)
    return {"service": describe(call, cluster, done or body, {"TAGS"})}


async def free_name(call: Call, cluster: ClusterRef, name: str) -> str:
    """The service's name as a Kubernetes name; in another cluster's service's way, prefixed by its cluster."""
    taken = {body["metadata"]["name"] for body in await call.objects(KIND, cluster.namespace)}
    candidate = k8s_name(name)
    return candidate if candidate not in taken else k8s_name(f"{cluster.name}-{name}")


async def describe_services(call: Call, params: JsonDict) -> JsonDict:
    references = params["services"]
    if len(references) > MAX_DESCRIBE:
        raise invalid_parameter(f"services: at most {MAX_DESCRIBE} services per call")
    cluster = await clusters.find_cluster(call, params.get("cluster"))
    include = set(params.get("include") or [])
    workloads, _ = await asyncio.gather(workloads_of(call, cluster.namespace), services_of(call, cluster))
    found, failures = [], []
    for reference in references:
        body = await find_service(call, cluster, reference)
        if body is not None:
            found.append(describe(call, cluster, body, include, workloads.get(str(body["metadata"].get("uid")), [])))
            continue
        inactive = await remembered(call, cluster, service_name(call, cluster, reference) or reference)
        if inactive is not None:
            found.append(inactive)
        else:
            failures.append({"arn": call.arns.service(cluster.name, reference.rsplit("/", 1)[-1]), "reason": "MISSING"})
    return {"services": found, "failures": failures}


async def list_services(call: Call, params: JsonDict) -> JsonDict:
    cluster = await clusters.find_cluster(call, params.get("cluster"))
    items = []
    for body in await services_of(call, cluster):
        spec = body.get("spec") or {}
        if params.get("launchType") and spec.get("launchType") != params["launchType"]:
            continue
        if (
            params.get("schedulingStrategy")
            and (spec.get("schedulingStrategy") or "REPLICA") != params["schedulingStrategy"]
        ):
            continue
        arn = call.arns.service(cluster.name, name_or(body, "serviceName"))
        items.append((arn, arn))
    chosen, token = page(items, params)
    return {"serviceArns": chosen, "nextToken": token}


async def list_services_by_namespace(call: Call, params: JsonDict) -> JsonDict:
    """Services whose Service Connect configuration names the (Cloud Map) namespace, or whose cluster's
    default does. A namespace exists here as a name that a cluster's defaults or a service give; one that none
    gives is NamespaceNotFoundException, as ECS answers for a Cloud Map namespace that does not exist."""
    wanted = params["namespace"]
    items, known = [], False
    for cluster_body in await call.objects_in_scope("ECSCluster"):
        cluster = ClusterRef(name_or(cluster_body, "clusterName"), cluster_body["metadata"]["namespace"], cluster_body)
        default = ((cluster_body.get("spec") or {}).get("serviceConnectDefaults") or {}).get("namespace")
        known = known or default == wanted
        for body in await services_of(call, cluster):
            connect = (body.get("spec") or {}).get("serviceConnectConfiguration") or {}
            known = known or connect.get("namespace") == wanted
            if connect.get("enabled") and (connect.get("namespace") or default) == wanted:
                arn = call.arns.service(cluster.name, name_or(body, "serviceName"))
                items.append((arn, arn))
    if not known:
        raise EcsError(
            "NamespaceNotFoundException",
            f"Namespace not found: {params['namespace']} (no cluster's serviceConnectDefaults and no service's "
            "serviceConnectConfiguration names it)",
        )
    chosen, token = page(items, params)
    return {"serviceArns": chosen, "nextToken": token}


async def update_service(call: Call, params: JsonDict) -> JsonDict:
    """As ECS: a service being deleted (DRAINING) or deleted and remembered (INACTIVE) is not ACTIVE."""
    cluster = await clusters.find_cluster(call, params.get("cluster"))
    body = await find_service(call, cluster, params["service"])
    if body is None:
        name = service_name(call, cluster, params["service"])
        if name is not None and await remembered(call, cluster, name) is not None:
            raise EcsError("ServiceNotActiveException", f"Service was not ACTIVE: {name} is INACTIVE (deleted).")
        raise service_not_found(params["service"])
    if body["metadata"].get("deletionTimestamp"):
        draining = name_or(body, "serviceName")
        raise EcsError("ServiceNotActiveException", f"Service was not ACTIVE: {draining} is DRAINING (being deleted).")
    changes = {member: params[member] for member in update_members() if member in params}
    spec = {**(body.get("spec") or {}), **changes}
    if params.get("forceNewDeployment"):
        spec["forceNewDeployment"] = precise_now()  # a new value: the operator replaces every task
    spec = await checked(call, cluster, spec, body["metadata"]["name"])
    updated = await resources.replace_spec(call, body, spec)
    done = await resources.after_reconcile(call, updated)
    workloads = (await workloads_of(call, cluster.namespace)).get(str(updated["metadata"].get("uid")), [])
    return {"service": describe(call, cluster, done or updated, workloads=workloads)}


async def delete_service(call: Call, params: JsonDict) -> JsonDict:
    cluster, body = await existing_service(call, params)
    described = describe(call, cluster, body)
    if described["schedulingStrategy"] == "REPLICA" and described["desiredCount"] > 0 and not params.get("force"):
        raise invalid_parameter("The service cannot be stopped while it is scaled above 0.")
    meta = body["metadata"]
    await call.kube.delete(KIND, meta["namespace"], meta["name"])
    call.forget(KIND, meta["namespace"])
    await remember(call, body, described)
    return {"service": {**described, "status": "DRAINING"}}


async def remember(call: Call, body: JsonDict, described: JsonDict) -> None:
    """An Event that keeps the deleted service's description for DescribeServices (Events live an hour)."""
    meta = body["metadata"]
    inactive = {
        **{key: described[key] for key in ("serviceArn", "serviceName", "clusterArn", "taskDefinition", "createdAt")},
        "schedulingStrategy": described["schedulingStrategy"],
        "deletedAt": now(),
    }
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "generateName": f"{meta['name']}.",
            "namespace": meta["namespace"],
            "annotations": {ANNOTATION_DESCRIBED: json.dumps(inactive, default=str)},
            "labels": {LABEL_CLUSTER: label_value(described["clusterArn"].rsplit("/", 1)[1])},
        },
        "involvedObject": {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "name": meta["name"],
            "namespace": meta["namespace"],
            "uid": meta.get("uid"),
        },
        "reason": INACTIVE_REASON,
        "message": f"(service {described['serviceName']}) was deleted through the ECS API; it is INACTIVE.",
        "type": "Normal",
        "source": {"component": "ecs-operator-api"},
        "firstTimestamp": now(),
        "lastTimestamp": now(),
        "count": 1,
    }
    await call.kube.create(event)


async def remembered(call: Call, cluster: ClusterRef, name: str) -> JsonDict | None:
    """A deleted service's INACTIVE description, from its Event (the latest, if deleted several times)."""
    events = await call.objects(
        "Event", cluster.namespace, fields={"reason": INACTIVE_REASON, "involvedObject.kind": KIND}
    )
    arn = call.arns.service(cluster.name, name)
    found = []
    for event in events:
        if event.get("reason") != INACTIVE_REASON:
            continue
        try:
            described: dict[str, Any] = json.loads((event["metadata"].get("annotations") or {})[ANNOTATION_DESCRIBED])
        except (KeyError, ValueError):
            continue
        if described.get("serviceArn") == arn:
            found.append(described)
    if not found:
        return None
    latest = max(found, key=lambda item: str(item.get("deletedAt")))
    return {
        **{key: value for key, value in latest.items() if key != "deletedAt"},
        "status": "INACTIVE",
        "desiredCount": 0,
        "runningCount": 0,
        "pendingCount": 0,
        "deployments": [],
        "events": [],
    }
