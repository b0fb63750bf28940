"""Faults on the real control plane: the operator process killed (SIGKILL) in the middle of a reconcile and
started again, and its connections to the API server (watch streams included) dropped while objects change.
Each converges to exactly the right children: nothing duplicated, nothing lost, the right conditions.

The middle of a reconcile is not left to timing: a ResourceQuota lets the reconcile make part of its children
and refuses the rest (the object says QuotaExceeded), so the kill always lands with the work half done and the
operator's memory of it lost; the quota is lifted while the operator is down. The dropped connections go
through a TCP proxy of the test's own (``proxy.py``) between the operator and the API server.

The copy of the operator run here is the session's (the same command line and ServiceAccount), its Lease
included: after a SIGKILL the new process takes over only once the dead one's Lease has expired
(``ECS_OPERATOR_LEASE_SECONDS``: 10 s for these copies, 20 s for the session's, 60 s as installed), as a restarted
Pod would, so the deadlines after a restart are longer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import signal
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ecs_operator.localcluster.operator import OperatorProcess, free_port
from tests.apiserver.kube import Kube, condition, eventually
from tests.apiserver.operator_helpers import session_operator_stopped
from tests.apiserver.proxy import TcpProxy
from tests.apiserver.test_lifecycle import service, steady, task_definition

JsonDict = dict[str, Any]
GROUP = "ecs.compat.dev/v1alpha1"
AFTER_RESTART = 300.0  # seconds: the dead copy's Lease expires (LEASE here), then the new one converges
LEASE = "10"  # seconds: renewed every 3.3 s, so a renewal would have to fail for 10 s before a copy lets go
MANAGED = "app.kubernetes.io/managed-by=ecs-operator"


@contextlib.contextmanager
def operator_copy(
    operator: OperatorProcess, workdir: Path, kubeconfig: Path | None = None
) -> Iterator[OperatorProcess]:
    """A copy of the session's operator, not started, with a log and ports of its own (and ``kubeconfig``
    instead of its own if given); the session's is stopped meanwhile (it watches every namespace)."""
    environment = {**operator.environment, "ECS_OPERATOR_LEASE_SECONDS": LEASE}
    environment.update({"KUBECONFIG": str(kubeconfig)} if kubeconfig else {})
    copy = dataclasses.replace(
        operator,
        environment=environment,
        kubeconfig=kubeconfig or operator.kubeconfig,
        log=workdir / "operator.log",
        process=None,
        liveness_port=free_port(),
        api_port=free_port(),
    )
    with session_operator_stopped(operator):
        try:
            yield copy
        finally:
            copy.stop()


def sigkill(operator: OperatorProcess) -> None:
    operator.stop(signal.SIGKILL)
    assert operator.process is not None and operator.process.returncode == -signal.SIGKILL


def quota(hard: dict[str, str]) -> JsonDict:
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "fault"}, "spec": {"hard": hard}}


def quota_in_force(kube: Kube, namespace: str, hard: dict[str, str]) -> None:
    """Apply the quota and wait until its controller has counted the usage: until then the API server refuses
    every create it covers with "status unknown for quota" (not "exceeded quota"), which the operator reports as
    ``QuotaPending`` and retries after its backoff, rather than the ``QuotaExceeded`` refusal the tests set up."""
    kube.apply(quota(hard), namespace)

    def counted() -> bool:
        status = (kube.get("ResourceQuota", "fault", namespace) or {}).get("status") or {}
        return set(hard) <= set(status.get("hard") or {}) and set(hard) <= set(status.get("used") or {})

    eventually(counted, what="the quota's usage counted")


def controlled(kube: Kube, kind: str, namespace: str, owner: JsonDict) -> list[JsonDict]:
    """The objects of ``kind`` in ``namespace`` whose controller is ``owner`` (by uid), not being deleted."""
    uid = owner["metadata"]["uid"]
    return [
        obj
        for obj in kube.list(kind, namespace)
        if not obj["metadata"].get("deletionTimestamp")
        and any(ref.get("controller") and ref["uid"] == uid for ref in obj["metadata"].get("ownerReferences") or [])
    ]


def refused_by_quota(kube: Kube, kind: str, name: str, namespace: str) -> JsonDict | None:
    live = kube.get(kind, name, namespace)
    return live if condition(live, "Ready").get("reason") == "QuotaExceeded" else None


def test_sigkill_while_a_tasks_pods_are_half_created(
    kube: Kube, operator: OperatorProcess, namespace: str, tmp_path: Path
) -> None:
    """RunTask of 4 under a quota of 2 Pods: killed with 2 made and the rest refused; restarted with the quota
    gone, the task has exactly 4 Pods, the first 2 the very same, and its status shows 4 tasks RUNNING."""
    quota_in_force(kube, namespace, {"pods": "2"})
    kube.apply(task_definition("batch"), namespace)
    spec: JsonDict = {"taskDefinition": "batch", "count": 4}
    run = {"apiVersion": GROUP, "kind": "ECSTask", "metadata": {"name": "run"}, "spec": spec}
    with operator_copy(operator, tmp_path) as copy:
        copy.start()
        kube.apply(run, namespace)
        task = eventually(lambda: refused_by_quota(kube, "ECSTask", "run", namespace), what="quota refusal")
        first = {pod["metadata"]["name"]: pod["metadata"]["uid"] for pod in controlled(kube, "Pod", namespace, task)}
        assert len(first) == 2, first
        sigkill(copy)
        kube.delete("ResourceQuota", "fault", namespace)
        copy.start()

        def running() -> JsonDict | None:
            status = (kube.get("ECSTask", "run", namespace) or {}).get("status") or {}
            tasks = status.get("tasks") or []
            return status if len(tasks) == 4 and all(t.get("lastStatus") == "RUNNING" for t in tasks) else None

        status = eventually(running, AFTER_RESTART, what="4 tasks RUNNING", detail=copy.log_tail)
    pods = {pod["metadata"]["name"]: pod["metadata"]["uid"] for pod in controlled(kube, "Pod", namespace, task)}
    assert len(pods) == 4
    assert {name: pods.get(name) for name in first} == first  # the Pods made before the kill, kept as they were
    assert sorted(t["podName"] for t in status["tasks"]) == sorted(pods)
    assert len({t["taskArn"] for t in status["tasks"]}) == 4
    live = kube.get("ECSTask", "run", namespace)
    assert condition(live, "Ready").get("status") == "True", live


