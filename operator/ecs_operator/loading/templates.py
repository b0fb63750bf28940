"""Placeholders that CI and deploy tools fill in before ECS ever sees a file, filled here from ``--set`` or
the environment.

The forms people commit: ``${VAR}`` and ``${VAR:-default}`` (envsubst, GitHub Actions, Terraform
``templatefile``), ``{{ must_env `VAR` }}`` / ``{{ env `VAR` `default` }}`` and other ``{{ ... }}``
expressions (ecspresso, Go and Jinja templates), ``$$$VAR$$$`` (the ECS agent's test data), ``#{VAR}#``
(token replacement tasks) and a whole value ``<VAR_NAME>`` (CodeDeploy's ``<IMAGE1_NAME>``).

A value from ``--set KEY=VALUE`` wins, then the environment, then the template's own default. Strings the
container's shell reads (``command``, ``entryPoint``, a health check's command) keep their ``${VAR}``: the
shell expands them at run time, so only ``--set`` fills them there. A placeholder nothing fills is replaced
by its name made safe for ECS names (``${environment}`` -> ``environment``), with a warning, so the rest
of the file can still be read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_FORMS = re.compile(
    r"\$\{(?P<dollar>[A-Za-z_][A-Za-z0-9_.]*(?:::[A-Za-z0-9_.]+)*)(?::?-(?P<dollar_default>[^}]*))?\}"
    r"|\$\$\$(?P<agent>[A-Za-z0-9_]+)\$\$\$"
    r"|\{\{-?\s*(?P<template>.*?)\s*-?\}\}"
    r"|#\{(?P<token>[A-Za-z0-9_.-]+)\}#"
)
_WHOLE_ANGLE = re.compile(r"^<(?P<angle>[A-Z][A-Z0-9_]*)>$")
_QUOTED = r"[`\"']([^`\"']*)[`\"']"
_TEMPLATE_ENV = re.compile(rf"^(?P<function>must_env|env)\s+{_QUOTED}(?:\s+{_QUOTED})?$")
_TEMPLATE_ARGUMENT = re.compile(r"[`\"']([^`\"']+)[`\"']")
_TEMPLATE_FIELD = re.compile(r"^\.?(?P<key>[A-Za-z_][A-Za-z0-9_.]*)$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Placeholder:
    """One placeholder as written, the key that fills it, and its default."""

    text: str
    key: str
    default: str | None = None

    @property
    def stand_in(self) -> str:
        """What an unfilled placeholder becomes: its key, with what ECS names cannot hold as "-"."""
        return _UNSAFE.sub("-", self.key).strip("-") or "placeholder"


@dataclass(frozen=True)
class Filled:
    """How one placeholder was filled: by ``--set``, the environment, its default, or not at all (None)."""

    placeholder: Placeholder
    source: str | None


@dataclass(frozen=True)
class Values:
    """Where placeholder values come from: ``--set`` first, then the environment."""

    given: Mapping[str, str] = field(default_factory=dict)
    environment: Mapping[str, str] = field(default_factory=dict)

    def lookup(self, placeholder: Placeholder, *, shell: bool) -> tuple[str | None, str | None]:
        """(value, source); the environment and defaults are not used in a string the container's shell reads."""
        if placeholder.key in self.given:
            return self.given[placeholder.key], "--set"
        if shell:
            return None, None
        if placeholder.key in self.environment:
            return self.environment[placeholder.key], "the environment"
        if placeholder.default is not None:
            return placeholder.default, "its default"
        return None, None


def _template_placeholder(text: str, inner: str) -> Placeholder:
    env = _TEMPLATE_ENV.match(inner)
    if env:
        default = env.group(3) if env["function"] == "env" else None
        return Placeholder(text, env.group(2), default)
    plain = _TEMPLATE_FIELD.match(inner)
    if plain:
        return Placeholder(text, plain["key"])
    argument = _TEMPLATE_ARGUMENT.search(inner)  # {{ tfstate `aws_iam_role.task.arn` }}, {{ ssm `/x` }}
    return Placeholder(text, argument.group(1) if argument else inner)


def placeholders(text: str) -> list[tuple[tuple[int, int], Placeholder]]:
    """The placeholders in ``text`` with their spans, in order."""
    whole = _WHOLE_ANGLE.match(text)
    if whole:
        return [((0, len(text)), Placeholder(text, whole["angle"]))]
    found = []
    for match in _FORMS.finditer(text):
        if match["dollar"] is not None:
            placeholder = Placeholder(match[0], match["dollar"], match["dollar_default"])
        elif match["agent"] is not None:
            placeholder = Placeholder(match[0], match["agent"])
        elif match["token"] is not None:
            placeholder = Placeholder(match[0], match["token"])
        else:
            placeholder = _template_placeholder(match[0], match["template"] or "")
        found.append((match.span(), placeholder))
    return found


def fill(text: str, values: Values, *, shell: bool = False) -> tuple[str, list[Filled]]:
    """``text`` with its placeholders filled where a value is known, stand-ins elsewhere (kept as written in a
    string the container's shell reads), and how each was filled."""
    found = placeholders(text)
    if not found:
        return text, []
    parts: list[str] = []
    filled: list[Filled] = []
    end = 0
    for (start, stop), placeholder in found:
        value, source = values.lookup(placeholder, shell=shell)
        parts.append(text[end:start])
        if value is not None:
            parts.append(value)
        else:
            parts.append(placeholder.text if shell else placeholder.stand_in)
        filled.append(Filled(placeholder, source))
        end = stop
    parts.append(text[end:])
    return "".join(parts), filled
