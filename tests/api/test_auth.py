"""SigV4: botocore-signed requests pass; unsigned, wrongly signed, expired and unknown-key requests are refused
with AWS's error names; access keys come from labelled Secrets."""

from __future__ import annotations

import base64
import contextlib
import datetime
from collections.abc import AsyncIterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecs_operator.api.auth import (
    SECRET_LABEL,
    AccessKey,
    StaticKeys,
    access_key_secret,
    key_from_secret,
    new_access_key,
)
from ecs_operator.api.server import ApiServer, start_api_server, utc_now
from tests.api.conftest import MAIN_KEY, OTHER_KEY, REGION, Backend, Ecs, api_config, boto3_ecs
from tests.api.signing import post


def error_of(error: ClientError) -> tuple[int, str, str]:
    return (
        error.response["ResponseMetadata"]["HTTPStatusCode"],
        error.response["Error"]["Code"],
        error.response["Error"]["Message"],
    )


async def refusal(server: ApiServer, key: AccessKey) -> tuple[int, str, str]:
    client = Ecs(boto3_ecs(server.url, key))
    with pytest.raises(ClientError) as caught:
        await client.list_clusters()
    return error_of(caught.value)


async def test_a_signed_request_is_answered(ecs: Ecs) -> None:
    assert (await ecs.list_clusters())["clusterArns"] == []


async def test_an_unsigned_request_is_refused(api: ApiServer) -> None:
    status, answer = await post(api.url, "ListClusters", {}, None, REGION)
    assert (status, answer["__type"]) == (403, "MissingAuthenticationTokenException")


async def test_a_wrong_secret_is_an_invalid_signature(api: ApiServer) -> None:
    wrong = AccessKey(MAIN_KEY.access_key_id, "not-the-secret", MAIN_KEY.namespaces)
    status, code, message = await refusal(api, wrong)
    assert (status, code) == (403, "InvalidSignatureException")
    assert "signature we calculated does not match" in message


async def test_an_unknown_key_is_unrecognized(api: ApiServer) -> None:
    stranger = AccessKey("ECSONOSUCHKEY0000000", "whatever", ("default",))
    assert (await refusal(api, stranger))[:2] == (403, "UnrecognizedClientException")


async def test_a_body_changed_after_signing_is_an_invalid_signature(api: ApiServer) -> None:
    status, answer = await post(api.url, "DescribeClusters", {}, MAIN_KEY, REGION, tamper=b'{"clusters":["x"]}')
    assert (status, answer["__type"]) == (403, "InvalidSignatureException")


async def test_a_session_token_is_unrecognized(api: ApiServer) -> None:
    client = Ecs(boto3_ecs(api.url, MAIN_KEY, session_token="a-session-token"))  # as if from aws sts
    with pytest.raises(ClientError) as caught:
        await client.list_clusters()
    assert error_of(caught.value)[:2] == (403, "UnrecognizedClientException")


@pytest.mark.parametrize(
    "header",
    [
        "AWS AKIDEXAMPLE:signature",  # Signature Version 2
        f"AWS4-HMAC-SHA256 Credential={MAIN_KEY.access_key_id}/20250101/{REGION}/ecs/aws4_request",  # no signature
    ],
)
async def test_a_malformed_authorization_header_is_incomplete(api: ApiServer, header: str) -> None:
    status, answer = await post(api.url, "ListClusters", {}, None, REGION, extra={"Authorization": header})
    assert (status, answer["__type"]) == (400, "IncompleteSignatureException")


@contextlib.asynccontextmanager
async def skewed(backend: Backend, skew: datetime.timedelta) -> AsyncIterator[ApiServer]:
    """A server whose clock is off by ``skew``, so that boto3's fresh signature looks that old (or new)."""
    server = await start_api_server(
        backend.connection, config=api_config(), keys=StaticKeys([MAIN_KEY]), clock=lambda: utc_now() + skew
    )
    try:
        yield server
    finally:
        await server.stop()


async def test_a_request_older_than_15_minutes_has_expired(kmock_backend: Backend) -> None:
    async with skewed(kmock_backend, datetime.timedelta(minutes=16)) as server:
        status, code, message = await refusal(server, MAIN_KEY)
    assert (status, code) == (403, "InvalidSignatureException")
    assert message.startswith("Signature expired:")


