"""A small synchronous client for the tests on the local control plane (the ``kubernetes`` package's dynamic
client, as any kubectl-like tool would use the API), and ``eventually`` for waiting on the operator."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from kubernetes import config as kube_config
from kubernetes import dynamic
from kubernetes.client import exceptions
from kubernetes.dynamic import exceptions as dynamic_exceptions

JsonDict = dict[str, Any]
T = TypeVar("T")

API_VERSIONS = {
    "ECSCluster": "ecs.compat.dev/v1alpha1",
    "TaskDefinition": "ecs.compat.dev/v1alpha1",
    "ECSService": "ecs.compat.dev/v1alpha1",
    "ECSTask": "ecs.compat.dev/v1alpha1",
    "SecurityGroup": "ecs.compat.dev/v1alpha1",
    "ControllerRevision": "apps/v1",
    "Deployment": "apps/v1",
    "DaemonSet": "apps/v1",
    "ReplicaSet": "apps/v1",
    "Pod": "v1",
    "Service": "v1",
    "ServiceAccount": "v1",
    "PodTemplate": "v1",
    "PersistentVolumeClaim": "v1",
    "Namespace": "v1",
    "ResourceQuota": "v1",
    "Node": "v1",
    "Event": "v1",
    "Ingress": "networking.k8s.io/v1",
    "NetworkPolicy": "networking.k8s.io/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "PodDisruptionBudget": "policy/v1",
}
ApiError = exceptions.ApiException


class Kube:
    """get / list / apply / create / patch / delete by kind name, as the administrator."""

    def __init__(self, kubeconfig: Path, field_manager: str = "tests") -> None:
        self.client = dynamic.DynamicClient(kube_config.new_client_from_config(config_file=str(kubeconfig)))
        self.field_manager = field_manager

    def resource(self, kind: str, api_version: str | None = None) -> Any:
        return self.client.resources.get(api_version=api_version or API_VERSIONS[kind], kind=kind)

    def get(self, kind: str, name: str, namespace: str | None = None) -> JsonDict | None:
        try:
            result: JsonDict = self.resource(kind).get(name=name, namespace=namespace).to_dict()
        except dynamic_exceptions.NotFoundError:
            return None
        return result

    def list(self, kind: str, namespace: str | None = None, labels: str | None = None) -> list[JsonDict]:
        listing = self.resource(kind).get(namespace=namespace, label_selector=labels)
        return [item.to_dict() for item in listing.items]

    def apply(self, obj: JsonDict, namespace: str | None = None) -> JsonDict:
        """Server-side apply, as ``kubectl apply --server-side`` does."""
        meta = obj["metadata"]
        result: JsonDict = (
            self.resource(obj["kind"], obj.get("apiVersion"))
            .server_side_apply(
                body=obj,
                name=meta["name"],
                namespace=namespace or meta.get("namespace"),
                field_manager=self.field_manager,
            )
            .to_dict()
        )
        return result

    def create(self, obj: JsonDict, namespace: str | None = None) -> JsonDict:
        result: JsonDict = (
            self.resource(obj["kind"], obj.get("apiVersion")).create(body=obj, namespace=namespace).to_dict()
        )
        return result

    def merge_patch(self, kind: str, name: str, namespace: str | None, patch: JsonDict) -> JsonDict:
        result: JsonDict = (
            self.resource(kind)
            .patch(body=patch, name=name, namespace=namespace, content_type="application/merge-patch+json")
            .to_dict()
        )
        return result

    def delete(self, kind: str, name: str, namespace: str | None = None, propagation: str = "Background") -> bool:
        try:
            self.resource(kind).delete(name=name, namespace=namespace, propagation_policy=propagation)
        except dynamic_exceptions.NotFoundError:
            return False
        return True


def eventually(
    check: Callable[[], T | None], timeout: float = 90.0, what: str = "", detail: Callable[[], str] = str
) -> T:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` (and ``detail()``) at the deadline.

    The deadline is generous: it only bounds a test that would otherwise hang, it is not what the test checks.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or check}\n{detail()}")
        time.sleep(0.2)


def condition(obj: JsonDict | None, type_: str) -> JsonDict:
    """The status condition ``type_`` of ``obj`` ({} if it has none)."""
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == type_), {})
