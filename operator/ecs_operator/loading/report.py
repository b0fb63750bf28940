"""How `render` and `import` show their warnings: grouped with a summary, each one with ``-v``, none with
``--quiet``, and as errors with ``--strict``.

A group is what one kind of resource says about one field (indices left out), so a log driver warned for
each of five containers is one group of five. By default the first warning of each group is printed, with
how many more are like it, then ``12 warnings in 3 groups; run with -v for each``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from ecs_operator.loading.sources import Diagnostic

_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Reporting:
    """The command line's choice of how much to say."""

    verbose: bool = False  # -v: every warning
    quiet: bool = False  # -q: no warnings at all (errors still)
    strict: bool = False  # --strict: warnings are errors


def group_key(diagnostic: Diagnostic) -> str:
    """The group of a warning: its own, or its resource kind and field path without indices."""
    if diagnostic.group:
        return diagnostic.group
    kind = (diagnostic.resource or "").partition("/")[0]
    return f"{kind}: {_INDEX.sub('[*]', diagnostic.field or '')}"


def grouped(diagnostics: Sequence[Diagnostic]) -> dict[str, list[Diagnostic]]:
    """The diagnostics by group, groups in the order their first member came."""
    groups: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        groups.setdefault(group_key(diagnostic), []).append(diagnostic)
    return groups


def strict_failures(diagnostics: Sequence[Diagnostic], reporting: Reporting) -> list[Diagnostic]:
    """What ``--strict`` refuses: every warning that says something changes (not the informational notes)."""
    if not reporting.strict:
        return []
    return [
        Diagnostic(d.origin, f"{d.message} (--strict: warnings are errors)", d.resource, d.field)
        for d in diagnostics
        if d.strict
    ]


def report(diagnostics: Sequence[Diagnostic], reporting: Reporting, stream: TextIO, prefix: str, noun: str) -> None:
    """Print ``diagnostics`` as ``<prefix>: ...`` lines, as ``reporting`` asks, then the summary line."""
    if reporting.quiet or not diagnostics:
        return
    groups = grouped(diagnostics)
    for members in groups.values():
        if reporting.verbose:
            for diagnostic in members:
                print(f"{prefix}: {diagnostic}", file=stream)
        else:
            more = f" [and {len(members) - 1} more like it]" if len(members) > 1 else ""
            print(f"{prefix}: {members[0]}{more}", file=stream)
    count, plural = len(diagnostics), "" if len(diagnostics) == 1 else "s"
    summary = f"{count} {noun}{plural} in {len(groups)} group{'' if len(groups) == 1 else 's'}"
    hint = "" if reporting.verbose or len(groups) == count else "; run with -v for each"
    print(f"{summary}{hint}", file=stream)
