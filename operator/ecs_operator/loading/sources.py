"""Reading input: files, directories and standard input into parsed documents, and the messages about them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

STDIN = "-"
SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Source:
    """One parsed document and where it came from (a file path, or ``<stdin>``)."""

    origin: str
    data: Any


@dataclass(frozen=True)
class Diagnostic:
    """A message about the input: ``<origin>: <Kind>/<name>: <field>: <message>``, absent parts left out.

    ``group`` gathers alike warnings in the summary (``report.group_key`` makes one from the field when it is
    empty); ``strict`` is False for notes that change nothing at runtime (a read-only field dropped), which
    ``--strict`` lets through.
    """

    origin: str
    message: str
    resource: str | None = None
    field: str | None = None
    group: str = ""
    strict: bool = True

    def __str__(self) -> str:
        return ": ".join(part for part in (self.origin, self.resource, self.field, self.message) if part)


class LoadError(Exception):
    """The input cannot be used; ``diagnostics`` say where and why."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def expand_paths(names: Iterable[str]) -> list[str]:
    """Files named directly, and the *.yaml/*.yml/*.json files under directories (recursive, sorted)."""
    paths: list[str] = []
    for name in names:
        path = Path(name)
        if name != STDIN and path.is_dir():
            paths.extend(str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in SUFFIXES)
        else:
            paths.append(name)
    return paths


def parse_text(text: str, origin: str) -> list[Source]:
    """The documents in ``text``: one JSON value, or a (multi-document) YAML stream. Empty documents are skipped."""
    try:
        if origin.endswith(".json") or text.lstrip().startswith(("{", "[")):
            documents: list[Any] = [json.loads(text)]
        else:
            documents = list(yaml.safe_load_all(text))
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise LoadError([Diagnostic(origin, f"cannot parse: {_one_line(error)}")]) from error
    return [Source(origin, document) for document in documents if document is not None]


def read_sources(names: Iterable[str], stdin: TextIO) -> list[Source]:
    """Every document in the named files, directories and (for ``-``) standard input, in order."""
    sources: list[Source] = []
    errors: list[Diagnostic] = []
    for path in expand_paths(names):
        try:
            sources.extend(parse_text(_read(path, stdin), "<stdin>" if path == STDIN else path))
        except LoadError as error:
            errors.extend(error.diagnostics)
    if errors:
        raise LoadError(errors)
    return sources


def _read(path: str, stdin: TextIO) -> str:
    if path == STDIN:
        return stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LoadError([Diagnostic(path, f"cannot read: {getattr(error, 'strerror', None) or error}")]) from error


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
