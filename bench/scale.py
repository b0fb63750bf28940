"""Issue 10's scale figures: the operator on the local control plane, beside an empty Kopf operator (the baseline).

One control plane (``ecs_operator.localcluster``: kube-apiserver, etcd, controller-manager, scheduler, kwok
nodes), ``crds/`` and ``manifests/`` installed; the operator runs as ``manifests/`` runs it (a process, its
command line and environment, a token of its ServiceAccount), the baseline (``bench/baseline.py``) as a process
too, under a ServiceAccount of its own. They never run at the same time: both react to ECSServices.

For each size (1, 100, 1000 ECSServices; ``--quick``: 1 and 10):

1. **baseline**: started alone, watching a namespace of its own; N ECSServices created at once (8 client
   threads); the time from each create's answer to its Deployment's ADDED event on a watch opened before the
   first create; its RSS; stopped, its namespace deleted and gone.
2. **ecs-operator**: started alone (every namespace, as installed); a TaskDefinition registered first; then
   the same N ECSServices (desiredCount 1) and the same timing; its RSS. Below the largest size: stopped, its
   namespace deleted and gone.

At the largest size the operator goes on:

3. **converge**: until every service is steady (Ready, SteadyState, its one task running on a kwok node).
4. **memory**: RSS with its own objects only; then a Deployment of another team (the foreign Pods: 4000;
   ``--quick``: 40) in another namespace, until all of them run; RSS again, and the operator's requests while
   they were created.
5. **restart**: stopped (SIGTERM) and started again, with a short resync (60 s, +-10 %; ``--quick``: 3 s): the
   time until it has reconciled every service (read each once, from the audit log) and its writes meanwhile.
6. **idle**: 5 minutes (``--quick``: 10 s) with that resync on: its requests by verb per reconcile (a
   reconcile reads its object once: the GETs of single custom resources count the reconciles) and its writes.

Requests are counted from the API server's audit log, which records every request of a ServiceAccount
(``ControlPlane.audit_events``); the benchmark's own client is the administrator and is not recorded.
Leader election's Lease renewals are counted apart, watches are left out of the per-reconcile counts.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubernetes import client as kube_client
from kubernetes import config as kube_config
from kubernetes import watch as kube_watch
from kubernetes.client.exceptions import ApiException

from bench import counting
from bench.baseline import BASELINE_RULES
from bench.measure import Figure, Quantity
from ecs_operator.localcluster import binaries
from ecs_operator.localcluster.binaries import REPO_ROOT
from ecs_operator.localcluster.controlplane import ControlPlane
from ecs_operator.localcluster.install import install_crds, install_operator_access, service_account_kubeconfig
from ecs_operator.localcluster.operator import OperatorProcess, free_port

JsonDict = dict[str, Any]
GROUP, VERSION = "ecs.compat.dev", "v1alpha1"
CUSTOM_RESOURCES = ("ecsclusters", "taskdefinitions", "ecsservices", "ecstasks", "securitygroups")
CREATORS = 8  # client threads creating the services "at once"
BASELINE_NAMESPACE, BASELINE_ACCOUNT = "bench-baseline", "baseline"
FOREIGN_NAMESPACE = "bench-foreign"
MIB = 2**20
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Sizes:
    services: tuple[int, ...]  # ECSServices created at once, smallest first; the last one goes on to 3-6
    foreign_pods: int
    resync_seconds: float  # after the restart
    idle_seconds: float
    timeout_seconds: float  # for any one wait (a hang guard, not a figure)
    wait_for_deletion: bool = True  # a round's namespace is gone before the next round (False: its services only)


FULL = Sizes(services=(1, 100, 1000), foreign_pods=4000, resync_seconds=60.0, idle_seconds=300.0, timeout_seconds=1800)
QUICK = Sizes(
    services=(1, 10),
    foreign_pods=40,
    resync_seconds=3.0,
    idle_seconds=10.0,
    timeout_seconds=300,
    wait_for_deletion=False,
)


def progress(message: str) -> None:
    print(f"[bench scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def rss(process: OperatorProcess) -> float:
    """Resident memory of the process, in MiB."""
    if process.pid is None:
        raise RuntimeError(f"the process is not running:\n{process.log_tail()}")
    return counting.vm_rss(Path(f"/proc/{process.pid}/status").read_text()) / MIB


def wait_ready(process: OperatorProcess, timeout: float) -> None:
    """Until the operator's readiness endpoint answers 200: leader, and Kopf has listed every watched kind."""

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{process.liveness_port}/readyz", timeout=5) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    wait_for(ready, "the operator ready", timeout)


