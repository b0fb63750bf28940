"""The operator on a real control plane: kube-apiserver, etcd, kube-controller-manager, kube-scheduler and kwok
nodes (``ecs_operator.localcluster``), started once per test session.

``crds/`` and ``manifests/`` are installed (all but the operator's Deployment), and the real ``ecs-operator``
runs as a subprocess with the command line and environment of that Deployment, authenticated with a token of
its ServiceAccount: a rule missing from its RBAC fails the tests here as it would in a cluster.

The tests skip, with the reason, only where the control plane's programs are nowhere and there is no Go to
build them (``make test`` builds them first, with progress, when Go is here).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecs_operator.localcluster import binaries
from ecs_operator.localcluster.controlplane import ControlPlane
from ecs_operator.localcluster.install import install_crds, install_operator_access
from ecs_operator.localcluster.operator import OperatorProcess
from tests.apiserver.kube import Kube

JsonDict = dict[str, Any]
# Faster "not yet" retries than production's, so a test waiting on a reference resolves quickly; everything
# else runs with the Deployment's own settings.
# A Lease of 20 s (not 60): a copy started after a SIGKILL (tests/apiserver/test_faults.py) takes over sooner.
TEST_ENVIRONMENT = {"ECS_OPERATOR_RETRY_SECONDS": "2", "ECS_OPERATOR_LEASE_SECONDS": "20"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests here ``apiserver``, and run them last: the other tests run while the control plane's
    programs are still being built in the background (``make test``)."""
    here = [item for item in items if Path(str(item.fspath)).parent == Path(__file__).parent]
    for item in here:
        item.add_marker(pytest.mark.apiserver)
    items[:] = [item for item in items if item not in here] + here


@pytest.fixture(scope="session")
def programs(pytestconfig: pytest.Config) -> dict[str, Path]:
    """The control plane's programs (built here, or by ``make test``'s background build, if need be, with the
    progress shown); the tests skip, with the reason, where they cannot be had."""
    reason = binaries.why_unavailable()
    if reason is not None:
        pytest.skip(reason)
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        return binaries.ensure()


@pytest.fixture(scope="session")
def control_plane(programs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    cluster = ControlPlane(f"ecs-test-{os.getpid()}", tmp_path_factory.mktemp("kwok"), programs)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def installed(control_plane: ControlPlane) -> list[JsonDict]:
    """crds/ and manifests/ (but the operator's Deployment) installed; the objects of manifests/."""
    install_crds(control_plane)
    return install_operator_access(control_plane)


@pytest.fixture(scope="session")
def kube(control_plane: ControlPlane, installed: list[JsonDict]) -> Kube:
    """The administrator's client (system:masters), for what a user does with kubectl; it knows the CRDs."""
    return Kube(control_plane.kubeconfig)


@pytest.fixture(scope="session")
def operator(
    control_plane: ControlPlane, installed: list[JsonDict], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OperatorProcess]:
    running = OperatorProcess.from_manifests(
        control_plane, installed, tmp_path_factory.mktemp("operator"), TEST_ENVIRONMENT
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture
def namespace(kube: Kube, operator: OperatorProcess) -> Iterator[str]:
    """A namespace of the test's own (the operator watches every namespace)."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    yield name
    kube.delete("Namespace", name)