def test_sigkill_while_a_services_children_are_half_made(
    kube: Kube, operator: OperatorProcess, namespace: str, tmp_path: Path
) -> None:
    """A service whose Deployment a quota refuses: killed then; restarted with the quota gone, it has exactly one
    Deployment and one of each other child, and is steady."""
    quota_in_force(kube, namespace, {"count/deployments.apps": "0"})
    kube.apply(task_definition("web"), namespace)
    with operator_copy(operator, tmp_path) as copy:
        copy.start()
        kube.apply(service("web", "web", desired=2), namespace)
        refused = eventually(lambda: refused_by_quota(kube, "ECSService", "web", namespace), what="quota refusal")
        assert not controlled(kube, "Deployment", namespace, refused)
        sigkill(copy)
        kube.delete("ResourceQuota", "fault", namespace)
        copy.start()
        eventually(lambda: steady(kube, namespace, "web", "web:1"), AFTER_RESTART, what="steady", detail=copy.log_tail)
    owner = kube.get("ECSService", "web", namespace)
    assert owner is not None
    [deployment] = controlled(kube, "Deployment", namespace, owner)
    assert deployment["spec"]["replicas"] == 2
    children = [
        obj for kind in ("Deployment", "ServiceAccount", "Service") for obj in kube.list(kind, namespace, MANAGED)
    ]
    names = [f"{obj['kind']}/{obj['metadata']['name']}" for obj in children]
    assert len(names) == len(set(names))


def proxied_kubeconfig(operator: OperatorProcess, path: Path) -> tuple[Path, TcpProxy]:
    """The operator's kubeconfig pointed at a TCP proxy to its API server; the proxy."""
    config = json.loads(operator.kubeconfig.read_text())
    cluster = config["clusters"][0]["cluster"]
    server = urllib.parse.urlsplit(cluster["server"])
    assert server.hostname is not None and server.port is not None
    proxy = TcpProxy(server.hostname, server.port)
    cluster["server"] = f"{server.scheme}://{server.hostname}:{proxy.port}"
    path.write_text(json.dumps(config))
    return path, proxy


def test_changes_made_while_the_connections_are_down_are_reconciled(
    kube: Kube, operator: OperatorProcess, namespace: str, tmp_path: Path
) -> None:
    """Two steady services; every connection of the operator (its watches) dropped and refused; meanwhile one
    service's Deployment is deleted and the other's desiredCount changed. Connected again, the operator (the
    same process) puts the Deployment back and scales the other: one Deployment each, both steady."""
    kubeconfig, proxy = proxied_kubeconfig(operator, tmp_path / "proxied-kubeconfig")
    try:
        with operator_copy(operator, tmp_path, kubeconfig) as copy:
            copy.start()
            for name in ("lost", "scaled"):
                kube.apply(task_definition(name), namespace)
                kube.apply(service(name, name, desired=2), namespace)
            eventually(lambda: steady(kube, namespace, "lost", "lost:1"), what="lost steady", detail=copy.log_tail)
            eventually(
                lambda: steady(kube, namespace, "scaled", "scaled:1"), what="scaled steady", detail=copy.log_tail
            )
            lost = kube.get("ECSService", "lost", namespace)
            assert lost is not None
            [old] = controlled(kube, "Deployment", namespace, lost)
            assert proxy.open_connections() > 0  # its watches go through the proxy
            accepted = proxy.accepted

            proxy.down()
            eventually(lambda: proxy.refused > 0, what="the operator to try to connect again, refused")
            kube.delete("Deployment", old["metadata"]["name"], namespace)
            kube.merge_patch("ECSService", "scaled", namespace, {"spec": {"desiredCount": 3}})
            eventually(lambda: not kube.get("Deployment", old["metadata"]["name"], namespace), what="deleted")
            proxy.up()

            def replaced() -> list[JsonDict]:
                return [
                    d
                    for d in controlled(kube, "Deployment", namespace, lost)
                    if d["metadata"]["uid"] != old["metadata"]["uid"]
                ]

            eventually(replaced, what="the deleted Deployment put back", detail=copy.log_tail)
            eventually(lambda: steady(kube, namespace, "lost", "lost:1"), what="lost steady", detail=copy.log_tail)

            def scaled() -> JsonDict | None:
                status = steady(kube, namespace, "scaled", "scaled:1")
                return status if status is not None and status.get("runningCount") == 3 else None

            eventually(scaled, what="scaled to 3", detail=copy.log_tail)
            assert copy.process is not None and copy.process.poll() is None  # the same process: no restart
            assert proxy.accepted > accepted  # it connected again through the proxy
        for name, replicas in (("lost", 2), ("scaled", 3)):
            owner = kube.get("ECSService", name, namespace)
            assert owner is not None
            [deployment] = controlled(kube, "Deployment", namespace, owner)
            assert deployment["spec"]["replicas"] == replicas
    finally:
        proxy.stop()
