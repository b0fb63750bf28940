"""ECSTask (one RunTask call) -> ``count`` Pods that run to completion.

Each Pod is one ECS task, named ``<task>-<index>``; a capacity provider strategy splits the count among
providers as for services. Overrides reach the pod through ``pod_spec``.
"""

from __future__ import annotations

import copy

from ecs_operator.models.crds import GROUP
from ecs_operator.models.status import StopCode
from ecs_operator.models.task import ECSTaskSpec
from ecs_operator.translate import iam
from ecs_operator.translate.capacity import CapacityShare, capacity_shares
from ecs_operator.translate.context import (
    DEFAULT_TARGET,
    LABEL_CLUSTER,
    LABEL_TASK,
    LABEL_TASK_DEFINITION,
    ClusterContext,
    JsonDict,
    Meta,
    Rendered,
    SecurityGroupRef,
    Target,
    TaskDefinitionRevision,
    TranslationError,
    k8s_name,
    label_value,
    object_meta,
)
from ecs_operator.translate.coverage import field_warnings
from ecs_operator.translate.networking import deny_all_policy, security_group_labels
from ecs_operator.translate.placement import merge_pod_fields, pod_placement
from ecs_operator.translate.service import LABEL_CAPACITY_PROVIDER, propagated_tags, reject_fields
from ecs_operator.translate.taskdefinition import pod_spec
from ecs_operator.translate.volumes import launch_volumes

LABEL_GROUP = f"{GROUP}/group"
ANNOTATION_GROUP = f"{GROUP}/group"
ANNOTATION_STARTED_BY = f"{GROUP}/started-by"
MAX_COUNT = 10  # RunTask's limit
# Why a container cannot start (its waiting reason), and the error ECS gives a task that fails so.
START_FAILURES = {
    "ErrImagePull": "CannotPullContainerError",
    "ImagePullBackOff": "CannotPullContainerError",
    "InvalidImageName": "CannotPullContainerError",
    "ErrImageNeverPull": "CannotPullContainerError",
    "CreateContainerConfigError": "ResourceInitializationError",
    "CreateContainerError": "CannotCreateContainerError",
}


def start_failure(waiting_reason: str | None, message: str | None) -> tuple[StopCode, str] | None:
    """(stopCode, stoppedReason) of a task whose container waits for a reason it will not get past, as ECS stops
    such a task (a handler's pure rule: an image that cannot be pulled is TaskFailedToStart,
    ``CannotPullContainerError: <why>``); None for a reason that is not a start failure."""
    error = START_FAILURES.get(waiting_reason or "")
    if error is None:
        return None
    return "TaskFailedToStart", f"{error}: {message or waiting_reason}"


def render_task(
    spec: ECSTaskSpec,
    meta: Meta,
    td: TaskDefinitionRevision,
    cluster: ClusterContext,
    security_groups: list[SecurityGroupRef],
    target: Target = DEFAULT_TARGET,
) -> Rendered:
    """The Pods of one RunTask call, and the ServiceAccount of its task role."""
    reject_fields(spec)
    count = task_count(spec.count)
    rendered = Rendered(warnings=field_warnings(meta.ref, spec))
    selector = {LABEL_CLUSTER: label_value(cluster.name), LABEL_TASK: label_value(meta.name)}
    claim_labels = {**selector, LABEL_TASK_DEFINITION: label_value(td.label)}
    launched, warnings = launch_volumes(spec.volumeConfigurations or [], td.spec, claim_labels, meta.ref)
    rendered.warnings += warnings
    pod = pod_spec(td, td.ref, overrides=spec.overrides, launched=launched, standalone=True, target=target)
    rendered.warnings += pod.warnings
    group = spec.group or f"family:{td.family}"  # RunTask's default group
    labels = {**pod.labels, **selector, LABEL_TASK_DEFINITION: label_value(td.label), LABEL_GROUP: label_value(group)}
    network, mode = spec.networkConfiguration, td.spec.network_mode
    membership = security_group_labels(network, mode, security_groups, meta.ref, target)
    labels.update(membership.labels)
    rendered.warnings += membership.warnings
    rendered.missing += membership.missing
    annotations = {**pod.annotations, ANNOTATION_GROUP: group}
    if spec.startedBy:
        annotations[ANNOTATION_STARTED_BY] = spec.startedBy
    annotations.update(propagated_tags(spec.propagateTags, spec.tags, td.spec.tags))
    body = copy.deepcopy(pod.spec)
    body["restartPolicy"] = "Never"  # a task runs once; a stopped task stays stopped
    placement, warnings = pod_placement(
        meta.ref,
        selector,
        spec.placementStrategy or [],
        spec.placementConstraints or [],
        td.spec.placementConstraints or [],
    )
    rendered.warnings += warnings
    merge_pod_fields(body, placement)
    shares, warnings = capacity_shares(spec.capacityProviderStrategy, spec.launchType, cluster, count, meta.ref)
    rendered.warnings += warnings
    rendered.objects += task_pods(k8s_name(meta.name), meta, shares, labels, annotations, body)
    if td.spec.network_mode == "none":
        rendered.objects.append(deny_all_policy(f"{k8s_name(meta.name)}-no-network", meta, labels, selector))
    role = (spec.overrides.taskRoleArn if spec.overrides else None) or td.spec.taskRoleArn
    if role:
        rendered.objects.append(iam.service_account_for_role(role, meta))
    return rendered


def task_count(count: int | None) -> int:
    """RunTask's count: 1 when absent, at most 10."""
    if count is None:
        return 1
    if not 1 <= count <= MAX_COUNT:
        raise TranslationError("count", f"RunTask starts 1 to {MAX_COUNT} tasks, not {count}")
    return count


def task_pods(
    base: str,
    meta: Meta,
    shares: list[CapacityShare],
    labels: dict[str, str],
    annotations: dict[str, str],
    body: JsonDict,
) -> list[JsonDict]:
    """``<task>-<index>`` Pods, numbered across the capacity provider shares in strategy order."""
    pods: list[JsonDict] = []
    for share in shares:
        share_labels = dict(labels)
        if share.provider is not None:
            share_labels[LABEL_CAPACITY_PROVIDER] = label_value(share.provider)
        for _ in range(share.count):
            spec = copy.deepcopy(body)
            merge_pod_fields(spec, share.scheduling)
            name = f"{base}-{len(pods)}"
            metadata = object_meta(name, meta, share_labels, annotations)
            pods.append({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec})
    return pods
