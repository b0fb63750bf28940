"""The `ecs-operator` command: run the operator, render and import ECS input offline, write the CRDs."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from typing import Any


def package_version() -> str:
    """The installed distribution's version (`ecs-operator --version`)."""
    try:
        return version("ecs-operator")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree that was never installed
        return "unknown"


def _key_value(text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    if not equals or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, not {text!r}")
    return key, value


def _kubernetes_version(text: str) -> tuple[int, int]:
    from ecs_operator.translate.context import parse_kubernetes_version

    try:
        return parse_kubernetes_version(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _target(args: argparse.Namespace) -> Any:
    from ecs_operator.loading.render import OFFLINE_TARGET

    changes: dict[str, Any] = {}
    if args.kubernetes_version is not None:
        changes["kubernetes_version"] = args.kubernetes_version
    if args.ingress_namespace:
        changes["ingress_namespaces"] = tuple(args.ingress_namespace)
    return replace(OFFLINE_TARGET, **changes)


def _input_options(parser: argparse.ArgumentParser) -> None:
    """What render and import share: how much to say, and what the input leaves to the command line."""
    parser.add_argument("--strict", action="store_true", help="treat every warning as an error (exit 1)")
    say = parser.add_mutually_exclusive_group()
    say.add_argument("-v", "--verbose", action="store_true", help="print every warning, not one per group")
    say.add_argument("-q", "--quiet", action="store_true", help="print no warnings (errors still)")
    parser.add_argument(
        "--set",
        dest="values",
        metavar="KEY=VALUE",
        type=_key_value,
        action="append",
        default=[],
        help="fill placeholders (${KEY}, {{ must_env `KEY` }}, $$$KEY$$$, <KEY>) with VALUE (repeatable); "
        "the environment fills the others",
    )
    parser.add_argument(
        "--image",
        dest="images",
        metavar="CONTAINER=URI",
        type=_key_value,
        action="append",
        default=[],
        help="run URI as the image of every container so named (repeatable)",
    )
    parser.add_argument("--service-name", help="the name of a service document that has no serviceName")
    parser.add_argument("--family", help="the family of a bare JSON array of container definitions (Terraform)")


def _options(args: argparse.Namespace) -> tuple[Any, Any]:
    from ecs_operator.loading.importer import InputOptions
    from ecs_operator.loading.report import Reporting

    options = InputOptions(
        values=dict(args.values),
        environment=dict(os.environ),
        images=dict(args.images),
        service_name=args.service_name,
        family=args.family,
    )
    return options, Reporting(verbose=args.verbose, quiet=args.quiet, strict=args.strict)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecs-operator", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the operator against the current kubeconfig or in-cluster config")
    scope = run.add_mutually_exclusive_group()
    scope.add_argument("-n", "--namespace", action="append", default=[], help="watch this namespace (repeatable)")
    scope.add_argument("-A", "--all-namespaces", action="store_true", help="watch every namespace (the default)")
    run.add_argument(
        "--standalone", action="store_true", help="no leader election: do not coordinate with other copies"
    )
    run.add_argument(
        "--peering",
        metavar="LEASE",
        help="elect the one copy that runs through this Lease, which the operator must be able to read and write "
        "(manifests/ runs `ecs-operator`); without it, the operator uses `ecs-operator` if its namespace exists "
        "and runs alone otherwise",
    )
    run.add_argument(
        "--peering-namespace",
        metavar="NAMESPACE",
        help="the Lease's namespace (default: $POD_NAMESPACE, else ecs-system)",
    )
    run.add_argument(
        "--liveness",
        default="http://0.0.0.0:8080/healthz",
        help="liveness endpoint URL; readiness is /readyz on the same address",
    )
    run.add_argument("--verbose", action="store_true")

    render = commands.add_parser("render", help="print the Kubernetes objects that ECS input stands for")
    render.add_argument("-f", "--filename", action="append", required=True, help="file, directory or - (repeatable)")
    render.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml")
    render.add_argument(
        "--kubernetes-version",
        type=_kubernetes_version,
        default=None,
        metavar="X.Y",
        help="the Kubernetes release to render for (default: the oldest supported, 1.29); 1.34 or later puts a "
        "task's cpu and memory on the pod (spec.resources)",
    )
    render.add_argument(
        "--ingress-namespace",
        action="append",
        default=[],
        metavar="NAMESPACE",
        help="where the ingress controller runs (repeatable; default ingress-nginx): security group rules from a "
        "load balancer's group allow traffic from there",
    )
    _input_options(render)

    importer = commands.add_parser("import", help="turn AWS CLI JSON into ECS custom resources (YAML)")
    importer.add_argument("files", nargs="+", help="files, or - for standard input")
    importer.add_argument("-n", "--namespace", help="namespace to set on the resources")
    _input_options(importer)

    crds = commands.add_parser("crds", help="write the CustomResourceDefinitions generated from the models")
    crds.add_argument("-o", "--output-dir", help="directory to write one file per CRD into; stdout if omitted")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        from ecs_operator.handlers.main import RunOptions, run_operator

        return run_operator(
            RunOptions(
                namespaces=args.namespace,
                standalone=args.standalone,
                peering=args.peering,
                peering_namespace=args.peering_namespace,
                liveness=args.liveness,
                verbose=args.verbose,
            )
        )
    if args.command == "render":
        from ecs_operator.loading.commands import render_command

        options, reporting = _options(args)
        streams = (sys.stdin, sys.stdout, sys.stderr)
        return render_command(args.filename, args.output, *streams, options, reporting, _target(args))
    if args.command == "import":
        from ecs_operator.loading.commands import import_command

        options, reporting = _options(args)
        return import_command(args.files, args.namespace, sys.stdin, sys.stdout, sys.stderr, options, reporting)
    from ecs_operator.models.crds import write_crds

    return write_crds(args.output_dir, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
