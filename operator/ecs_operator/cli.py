"""The `ecs-operator` command: run the operator, serve the ECS API, render and import ECS input offline, write the
CRDs."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecs_operator.api.main import ServeOptions


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
    run.add_argument("--api", action="store_true", help="also serve the ECS API (see `ecs-operator api`)")
    _api_arguments(run, prefix="api-")

    api = commands.add_parser("api", help="serve the ECS-compatible API (AWS CLI, boto3) on the custom resources")
    _api_arguments(api, prefix="")
    api.add_argument("--kubeconfig", help="kubeconfig file (default: in-cluster, $KUBECONFIG, ~/.kube/config)")

    key = commands.add_parser("api-key", help="make an access key for the ECS API: its Secret (YAML) to kubectl apply")
    key.add_argument("-n", "--namespace", action="append", required=True, help="a namespace it may use (repeatable)")
    key.add_argument("--name", default="", help="the Secret's name (shown as the IAM user in createdBy)")
    key.add_argument("--secret-namespace", default="ecs-system", help="where the ECS API reads keys from")

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
    importer.add_argument("files", nargs="*", help="files, or - for standard input")
    importer.add_argument("-n", "--namespace", help="namespace to set on the resources")
    _input_options(importer)
    aws = importer.add_argument_group("--from-aws: read a cluster from AWS with boto3 (Describe and List calls only)")
    aws.add_argument("--from-aws", action="store_true", help="read the cluster, instead of files")
    aws.add_argument("--cluster", default="default", help="the ECS cluster to read (default: default)")
    aws.add_argument("--region", help="AWS region (default: the profile's or environment's)")
    aws.add_argument("--profile", help="AWS profile (default: the environment's credentials)")
    aws.add_argument("--endpoint-url", help="another endpoint for ECS, EC2 and Application Auto Scaling")

    crds = commands.add_parser("crds", help="write the CustomResourceDefinitions generated from the models")
    crds.add_argument("-o", "--output-dir", help="directory to write one file per CRD into; stdout if omitted")
    return parser


def _api_arguments(parser: argparse.ArgumentParser, prefix: str) -> None:
    parser.add_argument(f"--{prefix}host", default="127.0.0.1", help="ECS API bind address (0.0.0.0: every one)")
    parser.add_argument(f"--{prefix}port", type=int, default=8000, help="ECS API port")
    parser.add_argument(f"--{prefix}tls-cert", help="ECS API TLS certificate (PEM); serves HTTPS with --tls-key")
    parser.add_argument(f"--{prefix}tls-key", help="ECS API TLS private key (PEM)")


def _serve_options(args: argparse.Namespace, prefix: str) -> ServeOptions:
    from ecs_operator.api.main import ServeOptions

    return ServeOptions(
        host=getattr(args, f"{prefix}host"),
        port=getattr(args, f"{prefix}port"),
        tls_cert=getattr(args, f"{prefix}tls_cert"),
        tls_key=getattr(args, f"{prefix}tls_key"),
        kubeconfig=getattr(args, "kubeconfig", None),
    )


def _run(args: argparse.Namespace) -> int:
    from ecs_operator.handlers.main import RunOptions, cluster_config_found, run_operator

    if not cluster_config_found():
        from ecs_operator.sandbox import run_sandbox

        return run_sandbox()

    def operator() -> int:
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

    if not args.api:
        return operator()
    from ecs_operator.api.config import ApiConfig
    from ecs_operator.api.main import BackgroundApi, check_tls

    options = _serve_options(args, "api_")
    if not check_tls(options, sys.stderr):
        return 2
    # The operator configures logging as it starts; the API starts first and logs where it listens.
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    api = BackgroundApi(options, ApiConfig.from_env())
    try:
        api.start()
    except Exception as error:  # no cluster, a port taken: said once, as the operator says it
        print(f"error: the ECS API did not start: {error}", file=sys.stderr)
        return 1
    try:
        return operator()
    finally:
        api.stop()


def _import(args: argparse.Namespace) -> int:
    if args.from_aws == bool(args.files):
        print("error: give files to import, or --from-aws (not both)", file=sys.stderr)
        return 2
    options, reporting = _options(args)
    if args.from_aws:
        from ecs_operator.loading.from_aws import AwsTarget, import_from_aws

        target = AwsTarget(args.cluster, args.region, args.profile, args.endpoint_url)
        return import_from_aws(target, args.namespace, sys.stdout, sys.stderr, options, reporting)
    from ecs_operator.loading.commands import import_command

    return import_command(args.files, args.namespace, sys.stdin, sys.stdout, sys.stderr, options, reporting)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "api":
        from ecs_operator.api.config import ApiConfig
        from ecs_operator.api.main import run_api

        return run_api(_serve_options(args, ""), ApiConfig.from_env(), sys.stderr)
    if args.command == "api-key":
        from ecs_operator.api.main import print_access_key

        return print_access_key(args.namespace, args.name, args.secret_namespace, sys.stdout, sys.stderr)
    if args.command == "render":
        from ecs_operator.loading.commands import render_command

        options, reporting = _options(args)
        streams = (sys.stdin, sys.stdout, sys.stderr)
        return render_command(args.filename, args.output, *streams, options, reporting, _target(args))
    if args.command == "import":
        return _import(args)
    from ecs_operator.models.crds import write_crds

    return write_crds(args.output_dir, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
