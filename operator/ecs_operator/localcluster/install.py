"""Installing the operator's pieces on a control plane, and credentials to run it there as its own account."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import yaml

from ecs_operator.localcluster.binaries import REPO_ROOT
from ecs_operator.localcluster.controlplane import ControlPlane

CRDS = REPO_ROOT / "crds"
MANIFESTS = REPO_ROOT / "manifests"
JsonDict = dict[str, Any]


def install_crds(cluster: ControlPlane) -> None:
    """Apply ``crds/`` and wait until the API server serves every one of them."""
    cluster.kubectl("apply", "--server-side", "-f", str(CRDS))
    wait_established(cluster)


def wait_established(cluster: ControlPlane) -> None:
    cluster.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all")


def operator_manifests(cluster: ControlPlane) -> list[JsonDict]:
    """The objects of ``manifests/`` (kustomize, as ``kubectl apply -k`` builds them)."""
    built = cluster.kubectl("kustomize", str(MANIFESTS)).stdout
    return [document for document in yaml.safe_load_all(built) if document]


def install_operator_access(cluster: ControlPlane, *, without: tuple[str, ...] = ("Deployment",)) -> list[JsonDict]:
    """Apply ``manifests/`` except the kinds in ``without`` (the operator's Deployment: here it runs as a
    process); CRDs first, so that objects of them can follow. Returns the objects of manifests/."""
    objects = operator_manifests(cluster)
    crds = [obj for obj in objects if obj["kind"] == "CustomResourceDefinition"]
    rest = [obj for obj in objects if obj["kind"] != "CustomResourceDefinition" and obj["kind"] not in without]
    if crds:
        cluster.apply(crds)
        wait_established(cluster)
    cluster.apply(rest)
    return objects


def service_account_kubeconfig(cluster: ControlPlane, namespace: str, name: str, path: Path) -> Path:
    """A kubeconfig that authenticates as the ServiceAccount ``namespace/name`` (a bound token, 24 h), with the
    cluster's address and CA taken from the administrator's kubeconfig."""
    token = cluster.kubectl("create", "token", name, "-n", namespace, "--duration=24h").stdout.strip()
    admin = yaml.safe_load(cluster.kubeconfig.read_text())
    server = admin["clusters"][0]["cluster"]
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster.name, "cluster": ca_inlined(server, cluster.kubeconfig.parent)}],
        "users": [{"name": f"{namespace}:{name}", "user": {"token": token}}],
        "contexts": [{"name": "operator", "context": {"cluster": cluster.name, "user": f"{namespace}:{name}"}}],
        "current-context": "operator",
    }
    path.write_text(json.dumps(config))
    return path


def ca_inlined(server: JsonDict, base: Path) -> JsonDict:
    """The cluster entry with its CA file (relative to the admin kubeconfig) inlined, so the file stands alone."""
    entry = {key: value for key, value in server.items() if key != "certificate-authority"}
    if "certificate-authority" in server:
        ca = (base / server["certificate-authority"]).read_bytes()
        entry["certificate-authority-data"] = base64.b64encode(ca).decode()
    return entry