def wait_for(check: Callable[[], object], what: str, timeout: float, every: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


class AuditLog:
    """The API server's audit log, read as it grows; only the events of the given users are kept."""

    def __init__(self, path: Path, users: list[str]) -> None:
        self.path, self.offset = path, 0
        self.events: dict[str, list[JsonDict]] = {user: [] for user in users}
        self.needles = [json.dumps(user) for user in users]

    def of(self, user: str, since: float = 0.0, until: float | None = None) -> list[JsonDict]:
        """``user``'s events completed in [since, until)."""
        self.read()
        return counting.within(self.events[user], since, until)

    def read(self) -> None:
        if not self.path.is_file():
            return
        with self.path.open("rb") as log:
            log.seek(self.offset)
            chunk = log.read()
        end = chunk.rfind(b"\n") + 1  # a line being written is read next time
        self.offset += end
        for line in chunk[:end].decode(errors="replace").splitlines():
            if any(needle in line for needle in self.needles):
                event = json.loads(line)
                user = event.get("user", {}).get("username")
                if user in self.events:
                    self.events[user].append(event)


class Deployments:
    """When each Deployment of a namespace appeared (perf_counter), from a watch opened before it is used."""

    def __init__(self, api: kube_client.ApiClient, namespace: str) -> None:
        self.apps = kube_client.AppsV1Api(api)
        version = self.apps.list_namespaced_deployment(namespace, limit=1).metadata.resource_version
        self.seen: dict[str, float] = {}
        self.stopped = False
        self.watch = kube_watch.Watch()
        self.thread = threading.Thread(target=self._follow, args=(namespace, version), daemon=True)
        self.thread.start()

    def _follow(self, namespace: str, version: str) -> None:
        try:
            for event in self.watch.stream(
                self.apps.list_namespaced_deployment, namespace, resource_version=version, deserialize=False
            ):
                if event["type"] == "ADDED":
                    self.seen.setdefault(event["object"]["metadata"]["name"], time.perf_counter())
        except Exception as error:  # the watch ends with the thread; a failure shows as a timeout too
            if not self.stopped:
                progress(f"the Deployment watch of {namespace} failed: {error!r}")

    def stop(self) -> None:
        self.stopped = True
        self.watch.stop()


@dataclass
class Bench:
    """The control plane, clients and processes of one run; the figures gathered so far."""

    plane: ControlPlane
    api: kube_client.ApiClient
    operator: OperatorProcess
    baseline: OperatorProcess
    audit: AuditLog
    sizes: Sizes
    say: Progress = progress
    figures: list[Figure] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    created_at: float = 0.0  # time.time() of the latest round's first create

    @property
    def core(self) -> kube_client.CoreV1Api:
        return kube_client.CoreV1Api(self.api)

    @property
    def custom(self) -> kube_client.CustomObjectsApi:
        return kube_client.CustomObjectsApi(self.api)

    def quantity(self, name: str, meaning: str, value: float, unit: str, target: str = "") -> None:
        self.quantities.append(Quantity(name, meaning, value, unit, target))
        self.say(f"{name}: {self.quantities[-1].shown()}")

    # --- namespaces and objects

    def namespace(self, name: str) -> str:
        self.core.create_namespace({"metadata": {"name": name}})
        return name

    def delete_namespace(self, name: str) -> None:
        """Delete a round's namespace; wait until it is gone (``--quick``: until its ECSServices are, which is
        what the next round's operator would see; the rest is collected in the background)."""
        if not self.sizes.wait_for_deletion:
            self.custom.delete_collection_namespaced_custom_object(GROUP, VERSION, name, "ecsservices")

            def services_gone() -> bool:
                listing = self.custom.list_namespaced_custom_object(GROUP, VERSION, name, "ecsservices")
                return not listing["items"]

            wait_for(services_gone, f"the ECSServices of {name} deleted", self.sizes.timeout_seconds)
            self.core.delete_namespace(name)
            return
        self.core.delete_namespace(name)

        def gone() -> bool:
            try:
                self.core.read_namespace(name)
            except ApiException as error:
                return bool(error.status == 404)
            return False

        wait_for(gone, f"namespace {name} deleted", self.sizes.timeout_seconds, every=1.0)

    def register_task_definition(self, namespace: str) -> None:
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "TaskDefinition",
            "metadata": {"name": "web"},
            "spec": {
                "family": "web",
                "containerDefinitions": [{"name": "app", "image": "nginx:1.27", "essential": True, "memory": 64}],
            },
        }
        self.custom.create_namespaced_custom_object(GROUP, VERSION, namespace, "taskdefinitions", body)

        def registered() -> bool:
            obj = self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, "taskdefinitions", "web")
            return bool((obj.get("status") or {}).get("revision") == 1)

        wait_for(registered, f"TaskDefinition {namespace}/web registered", self.sizes.timeout_seconds)

    def create_services(self, namespace: str, count: int) -> dict[str, float]:
        """``count`` ECSServices created from CREATORS threads; when each create was answered (perf_counter)."""
        custom = self.custom

        def create(index: int) -> tuple[str, float]:
            name = f"svc-{index:05d}"
            body = {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "ECSService",
                "metadata": {"name": name},
                "spec": {"serviceName": name, "taskDefinition": "web", "desiredCount": 1},
            }
            custom.create_namespaced_custom_object(GROUP, VERSION, namespace, "ecsservices", body)
            return name, time.perf_counter()

        with ThreadPoolExecutor(CREATORS) as pool:
            return dict(pool.map(create, range(count)))

    # --- the phases

    def create_and_time(self, side: str, username: str, namespace: str, count: int) -> list[float]:
        """Create ``count`` services in ``namespace``; each one's seconds until its Deployment exists."""
        deployments = Deployments(self.api, namespace)
        self.created_at = time.time()
        try:
            created = self.create_services(namespace, count)
            wait_for(
                lambda: len(deployments.seen) >= count,
                f"{count} Deployments of {side} in {namespace} ({len(deployments.seen)} so far)",
                self.sizes.timeout_seconds,
                every=0.2,
            )
        finally:
            deployments.stop()
        seconds = counting.latencies(created, deployments.seen)
        events = self.audit.of(username, self.created_at)
        self.quantity(
            f"scale: {side} requests per service, {count} at once",
            f"{side}'s requests from the first create until the last Deployment existed, per service (watches and "
            "Lease renewals aside): "
            + ", ".join(f"{k} {v}" for k, v in counting.by_verb_and_resource(events).most_common(8)),
            sum(counting.by_verb(events).values()) / count,
            "requests",
        )
        self.figures.append(
            Figure(
                f"scale: {side} create -> Deployment, {count} at once",
                f"local control plane: {count} ECSServices created at once ({CREATORS} client threads) -> each "
                f"one's Deployment exists (watch); {side}",
                tuple(seconds),
                rate_unit="reconciles/s",
            )
        )
        self.say(f"{side}, {count} services: p50 {self.figures[-1].median:.3f}s p95 {self.figures[-1].p95:.3f}s")
        return seconds

    def baseline_round(self, count: int) -> Figure:
        namespace = self.namespace(f"bench-bl-{count}")
        process = dataclasses.replace(
            self.baseline, args=[f"--namespace={namespace}"], process=None, liveness_port=free_port()
        )
        start = time.time()
        process.start()
        try:

            def watching() -> bool:
                events = self.audit.of(process.username, start)
                return any(e["verb"] == "watch" and counting.resource(e) == "ecsservices" for e in events)

            # Kopf has no readiness endpoint: it is ready once its watch of ECSServices has begun (audited at
            # ResponseStarted).
            wait_for(watching, "the baseline watching ECSServices", self.sizes.timeout_seconds)
            self.create_and_time("baseline", process.username, namespace, count)
            self.quantity(
                f"scale: baseline RSS, {count} services",
                "resident memory of the baseline Kopf operator once its Deployments exist",
                rss(process),
                "MiB",
            )
        finally:
            process.stop()
        self.delete_namespace(namespace)
        return self.figures[-1]

    def operator_round(self, count: int, last: bool) -> tuple[Figure, OperatorProcess]:
        namespace = self.namespace(f"bench-op-{count}")
        process = dataclasses.replace(self.operator, process=None, liveness_port=free_port())
        process.start()
        wait_ready(process, self.sizes.timeout_seconds)
        self.quantity(
            f"scale: ecs-operator RSS, started, {count} services to come",
            "resident memory of the operator once ready (its watches listed), before the services",
            rss(process),
            "MiB",
        )
        self.register_task_definition(namespace)
        self.create_and_time("ecs-operator", process.username, namespace, count)
        self.quantity(
            f"scale: ecs-operator RSS, {count} services",
            "resident memory of the operator once the services' Deployments exist",
            rss(process),
            "MiB",
        )
        figure = self.figures[-1]
        if not last:
            process.stop()
            self.delete_namespace(namespace)
        return figure, process

    def steady_count(self, namespace: str) -> int:
        listing = self.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, "ecsservices")
        return sum(1 for item in listing["items"] if steady(item))

    def converge(self, process: OperatorProcess, count: int, started: float) -> None:
        namespace = f"bench-op-{count}"
        wait_for(
            lambda: self.steady_count(namespace) >= count,
            f"{count} services steady",
            self.sizes.timeout_seconds,
            every=2.0,
        )
        self.quantity(
            f"scale: ecs-operator converge, {count} services",
            "from the first create to every service steady (Ready/SteadyState, its task running on a kwok node)",
            time.time() - started,
            "s",
        )
        self.quantity(
            f"scale: ecs-operator RSS, {count} services steady",
            f"resident memory with its own objects only: {count} ECSServices, their children and {count} Pods",
            rss(process),
            "MiB",
        )

    def foreign_pods(self, process: OperatorProcess) -> None:
        count = self.sizes.foreign_pods
        namespace = self.namespace(FOREIGN_NAMESPACE)
        labels = {"app": "foreign"}
        deployment = {
            "metadata": {"name": "foreign", "labels": labels},
            "spec": {
                "replicas": count,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}},
            },
        }
        apps = kube_client.AppsV1Api(self.api)
        start = time.time()
        apps.create_namespaced_deployment(namespace, deployment)

        def running() -> bool:
            status = apps.read_namespaced_deployment_status("foreign", namespace).status
            return bool((status.available_replicas or 0) >= count)

        wait_for(running, f"{count} foreign Pods running", self.sizes.timeout_seconds, every=3.0)
        time.sleep(5)  # the last watch events are delivered to whoever watches them
        events = self.audit.of(process.username, start)
        self.quantity(
            f"scale: ecs-operator requests while {count} foreign Pods started",
            f"the operator's requests (watches and Lease renewals aside) while another team's Deployment of {count} "
            f"Pods was created and ran, in {time.time() - start:.0f}s: "
            + (", ".join(f"{k} {v}" for k, v in counting.by_verb_and_resource(events).most_common(6)) or "none"),
            sum(counting.by_verb(events).values()),
            "requests",
            "0",
        )
        self.quantity(
            f"scale: ecs-operator RSS, + {count} foreign Pods",
            f"resident memory once {count} Pods not the operator's run beside its own",
            rss(process),
            "MiB",
        )

    def restart(self, process: OperatorProcess, count: int) -> OperatorProcess:
        namespace = f"bench-op-{count}"
        process.stop()
        restarted = dataclasses.replace(
            process,
            environment={**process.environment, "ECS_OPERATOR_RESYNC_SECONDS": str(self.sizes.resync_seconds)},
            process=None,
            liveness_port=free_port(),
        )
        start = time.time()
        restarted.start()
        wait_ready(restarted, self.sizes.timeout_seconds)
        ready = time.time() - start

        def reconciled() -> set[tuple[str, str]]:
            reads = counting.reads_of_objects(self.audit.of(restarted.username, start), ["ecsservices"])
            return {read for read in reads if read[0] == namespace}

        wait_for(lambda: len(reconciled()) >= count, f"{count} services reconciled after the restart", 600, every=1.0)
        events = self.audit.of(restarted.username, start)
        first: dict[tuple[str, str], float] = {}
        for event in events:
            ref = event.get("objectRef") or {}
            key = (str(ref.get("namespace", "")), str(ref.get("name", "")))
            if event["verb"] == "get" and ref.get("resource") == "ecsservices" and key[0] == namespace:
                first.setdefault(key, counting.timestamp(event))
        done = max(first.values())
        time.sleep(5)
        during = self.audit.of(restarted.username, start, done + 5)
        self.quantity(
            f"scale: ecs-operator restart, ready, {count} services",
            "from starting the process to its readiness endpoint answering (leader, every watched kind listed)",
            ready,
            "s",
        )
        self.quantity(
            f"scale: ecs-operator restart, converged, {count} services",
            "from starting the process to every service reconciled once (its GET in the audit log)",
            done - start,
            "s",
        )
        self.quantity(
            f"scale: ecs-operator restart, writes, {count} services",
            "the operator's writes from the start to 5 s after the last first reconcile (Lease renewals aside)",
            len(counting.writes(during)),
            "writes",
            "0 (no write storm)",
        )
        self.quantity(
            f"scale: ecs-operator restart, requests, {count} services",
            "all its requests meanwhile (watches and Lease renewals aside): "
            + ", ".join(f"{k} {v}" for k, v in counting.by_verb_and_resource(during).most_common(6)),
            sum(counting.by_verb(during).values()),
            "requests",
        )
        self.quantity(
            f"scale: ecs-operator RSS, restarted, {count} services",
            f"resident memory after the restart, with {self.sizes.foreign_pods} foreign Pods around",
            rss(restarted),
            "MiB",
        )
        return restarted

    def idle(self, process: OperatorProcess) -> None:
        seconds = self.sizes.idle_seconds
        start = time.time()
        time.sleep(seconds)
        events = self.audit.of(process.username, start, start + seconds)
        reconciles = len(counting.reads_of_objects(events, CUSTOM_RESOURCES))
        verbs = counting.by_verb(events)
        per = counting.per_reconcile(verbs, reconciles)
        minutes = f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"
        resync = f"resync {self.sizes.resync_seconds:g} s +-10 %"
        self.quantity(
            "scale: idle reconciles",
            f"reconciles (GETs of one custom resource) in {minutes} of idling after convergence, {resync}",
            reconciles,
            "reconciles",
        )
        self.quantity(
            "scale: idle requests per reconcile",
            "all requests per reconcile with nothing to do (watches and Lease renewals aside), by verb: "
            + (", ".join(f"{verb} {value:.3g}" for verb, value in per.items()) or "none")
            + "; by resource: "
            + ", ".join(f"{k} {v}" for k, v in counting.by_verb_and_resource(events).most_common(8)),
            sum(per.values()),
            "requests",
            "<= 2",
        )
        self.quantity(
            "scale: idle lists per resync interval",
            "LISTs in the idle window per resync interval: the caches' audit lists each kind it caches once an "
            "interval, whatever the number of objects (handlers/audit.py); included in the requests per reconcile",
            verbs.get("list", 0) / (seconds / self.sizes.resync_seconds),
            "lists",
        )
        self.quantity(
            "scale: idle writes per reconcile",
            "writes per reconcile with nothing to do (Lease renewals aside)",
            counting.per_reconcile({"w": len(counting.writes(events))}, reconciles).get("w", 0.0),
            "writes",
            "0",
        )
        self.quantity(
            "scale: idle writes",
            f"the operator's writes in {minutes} of idling after convergence, {resync} (Lease renewals aside: "
            f"{counting.lease_writes(events)} leader election renewals)"
            + ("; " + ", ".join(counting.writes(events)[:5]) if counting.writes(events) else ""),
            len(counting.writes(events)),
            "writes",
            "0",
        )
        self.quantity(
            "scale: ecs-operator RSS, after idling",
            f"resident memory after {minutes} of idling",
            rss(process),
            "MiB",
        )

    def run(self) -> None:
        sizes = sorted(set(self.sizes.services))
        for count in sizes:
            last = count == sizes[-1]
            self.say(f"baseline, {count} services")
            baseline = self.baseline_round(count)
            self.say(f"ecs-operator, {count} services")
            ours, process = self.operator_round(count, last)
            for name, pick in (("p50", lambda f: f.median), ("p95", lambda f: f.p95)):
                self.quantity(
                    f"scale: {name} ratio to the baseline, {count} at once",
                    f"ecs-operator's {name} create -> Deployment / the baseline's",
                    counting.ratio(pick(ours), pick(baseline)),
                    "x",
                    "<= 2 at 100" if count >= 100 else "",
                )
        count = sizes[-1]
        try:
            self.say(f"ecs-operator: converging {count} services")
            self.converge(process, count, self.created_at)
            self.say(f"ecs-operator: {self.sizes.foreign_pods} foreign Pods")
            self.foreign_pods(process)
            self.say("ecs-operator: restart")
            process = self.restart(process, count)
            self.say(f"ecs-operator: idling {self.sizes.idle_seconds:g}s")
            self.idle(process)
        finally:
            process.stop()


