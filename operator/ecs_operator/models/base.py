"""The base of every ECS model: the ECS API's field names, unknown fields rejected.

Also the small toolkit the spec models' cross-field checks share: a ``Problem`` names the field path
(relative to the model that found it) and says what is wrong; ``raise_problems`` turns the list into one
``SpecProblems`` error, which ``models.errors.format_validation_error`` expands into one line per problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict


class EcsModel(BaseModel):
    """An ECS API shape. Unknown fields are errors, never dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False)

    def to_ecs(self) -> dict[str, Any]:
        """The fields that were given, in the ECS API's JSON shape."""
        return self.model_dump(mode="json", exclude_unset=True)


@dataclass(frozen=True)
class Problem:
    """One cross-field problem: ``path`` is relative to the model that found it (``containerDefinitions[1].cpu``).

    ``aws_refuses``: the AWS API refuses it too (most checks are ECS's own rules); False for what only this
    product refuses (the message then says why), so the message does not claim an AWS error.
    """

    path: str
    message: str
    aws_refuses: bool = True

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecProblems(ValueError):
    """Every cross-field problem one model validator found (pydantic wraps it as a single value_error)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


def raise_problems(problems: Iterable[Problem]) -> None:
    """Raise ``SpecProblems`` if there are any: all of them at once, so a user fixes a spec in one round."""
    found = list(problems)
    if found:
        raise SpecProblems(found)


def field_path(*parts: str | int) -> str:
    """``field_path("containerDefinitions", 1, "cpu")`` -> ``containerDefinitions[1].cpu``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part:
            text += f".{part}" if text else part
    return text


def duplicate_problems(named: Iterable[tuple[str, str | None]], what: str) -> Iterator[Problem]:
    """A problem for each (path, name) whose name an earlier path already used; None names are skipped."""
    seen: dict[str, str] = {}
    for path, name in named:
        if name is None:
            continue
        if name in seen:
            yield Problem(path, f'duplicate {what} "{name}" (also at {seen[name]})')
        else:
            seen[name] = path
