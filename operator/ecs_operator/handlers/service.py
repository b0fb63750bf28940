"""ECSService: the task definition revision, cluster and security groups resolved, rendered, applied; status as
DescribeServices shows it (``ecs_operator.status.service``), refreshed on every change of its workloads and tasks.

With ``rollback: true`` the service returns to the last COMPLETED revision and remembers the failed one (annotation
``ecs.compat.dev/failed-task-definition``) so that it is not retried until the spec resolves to another one.
Each reconcile lists the service's Pods once, by the service and cluster labels, for the task events.
"""

from __future__ import annotations

from ecs_operator.handlers.children import Children, shared_accounts
from ecs_operator.handlers.common import InvalidSpec, JsonDict, Runtime, meta_of, parse_spec
from ecs_operator.handlers.indices import WORKLOAD_KINDS, PodRecord
from ecs_operator.k8s import Api, post_event
from ecs_operator.models.service import ECSServiceSpec
from ecs_operator.resolve.errors import NotReady
from ecs_operator.resolve.readmodel import Resolver
from ecs_operator.resolve.references import parse_reference
from ecs_operator.status.conditions import Outcome
from ecs_operator.status.service import (
    Observed,
    circuit_breaker,
    combine,
    failed_tasks,
    observe_daemonset,
    observe_deployment,
    roll,
    rollback_target,
    service_outcome,
    settle,
    to_remember,
)
from ecs_operator.translate.context import (
    GROUP,
    ClusterContext,
    Meta,
    Rendered,
    Target,
    TaskDefinitionRevision,
    label_value,
)
from ecs_operator.translate.service import failed_task_threshold, render_service

KIND = "ECSService"
ANNOTATION_FAILED = f"{GROUP}/failed-task-definition"


def observe(children: Children, rendered: Rendered, since: str | None) -> Observed:
    """What the service's workloads report (from the caches, or the operator's own apply where the cache has not
    caught up with it yet), about its current template."""
    parts = []
    for obj in rendered.objects:
        if obj["kind"] in WORKLOAD_KINDS:
            record = children.current(obj["kind"], obj["metadata"]["name"])
            if record is not None and record.workload:
                observe_fn = observe_deployment if obj["kind"] == "Deployment" else observe_daemonset
                parts.append(observe_fn(record.workload, since))
    return combine(parts)


def primary_failures(pods: list[PodRecord], td: TaskDefinitionRevision) -> int:
    """The failures the PRIMARY's tasks show: essential container exits, and tasks that cannot start."""
    mine = [pod for pod in pods if pod.revision == label_value(td.label) and not pod.deleting]
    return sum(pod.essential_exits + (1 if pod.start_failure else 0) for pod in mine)


async def replace_dead_tasks(api: Api, pods: list[PodRecord]) -> list[str]:
    """Replace, as ECS does, each task whose essential container died after it was established (its health check
    failed, it was killed): the Pod is deleted and the workload starts a new one (``status/failures.py``)."""
    replaced = []
    for pod in pods:
        if pod.established_exit and not pod.deleting:
            await api.delete("Pod", pod.namespace, pod.name)
            replaced.append(pod.name)
    return replaced


def pinned_in_use(reference: str, children: Children) -> str | None:
    """The ``family:N`` the service asks for, when its workloads run it already though its status does not say so
    yet: its first reconcile in a burst writes the workloads and leaves the status to the next one
    (``handlers/children.py``, "Order"). A revision deregistered in between stays in use, as the status would
    have kept it."""
    ref = parse_reference(reference)
    if ref.revision is None:
        return None
    return str(ref) if children.runs(label_value(f"{ref.family}-{ref.revision}")) else None


def wanted_revision(reference: str, refs: Resolver, in_use: str | None, children: Children) -> TaskDefinitionRevision:
    """The revision the spec asks for; an INACTIVE one only when it is in use (the status says so, or before the
    first status, the workloads run it: ``pinned_in_use``, looked up only then)."""
    try:
        return refs.task_definition(reference, in_use)
    except NotReady as error:
        if in_use or error.reason != "TaskDefinitionInactive":
            raise
        running = pinned_in_use(reference, children)
        if running is None:
            raise
        return refs.task_definition(reference, running)


async def choose_revision(
    api: Api, body: JsonDict, spec: ECSServiceSpec, refs: Resolver, children: Children
) -> tuple[TaskDefinitionRevision, bool]:
    """The revision to run, and whether it is a rollback from the one the spec asks for (which failed)."""
    meta, status = meta_of(body), body.get("status") or {}
    in_use = status.get("taskDefinition")
    wanted = wanted_revision(spec.taskDefinition or "", refs, in_use, children)
    failed = (body["metadata"].get("annotations") or {}).get(ANNOTATION_FAILED)
    if failed and failed == wanted.family_revision and in_use and in_use != failed:
        return refs.task_definition(in_use, in_use), True
    if failed:  # the spec moved on to another revision: that one gets its chance
        await api.patch(KIND, meta.namespace, meta.name, {"metadata": {"annotations": {ANNOTATION_FAILED: None}}})
    return wanted, False


