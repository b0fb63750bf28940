"""Tasks: the ECSTask resources RunTask and StartTask create, and the Pods of services. RunTask, StartTask,
StopTask, DescribeTasks, ListTasks.

An ECSTask's tasks are described from its status, which the operator writes as DescribeTasks shows them (task
ARNs, states, containers' exit codes, stop codes). A service's tasks are its Pods (task ID = Pod name, as the
operator's service events name them), described from the Pod: its phase, its containers' states. RunTask
waits for the operator to start the tasks, so that it answers with their ARNs.

StopTask of an ECSTask's only task sets its ``desiredStatus: STOPPED`` (the operator stops it, with the reason);
a task among several of one RunTask call, or a service's task, has its Pod deleted (a service starts a new
one, as ECS's scheduler does). A service task stopped so is remembered for an hour by a Kubernetes Event
(``TaskStopped``), from which DescribeTasks answers it STOPPED.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ecs_operator.api import clusters, resources, taskdefinitions
from ecs_operator.api.clusters import ClusterRef
from ecs_operator.api.context import GROUP, Call, JsonDict, name_or, now
from ecs_operator.api.errors import EcsError, client_error, invalid_parameter, service_not_found
from ecs_operator.api.paging import page
from ecs_operator.models.task import ECSTaskSpec
from ecs_operator.translate.context import (
    ANNOTATION_CONTAINER_NAMES,
    API_VERSION,
    LABEL_CLUSTER,
    LABEL_SERVICE,
    LABEL_TASK,
    LABEL_TASK_DEFINITION,
    Meta,
    TaskDefinitionRevision,
    TranslationError,
    k8s_name,
    label_value,
)
from ecs_operator.translate.service import LABEL_CAPACITY_PROVIDER
from ecs_operator.translate.task import render_task

KIND = "ECSTask"
STOPPED_REASON = "TaskStopped"
ANNOTATION_DESCRIBED = f"{GROUP}/described"
LABEL_CLIENT_TOKEN = f"{GROUP}/client-token"  # a RunTask's clientToken, hashed to a label value
ANNOTATION_REQUEST = f"{GROUP}/request"  # the hash of the RunTask request that used the token
HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"
MAX_DESCRIBE = 100
_PHASES = {"Pending": "PENDING", "Running": "RUNNING", "Succeeded": "STOPPED", "Failed": "STOPPED"}


@dataclass(frozen=True)
class Task:
    """One task: what ListTasks filters on, and (built when asked for) its DescribeTasks view."""

    arn: str
    desired: str | None  # desiredStatus
    family: str | None
    service: str | None  # the ECS service name, for a service's task
    node: str | None
    started_by: str | None
    launch_type: str | None
    source: JsonDict  # the ECSTask resource or the Pod it comes from
    render: Callable[[], JsonDict] = field(repr=False)

    @property
    def task_id(self) -> str:
        return self.arn.rsplit("/", 1)[1]

    @cached_property
    def view(self) -> JsonDict:
        """The ECS ``Task`` shape."""
        return self.render()


async def cluster_tasks(call: Call, cluster: ClusterRef) -> list[Task]:
    """Every task of the cluster: ECSTasks' (from their status) and services' (their Pods)."""
    pods, resources, service_bodies = await asyncio.gather(
        call.objects("Pod", cluster.namespace, {LABEL_CLUSTER: label_value(cluster.name)}),
        call.objects(KIND, cluster.namespace),
        call.objects("ECSService", cluster.namespace),
    )
    by_name = {pod["metadata"]["name"]: pod for pod in pods}
    found: list[Task] = []
    for body in resources:
        if _cluster_of_task(body) == cluster.name:
            found.extend(task_of_resource(call, cluster, body, entry, by_name) for entry in _entries(body))
    services = {
        label_value(name_or(body, "serviceName")): (body, revisions(body))
        for body in service_bodies
        if clusters.cluster_of(body) == cluster.name
    }
    for pod in pods:
        labels = pod["metadata"].get("labels") or {}
        service = services.get(labels.get(LABEL_SERVICE, ""))
        if service is not None and LABEL_TASK not in labels:
            body, deployments = service
            found.append(task_of_pod(call, cluster, body, pod, deployments.get(labels.get(LABEL_TASK_DEFINITION, ""))))
    return found


def revisions(service: JsonDict) -> dict[str, JsonDict]:
    """A service's deployments by the task-definition label of their Pods (``<family>-<revision>``)."""
    deployments = (service.get("status") or {}).get("deployments") or []
    return {label_value(str(d.get("taskDefinition", "")).replace(":", "-")): d for d in reversed(deployments)}


