"""Regenerate the golden fixtures (`make golden`): tests/golden/cases/<case>/input.yaml -> expected.yaml, warnings.txt.

Run it after an intended change of the translation, then read the diff before committing it.
"""

from __future__ import annotations

from pathlib import Path

from ecs_operator.loading.commands import dump_yaml
from ecs_operator.loading.render import render_documents
from ecs_operator.loading.sources import parse_text

CASES = Path(__file__).parent / "golden" / "cases"
INPUT, EXPECTED, WARNINGS = "input.yaml", "expected.yaml", "warnings.txt"


def case_directories() -> list[Path]:
    return sorted(path for path in CASES.iterdir() if (path / INPUT).is_file())


def render_case(case: Path) -> tuple[str, str]:
    """The expected.yaml and warnings.txt texts for one case; the file is called by its name alone."""
    objects, warnings = render_documents(parse_text((case / INPUT).read_text(encoding="utf-8"), INPUT))
    return dump_yaml(objects), "".join(f"warning: {warning}\n" for warning in warnings)


def main() -> None:
    for case in case_directories():
        expected, warnings = render_case(case)
        (case / EXPECTED).write_text(expected, encoding="utf-8")
        (case / WARNINGS).write_text(warnings, encoding="utf-8")
        print(f"{case.name}: {expected.count('kind:')} objects, {warnings.count(chr(10))} warnings")


if __name__ == "__main__":
    main()
