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

from ecs_operator.handlers import children, cluster, securitygroup, service, task, taskdefinition
from ecs_operator.handlers.common import OperatorConfig, Runtime, record_settings
from ecs_operator.translate.context import GROUP


def build_registry(runtime: Runtime, registry: kopf.OperatorRegistry | None = None) -> kopf.OperatorRegistry:
    """Every handler of the operator, registered into ``registry`` (Kopf's default one if not given)."""
    # The default registry brings Kopf's fallback logins (in-cluster service account, kubeconfig).
    registry = registry if registry is not None else kopf.get_default_registry()
    kopf.on.startup(registry=registry, id="record-settings")(record_settings)
    taskdefinition.register(registry, runtime)
    cluster.register(registry, runtime)
    service.register(registry, runtime)
    task.register(registry, runtime)
    securitygroup.register(registry, runtime)
    children.register(
        registry,
        {
            "TaskDefinition": taskdefinition.reconcile_task_definition,
            "ECSService": service.reconcile_service,
            "ECSTask": task.reconcile_task,
            "SecurityGroup": securitygroup.reconcile_security_group,
        },
    )
    return registry


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
    # Handler progress and the last-handled spec live in annotations under our own group, not kopf.zalando.org.
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=GROUP)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix=GROUP, key="last-handled-configuration"
    )
    settings.persistence.finalizer = f"{GROUP}/finalizer"
    # Kopf's own log lines become Kubernetes Events only when they matter; ours are posted explicitly.
    settings.posting.level = logging.WARNING
    settings.posting.reporting_component = "ecs-operator"
    # Watches are restarted by the server every few minutes, and a silent connection is noticed in time.
    settings.watching.server_timeout = 300
    settings.watching.client_timeout = 330
    settings.watching.connect_timeout = 30
    settings.networking.request_timeout = 60
    settings.networking.connect_timeout = 10
    # Per-object event queues: bounded workers so a burst of children does not swamp the API server.
    settings.queueing.worker_limit = 100
    settings.queueing.idle_timeout = 30
    # Unexpected errors (API hiccups) are retried with growing delays, never in a tight loop.
    settings.execution.default_backoff = 10
    settings.networking.error_backoffs = (1, 2, 5, 10, 20)
    settings.peering.standalone = standalone
    if not standalone:
        # A peering named on the command line must exist; the default one is used when it does (manifests/).
        settings.peering.name = peering or DEFAULT_PEERING
        settings.peering.mandatory = peering is not None
        settings.peering.priority = peering_priority()
    if verbose:
        logging.getLogger().setLevel(logging.DEBUG)


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
