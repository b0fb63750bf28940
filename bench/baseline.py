"""The baseline of the scale figures: an empty Kopf operator, ``python -m bench.baseline [-n NS]... --liveness URL``.

What any Kopf operator pays, with nothing of the ECS operator's own: the same Kopf version and settings
(``handlers.main.configure``), the same Kubernetes client (``k8s.Api``), and one change handler that creates
one Deployment per ECSService (named as it, owned by it, with ``desiredCount`` replicas of one container).
Kopf then records the object as handled (its last-handled-configuration annotation: one PATCH), as every
Kopf operator with change handlers does. bench/scale.py runs it as a process under a ServiceAccount of its own
(``BASELINE_RULES``), on the same control plane as the operator, one at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import kopf

from ecs_operator.handlers.main import configure
from ecs_operator.k8s import Api

JsonDict = dict[str, Any]
GROUP, VERSION = "ecs.compat.dev", "v1alpha1"
IMAGE = "nginx:1.27"
LABEL = "bench.ecs.compat.dev/baseline"
# What the baseline's ServiceAccount may do: read and annotate ECSServices, create Deployments, post Events; and
# what Kopf reads to start (the CRDs, as the operator's RBAC grants; the namespaces it is told to watch).
BASELINE_RULES = [
    {
        "apiGroups": ["apiextensions.k8s.io"],
        "resources": ["customresourcedefinitions"],
        "verbs": ["get", "list", "watch"],
    },
    {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [GROUP], "resources": ["ecsservices"], "verbs": ["get", "list", "watch", "patch"]},
    {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create"]},
    {"apiGroups": ["", "events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch"]},
]


def deployment_for(body: Mapping[str, Any]) -> JsonDict:
    """The one Deployment of an ECSService: its name, owned by it, ``desiredCount`` replicas."""
    meta = body["metadata"]
    labels = {LABEL: meta["name"]}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "labels": dict(labels),
            "ownerReferences": [
                {
                    "apiVersion": f"{GROUP}/{VERSION}",
                    "kind": "ECSService",
                    "name": meta["name"],
                    "uid": meta["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "replicas": int((body.get("spec") or {}).get("desiredCount", 1)),
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {"containers": [{"name": "app", "image": IMAGE}]},
            },
        },
    }


def build_registry(registry: kopf.OperatorRegistry | None = None) -> kopf.OperatorRegistry:
    """The baseline's handlers in ``registry`` (Kopf's default one, with its fallback logins, if not given)."""
    registry = registry if registry is not None else kopf.get_default_registry()

    @kopf.on.startup(registry=registry)
    def _settings(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
        configure(settings, verbose=False)
        # Its on.create handler needs Kopf's "last handled" state, which the operator (no change handlers) omits.
        settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage()
        memo["api"] = Api(settings)

    @kopf.on.create(GROUP, VERSION, "ecsservices", registry=registry)
    async def _create(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
        await memo["api"].create(deployment_for(body))

    return registry


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline", description=__doc__)
    parser.add_argument("-n", "--namespace", action="append", default=[], help="watch this namespace (repeatable)")
    parser.add_argument("--liveness", required=True, help="Kopf's liveness endpoint URL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kopf.objects").setLevel(logging.WARNING)  # as the operator: no line per event
    registry = build_registry()
    asyncio.run(
        kopf.operator(
            registry=registry,
            standalone=True,
            clusterwide=not args.namespace,
            namespaces=args.namespace,
            liveness_endpoint=args.liveness,
            memo=kopf.Memo(),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
