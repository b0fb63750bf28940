"""The README stays true: the field-classification counts it states are the ones the code has."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ecs_operator.tools.codegen import ECS_ROOTS, load_shapes, reachable_shapes
from ecs_operator.translate.coverage import classification_table
from tests.translate.test_coverage import _walk

README = Path(__file__).resolve().parents[1] / "README.md"


def coverage_sentence() -> str:
    shapes = load_shapes("ecs")
    table = classification_table()
    classified, missing = _walk(shapes, ECS_ROOTS, table)
    assert not missing
    kinds = Counter(type(table[key]).__name__ for key in classified)
    total = sum(len(shapes[name]["members"]) for name in reachable_shapes(shapes, ECS_ROOTS))
    below = total - len(classified)
    return (
        f"Of the {total} members of these shapes, {kinds['Translated']} are translated, {kinds['Partial']} are "
        f"translated with a warning that names a difference, {kinds['Ignored']} are accepted with a warning, "
        f"{kinds['Rejected']} are rejected with a reason, and the other {below} sit below a field that is "
        "warned or rejected as a whole."
    )


def test_readme_states_the_classification_counts() -> None:
    readme = " ".join(README.read_text().split())
    sentence = coverage_sentence()
    assert sentence in readme, f"README.md should say: {sentence}"
