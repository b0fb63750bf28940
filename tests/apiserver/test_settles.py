"""#4, #5 on the real API server: the operator settles. The API server drops empty values (``env[].value: ""``,
``stdin: false``) and adds defaults (``imagePullPolicy``, ``protocol: TCP``, probe and template defaults); an
operator that compared values would see a difference on every reconcile and write for ever. This one decides by
the fields its manager owns (managedFields): converged, it writes nothing, resync after resync; a field edited
by hand is put back, and then it writes nothing again (one scenario: one operator restarted with fast resyncs).

The field sets it computes for what it applies are the ones this API server records, for every object of the
golden cases."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import yaml

from ecs_operator.k8s.fields import applied_field_set
from ecs_operator.k8s.fieldtypes import ROOTS
from ecs_operator.localcluster.operator import OperatorProcess
from tests.apiserver.kube import Kube, eventually
from tests.apiserver.operator_helpers import operator_with, reads_of, writes
from tests.golden_update import EXPECTED, case_directories

JsonDict = dict[str, Any]
GROUP = "ecs.compat.dev/v1alpha1"
RESYNC = "2"  # seconds: a resync every two seconds, so that a few of them happen while the test watches


def task_definition() -> JsonDict:
    container = {
        "name": "app",
        "image": "nginx:1.27-alpine",
        "essential": True,
        "memory": 128,
        "portMappings": [{"containerPort": 80}],  # no protocol: the API server defaults it
        "environment": [{"name": "EMPTY", "value": ""}, {"name": "MODE", "value": "web"}],  # "" is dropped
        "interactive": False,  # stdin: false is dropped
        "pseudoTerminal": False,  # tty: false too
        "healthCheck": {"command": ["CMD-SHELL", "true"]},  # probes get their defaults
    }
    return {
        "apiVersion": GROUP,
        "kind": "TaskDefinition",
        "metadata": {"name": "calm"},
        "spec": {"family": "calm", "containerDefinitions": [container]},
    }


def service() -> JsonDict:
    spec = {"taskDefinition": "calm", "desiredCount": 2, "loadBalancers": []}
    return {"apiVersion": GROUP, "kind": "ECSService", "metadata": {"name": "calm"}, "spec": spec}


def steady(kube: Kube, namespace: str) -> JsonDict | None:
    status = ((kube.get("ECSService", "calm", namespace) or {}).get("status")) or {}
    ready: JsonDict = next((c for c in status.get("conditions") or [] if c["type"] == "Ready"), {})
    return status if ready.get("reason") == "SteadyState" and status.get("runningCount") == 2 else None


def rolled_out(kube: Kube, namespace: str) -> bool:
    """The Deployment is done: every replica updated and available, and no Pod of an older template left."""
    live = kube.get("Deployment", "calm", namespace) or {}
    status, meta = live.get("status") or {}, live.get("metadata") or {}
    pods = [
        p
        for p in kube.list("Pod", namespace, "ecs.compat.dev/service=calm")
        if not p["metadata"].get("deletionTimestamp")
    ]
    return (
        status.get("observedGeneration") == meta.get("generation")
        and status.get("replicas") == status.get("updatedReplicas") == status.get("availableReplicas") == 2
        and len(pods) == 2
    )


def settled(kube: Kube, operator: OperatorProcess, namespace: str, resyncs: int = 3) -> list[str]:
    """The writes of ``resyncs`` resyncs of the service, once it is steady (none, if the operator settles)."""
    eventually(lambda: steady(kube, namespace), what="the service steady", detail=operator.log_tail)
    eventually(lambda: rolled_out(kube, namespace), what="the Deployment rolled out", detail=operator.log_tail)
    # Wait for one quiet round first (the rollout's own writes are done), then count over the next ones.
    start = len(operator.requests())
    eventually(lambda: reads_of(operator, namespace, "ecsservices", start) >= 1, what="a reconcile")
    start = len(operator.requests())
    eventually(
        lambda: reads_of(operator, namespace, "ecsservices", start) >= resyncs,
        what=f"{resyncs} resyncs",
        detail=operator.log_tail,
    )
    return writes(operator, namespace, start)


def test_a_converged_service_writes_nothing_and_puts_back_a_field_edited_by_hand(
    kube: Kube, operator: OperatorProcess, namespace: str
) -> None:
    with operator_with(operator, ECS_OPERATOR_RESYNC_SECONDS=RESYNC) as fast:
        kube.apply(task_definition(), namespace)
        kube.apply(service(), namespace)
        assert settled(kube, fast, namespace) == []  # resync after resync
        assert "records other fields" not in fast.log_since(0)  # the computed field sets were the server's
        # The Deployment was created (POST): that create's Update entry became an Apply entry, so that a field a
        # later rendering drops is removed (below), not kept by the create's entry.
        entries = (kube.get("Deployment", "calm", namespace) or {})["metadata"]["managedFields"]
        assert [(e["manager"], e["operation"]) for e in entries if e["manager"] == "ecs-operator"] == [
            ("ecs-operator", "Apply")
        ]
        # kubectl edit: another manager (an Update) changes a field the operator owns...
        patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "evil:1"}]}}}}
        kube.resource("Deployment").patch(
            body=patch, name="calm", namespace=namespace, content_type="application/strategic-merge-patch+json"
        )

        def restored() -> bool:
            live = kube.get("Deployment", "calm", namespace) or {}
            return bool(live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27-alpine")

        eventually(restored, what="the image put back", detail=fast.log_tail)
        assert settled(kube, fast, namespace) == []  # ...and then nothing is written again
        fewer = task_definition()
        fewer["spec"]["containerDefinitions"][0]["environment"] = [{"name": "EMPTY", "value": ""}]
        kube.apply(fewer, namespace)

        def dropped() -> bool:
            live = kube.get("Deployment", "calm", namespace) or {}
            env = live["spec"]["template"]["spec"]["containers"][0].get("env") or []
            return "MODE" not in [item["name"] for item in env]

        eventually(dropped, what="MODE gone from the Deployment with the task definition's", detail=fast.log_tail)


def golden_objects() -> list[JsonDict]:
    objects = []
    for case in case_directories():
        for obj in yaml.safe_load_all((case / EXPECTED).read_text()):
            if obj and obj["kind"] in ROOTS:
                obj["metadata"].pop("ownerReferences", None)  # their owners do not exist here
                obj["metadata"].pop("namespace", None)
                objects.append(obj)
    return objects


@pytest.fixture(scope="module")
def probe_namespace(kube: Kube) -> str:
    name = f"fields-{uuid.uuid4().hex[:8]}"
    kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    return name


@pytest.mark.parametrize("obj", golden_objects(), ids=lambda obj: f"{obj['kind']}/{obj['metadata']['name']}")
def test_the_field_set_the_api_server_records_is_the_computed_one(
    kube: Kube, probe_namespace: str, obj: JsonDict
) -> None:
    """k8s/fields.py (with the table of k8s/fieldtypes.py) against the API server's own bookkeeping."""
    applied = kube.resource(obj["kind"], obj["apiVersion"]).server_side_apply(
        body=obj, name=obj["metadata"]["name"], namespace=probe_namespace, field_manager="field-probe"
    )
    managed = applied.to_dict()["metadata"]["managedFields"]
    recorded = paths(next(entry["fieldsV1"] for entry in managed if entry["manager"] == "field-probe"))
    computed = paths(applied_field_set(obj))
    assert (sorted(recorded - computed), sorted(computed - recorded)) == ([], [])


def paths(fields: JsonDict, prefix: str = "") -> set[str]:
    """A FieldsV1 set as the paths of its leaves and items (easier to read in a difference)."""
    found = set()
    for key, below in fields.items():
        here = f"{prefix}/{key}"
        found.update(paths(below, here) if below else {here})
    return found
