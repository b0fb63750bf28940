"""On a real kind cluster: the operator image, CRDs and manifests as a user installs them, then the examples.

The examples are faithful ECS migrations: their images live in a private ECR registry, so on kind their pods
cannot pull. They are applied unchanged to check what kubectl and Argo CD see (accepted by the CRD schemas,
reconciled, conditions with reasons). To see tasks actually run and stop, two examples are also applied as
*runnable variants*: the same resources with the image swapped for a public one and sizes shrunk to fit a
laptop (`runnable_variant`). Everything skips, with the reason, where there is no Docker engine or kind.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml
from pytest_kind.cluster import KindCluster

from tests.e2e.conftest import ROOT, OperatorDeployment, get_json

pytestmark = pytest.mark.e2e

JsonDict = dict[str, Any]
EXAMPLES = ROOT / "examples"
STAND_IN_IMAGE = "busybox:1.36"
WAIT_SECONDS = 300.0
ECS_KINDS = {
    "ECSCluster": "ecsclusters",
    "TaskDefinition": "taskdefinitions",
    "ECSService": "ecsservices",
    "ECSTask": "ecstasks",
    "SecurityGroup": "securitygroups",
}


def example_documents(name: str) -> list[JsonDict]:
    path = EXAMPLES / name / f"{name}.yaml"
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def ecs_cluster(name: str) -> JsonDict:
    """What `aws ecs create-cluster --cluster-name <name> --capacity-providers FARGATE FARGATE_SPOT` makes."""
    return {
        "apiVersion": "ecs.compat.dev/v1alpha1",
        "kind": "ECSCluster",
        "metadata": {"name": name},
        "spec": {"clusterName": name, "capacityProviders": ["FARGATE", "FARGATE_SPOT"]},
    }


def clusters_named_by(documents: list[JsonDict]) -> list[JsonDict]:
    """ECSClusters for the clusters the documents' services and tasks name but do not define."""
    defined = {
        doc["spec"].get("clusterName", doc["metadata"]["name"]) for doc in documents if doc["kind"] == "ECSCluster"
    }
    named = {doc["spec"].get("cluster", "default") for doc in documents if doc["kind"] in ("ECSService", "ECSTask")}
    return [ecs_cluster(name) for name in sorted(named - defined)]


def runnable_variant(documents: list[JsonDict], command: list[str]) -> list[JsonDict]:
    """The documents with every container running ``command`` in a public image, at the smallest Fargate size."""
    variant: list[JsonDict] = json.loads(json.dumps(documents))
    for doc in variant:
        spec = doc["spec"]
        if doc["kind"] == "TaskDefinition":
            spec.update(cpu="256", memory="512")
            spec.pop("ephemeralStorage", None)
            for container in spec["containerDefinitions"]:
                container.update(image=STAND_IN_IMAGE, cpu=128, memory=256, command=command)
                for key in ("entryPoint", "healthCheck", "secrets", "memoryReservation"):
                    container.pop(key, None)
        elif doc["kind"] == "ECSTask":
            for override in (spec.get("overrides") or {}).get("containerOverrides") or []:
                override["command"] = command
    return variant


