"""``maxResults`` / ``nextToken`` as botocore's paginators use them: sorted keys, the token names the last one.

A token holds the last key returned (base64 JSON), so a page is stable while objects come and go between
calls: the next page starts after that key, whatever changed before it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from ecs_operator.api.errors import invalid_parameter

T = TypeVar("T")


def page(
    items: Sequence[tuple[str, T]], params: dict[str, Any], limit: int = 100, *, descending: bool = False
) -> tuple[list[T], str | None]:
    """One page of ``items`` (key, value), sorted by key (``descending`` reverses), after
    ``params['nextToken']``, at most ``params['maxResults']`` (1..``limit``, default ``limit``); and the token
    for the next page, if any."""
    size = params.get("maxResults") or limit
    if not 1 <= size <= limit:
        raise invalid_parameter(f"maxResults: must be between 1 and {limit}, got {size}")
    ordered = sorted(items, key=lambda item: item[0], reverse=descending)
    token = params.get("nextToken")
    if token:
        after = _decode(token)
        ordered = [item for item in ordered if (item[0] < after if descending else item[0] > after)]
    chosen = ordered[:size]
    more = len(ordered) > size
    return [value for _, value in chosen], (_encode(chosen[-1][0]) if more and chosen else None)


def _encode(key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": key}).encode()).decode()


def _decode(token: str) -> str:
    try:
        after = json.loads(base64.urlsafe_b64decode(token.encode()))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise invalid_parameter("nextToken: not a token this endpoint issued") from error
    if not isinstance(after, str):
        raise invalid_parameter("nextToken: not a token this endpoint issued")
    return after
