"""`ecs-operator render` and `ecs-operator import`: read, run the pure core, print.

Everything is collected before anything is printed, so a failing command writes nothing on stdout.
"""

from __future__ import annotations

import json
from typing import Any, Literal, TextIO

import yaml

from ecs_operator.loading.importer import InputOptions, import_sources
from ecs_operator.loading.render import OFFLINE_TARGET, render_documents
from ecs_operator.loading.report import Reporting, report, strict_failures
from ecs_operator.loading.resources import is_custom_resource, parse_resource
from ecs_operator.loading.sources import Diagnostic, LoadError, Source, read_sources
from ecs_operator.translate.context import Target

OK, FAILED = 0, 1


def render_command(
    filenames: list[str],
    output: Literal["yaml", "json"] | str,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    options: InputOptions | None = None,
    reporting: Reporting | None = None,
    target: Target = OFFLINE_TARGET,
) -> int:
    """Print the Kubernetes objects for the input (YAML documents or one JSON List); warnings on stderr."""
    reporting = reporting or Reporting()
    try:
        objects, warnings = render_documents(_nonempty(read_sources(filenames, stdin)), options, target)
        _refuse_warnings(warnings, reporting)
    except LoadError as error:
        return _fail(error, stderr)
    report(warnings, reporting, stderr, "warning", "warning")
    if output == "json":
        stdout.write(json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}, indent=2) + "\n")
    else:
        stdout.write(dump_yaml(objects))
    return OK


def import_command(
    files: list[str],
    namespace: str | None,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    options: InputOptions | None = None,
    reporting: Reporting | None = None,
) -> int:
    """Print ECS custom resources for AWS CLI JSON; what was dropped or rewritten on stderr."""
    reporting = reporting or Reporting()
    try:
        sources = _nonempty(read_sources(files, stdin))
        _refuse_custom_resources(sources)
        imported = import_sources(sources, namespace, options)
        errors = []
        for origin, resource in zip(imported.origins, imported.resources, strict=True):
            try:
                parse_resource(resource, origin)
            except LoadError as error:
                errors.extend(error.diagnostics)
        if errors:
            raise LoadError(errors)
        notes = [note.as_line() for note in imported.notes]
        _refuse_warnings(notes, reporting)
    except LoadError as error:
        return _fail(error, stderr)
    report(notes, reporting, stderr, "import", "note")
    stdout.write(dump_yaml(imported.resources))
    return OK


class _PlainDumper(yaml.SafeDumper):
    """Writes a value shared by two fields (one command for two probes) twice, not as an anchor and alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(documents: list[Any]) -> str:
    """Multi-document YAML, keys in the order they were made (as kubectl users read them)."""
    return yaml.dump_all(
        documents, Dumper=_PlainDumper, sort_keys=False, default_flow_style=False, width=120, allow_unicode=True
    )


def _nonempty(sources: list[Source]) -> list[Source]:
    if not sources:
        raise LoadError([Diagnostic("input", "no documents found")])
    return sources


def _refuse_custom_resources(sources: list[Source]) -> None:
    found = [source for source in sources if is_custom_resource(source.data)]
    if found:
        message = "already a custom resource: import reads AWS CLI JSON; use `ecs-operator render` for YAML"
        raise LoadError(dict.fromkeys(Diagnostic(source.origin, message) for source in found))


def _refuse_warnings(warnings: list[Diagnostic], reporting: Reporting) -> None:
    """--strict: every warning that says something changes is an error."""
    failures = strict_failures(warnings, reporting)
    if failures:
        raise LoadError(failures)


def _fail(error: LoadError, stderr: TextIO) -> int:
    for diagnostic in error.diagnostics:
        print(f"error: {diagnostic}", file=stderr)
    return FAILED
