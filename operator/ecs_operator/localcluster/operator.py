"""The operator as ``manifests/`` deploys it, run as a local process on a control plane.

Its arguments and environment are those of the Deployment in ``manifests/``; it authenticates with a token of
the Deployment's ServiceAccount, so it can do exactly what its RBAC allows; its liveness endpoint moves to a free
loopback port. The tests, the benchmarks and the ``make run`` sandbox run it this way.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecs_operator.localcluster.controlplane import ControlPlane, ControlPlaneError
from ecs_operator.localcluster.install import service_account_kubeconfig

JsonDict = dict[str, Any]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def operator_command() -> list[str]:
    """``ecs-operator`` of this installation."""
    script = Path(sys.executable).with_name("ecs-operator")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ecs_operator"]


def deployment_of(objects: list[JsonDict]) -> JsonDict:
    deployments = [obj for obj in objects if obj["kind"] == "Deployment"]
    if len(deployments) != 1:
        raise ControlPlaneError(f"manifests/ should declare the operator's one Deployment, found {len(deployments)}")
    return deployments[0]


def env_value(item: JsonDict, namespace: str) -> str:
    """An environment variable of the Deployment's container as its Pod would see it (the Pod's namespace from
    the downward API; other references are not resolved)."""
    field_ref = (item.get("valueFrom") or {}).get("fieldRef") or {}
    if field_ref.get("fieldPath") == "metadata.namespace":
        return namespace
    return str(item.get("value", ""))


@dataclass
class OperatorProcess:
    """One operator process; ``start()`` returns once its liveness endpoint answers."""

    cluster: ControlPlane
    args: list[str]
    environment: dict[str, str]
    log: Path
    username: str  # as the API server's audit log names it
    kubeconfig: Path
    process: subprocess.Popen[bytes] | None = None
    liveness_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)  # the ECS API's, when the Deployment runs it (--api)
    program: list[str] = field(default_factory=operator_command)  # what runs ``args`` (another operator, in bench/)

    @classmethod
    def from_manifests(
        cls, cluster: ControlPlane, objects: list[JsonDict], workdir: Path, environment: Mapping[str, str] = {}
    ) -> OperatorProcess:
        """The operator of ``objects`` (manifests/, installed on ``cluster``), with ``environment`` on top of the
        Deployment's."""
        deployment = deployment_of(objects)
        namespace = deployment["metadata"].get("namespace", "default")
        pod = deployment["spec"]["template"]["spec"]
        account = pod.get("serviceAccountName", "default")
        container = pod["containers"][0]
        workdir.mkdir(parents=True, exist_ok=True)
        kubeconfig = service_account_kubeconfig(cluster, namespace, account, workdir / "operator-kubeconfig")
        env = {key: value for key, value in os.environ.items() if not key.startswith("KUBERNETES_")}
        env.update({item["name"]: env_value(item, namespace) for item in container.get("env") or []})
        env.update({**environment, "KUBECONFIG": str(kubeconfig)})
        return cls(
            cluster,
            [*container.get("command", [])[1:], *container.get("args", [])],
            env,
            workdir / "operator.log",
            f"system:serviceaccount:{namespace}:{account}",
            kubeconfig,
        )

    def start(self, timeout: float = 90) -> None:
        if self.process is not None and self.process.poll() is None:
            raise ControlPlaneError("the operator is already running")
        command = [*self.program, *self.command_line()]
        with self.log.open("ab") as log:
            log.write(f"\n=== {' '.join(command)}\n".encode())
            self.process = subprocess.Popen(command, env=self.environment, stdout=log, stderr=subprocess.STDOUT)
        self.wait_live(timeout)

    def command_line(self) -> list[str]:
        """The Deployment's arguments, with the liveness endpoint and the ECS API moved to free loopback ports."""
        args = [arg for arg in self.args if not arg.startswith(("--liveness", "--api-host", "--api-port"))]
        api = ["--api-host=127.0.0.1", f"--api-port={self.api_port}"] if "--api" in args else []
        return [*args, *api, f"--liveness=http://127.0.0.1:{self.liveness_port}/healthz"]

    @property
    def api_url(self) -> str:
        """Where the ECS API of this process listens (when the Deployment runs it)."""
        return f"http://127.0.0.1:{self.api_port}"

    def wait_live(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise ControlPlaneError(f"the operator exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.liveness_port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise ControlPlaneError(f"the operator was not live within {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

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
