"""The `ecs-operator` command: run the operator, render and import ECS input offline, write the CRDs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecs-operator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the operator against the current kubeconfig or in-cluster config")
    scope = run.add_mutually_exclusive_group()
    scope.add_argument("-n", "--namespace", action="append", default=[], help="watch this namespace (repeatable)")
    scope.add_argument("-A", "--all-namespaces", action="store_true", help="watch every namespace (the default)")
    run.add_argument("--standalone", action="store_true", help="no peering: do not coordinate with other replicas")
    run.add_argument(
        "--peering",
        help="coordinate with other replicas through this peering object, which must exist (manifests/ ships "
        "`ecs-operator`); without it, the operator uses `ecs-operator` if present and runs alone otherwise",
    )
    run.add_argument("--liveness", default="http://0.0.0.0:8080/healthz", help="liveness endpoint URL")
    run.add_argument("--verbose", action="store_true")

    render = commands.add_parser("render", help="print the Kubernetes objects that ECS input stands for")
    render.add_argument("-f", "--filename", action="append", required=True, help="file, directory or - (repeatable)")
    render.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml")

    importer = commands.add_parser("import", help="turn AWS CLI JSON into ECS custom resources (YAML)")
    importer.add_argument("files", nargs="+", help="files, or - for standard input")
    importer.add_argument("-n", "--namespace", help="namespace to set on the resources")

    crds = commands.add_parser("crds", help="write the CustomResourceDefinitions generated from the models")
    crds.add_argument("-o", "--output-dir", help="directory to write one file per CRD into; stdout if omitted")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        from ecs_operator.handlers.main import run_operator

        return run_operator(
            namespaces=args.namespace,
            standalone=args.standalone,
            peering=args.peering,
            liveness=args.liveness,
            verbose=args.verbose,
        )
    if args.command == "render":
        from ecs_operator.loading.commands import render_command

        return render_command(args.filename, args.output, sys.stdin, sys.stdout, sys.stderr)
    if args.command == "import":
        from ecs_operator.loading.commands import import_command

        return import_command(args.files, args.namespace, sys.stdin, sys.stdout, sys.stderr)
    from ecs_operator.models.crds import write_crds

    return write_crds(args.output_dir, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
