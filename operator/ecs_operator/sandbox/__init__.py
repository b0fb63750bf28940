"""The sandbox: ``make run`` (``ecs-operator run``) on a machine with no Kubernetes cluster configured.

It starts the local control plane the tests use (real kube-apiserver, controller-manager, scheduler and etcd;
kwok nodes, so no container runs), installs ``crds/`` and ``manifests/``, runs the operator on it as the
manifests would (its own ServiceAccount), serves the ECS API on 127.0.0.1 with a fresh access key, applies the
examples, and shows what exists until Ctrl-C, which stops everything it started. Every line it prints about
itself says SANDBOX.

Where the control plane cannot be had (no Go to build its programs, a failed build or start; or
``ECS_OPERATOR_SANDBOX=kmock``), it falls back to kmock's in-process Kubernetes API (``emulated.py``) with the
same operator, ECS API, examples, summary and lines to paste, and a banner saying what that lacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import signal
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import kopf
import yaml

from ecs_operator.api.auth import AccessKey, StaticKeys, new_access_key
from ecs_operator.api.config import ApiConfig
from ecs_operator.api.server import ApiServer, start_api_server
from ecs_operator.k8s.rest import Conflict, KubeClient, login
from ecs_operator.localcluster import binaries
from ecs_operator.localcluster.controlplane import ControlPlane, ControlPlaneError
from ecs_operator.localcluster.install import install_crds, install_operator_access
from ecs_operator.localcluster.operator import OperatorProcess

NAME = "ecs-sandbox"
NAMESPACE = "default"
EXAMPLES = binaries.REPO_ROOT / "examples"
API_PORT = 8000  # the ECS API's usual port here; another free one when it is taken
JsonDict = dict[str, Any]

BANNER = """\
================================================================================================
 ecs-operator SANDBOX: no Kubernetes cluster is configured, so this runs a local one.
 It is a real kube-apiserver, controller-manager, scheduler and etcd with simulated (kwok) nodes:
 NO CONTAINER RUNS. Pods are reported Running; nothing is served, pulled or billed.
 Point KUBECONFIG at a real cluster to run the operator there instead. Ctrl-C stops the sandbox.
================================================================================================"""
FORCE_FALLBACK = "ECS_OPERATOR_SANDBOX"  # =kmock: the fallback even where the control plane could be had


def fallback_banner(reason: str) -> str:
    from ecs_operator.sandbox.emulated import LACKS

    lacks = "\n".join(f" - {line}" if not line.startswith(" ") else line for line in LACKS.splitlines())
    return f"""\
================================================================================================
 ecs-operator SANDBOX (FALLBACK): no Kubernetes cluster is configured, and the local control
 plane cannot be had here: {reason}
 So this sandbox runs on kmock, an in-memory emulation of the Kubernetes API. It LACKS:
{lacks}
 The operator reconciles and the ECS API answers; NOTHING RUNS. `make test` builds the control plane.
================================================================================================"""


def state_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the sandbox keeps its cluster (``$ECS_OPERATOR_SANDBOX_DIR``, else the cache)."""
    if environ.get("ECS_OPERATOR_SANDBOX_DIR"):
        return Path(environ["ECS_OPERATOR_SANDBOX_DIR"]).expanduser()
    return binaries.cache_root(environ) / "sandbox"


def example_files(examples: Path = EXAMPLES) -> list[Path]:
    """The custom resources of every example (``examples/<name>/<name>.yaml``)."""
    return sorted(path / f"{path.name}.yaml" for path in examples.iterdir() if (path / f"{path.name}.yaml").is_file())


