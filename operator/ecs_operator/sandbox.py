"""The sandbox: ``make run`` (``ecs-operator run``) on a machine with no Kubernetes cluster configured.

It starts the local control plane the tests use (real kube-apiserver, controller-manager, scheduler and etcd;
kwok nodes, so no container runs), installs ``crds/`` and ``manifests/``, runs the operator on it as the
manifests would (its own ServiceAccount), serves the ECS API on 127.0.0.1 with a fresh access key, applies the
examples, and shows what exists until Ctrl-C, which stops everything it started. Every line it prints about
itself says SANDBOX.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ecs_operator.api.auth import AccessKey, StaticKeys, new_access_key
from ecs_operator.api.config import ApiConfig
from ecs_operator.api.server import ApiServer, start_api_server
from ecs_operator.k8s.rest import KubeClient, login
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


def state_dir(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    """Where the sandbox keeps its cluster (``$ECS_OPERATOR_SANDBOX_DIR``, else the cache)."""
    if environ.get("ECS_OPERATOR_SANDBOX_DIR"):
        return Path(environ["ECS_OPERATOR_SANDBOX_DIR"]).expanduser()
    return binaries.cache_root(environ) / "sandbox"


def example_files(examples: Path = EXAMPLES) -> list[Path]:
    """The custom resources of every example (``examples/<name>/<name>.yaml``)."""
    return sorted(path / f"{path.name}.yaml" for path in examples.iterdir() if (path / f"{path.name}.yaml").is_file())


@dataclass
class Sandbox:
    """What runs while the sandbox is up."""

    cluster: ControlPlane
    operator: OperatorProcess
    api: ApiServer
    key: AccessKey
    config: ApiConfig

    def paste_lines(self) -> str:
        kubectl = "kubectl" if shutil.which("kubectl") else str(self.cluster.programs["kubectl"])
        return "\n".join(
            [
                "SANDBOX: paste these in another terminal:",
                f"  export AWS_ACCESS_KEY_ID={self.key.access_key_id}",
                f"  export AWS_SECRET_ACCESS_KEY={self.key.secret_access_key}",
                f"  export AWS_DEFAULT_REGION={self.config.region}",
                f"  aws ecs list-clusters --endpoint-url {self.api.url}",
                f"  aws ecs list-services --cluster prod --endpoint-url {self.api.url}",
                f"  KUBECONFIG={self.cluster.kubeconfig} {kubectl} get ecs -n {NAMESPACE}",
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
            sandbox = Sandbox(cluster, operator, api, key, config)
            print(sandbox.paste_lines(), file=out, flush=True)
            await until_interrupted(login(str(cluster.kubeconfig)), out)
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


async def until_interrupted(connection: Any, out: TextIO) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    client = KubeClient(connection)
    try:
        await watch_summary(client, out, stop)
    finally:
        await client.close()
    print("SANDBOX: stopping (operator, ECS API, control plane)", file=out, flush=True)


def run_sandbox(out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """``ecs-operator run`` with no cluster: the sandbox, until Ctrl-C."""
    print(BANNER, file=out, flush=True)
    try:
        with running_cluster(out) as cluster:
            asyncio.run(serve(cluster, out, API_PORT))
    except (binaries.BinariesUnavailable, ControlPlaneError) as error:
        print(f"SANDBOX: cannot start: {error}", file=err)
        return 1
    except KeyboardInterrupt:  # Ctrl-C while starting: what started is stopped by the context managers
        pass
    print("SANDBOX: stopped; nothing of it is left running", file=out, flush=True)
    return 0