def _entries(body: JsonDict) -> list[JsonDict]:
    return [entry for entry in (body.get("status") or {}).get("tasks") or [] if entry.get("taskArn")]


def _cluster_of_task(body: JsonDict) -> str | None:
    """The cluster an ECSTask runs in: the one it started in, else the one its spec names."""
    return (body.get("status") or {}).get("clusterName") or clusters.cluster_of(body)


def _family(reference: str | None) -> str | None:
    return reference.rpartition("/")[2].split(":")[0] if reference else None


def _td_arn(call: Call, reference: str | None) -> str | None:
    if not reference or ":" not in reference:
        return None
    family, _, revision = reference.rpartition("/")[2].partition(":")
    return call.arns.task_definition(family, int(revision)) if revision.isdigit() else None


def task_of_resource(
    call: Call, cluster: ClusterRef, body: JsonDict, entry: JsonDict, pods: dict[str, JsonDict]
) -> Task:
    """One of an ECSTask's tasks, from the status entry the operator wrote for it."""
    spec, status = body.get("spec") or {}, body.get("status") or {}
    pod = pods.get(entry.get("podName") or "")
    node = (pod or {}).get("spec", {}).get("nodeName")
    launch_type = status.get("launchType") or spec.get("launchType")
    return Task(
        entry["taskArn"],
        entry.get("desiredStatus"),
        _family(status.get("taskDefinition")),
        None,
        node,
        spec.get("startedBy"),
        launch_type,
        body,
        lambda: resource_view(call, cluster, body, entry, node),
    )


def resource_view(call: Call, cluster: ClusterRef, body: JsonDict, entry: JsonDict, node: str | None) -> JsonDict:
    spec, status = body.get("spec") or {}, body.get("status") or {}
    view: JsonDict = {
        "taskArn": entry["taskArn"],
        "clusterArn": call.arns.cluster(cluster.name),
        "taskDefinitionArn": _td_arn(call, status.get("taskDefinition")),
        "overrides": spec.get("overrides") or {"containerOverrides": []},
        "lastStatus": entry.get("lastStatus"),
        "desiredStatus": entry.get("desiredStatus"),
        "containers": [
            {
                "taskArn": entry["taskArn"],
                **{k: c[k] for k in ("name", "image", "lastStatus", "exitCode", "reason") if k in c},
            }
            for c in entry.get("containers") or []
        ],
        "group": status.get("group") or spec.get("group"),
        "startedBy": spec.get("startedBy"),
        "launchType": status.get("launchType") or spec.get("launchType"),
        "enableExecuteCommand": spec.get("enableExecuteCommand", False),
        "tags": spec.get("tags") or [],
        "version": 1,
        "attachments": [],
    }
    for key in ("cpu", "memory", "capacityProviderName", "stopCode", "stoppedReason"):
        if entry.get(key) is not None:
            view[key] = entry[key]
    for key in ("createdAt", "startedAt", "stoppingAt", "stoppedAt"):
        if entry.get(key):
            view[key] = entry[key]
    if entry.get("stoppedAt"):
        view["executionStoppedAt"] = entry["stoppedAt"]
    if node:
        view["containerInstanceArn"] = call.arns.container_instance(cluster.name, node)
    return view


def pod_containers(pod: JsonDict, task_arn: str) -> list[JsonDict]:
    """The Pod's containers under their ECS names, with their states and exit codes."""
    names = json.loads((pod["metadata"].get("annotations") or {}).get(ANNOTATION_CONTAINER_NAMES, "{}"))
    status = pod.get("status") or {}
    reported = {c["name"]: c for c in [*status.get("initContainerStatuses", []), *status.get("containerStatuses", [])]}
    result = []
    for container in [*pod["spec"].get("initContainers", []), *pod["spec"]["containers"]]:
        state = reported.get(container["name"], {}).get("state") or {}
        entry: JsonDict = {"taskArn": task_arn, "name": names.get(container["name"], container["name"])}
        entry["image"] = container.get("image")
        if "terminated" in state:
            entry.update(lastStatus="STOPPED", exitCode=state["terminated"].get("exitCode"))
            if state["terminated"].get("reason"):
                entry["reason"] = state["terminated"]["reason"]
        elif "running" in state:
            entry["lastStatus"] = "RUNNING"
        else:
            entry["lastStatus"] = "PENDING"
            if (state.get("waiting") or {}).get("reason"):
                entry["reason"] = state["waiting"]["reason"]
        result.append(entry)
    return result


