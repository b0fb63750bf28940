"""AWS Signature Version 4, verified with botocore's own signer, against access keys kept in Kubernetes Secrets.

A request is accepted when its ``Authorization`` header carries a signature that botocore's ``SigV4Auth``
computes again from the same method, path, query, signed headers and body with the key's secret, and its
``X-Amz-Date`` is within 15 minutes of the server's clock. Refusals use AWS's names and HTTP 403 (400 for
a malformed header), as ECS answers them:

- no ``Authorization`` header: ``MissingAuthenticationTokenException``;
- a header that is not a complete SigV4 header: ``IncompleteSignatureException``;
- an access key id no Secret holds, or a session token (none are issued here): ``UnrecognizedClientException``;
- a wrong signature, a wrong service in the credential scope, or a time more than 15 minutes off (expired or
  not yet current): ``InvalidSignatureException``.

The region of the credential scope is the client's; it is not compared with the configured one, so a client
configured for any region can sign (ARNs carry the configured region either way).

Access keys (``AccessKey``) come from Secrets labelled ``ecs.compat.dev/access-key`` in one namespace (the
operator's): ``accessKeyId``, ``secretAccessKey`` and ``namespaces`` (comma- or space-separated). The first
namespace is the key's home: clusters it creates and task definitions it registers go there.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime
import hmac
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from hashlib import sha256
from typing import Any, Protocol

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials
from multidict import CIMultiDict, CIMultiDictProxy

from ecs_operator.api.errors import EcsError

MAX_SKEW = datetime.timedelta(minutes=15)
ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "ecs"
SECRET_LABEL = "ecs.compat.dev/access-key"
_AUTHORIZATION = re.compile(r"^AWS4-HMAC-SHA256 (?P<fields>.+)$")
_ACCESS_KEY_ID = re.compile(r"^[A-Z0-9]{16,128}$")
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_TIMESTAMP = "%Y%m%dT%H%M%SZ"
log = logging.getLogger("ecs_operator.api.auth")


@dataclass(frozen=True)
class AccessKey:
    """An access key and the namespaces its requests may use (the first is where new resources go)."""

    access_key_id: str
    secret_access_key: str
    namespaces: tuple[str, ...]
    name: str = ""  # who it belongs to: the Secret's name (shown as the IAM user in createdBy)

    @property
    def home(self) -> str:
        return self.namespaces[0]


class KeyLookup(Protocol):
    async def find(self, access_key_id: str) -> AccessKey | None: ...


@dataclass(frozen=True)
class SignedRequest:
    """What SigV4 covers: the request as it arrived."""

    method: str
    path: str
    query: str
    headers: CIMultiDictProxy[str] | CIMultiDict[str]
    body: bytes


def _refused(code: str, message: str, status: int = 403) -> EcsError:
    return EcsError(code, message, status=status)


def parse_authorization(header: str) -> dict[str, str]:
    """``Credential``, ``SignedHeaders`` and ``Signature`` of a SigV4 Authorization header."""
    match = _AUTHORIZATION.match(header.strip())
    if match is None:
        if not header.startswith(ALGORITHM):
            raise _refused(
                "IncompleteSignatureException", f"Authorization header must use {ALGORITHM} (Signature Version 4)", 400
            )
        raise _refused("IncompleteSignatureException", "Authorization header is incomplete", 400)
    fields = {}
    for part in match["fields"].split(","):
        key, _, value = part.strip().partition("=")
        fields[key] = value
    missing = [key for key in ("Credential", "SignedHeaders", "Signature") if not fields.get(key)]
    if missing:
        raise _refused(
            "IncompleteSignatureException", f"Authorization header requires {', '.join(missing)} parameters", 400
        )
    return fields


def request_time(headers: CIMultiDictProxy[str] | CIMultiDict[str]) -> str:
    value = headers.get("X-Amz-Date")
    if not value:
        raise _refused("IncompleteSignatureException", "Authorization header requires an 'X-Amz-Date' header", 400)
    try:
        datetime.datetime.strptime(value, _TIMESTAMP)
    except ValueError as error:
        raise _refused("IncompleteSignatureException", f"X-Amz-Date {value!r} is not YYYYMMDDTHHMMSSZ", 400) from error
    return value


def check_time(stamp: str, now: datetime.datetime) -> None:
    """Within 15 minutes of ``now``, either way."""
    moment = datetime.datetime.strptime(stamp, _TIMESTAMP).replace(tzinfo=datetime.UTC)
    if moment < now - MAX_SKEW:
        earliest = (now - MAX_SKEW).strftime(_TIMESTAMP)
        raise _refused(
            "InvalidSignatureException",
            f"Signature expired: {stamp} is now earlier than {earliest} ({now.strftime(_TIMESTAMP)} - 15 min.)",
        )
    if moment > now + MAX_SKEW:
        latest = (now + MAX_SKEW).strftime(_TIMESTAMP)
        raise _refused(
            "InvalidSignatureException",
            f"Signature not yet current: {stamp} is still later than {latest} ({now.strftime(_TIMESTAMP)} + 15 min.)",
        )


class _Verifier(SigV4Auth):  # type: ignore[misc]
    """botocore's signer, signing exactly the headers the client says it signed."""

    def __init__(self, credentials: Credentials, region: str, signed: list[str]) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        chosen = HTTPHeaders()
        for name in self._signed:
            for value in request.headers.get_all(name) or []:
                chosen[name] = value
        return chosen


