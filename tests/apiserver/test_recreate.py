"""#17 on the real API server: a TaskDefinition deleted and created again (``kubectl replace --force``, Argo CD's
``Replace=true``) while the garbage collector has not yet removed the earlier one's children. A finalizer holds
the earlier PodTemplate (a ControllerRevision's data cannot take a patch), so that the test sees that moment every
time: the new TaskDefinition says it waits for it, then starts cleanly at revision 1 of its own, and the
service of the family runs it."""

from __future__ import annotations

from typing import Any

from ecs_operator.localcluster.operator import OperatorProcess
from tests.apiserver.kube import Kube, condition, eventually

JsonDict = dict[str, Any]
GROUP = "ecs.compat.dev/v1alpha1"
HOLD = "tests.ecs.compat.dev/hold"  # plays a slow garbage collector


def task_definition(image: str) -> JsonDict:
    container = {"name": "main", "image": image, "essential": True, "memory": 128}
    spec = {"family": "web", "containerDefinitions": [container]}
    return {"apiVersion": GROUP, "kind": "TaskDefinition", "metadata": {"name": "web"}, "spec": spec}


def service() -> JsonDict:
    spec = {"taskDefinition": "web", "desiredCount": 1}
    return {"apiVersion": GROUP, "kind": "ECSService", "metadata": {"name": "web"}, "spec": spec}


def steady_on(kube: Kube, namespace: str, image: str) -> JsonDict | None:
    live = kube.get("ECSService", "web", namespace)
    deployment = kube.get("Deployment", "web", namespace) or {}
    containers = (((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    if condition(live, "Ready").get("reason") == "SteadyState" and containers and containers[0]["image"] == image:
        return live
    return None


def test_a_task_definition_created_again_waits_says_so_and_starts_at_revision_one(
    kube: Kube, operator: OperatorProcess, namespace: str
) -> None:
    first = kube.apply(task_definition("nginx:1.27-alpine"), namespace)
    kube.apply(service(), namespace)
    eventually(lambda: steady_on(kube, namespace, "nginx:1.27-alpine"), what="web on 1.27", detail=operator.log_tail)
    kube.merge_patch("PodTemplate", "web-1", namespace, {"metadata": {"finalizers": [HOLD]}})

    kube.delete("TaskDefinition", "web", namespace)
    again = kube.apply(task_definition("nginx:1.28-alpine"), namespace)
    assert again["metadata"]["uid"] != first["metadata"]["uid"]

    def waiting() -> JsonDict | None:
        ready = condition(kube.get("TaskDefinition", "web", namespace), "Ready")
        return ready if ready.get("reason") == "PreviousOwnerBeingDeleted" else None

    ready = eventually(waiting, what="PreviousOwnerBeingDeleted", detail=operator.log_tail)
    assert "deleted" in ready["message"] and "web-1" in ready["message"]
    assert condition(kube.get("TaskDefinition", "web", namespace), "Progressing")["status"] == "True"

    kube.merge_patch("PodTemplate", "web-1", namespace, {"metadata": {"finalizers": None}})  # the GC gets to it

    def registered() -> JsonDict | None:
        live = kube.get("TaskDefinition", "web", namespace)
        if condition(live, "Ready").get("reason") != "Registered":
            return None
        return live

    live = eventually(registered, what="web registered again", detail=operator.log_tail)
    assert live is not None
    assert [entry["revision"] for entry in live["status"]["revisions"]] == [1]
    revision = kube.get("ControllerRevision", "web-1", namespace)
    assert revision is not None
    assert revision["metadata"]["ownerReferences"][0]["uid"] == again["metadata"]["uid"]
    assert revision["data"]["containerDefinitions"][0]["image"] == "nginx:1.28-alpine"
    eventually(lambda: steady_on(kube, namespace, "nginx:1.28-alpine"), what="web on 1.28", detail=operator.log_tail)
