"""ECSService -> Deployment(s) or a DaemonSet, and everything around them.

REPLICA: one Deployment per capacity provider share (``capacity.py``), all behind the same Service
selector; DAEMON: a DaemonSet. Around them: a PodDisruptionBudget, HPAs, Services and an Ingress
(``networking.py``), a deny-all NetworkPolicy for networkMode none, and the task role's ServiceAccount.
Decisions are written down in docs/mapping-workloads.md.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from ecs_operator.models.crds import GROUP
from ecs_operator.models.ecs_api import (
    ContainerDefinition,
    DeploymentConfiguration,
    LoadBalancer,
    PlacementStrategy,
    Tag,
    ThresholdConfiguration,
)
from ecs_operator.models.service import DEPLOYMENT_DEFAULTS, ECSServiceSpec
from ecs_operator.translate import iam
from ecs_operator.translate.autoscaling import (
    MINIMAL_REQUESTS,
    Scaling,
    capacity_bounds,
    horizontal_pod_autoscaler,
    measured_resources,
    minimal_requests,
    service_scaling,
)
from ecs_operator.translate.capacity import CapacityShare, capacity_shares
from ecs_operator.translate.container import container_name
from ecs_operator.translate.context import (
    DEFAULT_TARGET,
    LABEL_CLUSTER,
    LABEL_SERVICE,
    LABEL_TASK_DEFINITION,
    MANAGED_BY,
    ClusterContext,
    FieldWarning,
    JsonDict,
    Meta,
    MissingReference,
    Rendered,
    SecurityGroupRef,
    Target,
    TaskDefinitionRevision,
    TranslationError,
    k8s_name,
    label_value,
    object_meta,
)
from ecs_operator.translate.coverage import field_rejections, field_warnings
from ecs_operator.translate.networking import (
    deny_all_policy,
    load_balancer_objects,
    security_group_labels,
    service_connect_objects,
    service_registry_objects,
    target_port,
    unique_objects,
)
from ecs_operator.translate.placement import DEFAULT_SERVICE_STRATEGY, merge_pod_fields, pod_placement
from ecs_operator.translate.taskdefinition import PodSpecResult, pod_spec, tag_annotations
from ecs_operator.translate.volumes import launch_volumes

LABEL_CAPACITY_PROVIDER = f"{GROUP}/capacity-provider"
ANNOTATION_CIRCUIT_BREAKER_ROLLBACK = f"{GROUP}/circuit-breaker-rollback"
# On the pod template: a new value of the service's forceNewDeployment rolls every pod.
ANNOTATION_FORCE_NEW_DEPLOYMENT = f"{GROUP}/force-new-deployment"
# With the circuit breaker, a rollout that makes no progress for this long fails (plus the grace period).
CIRCUIT_BREAKER_DEADLINE_SECONDS = 600
_REPLICA_DEFAULTS = DEPLOYMENT_DEFAULTS["REPLICA"]  # (minimumHealthyPercent, maximumPercent)
_DAEMON_DEFAULTS = DEPLOYMENT_DEFAULTS["DAEMON"]


def reject_fields(spec: BaseModel) -> None:
    """Raise for the first given field classified Rejected."""
    rejected = field_rejections(spec)
    if rejected:
        raise TranslationError(*rejected[0])


@dataclass(frozen=True)
class ServiceNames:
    """The names and labels every child of one service shares."""

    service: str  # the ECS service name
    base: str  # its Kubernetes name
    selector: dict[str, str]  # cluster + service: never the revision, selectors are immutable
    labels: dict[str, str]  # selector + task definition revision


def service_names(
    spec: ECSServiceSpec, meta: Meta, td: TaskDefinitionRevision, cluster: ClusterContext
) -> ServiceNames:
    name = spec.serviceName or meta.name
    selector = {LABEL_CLUSTER: label_value(cluster.name), LABEL_SERVICE: label_value(name)}
    return ServiceNames(name, k8s_name(name), selector, {**selector, LABEL_TASK_DEFINITION: label_value(td.label)})


def render_service(
    spec: ECSServiceSpec,
    meta: Meta,
    td: TaskDefinitionRevision,
    cluster: ClusterContext,
    security_groups: list[SecurityGroupRef],
    target: Target = DEFAULT_TARGET,
) -> Rendered:
    """Every Kubernetes object of an ECS service."""
    reject_fields(spec)
    names = service_names(spec, meta, td, cluster)
    daemon = spec.schedulingStrategy == "DAEMON"
    if daemon:
        check_daemon(spec)
    rendered = Rendered(warnings=field_warnings(meta.ref, spec))
    rendered.warnings += deployment_controller(
        spec.deploymentConfiguration, spec.deploymentController.type if spec.deploymentController else None, meta.ref
    )
    launched, warnings = launch_volumes(spec.volumeConfigurations or [], td.spec, names.labels, meta.ref)
    rendered.warnings += warnings
    pod = pod_spec(td, td.ref, launched=launched, target=target)
    rendered.warnings += pod.warnings
    template, warnings, missing = pod_template(spec, meta, td, pod, names, security_groups, target)
    rendered.warnings += warnings
    rendered.missing += missing
    if daemon:
        rendered.extend(daemon_objects(spec, meta, names, template))
    else:
        rendered.extend(replica_objects(spec, meta, td, cluster, names, template))
    rendered.extend(network_objects(spec, meta, td, pod.spec, names, cluster))
    account = iam.service_account(td, meta)
    if account is not None:
        rendered.objects.append(account)
    return rendered


def check_daemon(spec: ECSServiceSpec) -> None:
    """A DaemonSet runs on every node that matches; it is not split among capacity providers.

    (The model refuses the rest of what ECS refuses for DAEMON: FARGATE, desiredCount, strategies, scaling.)
    """
    if spec.capacityProviderStrategy:
        raise TranslationError(
            "capacityProviderStrategy",
            "a DAEMON service runs one task per node and is not split among capacity providers; leave it out and "
            "pick the nodes with placementConstraints memberOf",
        )


# What each deployment controller does in ECS, for the warning that a rolling Deployment stands for it.
_CONTROLLERS = {
    "CODE_DEPLOY": (
        "CodeDeploy starts the new revision as a second (green) task set and shifts the load balancer's traffic "
        "to it by the appspec's configuration, running its lifecycle hooks"
    ),
    "EXTERNAL": "a third-party controller creates and scales the service's task sets",
}


def deployment_controller(
    config: DeploymentConfiguration | None, controller: str | None, resource: str
) -> list[FieldWarning]:
    """Every deployment controller and strategy rolls the pods here: ECS's rolling update, warned for the others.

    Blue/green, linear and canary shift a load balancer's traffic between two task sets; a Deployment replaces
    pods behind one Service, so the new revision gets traffic as its pods become ready, and old pods stop as
    new ones are ready (maximumPercent / minimumHealthyPercent), with no bake time or traffic shifting.
    """
    warnings = []
    rolling = (
        "here the service is one Deployment that rolls its pods to the new revision (ECS's rolling update): the new "
        "pods get traffic as they become ready, with no second task set, traffic shifting or bake time"
    )
    if controller not in (None, "ECS"):
        done = _CONTROLLERS.get(controller or "", f"the {controller} controller deploys the service")
        warnings.append(FieldWarning(resource, "deploymentController.type", f"{controller}: {done}; {rolling}"))
    if config is not None and config.strategy not in (None, "ROLLING"):
        message = f"{config.strategy} shifts load balancer traffic from the old revision to the new one; {rolling}"
        warnings.append(FieldWarning(resource, "deploymentConfiguration.strategy", message))
    return warnings


def pod_template(
    spec: ECSServiceSpec,
    meta: Meta,
    td: TaskDefinitionRevision,
    pod: PodSpecResult,
    names: ServiceNames,
    security_groups: Sequence[SecurityGroupRef],
    target: Target = DEFAULT_TARGET,
) -> tuple[JsonDict, list[FieldWarning], list[MissingReference]]:
    """The pod template shared by the service's workloads (before each one's capacity provider)."""
    body = copy.deepcopy(pod.spec)
    body["restartPolicy"] = "Always"  # a service replaces stopped tasks; the only policy workloads allow
    placement, warnings = pod_placement(
        meta.ref,
        names.selector,
        service_strategies(spec),
        spec.placementConstraints or [],
        td.spec.placementConstraints or [],
    )
    merge_pod_fields(body, placement)
    warnings += one_shot_containers(body, td)
    warnings += load_balancer_readiness(body, spec.loadBalancers or [], td, meta.ref)
    warnings += health_check_grace(body, spec.healthCheckGracePeriodSeconds, meta.ref)
    network_mode = td.spec.network_mode
    # managed-by on the pods too (not in the selector, which is immutable): the cluster counts pods by it.
    labels = {**MANAGED_BY, **pod.labels, **names.labels}
    membership = security_group_labels(spec.networkConfiguration, network_mode, security_groups, meta.ref, target)
    labels.update(membership.labels)
    warnings += membership.warnings
    annotations = dict(pod.annotations)
    annotations.update(propagated_tags(spec.propagateTags, spec.tags, td.spec.tags))
    if spec.forceNewDeployment:
        annotations[ANNOTATION_FORCE_NEW_DEPLOYMENT] = spec.forceNewDeployment
    template = {"metadata": {"labels": labels, "annotations": annotations}, "spec": body}
    return template, warnings, membership.missing


def service_strategies(spec: ECSServiceSpec) -> list[PlacementStrategy]:
    """The placement strategy in effect: as given, or ECS's default for REPLICA services, spread over zones."""
    if spec.placementStrategy:
        return list(spec.placementStrategy)
    return [] if spec.scheduling_strategy == "DAEMON" else [DEFAULT_SERVICE_STRATEGY]


