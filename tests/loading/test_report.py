"""How warnings are shown: one line per group and a summary, all with -v, none with --quiet, errors with --strict."""

from __future__ import annotations

import io

import pytest

from ecs_operator.loading.report import Reporting, group_key, report, strict_failures
from ecs_operator.loading.sources import Diagnostic

LOG_DRIVER = "no log router is set up on Kubernetes"
WARNINGS = [
    Diagnostic(
        "td.json", LOG_DRIVER, "TaskDefinition/web", f"spec.containerDefinitions[{i}].logConfiguration.logDriver"
    )
    for i in range(3)
] + [
    Diagnostic("td.json", "has no effect on Kubernetes", "TaskDefinition/web", "spec.containerDefinitions[0].ulimits"),
    Diagnostic("svc.json", "dropped (read-only)", "ECSService/web", "serviceArn", "dropped (read-only)", strict=False),
]


@pytest.mark.parametrize(
    ("diagnostic", "key"),
    [
        (WARNINGS[0], "TaskDefinition: spec.containerDefinitions[*].logConfiguration.logDriver"),
        (WARNINGS[2], "TaskDefinition: spec.containerDefinitions[*].logConfiguration.logDriver"),
        (WARNINGS[4], "dropped (read-only)"),
    ],
)
def test_group_key(diagnostic: Diagnostic, key: str) -> None:
    assert group_key(diagnostic) == key


@pytest.mark.parametrize(
    ("reporting", "expected"),
    [
        (
            Reporting(),
            [
                f"warning: td.json: TaskDefinition/web: spec.containerDefinitions[0].logConfiguration.logDriver: "
                f"{LOG_DRIVER} [and 2 more like it]",
                "warning: td.json: TaskDefinition/web: spec.containerDefinitions[0].ulimits: "
                "has no effect on Kubernetes",
                "warning: svc.json: ECSService/web: serviceArn: dropped (read-only)",
                "5 warnings in 3 groups; run with -v for each",
            ],
        ),
        (Reporting(quiet=True), []),
    ],
    ids=["grouped", "quiet"],
)
def test_report(reporting: Reporting, expected: list[str]) -> None:
    stream = io.StringIO()
    report(WARNINGS, reporting, stream, "warning", "warning")
    assert stream.getvalue().splitlines() == expected


def test_verbose_prints_each_warning_and_counts_the_groups() -> None:
    stream = io.StringIO()
    report(WARNINGS, Reporting(verbose=True), stream, "warning", "warning")
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(WARNINGS) + 1
    assert lines[-1] == "5 warnings in 3 groups"


@pytest.mark.parametrize(("strict", "failures"), [(False, 0), (True, 4)])
def test_strict_refuses_every_warning_but_informative_notes(strict: bool, failures: int) -> None:
    found = strict_failures(WARNINGS, Reporting(strict=strict))
    assert len(found) == failures
    assert all(d.message.endswith("(--strict: warnings are errors)") for d in found)
