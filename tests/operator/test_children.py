"""How children are written: only on a change (applied digest), removed fields dropped, API refusals reported,
immutable selectors replaced, replicas handed over to an HPA. The emulator merges every PATCH (no server-side
apply), so where the result depends on server-side apply the tests check what the operator sent."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import kmock as kmock_lib
import pytest

from ecs_operator.handlers.applied import ChildState
from ecs_operator.handlers.children import Children, forbidden_kind, in_apply_order, ours
from ecs_operator.handlers.common import Deferred
from ecs_operator.handlers.indices import ANNOTATION_APPLIED_DIGEST, APPLIED_KINDS, INDEX_NAMES, Indices
from ecs_operator.handlers.service import pinned_in_use
from ecs_operator.translate.context import API_VERSION, LABEL_TASK_DEFINITION, MANAGED_BY, Meta
from tests.operator import manifests
from tests.operator.conftest import TEST_CONFIG, Cluster, JsonDict, eventually, running_operator
from tests.operator.test_service import deployment, service_status

SCALING = {
    "scalableTarget": {"MinCapacity": 2, "MaxCapacity": 6},
    "scalingPolicies": [
        {
            "PolicyName": "cpu",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 60.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
            },
        }
    ],
}


RBAC_DENIAL = (
    'deployments.apps "web" is forbidden: User "system:serviceaccount:ecs-system:ecs-operator" cannot patch '
    'resource "deployments" in API group "apps" in the namespace "default"'
)
QUOTA = (
    'deployments.apps "web" is forbidden: exceeded quota: compute, requested: pods=3, used: pods=8, limited: pods=10'
)
POD_SECURITY = 'pods "web-1" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false'
WEBHOOK = 'admission webhook "validate.kyverno.svc" denied the request: image registry not allowed'


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (RBAC_DENIAL, "Forbidden"),
        ('User "system:serviceaccount:ecs-system:ecs-operator" cannot delete resource "services"', "Forbidden"),
        (QUOTA, "QuotaExceeded"),
        ('deployments.apps "web" is forbidden: status unknown for quota: compute, resources: pods', "QuotaPending"),
        (POD_SECURITY, "ChildRejected"),
        (WEBHOOK, "ChildRejected"),
        ('deployments.apps "web" is forbidden: denied by policy', "ChildRejected"),
        ("", "ChildRejected"),
    ],
)
def test_a_403_is_rbac_only_when_it_says_so(message: str, kind: str) -> None:
    assert forbidden_kind(message) == kind


OWNER = {"apiVersion": "ecs.compat.dev/v1alpha1", "kind": "ECSService", "name": "web", "uid": "u1", "controller": True}


@pytest.mark.parametrize(
    ("desired_refs", "live_meta", "expected"),
    [
        ([OWNER], {"labels": MANAGED_BY, "ownerReferences": [OWNER]}, True),
        ([OWNER], {"labels": {"app": "web"}}, False),  # someone else's (Helm's "web")
        ([OWNER], {"ownerReferences": [OWNER]}, False),  # no managed-by label
        ([OWNER], {"labels": MANAGED_BY}, False),  # ours in name only: no controller
        ([OWNER], {"labels": MANAGED_BY, "ownerReferences": [{**OWNER, "uid": "u2"}]}, False),  # another owner's
        ([{**OWNER, "controller": False}], {"labels": MANAGED_BY}, True),  # shared: the label is enough
        ([], {"labels": MANAGED_BY}, True),
    ],
)
def test_ours(desired_refs: list[JsonDict], live_meta: JsonDict, expected: bool) -> None:
    desired = {"kind": "Service", "metadata": {"name": "web", "ownerReferences": desired_refs}}
    assert ours(desired, {"kind": "Service", "metadata": {"name": "web", **live_meta}}) is expected


def test_configmaps_are_not_applied_nor_pruned() -> None:
    assert "ConfigMap" not in APPLIED_KINDS  # nothing renders them: the operator needs no access to them


OWNER = Meta("ECSService", "web", "default", uid="uid-web")


def child(kind: str, name: str = "web") -> JsonDict:
    owner = {"apiVersion": API_VERSION, "kind": "ECSService", "name": "web", "uid": OWNER.uid, "controller": True}
    metadata = {"name": name, "namespace": "default", "labels": dict(MANAGED_BY), "ownerReferences": [owner]}
    return {"apiVersion": "v1", "kind": kind, "metadata": metadata, "spec": {"n": name}}


def test_what_a_pod_needs_goes_first_then_the_workloads_then_the_rest() -> None:
    rendered = [child(kind) for kind in ("PodDisruptionBudget", "Deployment", "Service", "ServiceAccount")]
    rendered.append(child("NetworkPolicy", "deny"))
    order = [obj["kind"] for obj in in_apply_order(rendered)]
    assert order == ["ServiceAccount", "NetworkPolicy", "Deployment", "PodDisruptionBudget", "Service"]


class RecordingApi:
    """Answers GETs with 404, creates and applies with what was written (with a uid); records the writes."""

    def __init__(self) -> None:
        self.written: list[str] = []

    async def get(self, kind: str, namespace: str, name: str) -> JsonDict | None:
        return None

    async def create(self, obj: JsonDict) -> JsonDict:
        self.written.append(f"create {obj['kind']}")
        return {**obj, "metadata": {**obj["metadata"], "uid": f"uid-{obj['kind']}", "resourceVersion": "1"}}

    async def apply(self, obj: JsonDict, manager: str = "ecs-operator") -> JsonDict:
        self.written.append(f"apply {obj['kind']}")
        return {**obj, "metadata": {**obj["metadata"], "uid": f"uid-{obj['kind']}", "resourceVersion": "1"}}


@pytest.mark.parametrize("workloads_first", [True, False])
async def test_in_a_burst_a_reconcile_stops_once_its_workload_is_written(workloads_first: bool) -> None:
    """A workload new to the operator is created (a POST: no read first, and no apply's cost); the rest applied."""
    api = RecordingApi()
    children = Children(api, Indices({name: {} for name in INDEX_NAMES}), ChildState(), OWNER)  # type: ignore[arg-type]
    rendered = [child("PodDisruptionBudget"), child("Deployment")]
    if workloads_first:
        with pytest.raises(Deferred):
            await children.sync(rendered, workloads_first=True)
        assert api.written == ["create Deployment"]
        # Its next run applies the rest; the workload it wrote is known from its own create (no read, no write).
        await children.sync(rendered, workloads_first=True)
        assert api.written == ["create Deployment", "apply PodDisruptionBudget"]
    else:
        await children.sync(rendered)
        assert api.written == ["create Deployment", "apply PodDisruptionBudget"]


async def test_the_revision_a_new_workload_runs_is_known_from_its_own_create() -> None:
    """A service's first reconcile in a burst writes its workload and no status: the next one knows from the
    create's answer (the cache may not have the workload yet) which revision it runs, so that a revision
    deregistered in between stays the service's (``handlers/service.py``, ``pinned_in_use``)."""
    children = Children(RecordingApi(), Indices({name: {} for name in INDEX_NAMES}), ChildState(), OWNER)  # type: ignore[arg-type]
    workload = child("Deployment")
    workload["spec"] = {"template": {"metadata": {"labels": {LABEL_TASK_DEFINITION: "web-1"}}}}
    assert pinned_in_use("web:1", children) is None  # nothing written yet
    with pytest.raises(Deferred):
        await children.sync([child("PodDisruptionBudget"), workload], workloads_first=True)
    assert children.runs("web-1") and not children.runs("web-2")
    assert pinned_in_use("web:1", children) == "web:1"
    assert pinned_in_use("web:2", children) is None and pinned_in_use("web", children) is None


def applies(cluster: Cluster, kind: str, name: str, manager: str = "ecs-operator") -> list[Any]:
    """The server-side applies of one child by one field manager, oldest first."""
    return [
        request
        for request in cluster.requests(kind, name, "PATCH")
        if request.params.get("fieldManager") == manager and "apply-patch" in request.headers.get("Content-Type", "")
    ]


async def quiet_for(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def test_a_field_removed_from_the_spec_is_no_longer_applied(operator: Cluster) -> None:
    constraint = [{"type": "distinctInstance"}]
    created = await _start(operator, placementConstraints=constraint)
    assert "affinity" in created["spec"]["template"]["spec"]
    first = created["metadata"]["annotations"][ANNOTATION_APPLIED_DIGEST]
    sent = len(applies(operator, "Deployment", "web"))
    await operator.update_spec("ECSService", "web", {"placementConstraints": None})
    # Removing the constraint only removes fields: the live object still holds everything rendered, but the
    # digest differs, so the operator applies (and server-side apply drops the anti-affinity).
    changed = await deployment(
        operator, where=lambda d: d["metadata"]["annotations"][ANNOTATION_APPLIED_DIGEST] != first
    )
    assert changed is not None
    last = applies(operator, "Deployment", "web")[-1]
    assert len(applies(operator, "Deployment", "web")) == sent + 1
    assert "affinity" not in last.data["spec"]["template"]["spec"]
    assert operator.validate_written() > 0


async def test_nothing_is_written_when_nothing_changed(operator: Cluster) -> None:
    await _start(operator)
    await operator.deployment_controller("web", ready=2)
    await service_status(operator, lambda s: s.get("runningCount") == 2, "steady")
    before = {kind: len(operator.requests(kind, "web", "PATCH")) for kind in ("Deployment", "Service")}
    await quiet_for(3.0)  # three resyncs (TEST_CONFIG) and the child events they would cause
    after = {kind: len(operator.requests(kind, "web", "PATCH")) for kind in ("Deployment", "Service")}
    assert after == before


async def test_a_rejected_child_is_reported_not_retried_silently(operator: Cluster) -> None:
    def admission(request: Any) -> kmock_lib.KubernetesError | None:
        if request.resource is not None and request.resource.plural == "deployments" and request.method.value != "GET":
            return kmock_lib.KubernetesError(
                status=422, reason="Invalid", message='Deployment.apps "web" is invalid: denied by policy no-root'
            )
        return None

    operator.reject(admission)
    await operator.create(manifests.task_definition())
    await operator.create(manifests.service())
    ready = await eventually(lambda: _reason(operator, "ChildRejected"), what="ChildRejected")
    assert ready["status"] == "False"
    assert "Deployment/web" in ready["message"] and "denied by policy no-root" in ready["message"]
    degraded = await operator.condition("ECSService", "web", "Degraded")
    assert degraded["status"] == "True"
    events = await eventually(lambda: _events(operator, "ChildRejected"), what="a Warning Event")
    assert events[0]["type"] == "Warning"


async def test_forbidden_child_write_names_the_verb_and_is_retried(operator: Cluster) -> None:
    allowed = asyncio.Event()

    def rbac(request: Any) -> kmock_lib.KubernetesError | None:
        writes = request.method.value in ("PATCH", "POST")
        deployments = request.resource is not None and request.resource.plural == "deployments"
        if writes and deployments and not allowed.is_set():
            return kmock_lib.KubernetesError(status=403, reason="Forbidden", message=RBAC_DENIAL)
        return None

    operator.reject(rbac)
    await operator.create(manifests.task_definition())
    await operator.create(manifests.service())
    ready = await eventually(lambda: _reason(operator, "Forbidden"), what="Forbidden")
    assert "create Deployment/web" in ready["message"]  # the verb refused: a new workload is created
    allowed.set()  # an administrator fixes the ClusterRole: the retry gets through
    await deployment(operator)


@pytest.mark.parametrize(
    ("message", "reason"), [(QUOTA, "QuotaExceeded"), (POD_SECURITY, "ChildRejected"), (WEBHOOK, "ChildRejected")]
)
async def test_a_403_that_is_not_rbac_is_not_reported_as_forbidden(
    operator: Cluster, message: str, reason: str
) -> None:
    allowed = asyncio.Event()

    def admission(request: Any) -> kmock_lib.KubernetesError | None:
        writes = request.method.value in ("PATCH", "POST")
        deployments = request.resource is not None and request.resource.plural == "deployments"
        if writes and deployments and not request.subresource and not allowed.is_set():
            return kmock_lib.KubernetesError(status=403, reason="Forbidden", message=message)
        return None

    operator.reject(admission)
    await operator.create(manifests.task_definition())
    await operator.create(manifests.service())
    ready = await eventually(lambda: _reason(operator, reason), what=reason)
    assert "Deployment/web" in ready["message"] and message in ready["message"]
    assert (await operator.condition("ECSService", "web", "Degraded"))["status"] == "True"
    events = await eventually(lambda: _events(operator, reason), what="an Event")
    assert events[0]["type"] == "Warning"
    allowed.set()  # the quota is raised / the policy changed
    if reason == "QuotaExceeded":  # retried on its own
        await deployment(operator)


async def test_an_object_that_is_not_ours_is_never_taken_over(operator: Cluster) -> None:
    helm = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app.kubernetes.io/managed-by": "Helm"}},
        "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "web"}}, "template": {"spec": {}}},
    }
    theirs = await operator.create(helm)
    await operator.create(manifests.task_definition())
    await operator.create(manifests.service())
    ready = await eventually(lambda: _reason(operator, "ChildRejected"), what="ChildRejected")
    assert ready["message"] == (
        "Deployment/web exists and is not managed by ecs-operator for ECSService/web; rename or delete it"
    )
    assert (await operator.condition("ECSService", "web", "Degraded"))["status"] == "True"
    events = await eventually(lambda: _events(operator, "ChildRejected"), what="a Warning Event")
    assert events[0]["type"] == "Warning"
    await quiet_for(1.5)  # a resync tries again, and still writes nothing
    assert operator.requests("Deployment", "web", "PATCH") == []
    assert await operator.get("Deployment", "web") == theirs
    # Once the user removes theirs, the operator creates its own.
    await operator.delete("Deployment", "web")
    created = await deployment(operator)
    assert created["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "ecs-operator"


async def test_no_configmap_is_ever_requested(operator: Cluster) -> None:
    await _start(operator)
    await quiet_for(1.5)  # a resync: apply and prune
    requested = [r for r in list(operator.kmock) if r.resource is not None and r.resource.plural == "configmaps"]
    assert requested == []


async def test_the_harness_creates_on_a_404_apply_as_kmock_needs(operator: Cluster) -> None:
    await _start(operator)
    assert operator.requests("Deployment", "web", "POST"), "kmock answers 404 to an apply: the harness creates"


async def test_a_404_on_apply_is_reported_not_turned_into_a_create(
    kmock: kmock_lib.KubernetesEmulator, cluster: Cluster
) -> None:
    # As on a real API server, where a 404 to an apply means the namespace or the API is missing.
    async with running_operator(kmock, dataclasses.replace(TEST_CONFIG, create_on_apply_404=False)):
        await cluster.create(manifests.task_definition())
        await cluster.create(manifests.service())
        ready = await eventually(lambda: _reason(cluster, "NamespaceOrApiMissing"), what="NamespaceOrApiMissing")
        # The new Deployment is created (POST); the budget is applied, and kmock's 404 to that is reported.
        assert "cannot patch PodDisruptionBudget/web" in ready["message"]
        assert (await cluster.condition("ECSService", "web", "Progressing"))["status"] == "True"
        assert cluster.requests("PodDisruptionBudget", "web", "POST") == []


async def test_a_changed_selector_replaces_the_workload(operator: Cluster) -> None:
    await operator.create(manifests.cluster("prod"))
    created = await _start(operator)
    assert created["spec"]["selector"]["matchLabels"]["ecs.compat.dev/cluster"] == "default"
    await operator.update_spec("ECSService", "web", {"cluster": "prod"})
    moved = await deployment(
        operator, where=lambda d: d["spec"]["selector"]["matchLabels"]["ecs.compat.dev/cluster"] == "prod"
    )
    assert moved["spec"]["template"]["metadata"]["labels"]["ecs.compat.dev/cluster"] == "prod"
    assert operator.requests("Deployment", "web", "DELETE"), "the workload was deleted before it was created again"
    ready = await operator.condition("ECSService", "web")
    assert ready.get("reason") != "ChildRejected"
    assert operator.validate_written() > 0


async def test_replicas_are_handed_over_before_an_hpa_takes_them(operator: Cluster) -> None:
    await _start(operator, desired=3)
    await operator.deployment_controller("web", ready=3)
    await service_status(operator, lambda s: s.get("runningCount") == 3, "steady")
    await operator.update_spec("ECSService", "web", {"autoScaling": SCALING})
    await eventually(lambda: operator.get("HorizontalPodAutoscaler", "web"), what="the HPA")
    dropping = [r for r in applies(operator, "Deployment", "web") if "replicas" not in r.data["spec"]]
    assert dropping, "the Deployment is applied without replicas"
    handover = applies(operator, "Deployment", "web", manager="ecs-operator-handover")
    assert [r.data for r in handover] == [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 3},
        }
    ]
    assert handover[0].id < dropping[0].id  # first shared, then dropped


async def _start(cluster: Cluster, desired: int = 2, **spec: Any) -> JsonDict:
    await cluster.create(manifests.task_definition())
    await cluster.create(manifests.service(desired=desired, **spec))
    return await deployment(cluster)


async def _reason(cluster: Cluster, reason: str) -> JsonDict | None:
    ready = await cluster.condition("ECSService", "web")
    return ready if ready.get("reason") == reason else None


async def _events(cluster: Cluster, reason: str) -> list[JsonDict]:
    return cluster.events(reason)