def is_one_shot(cd: ContainerDefinition, waited_for: set[str]) -> bool:
    """A non-essential container with nothing that says it keeps running: no port, health check, FireLens
    configuration or restart policy, and no other container waits for it (a job's dependents say COMPLETE)."""
    restarts = cd.restartPolicy is not None and cd.restartPolicy.enabled
    long_running = cd.portMappings or cd.healthCheck or cd.firelensConfiguration or restarts
    return cd.essential is False and not long_running and cd.name not in waited_for


def one_shot_containers(body: JsonDict, td: TaskDefinitionRevision) -> list[FieldWarning]:
    """A service's one-shot containers run once, as init containers after the others of the pod's start order.

    ECS leaves a non-essential container stopped when it exits. A service's pod restarts every regular
    container that exits, and a container that stays stopped would keep the pod unready (no traffic) for good;
    an init container runs to completion and then no longer counts. It runs before the other containers
    instead of beside them, which is warned.
    """
    waited_for = {d.containerName for cd in td.spec.containerDefinitions for d in cd.dependsOn or []}
    one_shots = {
        container_name(cd): index
        for index, cd in enumerate(td.spec.containerDefinitions)
        if is_one_shot(cd, waited_for)
    }
    moved = [c for c in body.get("containers", []) if c["name"] in one_shots]
    kept = [c for c in body.get("containers", []) if c["name"] not in one_shots]
    if not moved or not kept:
        return []
    body["containers"] = kept
    body["initContainers"] = [*body.get("initContainers", []), *moved]
    message = (
        "not essential, with no port, health check or restart policy, and no container waits for it: run once, "
        "as an init container before the other containers rather than beside them, because a service's pod "
        "restarts a container that exits (ECS leaves it stopped). Give it a port mapping or a restartPolicy to "
        "keep it running beside them"
    )
    return [FieldWarning(td.ref, f"containerDefinitions[{one_shots[c['name']]}].essential", message) for c in moved]