def api_client(kubeconfig: Path) -> kube_client.ApiClient:
    configuration = kube_client.Configuration()
    kube_config.load_kube_config(config_file=str(kubeconfig), client_configuration=configuration)
    configuration.connection_pool_maxsize = CREATORS * 2
    return kube_client.ApiClient(configuration)


def baseline_process(plane: ControlPlane, workdir: Path) -> OperatorProcess:
    """The baseline under a ServiceAccount of its own (BASELINE_RULES), not yet started."""
    account = {"namespace": BASELINE_NAMESPACE, "name": BASELINE_ACCOUNT}
    subject = {"kind": "ServiceAccount", **account}
    plane.apply(
        [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": BASELINE_NAMESPACE}},
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": account},
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {"name": "bench-baseline"},
                "rules": BASELINE_RULES,
            },
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": "bench-baseline"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "bench-baseline"},
                "subjects": [subject],
            },
        ]
    )
    workdir.mkdir(parents=True, exist_ok=True)
    kubeconfig = service_account_kubeconfig(
        plane, BASELINE_NAMESPACE, BASELINE_ACCOUNT, workdir / "baseline-kubeconfig"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("KUBERNETES_")}
    env.update({"KUBECONFIG": str(kubeconfig), "PYTHONPATH": str(REPO_ROOT)})
    return OperatorProcess(
        plane,
        [],
        env,
        workdir / "baseline.log",
        f"system:serviceaccount:{BASELINE_NAMESPACE}:{BASELINE_ACCOUNT}",
        kubeconfig,
        program=[sys.executable, "-m", "bench.baseline"],
    )


