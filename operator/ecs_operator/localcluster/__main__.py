"""``python -m ecs_operator.localcluster bin | up | down | status``: the Makefile's cluster targets.

- ``bin``: find or build the programs (``make cluster-bin``); without Go and without the programs it says why
  and exits 0 with ``--optional`` (``make test`` then skips the control-plane tests with that reason);
  ``--background`` builds in a process of its own (``make test`` lints and tests meanwhile).
- ``up``: start the local control plane ``ecs-local`` and install ``crds/`` (``make cluster``); it keeps running
  in the background until ``down`` (``make cluster-down``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from ecs_operator.localcluster import binaries
from ecs_operator.localcluster.controlplane import ControlPlane, ControlPlaneError
from ecs_operator.localcluster.install import install_crds

NAME = "ecs-local"


def local_cluster(programs: dict[str, Path]) -> ControlPlane:
    return ControlPlane(NAME, binaries.cache_root() / "kwok", programs)


def build_in_background() -> int:
    """Start the build (if one is needed) in a process of its own, logging to the cache: ``make test`` lints and
    runs the other tests meanwhile, and the control-plane tests wait for it (binaries.build_lock)."""
    _, to_build = binaries.locate()
    if not to_build:
        return 0
    log = binaries.cache_root() / "cluster-bin" / "build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        subprocess.Popen(
            [sys.executable, "-m", "ecs_operator.localcluster", "bin"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # not stopped with the terminal's job: the tests wait for it
        )
    names = ", ".join(module.name for module in to_build)
    print(f"building the local control plane's programs ({names}) in the background; progress in {log}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecs_operator.localcluster")
    parser.add_argument("command", choices=["bin", "up", "down", "status"])
    parser.add_argument("--optional", action="store_true", help="bin: exit 0 when the programs cannot be had")
    parser.add_argument("--background", action="store_true", help="bin: build in a background process")
    args = parser.parse_args(argv)
    reason = binaries.why_unavailable()
    if reason is not None:
        print(f"local control plane unavailable: {reason}", file=sys.stderr)
        return 0 if args.optional else 1
    if args.command == "bin" and args.background:
        return build_in_background()
    try:
        programs = binaries.ensure()
        cluster = local_cluster(programs)
        if args.command == "up":
            if not cluster.running():
                cluster.stop()  # what is left of an earlier run
                cluster.start()
            install_crds(cluster)
            print(f"export KUBECONFIG={cluster.kubeconfig}")
        elif args.command == "down":
            cluster.stop()
        elif args.command == "status":
            running = cluster.running()
            print(f"{NAME}: {'running, KUBECONFIG=' + str(cluster.kubeconfig) if running else 'not running'}")
            return 0 if running else 1
    except (binaries.BinariesUnavailable, ControlPlaneError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
