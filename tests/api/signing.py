"""Requests signed with botocore's SigV4 signer, sent with aiohttp: for what boto3 would never send."""

from __future__ import annotations

import io
import json
from typing import Any

import aiohttp
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ecs_operator.api.auth import AccessKey

TARGET = "AmazonEC2ContainerServiceV20141113"
CONTENT_TYPE = "application/x-amz-json-1.1"


def signed_headers(
    url: str, body: bytes, key: AccessKey | None, region: str, headers: dict[str, str] | None = None
) -> dict[str, str]:
    request = AWSRequest(method="POST", url=url, data=body, headers=headers or {})
    if key is not None:
        SigV4Auth(Credentials(key.access_key_id, key.secret_access_key), "ecs", region).add_auth(request)
    return dict(request.headers.items())


async def post(
    url: str,
    operation: str | None,
    body: bytes | dict[str, Any],
    key: AccessKey | None,
    region: str,
    *,
    extra: dict[str, str] | None = None,
    tamper: bytes | None = None,
) -> tuple[int, dict[str, Any]]:
    """POST a (signed) request; ``tamper`` replaces the body after signing. The status and the JSON answer."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = {"Content-Type": CONTENT_TYPE, **(extra or {})}
    if operation is not None:
        headers["X-Amz-Target"] = f"{TARGET}.{operation}"
    headers = signed_headers(url, data, key, region, headers)
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=io.BytesIO(tamper if tamper is not None else data), headers=headers) as response,
    ):
        assert response.content_type == CONTENT_TYPE, await response.text()
        return response.status, await response.json(content_type=None)