def health_check_grace(body: JsonDict, seconds: int | None, resource: str) -> list[FieldWarning]:
    """healthCheckGracePeriodSeconds: failing health checks do not replace a task that long after it starts.

    Where a container has a startup probe (a start period, a HEALTHY dependency), the liveness probe only runs
    once it passes, so the startup probe allows that many more failures; elsewhere the liveness probe waits.
    """
    if not seconds:
        return []
    probed = [c for c in [*body.get("containers", []), *body.get("initContainers", [])] if "livenessProbe" in c]
    for container in probed:
        startup = container.get("startupProbe")
        if startup is not None:
            startup["failureThreshold"] += math.ceil(seconds / startup["periodSeconds"])
        else:
            probe = container["livenessProbe"]
            probe["initialDelaySeconds"] = max(probe.get("initialDelaySeconds", 0), seconds)
    if probed:
        return []
    message = "no container has a healthCheck, so there is no probe to hold off; it has no effect"
    return [FieldWarning(resource, "healthCheckGracePeriodSeconds", message)]


# A load balancer's target group checks a task it sends traffic to; without a container health check, a TCP
# check of the port stands in for it, at the target group's default interval (no path or thresholds in ECS).
LOAD_BALANCER_READINESS = {"periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 2}


def load_balancer_readiness(
    body: JsonDict, balancers: Sequence[LoadBalancer], td: TaskDefinitionRevision, resource: str
) -> list[FieldWarning]:
    """A load-balanced container without a health check is ready once its port accepts connections.

    ECS waits for the target group's health check before it counts such a task healthy (and sends it traffic);
    without a readiness probe a pod would be ready, and get traffic, the moment it starts.
    """
    warnings = []
    containers = [*body.get("containers", []), *body.get("initContainers", [])]
    for index, balancer in enumerate(balancers):
        definition = td.spec.container(balancer.containerName or "")
        built = next((c for c in containers if definition and c["name"] == container_name(definition)), None)
        if built is None or "readinessProbe" in built or balancer.containerPort is None:
            continue
        built["readinessProbe"] = {"tcpSocket": {"port": target_port(body, balancer.containerPort)},
                                   **LOAD_BALANCER_READINESS}  # fmt: skip
        message = (
            f"container {balancer.containerName} has no healthCheck: a TCP readiness probe on port "
            f"{balancer.containerPort} stands in for the target group's health check (its path and thresholds "
            "are not in ECS input), so a task gets traffic once the port accepts connections"
        )
        warnings.append(FieldWarning(resource, f"loadBalancers[{index}]", message))
    return warnings


def propagated_tags(propagate: str | None, own: list[Tag] | None, task_definition: list[Tag] | None) -> dict[str, str]:
    """The tags ECS would put on each task: the service's or the task definition's, by propagateTags."""
    if propagate == "SERVICE":
        return tag_annotations(own)
    if propagate == "TASK_DEFINITION":
        return tag_annotations(task_definition)
    return {}


def _percentages(config: DeploymentConfiguration | None, defaults: tuple[int, int]) -> tuple[int, int]:
    """(minimumHealthyPercent, maximumPercent), ECS's defaults where not given."""
    low = config.minimumHealthyPercent if config and config.minimumHealthyPercent is not None else defaults[0]
    high = config.maximumPercent if config and config.maximumPercent is not None else defaults[1]
    return low, high


def rolling_percentages(config: DeploymentConfiguration | None, resource: str) -> tuple[JsonDict, list[FieldWarning]]:
    """maximumPercent / minimumHealthyPercent -> a Deployment's maxSurge / maxUnavailable (one above zero)."""
    low, high = _percentages(config, _REPLICA_DEFAULTS)
    surge, unavailable = max(0, high - 100), max(0, 100 - low)
    if surge or unavailable:
        return {"maxSurge": f"{surge}%", "maxUnavailable": f"{unavailable}%"}, []
    message = f"maximumPercent {high} and minimumHealthyPercent {low} allow no rollout; maxSurge 1 is used"
    return {"maxSurge": 1, "maxUnavailable": "0%"}, [FieldWarning(resource, "deploymentConfiguration", message)]


def daemon_rolling_update(config: DeploymentConfiguration | None, resource: str) -> tuple[JsonDict, list[FieldWarning]]:
    """minimumHealthyPercent -> a DaemonSet's maxUnavailable, and nothing else.

    Kubernetes refuses a DaemonSet that both surges and stops tasks, and one task per node leaves nothing to
    surge: the model holds maximumPercent at 100, as ECS does for DAEMON, so only maxUnavailable is set.
    """
    low, _ = _percentages(config, _DAEMON_DEFAULTS)
    unavailable = max(0, 100 - low)
    if unavailable:
        return {"maxUnavailable": f"{unavailable}%"}, []
    # ECS would be stuck too; a DaemonSet cannot surge onto a node whose host port is taken.
    message = f"minimumHealthyPercent {low} lets no task of a DAEMON service stop; maxUnavailable 1 is used"
    return {"maxUnavailable": 1}, [FieldWarning(resource, "deploymentConfiguration.minimumHealthyPercent", message)]


def disruption_budget(
    config: DeploymentConfiguration | None, defaults: tuple[int, int], meta: Meta, names: ServiceNames
) -> JsonDict | None:
    """minimumHealthyPercent also holds during voluntary disruptions (node drains).

    At 100 % (ECS's default) ECS drains an instance by starting replacements before stopping tasks; an
    eviction cannot surge, and ``minAvailable: 100%`` would block every drain for good, so one task at a
    time may be evicted instead.
    """
    low, _ = _percentages(config, defaults)
    if low <= 0:
        return None
    budget: JsonDict = {"maxUnavailable": 1} if low >= 100 else {"minAvailable": f"{low}%"}
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": object_meta(names.base, meta, names.labels),
        "spec": {**budget, "selector": {"matchLabels": dict(names.selector)}},
    }