def task_of_pod(call: Call, cluster: ClusterRef, service: JsonDict, pod: JsonDict, deployment: JsonDict | None) -> Task:
    """A service's task: its Pod, with the ECS deployment whose revision it runs."""
    meta = pod["metadata"]
    last = pod_status(pod)
    return Task(
        call.arns.task(cluster.name, meta["name"]),
        "STOPPED" if last in ("DEPROVISIONING", "STOPPED") else "RUNNING",
        _family(deployment.get("taskDefinition")) if deployment else None,
        name_or(service, "serviceName"),
        pod["spec"].get("nodeName"),
        deployment["id"] if deployment else None,
        (service.get("spec") or {}).get("launchType"),
        pod,
        lambda: pod_view(call, cluster, service, pod, deployment),
    )


def pod_status(pod: JsonDict) -> str:
    """A Pod's task lastStatus."""
    if pod["metadata"].get("deletionTimestamp"):
        return "DEPROVISIONING"
    return _PHASES.get((pod.get("status") or {}).get("phase") or "", "PROVISIONING")


def pod_view(
    call: Call, cluster: ClusterRef, service: JsonDict, pod: JsonDict, deployment: JsonDict | None
) -> JsonDict:
    """The ECS ``Task`` shape of a service's Pod."""
    meta, labels = pod["metadata"], pod["metadata"].get("labels") or {}
    arn = call.arns.task(cluster.name, meta["name"])
    last = pod_status(pod)
    view: JsonDict = {
        "taskArn": arn,
        "clusterArn": call.arns.cluster(cluster.name),
        "lastStatus": last,
        "desiredStatus": "STOPPED" if last in ("DEPROVISIONING", "STOPPED") else "RUNNING",
        "containers": pod_containers(pod, arn),
        "group": f"service:{name_or(service, 'serviceName')}",
        "createdAt": meta.get("creationTimestamp"),
        "launchType": (service.get("spec") or {}).get("launchType"),
        "overrides": {"containerOverrides": []},
        "version": 1,
        "attachments": [],
        "tags": [],
    }
    if deployment is not None:
        view["taskDefinitionArn"] = _td_arn(call, deployment.get("taskDefinition"))
        view["startedBy"] = deployment["id"]
    started = (pod.get("status") or {}).get("startTime")
    if started and last == "RUNNING":
        view["startedAt"] = started
    if meta.get("deletionTimestamp"):
        view["stoppingAt"] = meta["deletionTimestamp"]
    provider = labels.get(LABEL_CAPACITY_PROVIDER)
    if provider:
        view["capacityProviderName"] = provider
    node = pod["spec"].get("nodeName")
    if node:
        view["containerInstanceArn"] = call.arns.container_instance(cluster.name, node)
    return view


def task_id_of(call: Call, cluster: ClusterRef, reference: str) -> str | None:
    """The task ID a task ID or ARN names; None for an ARN of another cluster's task."""
    path = call.arns.name_in(reference, "task", call.operation)
    if len(path) == 2 and path[0] != cluster.name:
        return None
    return path[-1]


async def describe_tasks(call: Call, params: JsonDict) -> JsonDict:
    references = params["tasks"]
    if len(references) > MAX_DESCRIBE:
        raise invalid_parameter(f"tasks: at most {MAX_DESCRIBE} tasks per call")
    cluster = await clusters.find_cluster(call, params.get("cluster"))
    by_id = {task.task_id: task for task in await cluster_tasks(call, cluster)}
    include_tags = "TAGS" in (params.get("include") or [])
    found, failures = [], []
    for reference in references:
        task_id = task_id_of(call, cluster, reference)
        task = by_id.get(task_id or "")
        view = task.view if task is not None else await remembered(call, cluster, task_id or "")
        if view is None:
            failures.append({"arn": call.arns.task(cluster.name, reference.rsplit("/", 1)[-1]), "reason": "MISSING"})
        else:
            found.append(view if include_tags else {k: v for k, v in view.items() if k != "tags"})
    return {"tasks": found, "failures": failures}