def steady(service: JsonDict) -> bool:
    status = service.get("status") or {}
    ready: JsonDict = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
    desired = (service.get("spec") or {}).get("desiredCount", 1)
    return ready.get("reason") == "SteadyState" and status.get("runningCount") == desired


@contextmanager
def control_plane(workdir: Path) -> Iterator[ControlPlane]:
    plane = ControlPlane(f"ecs-scale-{os.getpid()}", workdir / "kwok", binaries.ensure())
    try:
        plane.start()  # inside: a start interrupted half-way leaves processes to stop
        yield plane
    finally:
        plane.stop()


def scale_figures(sizes: Sizes) -> tuple[list[Figure], list[Quantity], str | None]:
    """The latency figures, the counted quantities, and why the section was left out (None: it was not)."""
    reason = binaries.why_unavailable()
    if reason is not None:
        return [], [], f"scale figures left out: {reason}"
    with tempfile.TemporaryDirectory(prefix="ecs-scale-") as directory, control_plane(Path(directory)) as plane:
        workdir = Path(directory)
        install_crds(plane)
        objects = install_operator_access(plane)
        operator = OperatorProcess.from_manifests(plane, objects, workdir / "operator")
        baseline = baseline_process(plane, workdir / "baseline")
        audit = AuditLog(plane.audit_log, [operator.username, baseline.username])
        bench = Bench(plane, api_client(plane.kubeconfig), operator, baseline, audit, sizes)
        try:
            bench.run()
        except Exception:
            for process in (operator, baseline):
                progress(process.log_tail(30))
            raise
        return bench.figures, bench.quantities, None
