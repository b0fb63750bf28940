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
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ecs_operator.localcluster import binaries
from ecs_operator.localcluster.controlplane import ControlPlane
from ecs_operator.localcluster.install import install_crds, install_operator_access, service_account_kubeconfig
from tests.apiserver.kube import Kube

JsonDict = dict[str, Any]
# Faster "not yet" retries than production's, so a test waiting on a reference resolves quickly; everything
# else runs with the Deployment's own settings.
TEST_ENVIRONMENT = {"ECS_OPERATOR_RETRY_SECONDS": "2"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.apiserver)


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    reason = binaries.why_unavailable()
    if reason is not None:
        pytest.skip(reason)
    cluster = ControlPlane(f"ecs-test-{os.getpid()}", tmp_path_factory.mktemp("kwok"), binaries.ensure())
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class OperatorProcess:
    """``ecs-operator`` as manifests/ deploys it, run as a process under its ServiceAccount's token."""

    cluster: ControlPlane
    args: list[str]
    environment: dict[str, str]
    log: Path
    username: str  # as the API server's audit log names it
    process: subprocess.Popen[bytes] | None = None
    liveness_port: int = field(default_factory=free_port)

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "the operator is already running"
        command = [str(Path(sys.executable).with_name("ecs-operator")), *self.command_line()]
        with self.log.open("ab") as log:
            log.write(f"\n=== {' '.join(command)}\n".encode())
            self.process = subprocess.Popen(command, env=self.environment, stdout=log, stderr=subprocess.STDOUT)
        self.wait_live()

    def command_line(self) -> list[str]:
        """The Deployment's arguments, with the liveness endpoint moved to a free loopback port."""
        args = [arg for arg in self.args if not arg.startswith("--liveness")]
        return [*args, f"--liveness=http://127.0.0.1:{self.liveness_port}/healthz"]

    def wait_live(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the operator exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.liveness_port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"the operator was not live within {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "--- operator log (tail) ---\n" + "\n".join(text.splitlines()[-lines:])

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def requests(self, *, since: int = 0) -> list[JsonDict]:
        """The operator's API requests the audit log holds, from the ``since``-th on."""
        return self.cluster.audit_events(self.username)[since:]


def deployment_of(objects: list[JsonDict]) -> JsonDict:
    deployments = [obj for obj in objects if obj["kind"] == "Deployment"]
    assert len(deployments) == 1, f"manifests/ should declare the operator's one Deployment, found {len(deployments)}"
    return deployments[0]


@pytest.fixture(scope="session")
def operator(
    control_plane: ControlPlane, installed: list[JsonDict], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OperatorProcess]:
    deployment = deployment_of(installed)
    namespace = deployment["metadata"].get("namespace", "default")
    pod = deployment["spec"]["template"]["spec"]
    account = pod.get("serviceAccountName", "default")
    container = pod["containers"][0]
    workdir = tmp_path_factory.mktemp("operator")
    kubeconfig = service_account_kubeconfig(control_plane, namespace, account, workdir / "kubeconfig")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("KUBERNETES_")}
    environment.update({item["name"]: str(item.get("value", "")) for item in container.get("env") or []})
    environment.update({**TEST_ENVIRONMENT, "KUBECONFIG": str(kubeconfig)})
    running = OperatorProcess(
        control_plane,
        [*container.get("command", [])[1:], *container.get("args", [])],
        environment,
        workdir / "operator.log",
        f"system:serviceaccount:{namespace}:{account}",
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