async def list_tasks(call: Call, params: JsonDict) -> JsonDict:
    cluster = await clusters.find_cluster(call, params.get("cluster"))
    tasks = await cluster_tasks(call, cluster)
    service = params.get("serviceName")
    if service and not any(
        name_or(body, "serviceName") == service
        for body in await call.objects("ECSService", cluster.namespace)
        if clusters.cluster_of(body) == cluster.name
    ):
        raise service_not_found(service)
    node = None
    if params.get("containerInstance"):
        node = call.arns.name_in(params["containerInstance"], "container-instance", call.operation)[-1]
    desired = params.get("desiredStatus") or "RUNNING"
    items = [
        (task.arn, task.arn)
        for task in tasks
        if task.desired == desired
        and (not params.get("family") or task.family == params["family"])
        and (not service or task.service == service)
        and (not params.get("startedBy") or task.started_by == params["startedBy"])
        and (not params.get("launchType") or task.launch_type == params["launchType"])
        and (node is None or task.node == node)
    ]
    chosen, token = page(items, params)
    return {"taskArns": chosen, "nextToken": token}


async def run_task(call: Call, params: JsonDict) -> JsonDict:
    """As ECS: a ``clientToken`` used before answers the tasks its request started, or ConflictException naming
    them if the request was another (boto3 and the AWS CLI send a fresh token with each call)."""
    cluster = await clusters.active_cluster(call, params.get("cluster"))
    spec = {key: value for key, value in params.items() if key not in ("clientToken",)}
    if params.get("cluster"):
        spec["cluster"] = cluster.name
    token = params.get("clientToken")
    if not token:
        return {"tasks": await start(call, cluster, spec), "failures": []}
    request, token_label = _fingerprint(params), {LABEL_CLIENT_TOKEN: _fingerprint(token)[:40]}
    earlier = await call.objects(KIND, cluster.namespace, token_label)
    if not earlier:
        return {"tasks": await start(call, cluster, spec, token_label, {ANNOTATION_REQUEST: request}), "failures": []}
    body = {"apiVersion": API_VERSION, "kind": KIND, **earlier[0]}
    pods = {
        pod["metadata"]["name"]: pod
        for pod in await call.objects("Pod", cluster.namespace, {LABEL_TASK: label_value(body["metadata"]["name"])})
    }
    views = [task_of_resource(call, cluster, body, entry, pods).view for entry in _entries(body)]
    if (body["metadata"].get("annotations") or {}).get(ANNOTATION_REQUEST) != request:
        raise EcsError(
            "ConflictException",
            f"clientToken {token!r} was used by another RunTask request (ECSTask {body['metadata']['name']}); "
            "use a new token for a new request",
            resourceIds=[view["taskArn"] for view in views],
        )
    return {"tasks": views, "failures": []}