def expected_signature(request: SignedRequest, key: AccessKey, stamp: str, region: str, signed: list[str]) -> str:
    """The signature botocore computes for ``request`` with ``key``'s secret."""
    headers = HTTPHeaders()
    for name in signed:
        for value in request.headers.getall(name, []):
            headers[name] = value
    url = f"http://{request.headers.get('Host', '')}{request.path}" + (f"?{request.query}" if request.query else "")
    aws_request = AWSRequest(method=request.method, url=url, headers=headers, data=request.body)
    aws_request.context["timestamp"] = stamp
    signer = _Verifier(Credentials(key.access_key_id, key.secret_access_key), region, signed)
    canonical = signer.canonical_request(aws_request)
    return str(signer.signature(signer.string_to_sign(aws_request, canonical), aws_request))


async def authenticate(request: SignedRequest, keys: KeyLookup, now: datetime.datetime) -> AccessKey:
    """The access key that signed ``request``; an ``EcsError`` with AWS's name for why not otherwise."""
    header = request.headers.get("Authorization")
    if not header:
        raise _refused("MissingAuthenticationTokenException", "Missing Authentication Token")
    fields = parse_authorization(header)
    access_key_id, _, scope = fields["Credential"].partition("/")
    date, region, service, terminator = ([*scope.split("/"), "", "", "", ""])[:4]
    if not (date and region and service and terminator == "aws4_request"):
        raise _refused(
            "IncompleteSignatureException", "Credential must be <key id>/<date>/<region>/ecs/aws4_request", 400
        )
    stamp = request_time(request.headers)
    check_time(stamp, now)
    if service != SERVICE:
        raise _refused("InvalidSignatureException", f"Credential should be scoped to correct service: '{SERVICE}'.")
    if date != stamp[:8]:
        raise _refused("InvalidSignatureException", f"Credential should be scoped to a valid date: {stamp[:8]}.")
    signed = [name.strip().lower() for name in fields["SignedHeaders"].split(";") if name.strip()]
    if "host" not in signed:
        raise _refused("InvalidSignatureException", "'Host' must be a signed header")
    if request.headers.get("X-Amz-Security-Token"):
        raise _refused(
            "UnrecognizedClientException",
            "The security token included in the request is invalid (no session "
            "tokens are issued here: use the access key and secret alone).",
        )
    key = await keys.find(access_key_id)
    if key is None:
        raise _refused("UnrecognizedClientException", "The security token included in the request is invalid.")
    content_hash = request.headers.get("X-Amz-Content-SHA256")
    if content_hash is not None and content_hash != sha256(request.body).hexdigest():
        raise _refused("InvalidSignatureException", "The 'x-amz-content-sha256' header does not match the body.")
    expected = expected_signature(request, key, stamp, region, signed)
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise _refused(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method.",
        )
    return key