async def render_and_apply(
    children: Children,
    spec: ECSServiceSpec,
    td: TaskDefinitionRevision,
    cluster: ClusterContext,
    refs: Resolver,
    target: Target,
    workloads_first: bool = False,
) -> Rendered:
    rendered = render_service(spec, children.owner, td, cluster, refs.security_groups(), target)
    objects = shared_accounts(rendered.objects, children.model, children.owner)
    await children.sync(objects, workloads_first=workloads_first)
    return rendered


async def reconcile_service(api: Api, body: JsonDict, runtime: Runtime) -> Outcome:
    meta = meta_of(body)
    spec = parse_spec(ECSServiceSpec, body)
    if not spec.taskDefinition:
        raise InvalidSpec("spec.taskDefinition: is required (family, family:revision or a task definition ARN)")
    parse_reference(spec.taskDefinition)  # a malformed reference is an invalid spec, not a wait
    name = spec.serviceName or meta.name
    old = body.get("status") or {}
    model = runtime.model
    refs = Resolver(model, meta.namespace)
    children = Children(api, model, runtime.children, meta)
    cluster = refs.cluster(spec.cluster)
    td, rolled_back = await choose_revision(api, body, spec, refs, children)
    # The deployment is stamped before its workloads are written: reports older than it are stale.
    state = roll(meta, old.get("deployments") or [], td)
    rendering = await runtime.target(api)
    rendered = await render_and_apply(
        children, spec, td, cluster, refs, rendering, workloads_first=runtime.busy((KIND, meta.namespace, meta.name))
    )
    observed = observe(children, rendered, state.deployments[0].get("createdAt"))
    enabled, rollback = circuit_breaker(spec)
    if observed.state == "FAILED" and not enabled:  # without the circuit breaker, ECS keeps trying
        observed = Observed(observed.desired, observed.running, observed.pending, "IN_PROGRESS", observed.reason)
    pods = model.service_pods(meta.namespace, label_value(name), label_value(cluster.name))
    threshold = failed_task_threshold(spec.deploymentConfiguration, observed.desired)
    observed, failed = failed_tasks(state, observed, primary_failures(pods, td), threshold)
    await replace_dead_tasks(api, pods)
    tasks = sorted(pod.name for pod in pods if pod.live)
    settle(name, state, observed, old, tasks, failed)
    target = rollback_target(state) if rollback and state.deployments[0]["rolloutState"] == "FAILED" else None
    if target is not None:
        await api.patch(
            KIND, meta.namespace, meta.name, {"metadata": {"annotations": {ANNOTATION_FAILED: td.family_revision}}}
        )
        td = refs.task_definition(target["taskDefinition"], target["taskDefinition"])
        # A new PRIMARY with the old revision; the failed deployment stays ACTIVE until it is drained.
        state.deployments = roll(meta, state.deployments, td).deployments
        rendered = await render_and_apply(children, spec, td, cluster, refs, await runtime.target(api))
        state.events.append(f"(service {name}) rolling back to deployment {target['id']}.")
        rolled_back = True
    post_service_events(meta, state.events)
    outcome = service_outcome(name, spec, cluster, td, state, observed, own_warnings(rendered, meta), old, rolled_back)
    outcome.status["runningTasks"] = to_remember(tasks)
    return without_missing_groups(outcome, rendered)


def without_missing_groups(outcome: Outcome, rendered: Rendered) -> Outcome:
    """A service that names a security group not in its namespace runs without it (its tasks are not members,
    so that group's rules do not reach them) and says so: Degraded, reason ``SecurityGroupNotFound``, naming the
    groups. When the group appears, the service is queued and rendered with it."""
    if not rendered.missing or outcome.degraded:
        return outcome
    missing = "; ".join(error.message for error in rendered.missing)
    outcome.reason, outcome.degraded = "SecurityGroupNotFound", True
    outcome.message = f"running without a security group it names: {missing}"
    return outcome


def own_warnings(rendered: Rendered, meta: Meta) -> list[str]:
    """The service's own warnings; those about its task definition are shown on the TaskDefinition."""
    return [str(warning) for warning in rendered.warnings if warning.resource == meta.ref]


def post_service_events(meta: Meta, messages: list[str]) -> None:
    body = {
        "apiVersion": f"{GROUP}/v1alpha1",
        "kind": KIND,
        "metadata": {"name": meta.name, "namespace": meta.namespace, "uid": meta.uid},
    }
    for message in messages:
        failed = "deployment failed" in message or "rolling back" in message
        post_event(body, warning=failed, reason="DeploymentFailed" if failed else "ServiceEvent", message=message)