async def test_a_request_from_more_than_15_minutes_ahead_is_not_yet_current(kmock_backend: Backend) -> None:
    async with skewed(kmock_backend, -datetime.timedelta(minutes=16)) as server:
        status, code, message = await refusal(server, MAIN_KEY)
    assert (status, code) == (403, "InvalidSignatureException")
    assert message.startswith("Signature not yet current:")


async def test_a_request_14_minutes_old_is_still_accepted(kmock_backend: Backend) -> None:
    async with skewed(kmock_backend, datetime.timedelta(minutes=14)) as server:
        answer = await Ecs(boto3_ecs(server.url, MAIN_KEY)).list_clusters()
    assert answer["clusterArns"] == []


async def test_a_signature_for_another_service_is_refused(api: ApiServer) -> None:
    import aiohttp
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        method="POST",
        url=api.url,
        data=b"{}",
        headers={"X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters"},
    )
    SigV4Auth(Credentials(MAIN_KEY.access_key_id, MAIN_KEY.secret_access_key), "s3", REGION).add_auth(request)
    headers = dict(request.headers)
    async with aiohttp.ClientSession() as session, session.post(api.url, data=b"{}", headers=headers) as response:
        answer = await response.json(content_type=None)
    assert (response.status, answer["__type"]) == (403, "InvalidSignatureException")
    assert "'ecs'" in answer["message"]


def secret_of(key: AccessKey, namespace: str = "ecs-system") -> dict[str, Any]:
    """The Secret as the API server stores it (stringData becomes base64 data)."""
    secret = access_key_secret(key, namespace)
    data = {k: base64.b64encode(v.encode()).decode() for k, v in secret.pop("stringData").items()}
    return {**secret, "data": data}


def test_a_secret_holds_the_key_and_its_namespaces() -> None:
    key = new_access_key(["team-a", "team-b"], "deployer")
    parsed = key_from_secret(secret_of(key))
    assert parsed == key
    assert parsed.home == "team-a"
    assert key.access_key_id.startswith("ECSO") and len(key.access_key_id) == 20


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"accessKeyId": "lower-case", "secretAccessKey": "s", "namespaces": "a"}, "accessKeyId"),
        ({"accessKeyId": "ECSOAAAAAAAAAAAAAAAA", "secretAccessKey": "", "namespaces": "a"}, "secretAccessKey"),
        ({"accessKeyId": "ECSOAAAAAAAAAAAAAAAA", "secretAccessKey": "s", "namespaces": ""}, "no namespace"),
        ({"accessKeyId": "ECSOAAAAAAAAAAAAAAAA", "secretAccessKey": "s", "namespaces": "Team_A"}, "Team_A"),
    ],
)
def test_a_secret_that_is_not_a_usable_key_says_why(data: dict[str, str], words: str) -> None:
    encoded = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    with pytest.raises(ValueError, match=words):
        key_from_secret({"metadata": {"name": "bad"}, "data": encoded})


async def test_keys_are_read_from_labelled_secrets_and_a_deleted_one_stops_working(kmock_backend: Backend) -> None:
    """The default key source: Secrets labelled ecs.compat.dev/access-key in the credentials namespace."""
    assert kmock_backend.cluster is not None
    good = new_access_key(["default"], "deployer")
    await kmock_backend.kubectl.create(secret_of(good))
    broken = secret_of(new_access_key(["default"], "broken"))
    broken["data"]["namespaces"] = base64.b64encode(b"Not A Namespace").decode()
    await kmock_backend.kubectl.create(broken)
    hidden = new_access_key(["default"], "unlabelled")
    unlabelled = secret_of(hidden)
    del unlabelled["metadata"]["labels"][SECRET_LABEL]
    await kmock_backend.kubectl.create(unlabelled)
    server = await start_api_server(kmock_backend.connection, config=api_config(credentials_namespace="ecs-system"))
    try:
        assert (await Ecs(boto3_ecs(server.url, good)).list_clusters())["clusterArns"] == []
        assert (await refusal(server, hidden))[1] == "UnrecognizedClientException"
        assert (await refusal(server, OTHER_KEY))[1] == "UnrecognizedClientException"
        await kmock_backend.kubectl.delete("Secret", "ecs-system", good.name)
        server.endpoint.keys.ttl = 0.0  # type: ignore[attr-defined]  # (10 s in production)
        assert (await refusal(server, good))[1] == "UnrecognizedClientException"
    finally:
        await server.stop()
