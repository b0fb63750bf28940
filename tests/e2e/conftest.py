"""The real cluster: pytest-kind's `kind_cluster`, made from kind-config.yaml, with the operator deployed.

pytest-kind's own fixture creates a cluster without a config file and downloads kind and kubectl when they
are missing. This one has the same name and the same command-line options (--cluster-name, --keep-cluster,
--kind-bin, --kind-kubectl-bin, --kind-image, --kubeconfig), but uses the repository's kind-config.yaml (the
ECS "region": zones and capacity providers on the workers), never downloads, and skips with a reason that
names what is missing (tests/e2e/tools.py).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_kind.cluster import KindCluster

from tests.e2e.tools import find_tools, skip_reason

ROOT = Path(__file__).resolve().parents[2]
KIND_CONFIG = ROOT / "kind-config.yaml"
DOCKERFILE = ROOT / "Dockerfile"
CRDS = ROOT / "crds"
MANIFESTS = ROOT / "manifests"
ROLLOUT_TIMEOUT = "300s"


@pytest.fixture(scope="session")
def kind_cluster(request: pytest.FixtureRequest) -> Iterator[KindCluster]:
    option = request.config.getoption
    tools = find_tools(option("kind_bin"), option("kind_kubectl_bin"))
    reason = skip_reason(tools)
    if reason is not None:
        pytest.skip(reason)
    assert tools.kind is not None and tools.kubectl is not None
    for needed in (KIND_CONFIG, DOCKERFILE, MANIFESTS):
        assert needed.exists(), f"{needed.relative_to(ROOT)} is missing from the repository"
    kubeconfig = option("kubeconfig")
    cluster = KindCluster(
        option("cluster_name"),
        Path(kubeconfig) if kubeconfig else None,
        image=option("kind_image"),
        kind_path=Path(tools.kind),
        kubectl_path=Path(tools.kubectl),
    )
    cluster.create(config_file=KIND_CONFIG)
    yield cluster
    if not option("keep_cluster"):
        cluster.delete()


@dataclass(frozen=True)
class OperatorDeployment:
    """The operator's Deployment as manifests/ declares it."""

    namespace: str
    name: str
    image: str


def kustomized() -> bool:
    return any((MANIFESTS / name).exists() for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"))


def manifest_documents(kind_cluster: KindCluster) -> list[dict[str, Any]]:
    """manifests/ as `kubectl apply` reads it: through kustomize when there is a kustomization."""
    if kustomized():
        text = kind_cluster.kubectl("kustomize", str(MANIFESTS))
    else:
        text = "\n---\n".join(p.read_text(encoding="utf-8") for p in sorted(MANIFESTS.rglob("*.y*ml")))
    return [doc for doc in yaml.safe_load_all(text) if doc]


def operator_deployment(documents: list[dict[str, Any]]) -> OperatorDeployment:
    deployments = [doc for doc in documents if doc.get("kind") == "Deployment"]
    assert len(deployments) == 1, f"manifests/ should declare the operator's one Deployment, found {len(deployments)}"
    deployment = deployments[0]
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    return OperatorDeployment(deployment["metadata"].get("namespace", "default"), deployment["metadata"]["name"], image)


def apply_manifests(kind_cluster: KindCluster) -> None:
    if kustomized():
        kind_cluster.kubectl("apply", "-k", str(MANIFESTS))
    else:
        kind_cluster.kubectl("apply", "-R", "-f", str(MANIFESTS))


@pytest.fixture(scope="session")
def operator(kind_cluster: KindCluster) -> OperatorDeployment:
    """The image built from the Dockerfile and loaded into kind; crds/ and manifests/ applied; the operator up."""
    deployment = operator_deployment(manifest_documents(kind_cluster))
    subprocess.run(["docker", "build", "-t", deployment.image, "-f", str(DOCKERFILE), str(ROOT)], check=True)
    kind_cluster.load_docker_image(deployment.image)
    kind_cluster.kubectl("apply", "--server-side", "-f", str(CRDS))
    kind_cluster.kubectl("wait", "--for=condition=Established", "--timeout=60s", "-f", str(CRDS))
    apply_manifests(kind_cluster)
    kind_cluster.kubectl(
        "rollout", "status", f"deployment/{deployment.name}", "-n", deployment.namespace, f"--timeout={ROLLOUT_TIMEOUT}"
    )
    return deployment


def get_json(kind_cluster: KindCluster, *args: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(kind_cluster.kubectl("get", *args, "-o", "json"))
    return result