def circuit_breaker(config: DeploymentConfiguration | None, grace: int | None) -> tuple[JsonDict, dict[str, str]]:
    """(Deployment spec fields, annotations): a progress deadline, and whether the operator rolls back."""
    breaker = config.deploymentCircuitBreaker if config else None
    if breaker is None or not breaker.enable:
        return {}, {}
    deadline = CIRCUIT_BREAKER_DEADLINE_SECONDS + (grace or 0)
    return {"progressDeadlineSeconds": deadline}, {ANNOTATION_CIRCUIT_BREAKER_ROLLBACK: str(breaker.rollback).lower()}


# ECS's circuit breaker: BOUNDED_PERCENT of the desired count, 50 % by default, kept within 3..200 failed tasks.
DEFAULT_THRESHOLD = ThresholdConfiguration(type="BOUNDED_PERCENT", value=50)
BOUNDED_THRESHOLD = (3, 200)


def failed_task_threshold(config: DeploymentConfiguration | None, desired: int) -> int | None:
    """How many tasks of a deployment may fail before ECS's circuit breaker fails it; None without a breaker.

    For the handler that counts failed tasks as ECS does: COUNT is the value itself; the percentages are of the
    latest desired count (rounded up), BOUNDED_PERCENT kept within 3..200.
    """
    breaker = config.deploymentCircuitBreaker if config else None
    if breaker is None or not breaker.enable:
        return None
    threshold = breaker.thresholdConfiguration or DEFAULT_THRESHOLD
    if threshold.type == "COUNT":
        return max(threshold.value, 1)
    share = math.ceil(threshold.value * desired / 100)
    if threshold.type == "UNBOUNDED_PERCENT":
        return max(share, 1)
    low, high = BOUNDED_THRESHOLD
    return min(max(share, low), high)