def paste_lines(key: AccessKey, region: str, api_url: str, kubeconfig: Path, kubectl: str) -> str:
    return "\n".join(
        [
            "SANDBOX: paste these in another terminal:",
            f"  export AWS_ACCESS_KEY_ID={key.access_key_id}",
            f"  export AWS_SECRET_ACCESS_KEY={key.secret_access_key}",
            f"  export AWS_DEFAULT_REGION={region}",
            f"  aws ecs list-clusters --endpoint-url {api_url}",
            f"  aws ecs list-services --cluster prod --endpoint-url {api_url}",
            f"  KUBECONFIG={kubeconfig} {kubectl} get ecs -n {NAMESPACE}",
        ]
    )


def summary(clusters: list[JsonDict], services: list[JsonDict], tasks: list[JsonDict]) -> str:
    """What exists, as ``aws ecs`` would list it: clusters, services (running / desired), tasks."""
    lines = ["SANDBOX: what exists (namespace default)"]
    lines.append("  clusters: " + (", ".join(sorted(c["metadata"]["name"] for c in clusters)) or "none"))
    for service in sorted(services, key=lambda s: s["metadata"]["name"]):
        status = service.get("status") or {}
        ready: JsonDict = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
        lines.append(
            f"  service {service['metadata']['name']:<16} cluster {status.get('clusterName', '?'):<8} "
            f"running {status.get('runningCount', 0)}/{status.get('desiredCount', '?')}  "
            f"{status.get('taskDefinition', '')}  {ready.get('reason', 'pending')}"
        )
    for task in sorted(tasks, key=lambda t: t["metadata"]["name"]):
        status = task.get("status") or {}
        lines.append(
            f"  task    {task['metadata']['name']:<16} {status.get('lastStatus', 'PROVISIONING'):<12} "
            f"{status.get('taskDefinition', '')}"
        )
    return "\n".join(lines)


async def watch_summary(client: KubeClient, out: TextIO, stop: asyncio.Event, every: float = 2.0) -> None:
    """Print the summary whenever it changes, until ``stop``."""
    shown = ""
    while not stop.is_set():
        with contextlib.suppress(Exception):  # the summary is a view: a failed read shows the last one
            text = summary(
                await client.list("ECSCluster", NAMESPACE),
                await client.list("ECSService", NAMESPACE),
                await client.list("ECSTask", NAMESPACE),
            )
            if text != shown:
                print(text, file=out, flush=True)
                shown = text
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


def start_cluster(out: TextIO) -> ControlPlane:
    """Find or build the programs (with progress) and start a fresh sandbox cluster."""

    def progress(message: str) -> None:
        print(f"SANDBOX: {message}", file=out, flush=True)

    programs = binaries.ensure(progress)
    cluster = ControlPlane(NAME, state_dir(), programs, progress=progress)
    cluster.stop()  # what an earlier sandbox left, if it was killed
    cluster.start()
    return cluster


@contextlib.contextmanager
def running_cluster(out: TextIO) -> Iterator[ControlPlane]:
    cluster: ControlPlane | None = None
    try:
        cluster = start_cluster(out)
        yield cluster
    finally:
        if cluster is not None:
            cluster.stop()


async def serve(cluster: ControlPlane, out: TextIO, port: int) -> None:
    """Operator, ECS API, examples and the summary; returns on SIGINT / SIGTERM after stopping what it started."""
    install_crds(cluster)
    objects = install_operator_access(cluster)
    operator = OperatorProcess.from_manifests(cluster, objects, cluster.workdir / "operator")
    await asyncio.to_thread(operator.start)
    try:
        config = ApiConfig.from_env(operator.environment)  # the operator's region and account: same ARNs
        key = new_access_key([NAMESPACE], name="sandbox")
        api = await start_api(login(str(operator.kubeconfig)), config, key, port)
        try:
            for example in example_files():
                cluster.kubectl(
                    "apply", "--server-side", "--field-manager=sandbox", "-n", NAMESPACE, "-f", str(example)
                )
            kubectl = "kubectl" if shutil.which("kubectl") else str(cluster.programs["kubectl"])
            print(paste_lines(key, config.region, api.url, cluster.kubeconfig, kubectl), file=out, flush=True)
            await until_interrupted(login(str(cluster.kubeconfig)), out, "operator, ECS API, control plane")
        finally:
            await api.stop()
    finally:
        await asyncio.to_thread(operator.stop)