class StaticKeys:
    """Keys given in-process (the sandbox, tests)."""

    def __init__(self, keys: list[AccessKey]) -> None:
        self.keys = {key.access_key_id: key for key in keys}

    async def find(self, access_key_id: str) -> AccessKey | None:
        return self.keys.get(access_key_id)


SecretLister = Callable[[], Awaitable[list[dict[str, Any]]]]


class SecretKeys:
    """Keys read from the labelled Secrets (see the module docstring), cached for ``ttl`` seconds. An unknown key
    id reads them again, at most once a second (a request with an unknown key waits for that read), so a key just
    created works at once and a deleted one stops working within ``ttl``."""

    def __init__(self, list_secrets: SecretLister, ttl: float = 10.0, min_interval: float = 1.0) -> None:
        self.list_secrets = list_secrets
        self.ttl = ttl
        self.min_interval = min_interval
        self.keys: dict[str, AccessKey] = {}
        self.read_at = float("-inf")  # when the last read of the Secrets started
        self.lock = asyncio.Lock()

    async def find(self, access_key_id: str) -> AccessKey | None:
        asked = time.monotonic()
        if asked - self.read_at > self.ttl or access_key_id not in self.keys:
            async with self.lock:
                if self.read_at < asked:  # no read started since this request arrived
                    await asyncio.sleep(max(0.0, self.read_at + self.min_interval - time.monotonic()))
                    self.read_at = time.monotonic()
                    self.keys = keys_from_secrets(await self.list_secrets())
        return self.keys.get(access_key_id)


def keys_from_secrets(found: list[dict[str, Any]]) -> dict[str, AccessKey]:
    """The usable keys among the Secrets; a Secret that is not one is logged and skipped, never fatal."""
    keys = {}
    for secret in found:
        name = secret.get("metadata", {}).get("name", "?")
        try:
            key = key_from_secret(secret)
        except ValueError as error:
            log.warning("Secret %s is not a usable access key: %s", name, error)
            continue
        keys[key.access_key_id] = key
    return keys


def key_from_secret(secret: Mapping[str, Any]) -> AccessKey:
    data = secret.get("data") or {}
    try:
        values = {field: base64.b64decode(str(data.get(field) or ""), validate=True).decode() for field in data}
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError(f"data is not base64-encoded text: {error}") from error
    access_key_id = values.get("accessKeyId", "").strip()
    secret_access_key = values.get("secretAccessKey", "").strip()
    namespaces = tuple(part for part in re.split(r"[\s,]+", values.get("namespaces", "")) if part)
    if not _ACCESS_KEY_ID.match(access_key_id):
        raise ValueError("accessKeyId must be 16 to 128 upper-case letters and digits")
    if not secret_access_key:
        raise ValueError("secretAccessKey is empty")
    if not namespaces:
        raise ValueError("namespaces names no namespace")
    bad = [namespace for namespace in namespaces if not _NAMESPACE.match(namespace)]
    if bad:
        raise ValueError(f"namespaces: {', '.join(bad)} are not namespace names")
    return AccessKey(access_key_id, secret_access_key, namespaces, str(secret.get("metadata", {}).get("name", "")))


def new_access_key(namespaces: list[str], name: str = "") -> AccessKey:
    """A fresh key (``ECSO`` + 16 random upper-case letters and digits, and a 40-character secret)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    key_id = "ECSO" + "".join(secrets.choice(alphabet) for _ in range(16))
    return AccessKey(key_id, secrets.token_urlsafe(30)[:40], tuple(namespaces), name)


def access_key_secret(key: AccessKey, namespace: str) -> dict[str, Any]:
    """The Secret that holds ``key`` (for ``kubectl apply``, or for the sandbox to create)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": key.name or f"ecs-api-{key.access_key_id.lower()}",
            "namespace": namespace,
            "labels": {SECRET_LABEL: "true"},
        },
        "type": "Opaque",
        "stringData": {
            "accessKeyId": key.access_key_id,
            "secretAccessKey": key.secret_access_key,
            "namespaces": ",".join(key.namespaces),
        },
    }