class Kubectl:
    """kubectl in one namespace of the kind cluster."""

    def __init__(self, cluster: KindCluster, namespace: str) -> None:
        self.cluster, self.namespace = cluster, namespace

    def apply(self, documents: list[JsonDict]) -> None:
        text = yaml.safe_dump_all(documents, sort_keys=False)
        self.cluster.kubectl("apply", "-n", self.namespace, "-f", "-", input=text)

    def get(self, kind: str, name: str) -> JsonDict:
        return get_json(self.cluster, ECS_KINDS.get(kind, kind), name, "-n", self.namespace)

    def wait(self, kind: str, name: str, check: Callable[[JsonDict], bool], what: str) -> JsonDict:
        """Poll the object until ``check`` holds; fail with its last status after WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            obj = self.get(kind, name)
            if check(obj):
                return obj
            if time.monotonic() > deadline:
                pytest.fail(f"{kind}/{name}: not {what} after {WAIT_SECONDS:.0f} s; status: {obj.get('status')}")
            time.sleep(2)


@pytest.fixture
def kubectl(kind_cluster: KindCluster, operator: OperatorDeployment) -> Iterator[Kubectl]:
    """A fresh namespace per test, with the operator running."""
    namespace = f"e2e-{uuid.uuid4().hex[:8]}"
    kind_cluster.kubectl("create", "namespace", namespace)
    yield Kubectl(kind_cluster, namespace)
    kind_cluster.kubectl("delete", "namespace", namespace, "--wait=false")


def conditions(obj: JsonDict) -> dict[str, JsonDict]:
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


def reconciled(obj: JsonDict) -> bool:
    """The operator has written status for the current spec (what Argo CD waits for before judging health)."""
    status = obj.get("status") or {}
    return status.get("observedGeneration") == obj["metadata"]["generation"] and "Ready" in conditions(obj)


def steady(obj: JsonDict) -> bool:
    status = obj.get("status") or {}
    ready = conditions(obj).get("Ready", {}).get("status") == "True"
    return ready and status.get("runningCount") == status.get("desiredCount") == obj["spec"]["desiredCount"]


def stopped(obj: JsonDict) -> bool:
    return (obj.get("status") or {}).get("lastStatus") == "STOPPED"


EXAMPLE_NAMES = sorted(path.name for path in EXAMPLES.iterdir() if (path / f"{path.name}.yaml").exists())


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_the_example_is_accepted_and_reports_health(kubectl: Kubectl, example: str) -> None:
    """Applied unchanged: every resource is reconciled and reports Ready / Progressing / Degraded with reasons."""
    documents = example_documents(example)
    kubectl.apply(clusters_named_by(documents) + documents)
    for doc in documents:
        obj = kubectl.wait(doc["kind"], doc["metadata"]["name"], reconciled, "reconciled")
        found = conditions(obj)
        assert {"Ready", "Progressing", "Degraded"} <= set(found), found
        for condition in found.values():
            assert condition["status"] in ("True", "False", "Unknown"), condition
            assert condition["reason"] and condition["lastTransitionTime"], condition
        assert found["Ready"]["reason"] != "InvalidSpec", found["Ready"]["message"]
        if doc["kind"] == "TaskDefinition":
            assert found["Ready"]["status"] == "True", found["Ready"]
            assert obj["status"]["taskDefinition"] == f"{doc['spec']['family']}:1"


def test_service_reaches_steady_state(kubectl: Kubectl) -> None:
    """awsvpc-security-groups' catalog service, runnable: runningCount == desiredCount, Ready, one PRIMARY."""
    documents = runnable_variant(example_documents("awsvpc-security-groups"), ["sleep", "3600"])
    kubectl.apply(clusters_named_by(documents) + documents)
    service = kubectl.wait("ECSService", "catalog", steady, "steady (runningCount == desiredCount, Ready)")
    status = service["status"]
    assert status["runningCount"] == 3 and status["pendingCount"] == 0
    assert [d["status"] for d in status["deployments"]] == ["PRIMARY"]
    assert status["deployments"][0]["rolloutState"] == "COMPLETED"
    found = conditions(service)
    assert (found["Progressing"]["status"], found["Degraded"]["status"]) == ("False", "False")  # Argo CD: Healthy
    deployment = kubectl.get("deployment", "catalog")
    assert deployment["status"].get("readyReplicas") == 3


def test_invalid_update_keeps_the_last_good_children_and_reports_why(kubectl: Kubectl) -> None:
    """Bad input after a good rollout: Ready=False naming the field, the running Deployment untouched."""
    documents = runnable_variant(example_documents("awsvpc-security-groups"), ["sleep", "3600"])
    kubectl.apply(clusters_named_by(documents) + documents)
    kubectl.wait("ECSService", "catalog", steady, "steady")
    service = next(doc for doc in documents if doc["kind"] == "ECSService")
    service["spec"]["loadBalancers"] = [{"containerName": "no-such-container", "containerPort": 50051}]
    kubectl.apply([service])

    def refused(obj: JsonDict) -> bool:
        return reconciled(obj) and conditions(obj)["Ready"]["status"] == "False"

    found = conditions(kubectl.wait("ECSService", "catalog", refused, "refused"))
    assert (found["Ready"]["reason"], found["Degraded"]["status"]) == ("InvalidSpec", "True"), (
        found
    )  # Argo CD: Degraded
    assert "loadBalancers[0].containerName" in found["Ready"]["message"], found["Ready"]
    assert kubectl.get("deployment", "catalog")["status"].get("readyReplicas") == 3


def test_run_task_stops_with_exit_code_zero(kubectl: Kubectl) -> None:
    """batch-job's RunTask, runnable: the task runs to STOPPED, its essential container exits 0."""
    command = ["sh", "-c", "echo nightly report done"]
    documents = runnable_variant(example_documents("batch-job"), command)
    kubectl.apply(clusters_named_by(documents) + documents)
    name = next(doc["metadata"]["name"] for doc in documents if doc["kind"] == "ECSTask")
    task = kubectl.wait("ECSTask", name, stopped, "STOPPED")
    status = task["status"]
    assert status["stopCode"] == "EssentialContainerExited", status
    assert [c["exitCode"] for t in status["tasks"] for c in t["containers"]] == [0], status["tasks"]
    assert status["tasks"][0]["lastStatus"] == "STOPPED"
    assert "Ready" in conditions(task)