def desired_count(spec: ECSServiceSpec) -> int:
    """desiredCount; absent, 1 as CloudFormation does (or MinCapacity with auto scaling); kept within bounds."""
    if spec.autoScaling is None:
        return spec.desiredCount if spec.desiredCount is not None else 1
    low, high = capacity_bounds(spec.autoScaling)
    wanted = spec.desiredCount if spec.desiredCount is not None else low
    return min(max(wanted, low), high)


def replica_objects(
    spec: ECSServiceSpec,
    meta: Meta,
    td: TaskDefinitionRevision,
    cluster: ClusterContext,
    names: ServiceNames,
    template: JsonDict,
) -> Rendered:
    """One Deployment per capacity provider share, their HPAs, and the service's PodDisruptionBudget."""
    config = spec.deploymentConfiguration
    count = desired_count(spec)
    shares, warnings = capacity_shares(spec.capacityProviderStrategy, spec.launchType, cluster, count, meta.ref)
    scaling, more = service_scaling(spec.autoScaling, meta.ref) if spec.autoScaling else (None, [])
    warnings += more
    if scaling is not None:
        template = copy.deepcopy(template)
        warnings += utilisation_requests(template["spec"], scaling, td)
    bounds = _share_bounds(spec, cluster, scaling, len(shares), meta.ref)
    strategy, more = rolling_percentages(config, meta.ref)
    warnings += more
    deadline, annotations = circuit_breaker(config, spec.healthCheckGracePeriodSeconds)
    annotations.update(tag_annotations(spec.tags))
    rendered = Rendered(warnings=warnings)
    for share, share_bounds in zip(shares, bounds, strict=True):
        name = k8s_name(f"{names.base}-{share.suffix}") if share.suffix else names.base
        scaled = scaling is not None and share_bounds[1] > 0
        body: JsonDict = {
            "selector": {"matchLabels": _workload_selector(names, share)},
            "template": _share_template(template, share, names),
            "strategy": {"type": "RollingUpdate", "rollingUpdate": strategy},
            **deadline,
        }
        if not scaled:  # under an HPA the replicas are the HPA's: applying a count would fight it
            body["replicas"] = share.count
        metadata = object_meta(name, meta, names.labels, annotations)
        rendered.objects.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": body})
        if scaling is not None and scaled:
            hpa_meta = object_meta(name, meta, names.labels)
            rendered.objects.append(horizontal_pod_autoscaler(hpa_meta, "Deployment", name, scaling, share_bounds))
    budget = disruption_budget(config, _REPLICA_DEFAULTS, meta, names)
    if budget is not None:
        rendered.objects.append(budget)
    return rendered


