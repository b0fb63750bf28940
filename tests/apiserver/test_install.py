"""#34 on a real, empty control plane: the README's installation works as written, and the operator runs as
``manifests/`` installs it (the Deployment's command line and environment, its ServiceAccount's token: only
the image differs). An operator that cannot take part in leader election never sits silently idle: it logs an
error that says what to do, and its readiness probe fails until it can."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_operator.localcluster import binaries
from ecs_operator.localcluster.controlplane import ControlPlane
from ecs_operator.localcluster.install import CRDS, MANIFESTS
from ecs_operator.localcluster.operator import OperatorProcess, free_port
from tests.apiserver.conftest import TEST_ENVIRONMENT
from tests.apiserver.kube import Kube, condition, eventually
from tests.apiserver.operator_helpers import readyz

JsonDict = dict[str, Any]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def empty_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    """A control plane of its own, with nothing installed."""
    reason = binaries.why_unavailable()
    if reason is not None:
        pytest.skip(reason)
    cluster = ControlPlane(f"ecs-install-{os.getpid()}", tmp_path_factory.mktemp("kwok-install"), binaries.ensure())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def as_installed(cluster: ControlPlane, workdir: Path) -> OperatorProcess:
    """The operator as manifests/ deploys it (as kubectl kustomize builds them), as its ServiceAccount."""
    built = [doc for doc in yaml.safe_load_all(cluster.kubectl("kustomize", str(MANIFESTS)).stdout) if doc]
    return OperatorProcess.from_manifests(cluster, built, workdir, TEST_ENVIRONMENT)


def test_the_readme_installation_works_on_an_empty_cluster(
    empty_cluster: ControlPlane, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # manifests/ first: it holds no object of a CRD, so it needs none; then crds/, as the README says.
    installed = empty_cluster.kubectl("apply", "-k", str(MANIFESTS), check=False)
    assert installed.returncode == 0, installed.stderr
    crds = empty_cluster.kubectl("apply", "-f", str(CRDS), check=False)
    assert crds.returncode == 0, crds.stderr
    empty_cluster.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all")

    operator = as_installed(empty_cluster, tmp_path_factory.mktemp("installed"))
    operator.start()
    try:
        eventually(lambda: readyz(operator)[0] == 200, what="ready", detail=operator.log_tail)
        kube = Kube(empty_cluster.kubeconfig)
        kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "hello"}})
        hello_steady(kube, "hello", operator)
    finally:
        operator.stop()


def test_an_operator_that_cannot_elect_says_why_and_is_not_ready_until_it_can(
    empty_cluster: ControlPlane, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Without its Lease's RBAC (an administrator removed the RoleBinding): an error in the log that says what to
    grant, /readyz 503 with the same reason, and ready once it is granted again."""
    installed = empty_cluster.kubectl("apply", "-k", str(MANIFESTS), check=False)
    assert installed.returncode == 0, installed.stderr
    built = yaml.safe_load_all(empty_cluster.kubectl("kustomize", str(MANIFESTS)).stdout)
    election = "ecs-operator-leader-election"
    binding = yaml.safe_dump(
        next(doc for doc in built if doc and doc["kind"] == "RoleBinding" and doc["metadata"]["name"] == election)
    )
    empty_cluster.kubectl("delete", "rolebinding", election, "-n", "ecs-system")
    operator = dataclasses.replace(
        as_installed(empty_cluster, tmp_path_factory.mktemp("refused")), liveness_port=free_port()
    )
    operator.start()
    try:
        reason = not_ready_naming(operator, "leases")
        assert "grant get, create and update on leases in namespace ecs-system" in reason
        assert "ERROR ecs_operator.lease: cannot take part in leader election" in operator.log_since(0)
        empty_cluster.kubectl("apply", "-f", "-", stdin=binding)
        eventually(lambda: readyz(operator)[0] == 200, what="ready once granted", detail=operator.log_tail)
    finally:
        operator.stop()


def test_an_operator_started_before_its_crds_says_which_are_missing_and_starts_once_they_are_there(
    empty_cluster: ControlPlane, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Kopf does not watch CRDs (a cluster-wide read the namespaced install does not have): the operator asks
    the API server's discovery, and until its kinds are served it is not ready and says what to install."""
    empty_cluster.kubectl("delete", "-f", str(CRDS), "--ignore-not-found", "--wait=true", "--timeout=120s")
    installed = empty_cluster.kubectl("apply", "-k", str(MANIFESTS), check=False)
    assert installed.returncode == 0, installed.stderr
    operator = dataclasses.replace(
        as_installed(empty_cluster, tmp_path_factory.mktemp("no-crds")), liveness_port=free_port()
    )
    operator.start()
    try:
        reason = not_ready_naming(operator, "ecsservices.ecs.compat.dev")
        assert "kubectl apply -f crds/" in reason
        assert "ERROR ecs_operator: not starting yet: the API server does not serve" in operator.log_since(0)
        crds = empty_cluster.kubectl("apply", "-f", str(CRDS), check=False)
        assert crds.returncode == 0, crds.stderr
        eventually(lambda: readyz(operator)[0] == 200, what="ready once the CRDs are served", detail=operator.log_tail)
        kube = Kube(empty_cluster.kubeconfig)
        kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "late-crds"}})
        hello_steady(kube, "late-crds", operator)
    finally:
        operator.stop()


def hello_steady(kube: Kube, namespace: str, operator: OperatorProcess) -> None:
    """Apply examples/hello into ``namespace`` and wait until every one of its services is steady."""
    for document in yaml.safe_load_all((ROOT / "examples" / "hello" / "hello.yaml").read_text()):
        if document:
            kube.apply(document, namespace)

    def steady() -> bool:
        services = kube.list("ECSService", namespace)
        return bool(services) and all(condition(s, "Ready").get("reason") == "SteadyState" for s in services)

    eventually(steady, what="examples/hello steady", detail=operator.log_tail)


def not_ready_naming(operator: OperatorProcess, needle: str) -> str:
    """The reason of the operator's /readyz once it answers 503 naming ``needle``."""

    def naming() -> str | None:
        status, text = readyz(operator)
        return text if status == 503 and needle in text else None

    return eventually(naming, what=f"/readyz 503 naming {needle}", detail=operator.log_tail)
