"""``make run`` on a machine with no cluster: the sandbox starts, says it is one, prints the lines to paste, the
pasted ``aws ecs list-services`` works against it, and Ctrl-C leaves nothing running."""

from __future__ import annotations

import signal
from pathlib import Path

from ecs_operator.localcluster import binaries
from ecs_operator.localcluster.controlplane import alive
from tests.apiserver.kube import eventually
from tests.apiserver.operator_helpers import list_services_as_pasted, start_sandbox


def ready(output: Path) -> str | None:
    """The sandbox's output once it shows the services steady and the lines to paste."""
    text = output.read_text()
    return text if "SteadyState" in text and "aws ecs list-services" in text else None


def test_make_run_without_a_cluster_starts_the_sandbox(tmp_path: Path, programs: dict[str, Path]) -> None:
    # the programs are where the tests found them, not under the sandbox's empty HOME
    sandbox, output, environment = start_sandbox(tmp_path, ECS_OPERATOR_CACHE=str(binaries.cache_root()))
    try:
        text = eventually(
            lambda: ready(output),
            timeout=180,
            what="the sandbox's summary and the lines to paste",
            detail=output.read_text,
        )
        assert "SANDBOX" in text.splitlines()[1] and "NO CONTAINER RUNS" in text
        pids = [pid for path in (tmp_path / "sandbox").glob("clusters/*/pids/*.pid") for pid in [int(path.read_text())]]
        assert pids, "the sandbox's control plane runs"

        list_services_as_pasted(text, environment, timeout=60)

        sandbox.send_signal(signal.SIGINT)
        assert sandbox.wait(timeout=90) == 0
    finally:
        if sandbox.poll() is None:
            sandbox.kill()
    assert output.read_text().rstrip().endswith("nothing of it is left running")
    assert not [pid for pid in pids if alive(pid)]
