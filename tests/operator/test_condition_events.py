"""Events posted when conditions change: on Ready's status or reason (not its message, which carries live
counts), Warning only when Degraded."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.handlers import common
from ecs_operator.handlers.common import write_status
from ecs_operator.status.conditions import Outcome
from tests.operator.conftest import JsonDict


class FakeApi:
    """Keeps the status it is given, as the status subresource would."""

    def __init__(self) -> None:
        self.status: JsonDict = {}

    async def patch_status(self, kind: str, namespace: str, name: str, status: JsonDict) -> None:
        self.status = {key: value for key, value in {**self.status, **status}.items() if value is not None}


async def test_ready_events_on_status_or_reason_changes_only(monkeypatch: pytest.MonkeyPatch) -> None:
    posted: list[tuple[str, str]] = []

    def post_event(body: Any, *, warning: bool, reason: str, message: str) -> None:
        posted.append(("Warning" if warning else "Normal", reason))

    monkeypatch.setattr(common, "post_event", post_event)
    api = FakeApi()

    async def reconciled(outcome: Outcome) -> None:
        body = {"kind": "ECSService", "metadata": {"name": "web", "namespace": "default"}, "status": api.status}
        await write_status(api, body, outcome)  # type: ignore[arg-type]  # a fake Api

    for available in (1, 3):
        message = f"{available} of 5 tasks available"
        await reconciled(Outcome({}, ready=False, reason="RolloutInProgress", message=message, progressing=True))
    await reconciled(Outcome({}, message="5 of 5 tasks available"))
    await reconciled(Outcome({}, message="5 of 5 tasks available, 1 pending"))
    await reconciled(Outcome({}, ready=False, reason="ChildRejected", message="refused", degraded=True))
    await reconciled(Outcome({}, ready=False, reason="ChildRejected", message="refused again", degraded=True))
    await reconciled(Outcome({}, ready=False, reason="TaskDefinitionNotFound", message="waiting", progressing=True))
    assert posted == [
        ("Normal", "RolloutInProgress"),  # progressing is not a problem
        ("Normal", "Reconciled"),
        ("Warning", "ChildRejected"),  # degraded
        ("Normal", "TaskDefinitionNotFound"),
    ]