def utilisation_requests(body: JsonDict, scaling: Scaling, td: TaskDefinitionRevision) -> list[FieldWarning]:
    """The smallest request for each container that reserves none of what the HPA measures, warned."""
    index = {container_name(cd): i for i, cd in enumerate(td.spec.containerDefinitions)}
    warnings = []
    for name, resource in minimal_requests(body, measured_resources(scaling)):
        member = "cpu" if resource == "cpu" else "memoryReservation"
        message = (
            f"container {td.spec.containerDefinitions[index[name]].name} reserves no {resource}; the service's HPA "
            f"measures {resource} utilisation against the request of every container and fails without one, so "
            f"it requests {MINIMAL_REQUESTS[resource]} (ECS counts no reservation as 0)"
        )
        warnings.append(FieldWarning(td.ref, f"containerDefinitions[{index[name]}].{member}", message))
    return warnings


def _share_bounds(
    spec: ECSServiceSpec, cluster: ClusterContext, scaling: Scaling | None, count: int, resource: str
) -> list[tuple[int, int]]:
    """Each share's part of MinCapacity and MaxCapacity, split as the desired count is, so the ratio holds."""
    if scaling is None:
        return [(0, 0)] * count
    split = [
        [
            share.count
            for share in capacity_shares(spec.capacityProviderStrategy, spec.launchType, cluster, n, resource)[0]
        ]
        for n in (scaling.min_capacity, scaling.max_capacity)
    ]
    return list(zip(split[0], split[1], strict=True))


def _workload_selector(names: ServiceNames, share: CapacityShare) -> dict[str, str]:
    # Several Deployments of one service must not select each other's pods; one alone keeps the plain selector.
    if share.suffix is None or share.provider is None:
        return dict(names.selector)
    return {**names.selector, LABEL_CAPACITY_PROVIDER: label_value(share.provider)}


def _share_template(template: JsonDict, share: CapacityShare, names: ServiceNames) -> JsonDict:
    result = copy.deepcopy(template)
    if share.provider is not None:
        result["metadata"]["labels"][LABEL_CAPACITY_PROVIDER] = label_value(share.provider)
    merge_pod_fields(result["spec"], share.scheduling)
    if not result["metadata"]["annotations"]:
        del result["metadata"]["annotations"]
    return result


def daemon_objects(spec: ECSServiceSpec, meta: Meta, names: ServiceNames, template: JsonDict) -> Rendered:
    """A DaemonSet: one task per (matching) node, as ECS's DAEMON scheduling."""
    config = spec.deploymentConfiguration
    strategy, warnings = daemon_rolling_update(config, meta.ref)
    share = CapacityShare(None, None, 0, {})
    body = {
        "selector": {"matchLabels": dict(names.selector)},
        "template": _share_template(template, share, names),
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": strategy},
    }
    _, annotations = circuit_breaker(config, spec.healthCheckGracePeriodSeconds)
    annotations.update(tag_annotations(spec.tags))
    metadata = object_meta(names.base, meta, names.labels, annotations)
    objects = [{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": metadata, "spec": body}]
    budget = disruption_budget(config, _DAEMON_DEFAULTS, meta, names)
    return Rendered(objects + ([budget] if budget else []), warnings)


def network_objects(
    spec: ECSServiceSpec,
    meta: Meta,
    td: TaskDefinitionRevision,
    pod: JsonDict,
    names: ServiceNames,
    cluster: ClusterContext,
) -> Rendered:
    """Services, Ingresses and NetworkPolicies that reach (or fence) the service's pods."""
    labels, selector = names.labels, names.selector
    objects, warnings = load_balancer_objects(spec.loadBalancers or [], td, pod, meta, labels, selector)
    registries = spec.serviceRegistries or []
    more_objects, more = service_registry_objects(registries, td, pod, names.service, meta, labels, selector)
    objects += more_objects
    warnings += more
    defaults = cluster.spec.serviceConnectDefaults if cluster.spec else None
    more_objects, more = service_connect_objects(
        spec.serviceConnectConfiguration, td, pod, meta, labels, selector, defaults.namespace if defaults else None
    )
    objects, duplicates = unique_objects(objects + more_objects, meta.ref)
    warnings += more + duplicates
    if td.spec.network_mode == "none":
        objects.append(deny_all_policy(f"{names.base}-no-network", meta, labels, selector))
    return Rendered(objects, warnings)
