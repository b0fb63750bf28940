"""A local Kubernetes control plane on loopback: real API server and controllers, simulated nodes.

kwokctl's binary runtime runs it from the programs of ``binaries.py``: etcd, kube-apiserver (RBAC and the
default admission plugins on), kube-controller-manager (garbage collector, Deployment, ReplicaSet, DaemonSet,
HPA, ... controllers), kube-scheduler and kwok. kwokctl generates the certificates and a kubeconfig and keeps
each cluster's state in its own folder (``KWOK_WORKDIR``), so several can run side by side (a test session
beside ``make run``); every port is picked free at start-up.

The nodes are the workers ``kind-config.yaml`` declares (zone, capacity provider, instance type labels and the
spot taint), as kwok nodes. No container runs: kwok writes Pod status as a kubelet would (``stages.yaml``),
and a container of a never-restarted Pod (an ECSTask's) whose environment sets ``KWOK_EXIT_CODE`` exits with
that code. There is no CNI: NetworkPolicies are stored and validated, not enforced.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ecs_operator.localcluster.binaries import REPO_ROOT, Progress, print_progress

KIND_CONFIG = REPO_ROOT / "kind-config.yaml"
NODE_ANNOTATION = {"kwok.x-k8s.io/node": "fake"}  # kwok manages the nodes that carry it
# What each simulated node offers: room for the scale benchmarks (10,000 pods over the untainted workers).
NODE_CAPACITY = {"cpu": "64", "memory": "256Gi", "pods": "5000", "ephemeral-storage": "1Ti"}
JsonDict = dict[str, Any]
# Every component listens on loopback only.
KWOKCTL_CONFIGURATION = {
    "apiVersion": "config.kwok.x-k8s.io/v1alpha1",
    "kind": "KwokctlConfiguration",
    "options": {"bindAddress": "127.0.0.1"},
}
# Every request of a ServiceAccount (the operator, the ECS API, a baseline operator) is audited at Metadata
# level: user, verb, resource, response code. Tests and benchmarks count the operator's reads and writes there.
AUDIT_POLICY = {
    "apiVersion": "audit.k8s.io/v1",
    "kind": "Policy",
    "omitStages": ["RequestReceived"],
    "rules": [{"level": "Metadata", "userGroups": ["system:serviceaccounts"]}, {"level": "None"}],
}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ControlPlaneError(Exception):
    """The control plane did not start (the message holds the command's output)."""


def kind_workers(kind_config: Path = KIND_CONFIG) -> list[JsonDict]:
    """Node objects for the worker nodes of a kind config, named as kind names them (``<cluster>-worker``,
    ``<cluster>-worker2``, ...), with their labels and the taints of their kubeadm JoinConfiguration.

    An ECS region has x86 and Graviton capacity, and kind's nodes have only the host's architecture: each
    worker also gets an arm64 twin (``<name>-arm64``), so tasks with ``runtimePlatform`` ARM64 have a place.
    """
    config = yaml.safe_load(kind_config.read_text())
    cluster = config.get("name", "kind")
    workers = [node for node in config.get("nodes", []) if node.get("role") == "worker"]
    nodes = []
    for index, worker in enumerate(workers):
        name = f"{cluster}-worker{index + 1 if index else ''}"
        nodes += [node_object(name, worker, "amd64"), node_object(f"{name}-arm64", worker, "arm64")]
    return nodes


# The Graviton counterpart of an x86 instance family, for the arm64 twins (m5.large -> m6g.large).
GRAVITON_FAMILIES = {"m5": "m6g", "c5": "c6g", "r5": "r6g", "t3": "t4g"}
INSTANCE_TYPE = "node.kubernetes.io/instance-type"


def node_object(name: str, worker: Mapping[str, Any], arch: str) -> JsonDict:
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": arch,
        "type": "kwok",
        **{str(key): str(value) for key, value in (worker.get("labels") or {}).items()},
    }
    if arch == "arm64" and INSTANCE_TYPE in labels:
        family, _, size = labels[INSTANCE_TYPE].partition(".")
        labels[INSTANCE_TYPE] = f"{GRAVITON_FAMILIES.get(family, family)}.{size}"
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels, "annotations": dict(NODE_ANNOTATION)},
        "spec": {"taints": join_taints(worker)},
        "status": {"capacity": dict(NODE_CAPACITY), "allocatable": dict(NODE_CAPACITY)},
    }


def join_taints(worker: Mapping[str, Any]) -> list[JsonDict]:
    taints: list[JsonDict] = []
    for patch in worker.get("kubeadmConfigPatches") or []:
        document = yaml.safe_load(patch) or {}
        if document.get("kind") == "JoinConfiguration":
            taints += (document.get("nodeRegistration") or {}).get("taints") or []
    return taints


