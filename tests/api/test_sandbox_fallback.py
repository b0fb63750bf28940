"""``make run`` with no cluster where the local control plane cannot be had: the sandbox falls back to kmock, says
so and what kmock lacks, prints the lines to paste, the pasted ``aws ecs list-services`` works against it, its
kubeconfig reaches the same objects, and SIGINT / SIGTERM stop it cleanly.

``ECS_OPERATOR_SANDBOX=kmock`` forces the fallback (here the control plane's programs may well be at hand);
tests/apiserver/test_sandbox.py runs the sandbox on the control plane.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import kmock
import kopf
import pytest

import ecs_operator.sandbox as sandbox_module
from ecs_operator.k8s.rest import KubeClient, login
from ecs_operator.localcluster.binaries import BinariesUnavailable
from ecs_operator.sandbox.emulated import Emulator, declare_resources
from tests.api.conftest import settled
from tests.apiserver.kube import eventually
from tests.apiserver.operator_helpers import list_services_as_pasted, start_sandbox


def ready(output: Path) -> str | None:
    """The sandbox's output once it shows the lines to paste and the summary."""
    text = output.read_text()
    return text if "aws ecs list-services" in text and "what exists" in text else None


async def services_through(kubeconfig: str) -> list[str]:
    client = KubeClient(login(kubeconfig))
    try:
        return sorted(body["metadata"]["name"] for body in await client.list("ECSService", "default"))
    finally:
        await client.close()


def listening(url: str) -> bool:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) == 0


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "terminate"])
def test_without_a_control_plane_the_sandbox_runs_on_kmock(tmp_path: Path, stop: signal.Signals) -> None:
    sandbox, output, environment = start_sandbox(tmp_path, ECS_OPERATOR_SANDBOX="kmock")
    try:
        text = eventually(
            lambda: ready(output), timeout=300, what="the sandbox's lines to paste and summary", detail=output.read_text
        )
        banner = text.split("SANDBOX: paste", 1)[0]
        assert "SANDBOX (FALLBACK)" in banner.splitlines()[1]
        assert "ECS_OPERATOR_SANDBOX=kmock" in banner  # why
        assert "It LACKS" in banner and "no scheduler, kubelet or controllers" in banner and "NOTHING RUNS" in banner
        assert "real kube-apiserver" not in banner  # nothing claims the control plane

        aws = list_services_as_pasted(text, environment, timeout=120)
        [kubeconfig] = re.findall(r"^\s+KUBECONFIG=(\S+) kubectl get ecs", text, re.M)
        assert "web" in asyncio.run(services_through(kubeconfig))  # the same objects, as kubectl sees them
        api_url = aws[aws.index("--endpoint-url") + 1]

        sandbox.send_signal(stop)
        assert sandbox.wait(timeout=90) == 0
    finally:
        if sandbox.poll() is None:
            sandbox.kill()
    assert output.read_text().rstrip().endswith("nothing of it is left running")
    assert not listening(api_url)


def test_a_control_plane_that_cannot_be_built_falls_back_to_kmock_saying_why(monkeypatch: pytest.MonkeyPatch) -> None:
    """Go is there but the build fails: the sandbox says so, then runs on kmock (here: records that it would)."""
    served: list[Path] = []

    @contextlib.contextmanager
    def failing_build(out: TextIO) -> Iterator[None]:
        raise BinariesUnavailable("go build in tools/cluster/kubernetes failed: out of disk space")
        yield

    async def serve_emulated(out: TextIO, port: int, workdir: Path) -> None:
        served.append(workdir)

    monkeypatch.setattr(sandbox_module, "why_no_control_plane", lambda environ: None)
    monkeypatch.setattr(sandbox_module, "running_cluster", failing_build)
    monkeypatch.setattr(sandbox_module, "serve_emulated", serve_emulated)
    out, err = io.StringIO(), io.StringIO()
    assert sandbox_module.run_sandbox(out, err, {"ECS_OPERATOR_SANDBOX_DIR": "/nonexistent/sandbox"}) == 0
    assert served == [Path("/nonexistent/sandbox/kmock")]
    text = out.getvalue()
    assert text.index("real kube-apiserver") < text.index("SANDBOX (FALLBACK)")  # it tried, then fell back
    assert "out of disk space" in text.split("SANDBOX (FALLBACK)", 1)[1]
    assert err.getvalue() == ""


async def test_the_fallback_keeps_no_request_it_answered() -> None:
    """kmock keeps every request and scans that log to answer each new one: a sandbox left running would answer
    ever more slowly and grow. Its emulator forgets what it answered; objects and watches work as before."""
    async with Emulator() as emulator, kmock.Server(emulator):
        declare_resources(emulator)
        client = KubeClient(kopf.ConnectionInfo(server=str(emulator.url)), user_agent="test")
        watched: list[str] = []

        async def watch() -> None:
            async for event in client.watch("Node", None, {}, ""):
                watched.append(event["object"]["metadata"]["name"])

        watching = asyncio.create_task(watch())
        try:
            for index in range(100):
                await client.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"n{index}"}})
            assert len(await client.list("Node", None)) == 100

            async def all_watched() -> bool | None:
                return len(watched) == 100 or None

            await settled(all_watched, "the watch's 100 events")
            assert len(list(emulator)) == 1, "only the watch, still being answered"
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
            await client.close()