async def start_api(connection: Any, config: ApiConfig, key: AccessKey, port: int) -> ApiServer:
    """The ECS API on 127.0.0.1:``port``, or on a free port when that one is taken."""
    try:
        return await start_api_server(connection, host="127.0.0.1", port=port, config=config, keys=StaticKeys([key]))
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        return await start_api_server(connection, host="127.0.0.1", port=0, config=config, keys=StaticKeys([key]))


async def serve_emulated(out: TextIO, port: int, workdir: Path) -> None:
    """The fallback: kmock with the operator, the ECS API, the examples and the summary, until SIGINT / SIGTERM."""
    from ecs_operator.sandbox import emulated

    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "operator.log"
    async with emulated.emulated_api(log) as url:
        connection = kopf.ConnectionInfo(server=url)
        config = ApiConfig.from_env()  # the operator's variables: the same ARNs
        key = new_access_key([NAMESPACE], name="sandbox")
        api = await start_api(connection, config, key, port)
        try:
            client = KubeClient(connection, field_manager="sandbox", user_agent="sandbox")
            try:
                for example in example_files():
                    for document in yaml.safe_load_all(example.read_text()):
                        if document:
                            document.setdefault("metadata", {})["namespace"] = NAMESPACE
                            with contextlib.suppress(Conflict):
                                await client.create(document)
            finally:
                await client.close()
            kubeconfig = workdir / "kubeconfig"
            kubeconfig.write_text(yaml.safe_dump(emulated.kubeconfig(url, NAMESPACE)))
            async with emulated.running_operator(url):
                print(f"SANDBOX: the operator's and the ECS API's log: {log}", file=out, flush=True)
                print(paste_lines(key, config.region, api.url, kubeconfig, "kubectl"), file=out, flush=True)
                await until_interrupted(connection, out, "operator, ECS API, kmock")
        finally:
            await api.stop()


async def until_interrupted(connection: Any, out: TextIO, what: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    client = KubeClient(connection)
    try:
        await watch_summary(client, out, stop)
    finally:
        await client.close()
    print(f"SANDBOX: stopping ({what})", file=out, flush=True)


def run_sandbox(out: TextIO = sys.stdout, err: TextIO = sys.stderr, environ: Mapping[str, str] = os.environ) -> int:
    """``ecs-operator run`` with no cluster: the sandbox, until Ctrl-C; on kmock where the control plane cannot
    be had."""
    reason = why_no_control_plane(environ)
    try:
        if reason is None:
            print(BANNER, file=out, flush=True)
            try:
                with running_cluster(out) as cluster:
                    asyncio.run(serve(cluster, out, API_PORT))
            except (binaries.BinariesUnavailable, ControlPlaneError) as error:
                reason = str(error)
        if reason is not None:
            try:
                print(fallback_banner(reason), file=out, flush=True)
            except ImportError as error:
                print(f"SANDBOX: cannot start: {reason}; and the kmock fallback needs kmock ({error})", file=err)
                return 1
            asyncio.run(serve_emulated(out, API_PORT, state_dir(environ) / "kmock"))
    except KeyboardInterrupt:  # Ctrl-C while starting: what started is stopped by the context managers
        pass
    print("SANDBOX: stopped; nothing of it is left running", file=out, flush=True)
    return 0


def why_no_control_plane(environ: Mapping[str, str]) -> str | None:
    """Why the sandbox cannot have the local control plane (None: it can, building its programs if need be)."""
    if environ.get(FORCE_FALLBACK) == "kmock":
        return f"{FORCE_FALLBACK}=kmock asks for the fallback"
    return binaries.why_unavailable(environ)
