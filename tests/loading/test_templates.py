"""Placeholders CI and deploy tools fill in: which forms are recognised, and what fills them."""

from __future__ import annotations

import pytest

from ecs_operator.loading.templates import Values, fill, placeholders


@pytest.mark.parametrize(
    ("text", "keys", "defaults"),
    [
        ("${ENV}", ["ENV"], [None]),
        ("app-${ENV}-${REGION}", ["ENV", "REGION"], [None, None]),
        ("${TAG:-latest}", ["TAG"], ["latest"]),
        ("${AWS::AccountId}", ["AWS::AccountId"], [None]),
        ("arn:aws:iam::{{ must_env `AWS_ACCOUNT_ID` }}:role/task", ["AWS_ACCOUNT_ID"], [None]),
        ("{{ env `TAG` `v1` }}", ["TAG"], ["v1"]),
        ("{{ tfstate `aws_iam_role.task.arn` }}", ["aws_iam_role.task.arn"], [None]),
        ("{{ .Values.image }}", ["Values.image"], [None]),
        ("$$$TASK_ROLE$$$", ["TASK_ROLE"], [None]),
        ("#{Image}#", ["Image"], [None]),
        ("<IMAGE1_NAME>", ["IMAGE1_NAME"], [None]),
        ("a <b> c", [], []),  # angle brackets count only as the whole value
        ("plain text, no placeholder", [], []),
    ],
)
def test_placeholder_forms(text: str, keys: list[str], defaults: list[str | None]) -> None:
    found = [placeholder for _, placeholder in placeholders(text)]
    assert [p.key for p in found] == keys
    assert [p.default for p in found] == defaults


VALUES = Values(given={"ENV": "prod"}, environment={"ENV": "dev", "REGION": "eu-west-1", "HOME": "/root"})


@pytest.mark.parametrize(
    ("text", "shell", "expected", "sources"),
    [
        ("app-${ENV}", False, "app-prod", ["--set"]),  # --set wins over the environment
        ("${REGION}", False, "eu-west-1", ["the environment"]),
        ("${TAG:-latest}", False, "latest", ["its default"]),
        ("tis-${environment}-url", False, "tis-environment-url", [None]),  # unfilled: the key stands in
        ("{{ tfstate `aws_iam_role.task.arn` }}", False, "aws_iam_role-task-arn", [None]),
        ("cd ${HOME} && ./run", True, "cd ${HOME} && ./run", [None]),  # the container's shell expands it
        ("--env=${ENV}", True, "--env=prod", ["--set"]),  # only --set fills a shell string
    ],
)
def test_fill(text: str, shell: bool, expected: str, sources: list[str | None]) -> None:
    result, filled = fill(text, VALUES, shell=shell)
    assert result == expected
    assert [f.source for f in filled] == sources
