"""The wire protocol: every operation of botocore's model answers; bad requests get ECS errors, never a 500."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.model import Shape

from ecs_operator.api import operations, protocol
from ecs_operator.api.server import ApiServer
from tests.api.conftest import MAIN_KEY, REGION, Ecs
from tests.api.signing import post

MODEL = protocol.service_model()


def minimal(shape: Shape) -> Any:
    """The smallest input the shape accepts: required members only, shortest lists, first enum values."""
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("union"):  # exactly one member
            first = next(iter(shape.members))
            return {first: minimal(shape.members[first])}
        return {name: minimal(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [minimal(shape.member) for _ in range(int(shape.metadata.get("min", 0)))]
    if kind == "map":
        return {}
    if kind == "string":
        return shape.enum[0] if shape.enum else "x" * max(int(shape.metadata.get("min", 1)), 1)
    if kind in ("integer", "long"):
        return int(shape.metadata.get("min", 1))
    if kind in ("double", "float"):
        return float(shape.metadata.get("min", 1))
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    return b"x"


def test_the_tables_name_only_operations_of_the_model() -> None:
    names = set(MODEL.operation_names)
    assert set(operations.IMPLEMENTED) <= names
    assert set(operations.NOT_SUPPORTED) <= names
    assert not set(operations.IMPLEMENTED) & set(operations.NOT_SUPPORTED)


async def test_every_operation_of_the_model_answers_with_a_result_or_one_of_its_errors(ecs: Ecs) -> None:
    """Called with its smallest valid input, each operation answers: its output, or an error its model lists
    (an unsupported one saying so), and never a 5xx."""
    assert len(MODEL.operation_names) >= 88
    outcomes: dict[str, str] = {}
    for name in MODEL.operation_names:
        operation = MODEL.operation_model(name)
        params = minimal(operation.input_shape) if operation.input_shape else {}
        try:
            await getattr(ecs, xform_name(name))(**params)
            outcomes[name] = "ok"
            assert name in operations.IMPLEMENTED, f"{name} answered but is not in IMPLEMENTED"
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            code, message = error.response["Error"]["Code"], error.response["Error"]["Message"]
            assert status < 500, f"{name}: {status} {code} {message}"
            assert code in {shape.name for shape in operation.error_shapes}, f"{name}: {code} is not in its model"
            assert message, name
            if name not in operations.IMPLEMENTED:
                assert code in ("UnsupportedFeatureException", "ClientException"), name
                assert f"{name} is not supported by ecs-operator: " in message
            outcomes[name] = code
    assert set(outcomes) == set(MODEL.operation_names)


def test_an_operation_newer_than_the_tables_is_refused_with_its_own_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(operations.NOT_SUPPORTED, "CreateGateway")
    error = operations.unsupported("CreateGateway")
    assert error.code == "UnsupportedFeatureException"
    assert "newer than this version of ecs-operator" in error.message
    assert operations.unsupported("DiscoverPollEndpoint").code == "ClientException"  # its model has no Unsupported


@pytest.mark.parametrize(
    ("operation", "body", "status", "code", "words"),
    [
        ("ListClusters", b"{not json", 400, "SerializationException", "not JSON"),
        ("ListClusters", b"[1, 2]", 400, "SerializationException", "JSON object"),
        ("NoSuchOperation", b"{}", 400, "UnknownOperationException", "NoSuchOperation"),
        (None, b"{}", 400, "UnknownOperationException", "X-Amz-Target"),
        ("DescribeClusters", {"clusters": "prod"}, 400, "InvalidParameterException", "clusters"),
        ("ListClusters", {"maxResults": "ten"}, 400, "InvalidParameterException", "maxResults"),
        ("CreateCluster", {"unknownMember": 1}, 400, "InvalidParameterException", "unknownMember"),
        ("DescribeClusters", {"include": ["EVERYTHING"]}, 400, "InvalidParameterException", "EVERYTHING"),
        ("ListClusters", {"maxResults": 1000}, 400, "InvalidParameterException", "maxResults"),
        (
            "TagResource",
            {"resourceArn": "arn:aws:ecs:x:1:cluster/a", "tags": [{"key": "k" * 129, "value": "v"}]},
            400,
            "InvalidParameterException",
            "at most 128 characters",
        ),
        ("CreateCluster", {"clusterName": "a b"}, 400, "InvalidParameterException", "clusterName"),
    ],
)
async def test_malformed_and_unknown_requests_get_ecs_errors(
    api: ApiServer, operation: str | None, body: Any, status: int, code: str, words: str
) -> None:
    got_status, answer = await post(api.url, operation, body, MAIN_KEY, REGION)
    assert (got_status, answer["__type"]) == (status, code), answer
    assert words in answer["message"]


async def test_an_oversized_request_is_refused_unread(api: ApiServer) -> None:
    status, answer = await post(api.url, "ListClusters", b" " * (2 * 1024 * 1024), MAIN_KEY, REGION)
    assert status == 413
    assert answer["__type"] == "ClientException"
    assert "exceeds" in answer["message"]


async def test_other_methods_and_paths_get_json_errors(api: ApiServer) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(api.url + "/") as response:
            assert response.status == 404
            assert (await response.json(content_type=None))["__type"] == "UnknownOperationException"
        async with session.get(api.url + "/healthz") as response:
            assert (response.status, await response.text()) == (200, "ok\n")


async def test_answers_carry_a_request_id_and_the_protocol_content_type(ecs: Ecs) -> None:
    answer = await ecs.list_clusters()
    assert answer["ResponseMetadata"]["HTTPHeaders"]["content-type"] == protocol.CONTENT_TYPE
    assert len(answer["ResponseMetadata"]["RequestId"]) == 36
