"""Regenerate the golden fixtures (`make golden`): tests/golden/cases/<case>/input.yaml -> expected.yaml, warnings.txt.

Run it after an intended change of the translation, then read the diff before committing it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from ecs_operator.loading.commands import dump_yaml
from ecs_operator.loading.render import OFFLINE_TARGET, render_documents
from ecs_operator.loading.sources import parse_text
from ecs_operator.translate.context import Target, parse_kubernetes_version

CASES = Path(__file__).parent / "golden" / "cases"
INPUT, EXPECTED, WARNINGS, OPTIONS = "input.yaml", "expected.yaml", "warnings.txt", "options.yaml"


def case_target(case: Path) -> Target:
    """The render target of a case: offline render's, with what its options.yaml changes (kubernetesVersion)."""
    options = yaml.safe_load((case / OPTIONS).read_text()) if (case / OPTIONS).is_file() else {}
    version = options.get("kubernetesVersion")
    return replace(OFFLINE_TARGET, kubernetes_version=parse_kubernetes_version(version)) if version else OFFLINE_TARGET


def case_directories() -> list[Path]:
    return sorted(path for path in CASES.iterdir() if (path / INPUT).is_file())


def render_case(case: Path) -> tuple[str, str]:
    """The expected.yaml and warnings.txt texts for one case; the file is called by its name alone."""
    sources = parse_text((case / INPUT).read_text(encoding="utf-8"), INPUT)
    objects, warnings = render_documents(sources, target=case_target(case))
    return dump_yaml(objects), "".join(f"warning: {warning}\n" for warning in warnings)


def main() -> None:
    for case in case_directories():
        expected, warnings = render_case(case)
        (case / EXPECTED).write_text(expected, encoding="utf-8")
        (case / WARNINGS).write_text(warnings, encoding="utf-8")
        print(f"{case.name}: {expected.count('kind:')} objects, {warnings.count(chr(10))} warnings")


if __name__ == "__main__":
    main()
