"""The status contract every kind shares: Ready / Progressing / Degraded conditions with reasons."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


@dataclass
class Outcome:
    """What a reconcile achieved: status fields, and whether the object is ready or still progressing."""

    status: JsonDict
    ready: bool = True
    reason: str = "Reconciled"
    message: str = ""
    progressing: bool = False
    degraded: bool = False
    warnings: list[str] = field(default_factory=list)
    final: bool = False  # nothing can change any more (a stopped task): no resync needed


def now() -> str:
    """The current time, RFC 3339 to the second (as Kubernetes writes timestamps)."""
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def condition(previous: list[JsonDict], type_: str, status: bool, reason: str, message: str) -> JsonDict:
    """A condition; lastTransitionTime moves only when the status flips."""
    value = "True" if status else "False"
    old = next((c for c in previous if c.get("type") == type_), None)
    changed = old is None or old.get("status") != value
    since = now() if changed or not old else old.get("lastTransitionTime", now())
    return {"type": type_, "status": value, "reason": reason, "message": message, "lastTransitionTime": since}


def conditions(previous: list[JsonDict], outcome: Outcome) -> list[JsonDict]:
    degraded_reason = outcome.reason if outcome.degraded else "AsExpected"
    progressing_reason = outcome.reason if outcome.progressing else "Idle"
    return [
        condition(previous, "Ready", outcome.ready, outcome.reason, outcome.message),
        condition(
            previous,
            "Progressing",
            outcome.progressing,
            progressing_reason,
            outcome.message if outcome.progressing else "",
        ),
        condition(previous, "Degraded", outcome.degraded, degraded_reason, outcome.message if outcome.degraded else ""),
    ]


def failed_outcome(body: Mapping[str, Any], reason: str, message: str, *, degraded: bool) -> Outcome:
    """Ready=False; the other status fields stay as they were (the last good children keep running)."""
    old = dict(body.get("status") or {})
    return Outcome(
        status={k: v for k, v in old.items() if k not in ("conditions", "warnings", "observedGeneration")},
        ready=False,
        reason=reason,
        message=message,
        progressing=not degraded,
        degraded=degraded,
        warnings=list(old.get("warnings") or []),
    )