@dataclass
class ControlPlane:
    """One local cluster: ``start()`` it, use ``kubeconfig``, ``stop()`` it (which leaves no process behind)."""

    name: str
    workdir: Path  # KWOK_WORKDIR: kwokctl's state (certificates, logs, etcd data) for this cluster only
    programs: Mapping[str, Path]
    progress: Progress = print_progress
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    @property
    def cluster_dir(self) -> Path:
        return self.workdir / "clusters" / self.name

    @property
    def kubeconfig(self) -> Path:
        """The administrator's kubeconfig (client certificate of system:masters)."""
        return self.cluster_dir / "kubeconfig.yaml"

    @property
    def audit_log(self) -> Path:
        return self.cluster_dir / "logs" / "audit.log"

    def audit_events(self, user: str) -> list[JsonDict]:
        """The API server's audit events (completed requests) of ``user``, oldest first."""
        if not self.audit_log.is_file():
            return []
        events = (json.loads(line) for line in self.audit_log.read_text().splitlines() if line.strip())
        return [event for event in events if event.get("user", {}).get("username") == user]

    def running(self) -> bool:
        return self.kubeconfig.is_file() and self.kubectl("get", "--raw", "/readyz", check=False).returncode == 0

    def start(self, wait_seconds: float = 180) -> None:
        """Create the cluster and its nodes; return once the API server is ready and every node is Ready."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = self.workdir / f"{self.name}-kwok.yaml"
        stages = resources.files("ecs_operator.localcluster").joinpath("stages.yaml").read_text()
        config.write_text(json.dumps(KWOKCTL_CONFIGURATION) + "\n---\n" + stages)
        (self.workdir / f"{self.name}-audit.yaml").write_text(json.dumps(AUDIT_POLICY))
        self.progress(f"starting the local control plane {self.name!r} (state in {self.cluster_dir})")
        started = time.monotonic()
        self.kwokctl("create", "cluster", *self.create_flags(config, wait_seconds))
        self.apply(kind_workers())
        self.wait_for_nodes(deadline=started + wait_seconds)
        self.progress(f"control plane ready in {time.monotonic() - started:.0f}s: KUBECONFIG={self.kubeconfig}")

    def create_flags(self, config: Path, wait_seconds: float) -> list[str]:
        programs = self.programs
        return [
            f"--name={self.name}",
            "--runtime=binary",
            f"--config={config}",
            "--kubeconfig=",  # never touch the user's ~/.kube/config
            "--kube-authorization",
            "--kube-admission",
            "--quiet-pull",
            f"--wait={int(wait_seconds)}s",
            f"--kube-apiserver-binary={programs['kube-apiserver']}",
            f"--kube-controller-manager-binary={programs['kube-controller-manager']}",
            f"--kube-scheduler-binary={programs['kube-scheduler']}",
            f"--kwok-controller-binary={programs['kwok']}",
            f"--etcd-binary={programs['etcd']}",
            f"--kube-audit-policy={self.workdir / f'{self.name}-audit.yaml'}",
        ]

    def stop(self, timeout: float = 30) -> None:
        """Stop every process of the cluster, wait until they are gone, and delete its state."""
        if not self.cluster_dir.exists():
            return
        pids = self.pids()
        # kwokctl removes the cluster's context from the kubeconfig it is given: one of its own, not the user's.
        unused = self.workdir / f"{self.name}-unused-kubeconfig.yaml"
        self.kwokctl("delete", "cluster", f"--name={self.name}", f"--kubeconfig={unused}", check=False)
        deadline = time.monotonic() + timeout
        while pids and time.monotonic() < deadline:
            pids = [pid for pid in pids if alive(pid)]
            time.sleep(0.1)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def pids(self) -> list[int]:
        """The processes kwokctl started for the cluster (from its pid files)."""
        files = (self.cluster_dir / "pids").glob("*.pid")
        return [int(text) for text in (path.read_text().strip() for path in files) if text.isdigit()]

    def wait_for_nodes(self, deadline: float) -> None:
        expected = {node["metadata"]["name"] for node in kind_workers()}
        while True:
            listing = json.loads(self.kubectl("get", "nodes", "-o", "json").stdout)
            ready = {
                node["metadata"]["name"]
                for node in listing["items"]
                if any(c["type"] == "Ready" and c["status"] == "True" for c in node["status"].get("conditions", []))
            }
            if expected <= ready:
                return
            if time.monotonic() > deadline:
                raise ControlPlaneError(f"nodes not Ready in time: {sorted(expected - ready)}")
            time.sleep(0.5)

    def apply(self, objects: list[JsonDict]) -> None:
        document = "\n---\n".join(json.dumps(obj) for obj in objects)
        self.kubectl("apply", "--server-side", "--field-manager=ecs-operator-localcluster", "-f", "-", stdin=document)

    def kubectl(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._run([str(self.programs["kubectl"]), f"--kubeconfig={self.kubeconfig}", *args], stdin, check)

    def kwokctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._run([str(self.programs["kwokctl"]), *args], None, check)

    def _run(self, command: list[str], stdin: str | None, check: bool) -> subprocess.CompletedProcess[str]:
        env = {**self.environ, "KWOK_WORKDIR": str(self.workdir)}
        result = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env)
        if check and result.returncode != 0:
            shown = " ".join(command[:3])
            raise ControlPlaneError(f"{shown} ... failed ({result.returncode}):\n{result.stderr or result.stdout}")
        return result