def _fingerprint(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


async def start_task(call: Call, params: JsonDict) -> JsonDict:
    """RunTask on the named container instances (nodes): one task on each."""
    cluster = await clusters.active_cluster(call, params.get("cluster"))
    nodes = [
        call.arns.name_in(reference, "container-instance", call.operation)[-1]
        for reference in params["containerInstances"]
    ]
    registered = {node["metadata"]["name"] for node in await call.objects("Node", None)}
    unknown = [node for node in nodes if node not in registered]
    if unknown:
        raise invalid_parameter(f"containerInstances: no such container instance (node): {', '.join(unknown)}")
    base = {key: value for key, value in params.items() if key not in ("containerInstances", "cluster")}
    if params.get("cluster"):
        base["cluster"] = cluster.name
    started = []
    for node in nodes:
        pinned = [{"type": "memberOf", "expression": f"attribute:{HOSTNAME} == {node}"}]
        started.extend(await start(call, cluster, {**base, "placementConstraints": pinned}))
    return {"tasks": started, "failures": []}


async def start(
    call: Call,
    cluster: ClusterRef,
    spec: JsonDict,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
) -> list[JsonDict]:
    """Create the ECSTask of one RunTask call and wait for the operator to start its tasks."""
    _, revision = await taskdefinitions.find_revision(call, spec["taskDefinition"], cluster.namespace, active=True)
    spec = {**spec, "taskDefinition": revision.family_revision}
    model = resources.checked_spec(KIND, spec, call.operation)
    assert isinstance(model, ECSTaskSpec)
    name = k8s_name(f"{revision.family}-{uuid.uuid4().hex[:8]}")
    td = TaskDefinitionRevision(revision.family, revision.number, revision.spec(), namespace=cluster.namespace)
    groups = await resources.security_groups(call, cluster.namespace)
    try:
        render_task(model, Meta(KIND, name, cluster.namespace), td, clusters.context(cluster), groups)
    except TranslationError as error:
        raise resources.untranslatable(error) from error
    body = await resources.create(call, KIND, cluster.namespace, name, spec, labels, annotations)
    count = model.count or 1

    async def read() -> JsonDict | None:
        found = await call.kube.get(KIND, cluster.namespace, name)
        return {"apiVersion": API_VERSION, "kind": KIND, **found} if found else None

    def started(current: JsonDict) -> bool:
        return len(_entries(current)) >= count or resources.ready_condition(current).get("reason") == "InvalidSpec"

    done = await call.poll(read, started)
    if done is None or len(_entries(done)) < count:
        why = resources.ready_condition(done or body).get("message") or "is ecs-operator running?"
        raise client_error(
            f"the operator has not started the tasks within {call.config.operator_wait_seconds:g}s ({why}); "
            f"ECSTask {cluster.namespace}/{name} is written and starts when it can"
        )
    pods = {
        pod["metadata"]["name"]: pod
        for pod in await call.kube.list("Pod", cluster.namespace, {LABEL_TASK: label_value(name)})
    }
    return [task_of_resource(call, cluster, done, entry, pods).view for entry in _entries(done)]


async def stop_task(call: Call, params: JsonDict) -> JsonDict:
    cluster = await clusters.find_cluster(call, params.get("cluster"))
    task_id = task_id_of(call, cluster, params["task"])
    task = next((task for task in await cluster_tasks(call, cluster) if task.task_id == task_id), None)
    if task is None:
        raise invalid_parameter(f"The referenced task was not found: {params['task']}")
    reason = params.get("reason") or "Task stopped by user"
    view = {**task.view, "desiredStatus": "STOPPED", "stopCode": "UserInitiated", "stoppedReason": reason}
    source = task.source
    meta = source["metadata"]
    if source.get("kind") == KIND and len(_entries(source)) == 1:
        if (source.get("spec") or {}).get("desiredStatus") != "STOPPED":
            spec = {**source["spec"], "desiredStatus": "STOPPED", "stopReason": reason[:255]}
            await resources.replace_spec(call, source, spec)
        return {"task": view}
    pod = source if source.get("kind") == "Pod" else None
    pod_name = pod["metadata"]["name"] if pod else _pod_name(source, task.arn)
    if pod_name:
        grace = (pod or {}).get("spec", {}).get("terminationGracePeriodSeconds")
        await call.kube.delete("Pod", meta["namespace"], pod_name, grace)
        call.forget("Pod", meta["namespace"])
    if task.service is not None:
        await remember(call, cluster, {**view, "lastStatus": "STOPPED", "stoppedAt": now()}, meta["name"])
    return {"task": view}


def _pod_name(body: JsonDict, arn: str) -> str | None:
    return next((entry.get("podName") for entry in _entries(body) if entry["taskArn"] == arn), None)


async def remember(call: Call, cluster: ClusterRef, view: JsonDict, pod: str) -> None:
    """An Event that keeps a stopped service task's description for DescribeTasks (Events live an hour)."""
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "generateName": f"{pod}.",
            "namespace": cluster.namespace,
            "annotations": {ANNOTATION_DESCRIBED: json.dumps(view, default=str)},
        },
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": pod, "namespace": cluster.namespace},
        "reason": STOPPED_REASON,
        "message": f"(task {pod}) was stopped through the ECS API: {view.get('stoppedReason')}",
        "type": "Normal",
        "source": {"component": "ecs-operator-api"},
        "firstTimestamp": now(),
        "lastTimestamp": now(),
        "count": 1,
    }
    await call.kube.create(event)


async def remembered(call: Call, cluster: ClusterRef, task_id: str) -> JsonDict | None:
    events = await call.objects(
        "Event", cluster.namespace, fields={"reason": STOPPED_REASON, "involvedObject.kind": "Pod"}
    )
    arn = call.arns.task(cluster.name, task_id)
    for event in events:
        if event.get("reason") != STOPPED_REASON:
            continue
        try:
            view: dict[str, Any] = json.loads((event["metadata"].get("annotations") or {})[ANNOTATION_DESCRIBED])
        except (KeyError, ValueError):
            continue
        if view.get("taskArn") == arn:
            return {**view, "containers": [{**c, "lastStatus": "STOPPED"} for c in view.get("containers") or []]}
    return None
