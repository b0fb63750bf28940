"""Running the operator: Kopf's settings for production, the handler registry, and ``run_operator``."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import kopf

from ecs_operator.handlers import cluster, indices, securitygroup, service, task, taskdefinition, watches
from ecs_operator.handlers.common import OperatorConfig, Runtime, record_settings, stop_workers
from ecs_operator.resolve.records import LABEL_FAMILY
from ecs_operator.translate.context import GROUP, MANAGED_BY

RECONCILERS = {
    "ECSCluster": cluster.reconcile_cluster,
    "TaskDefinition": taskdefinition.reconcile_task_definition,
    "ECSService": service.reconcile_service,
    "ECSTask": task.reconcile_task,
    "SecurityGroup": securitygroup.reconcile_security_group,
}


def build_registry(runtime: Runtime, registry: kopf.OperatorRegistry | None = None) -> kopf.OperatorRegistry:
    """Every handler of the operator, registered into ``registry`` (Kopf's default one if not given)."""
    # The default registry brings Kopf's fallback logins (in-cluster service account, kubeconfig).
    registry = registry if registry is not None else kopf.get_default_registry()
    runtime.reconcilers.update(RECONCILERS)
    kopf.on.startup(registry=registry, id="record-settings")(record_settings)
    kopf.on.cleanup(registry=registry, id="stop-workers")(stop_workers)
    indices.register(registry)
    watches.register(registry)
    return registry


MANAGED_BY_SELECTOR = ",".join(f"{key}={value}" for key, value in MANAGED_BY.items())
DEFAULT_PEERING = "ecs-operator"
# Kopf pauses every copy of an operator that shares its priority with a live peer (and only the highest one
# runs): two replicas, or `ecs-operator run` beside the in-cluster one, would all pause with the default 0. Each
# copy draws its own priority at start-up from this range, so one of them runs and the others stand by.
PRIORITY_RANGE = (1, 2**31 - 1)


def peering_priority() -> int:
    """A priority for this copy of the operator, distinct from its peers' (a collision is ~1 in 2 billion)."""
    return random.SystemRandom().randint(*PRIORITY_RANGE)


def configure(settings: kopf.OperatorSettings, *, standalone: bool, peering: str | None, verbose: bool) -> None:
    """Kopf settings for a production operator."""
    # No handler needs a finalizer (there are no change handlers, daemons or timers). Kopf removes a finalizer
    # of this name where it finds one: earlier versions of the operator put it on objects with a resync daemon.
    settings.persistence.finalizer = f"{GROUP}/finalizer"
    # Events are the operator's own (condition changes, ECS service events), posted explicitly: none of Kopf's
    # log lines become Events (its retries would flood them).
    settings.posting.level = logging.CRITICAL
    settings.posting.reporting_component = "ecs-operator"
    # Watches are restarted by the server every few minutes, and a silent connection is noticed in time.
    settings.watching.server_timeout = 300
    settings.watching.client_timeout = 330
    settings.watching.connect_timeout = 30
    settings.networking.request_timeout = 60
    settings.networking.connect_timeout = 10
    # Only the operator's own children and Pods are listed and watched: the API server filters them.
    for group, version, plural in watches.CHILD_KINDS.values():
        settings.watching.label_selectors[group, version, plural] = MANAGED_BY_SELECTOR
    settings.watching.label_selectors["apps", "v1", "controllerrevisions"] = f"{MANAGED_BY_SELECTOR},{LABEL_FAMILY}"
    # Large lists come in pages, so the start-up listing of a big cluster is never one huge response.
    settings.watching.chunk_size = 500
    # Kopf's event handlers only queue keys (handlers/watches.py): its default queueing is right; the operator's
    # own work queue bounds the reconciles running at once (OperatorConfig.workers).
    # Kopf's own requests (watches, Events) retry API hiccups with growing delays; the operator's requests
    # have their own policy (k8s/client.py: 4xx, a 403 included, are never retried).
    settings.networking.error_backoffs = (1, 2, 5, 10, 20)
    settings.peering.standalone = standalone
    if not standalone:
        # A peering named on the command line must exist; the default one is used when it does (manifests/).
        settings.peering.name = peering or DEFAULT_PEERING
        settings.peering.mandatory = peering is not None
        settings.peering.priority = peering_priority()
    if verbose:
        logging.getLogger().setLevel(logging.DEBUG)
    else:  # Kopf logs every index and event handler call: one line per watch event of every watched object
        logging.getLogger("kopf.objects").setLevel(logging.WARNING)


def cluster_config_found(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether there is anything to log in with: in-cluster settings or a kubeconfig file."""
    if environ.get("KUBERNETES_SERVICE_HOST"):
        return True
    paths = environ.get("KUBECONFIG", "").split(os.pathsep) if environ.get("KUBECONFIG") else ["~/.kube/config"]
    return any(path and Path(path).expanduser().is_file() for path in paths)


_NO_CLUSTER = (
    "error: no Kubernetes cluster to run against{detail}. Point KUBECONFIG (or ~/.kube/config) at a cluster, "
    "e.g. `kind create cluster --config kind-config.yaml`, or run the operator inside one."
)


def run_operator(namespaces: list[str], standalone: bool, peering: str | None, liveness: str, verbose: bool) -> int:
    """Run until stopped by a signal; watches ``namespaces``, or the whole cluster when there are none."""
    if not cluster_config_found():
        print(_NO_CLUSTER.format(detail=""), file=sys.stderr)
        return 1
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    runtime = Runtime(OperatorConfig.from_env())
    registry = build_registry(runtime)

    @kopf.on.startup(registry=registry)
    def _settings(settings: kopf.OperatorSettings, **_: Any) -> None:
        configure(settings, standalone=standalone, peering=peering, verbose=verbose)

    try:
        asyncio.run(
            kopf.operator(
                registry=registry,
                standalone=standalone,
                peering_name=None if standalone else (peering or DEFAULT_PEERING),
                liveness_endpoint=liveness or None,
                clusterwide=not namespaces,
                namespaces=namespaces,
                memo=kopf.Memo(runtime=runtime),
            )
        )
    except kopf.LoginError as error:
        print(_NO_CLUSTER.format(detail=f" ({error})"), file=sys.stderr)
        return 1
    return 0
