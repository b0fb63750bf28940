"""`ecs-operator import --from-aws` against moto's server mode: a real HTTP endpoint on loopback holding a cluster
with services, task definitions, security groups and Application Auto Scaling; only Describe and List calls."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from ecs_operator.loading.commands import import_command
from ecs_operator.loading.from_aws import Aws, AwsTarget, NotReadOnly, fetch, import_from_aws

moto_server = pytest.importorskip("moto.moto_server.threaded_moto_server", reason="moto[server] is a test dependency")
REGION = "eu-west-1"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def aws_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Credentials of no one (moto takes any), and no ~/.aws of the machine's user."""
    home = tmp_path_factory.mktemp("aws")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_CONFIG_FILE", str(home / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
        yield


def client(moto_url: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=moto_url, region_name=REGION)


@pytest.fixture(scope="module")
def cluster(moto_url: str, aws_env: None) -> dict[str, str]:
    """A cluster "prod" in moto: two services (one scaled by Application Auto Scaling), their task definitions,
    the security group the web service names and the database group its rules name."""
    ec2, ecs, scaling = (client(moto_url, s) for s in ("ec2", "ecs", "application-autoscaling"))
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    database = ec2.create_security_group(GroupName="database", Description="db", VpcId=vpc)["GroupId"]
    web = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}],
    )
    ec2.authorize_security_group_egress(
        GroupId=web,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": database}]}
        ],
    )
    ecs.create_cluster(clusterName="prod", tags=[{"key": "team", "value": "shop"}])
    ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "app", "image": "nginx:1.27", "essential": True, "portMappings": [{"containerPort": 80}]}
        ],
    )
    ecs.register_task_definition(
        family="worker",
        containerDefinitions=[{"name": "job", "image": "busybox:1.36", "essential": True, "memory": 128}],
    )
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [web]}},
    )
    ecs.create_service(cluster="prod", serviceName="worker", taskDefinition="worker", desiredCount=1)
    scaling.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/prod/web",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=2,
        MaxCapacity=10,
    )
    scaling.put_scaling_policy(
        PolicyName="cpu60",
        ServiceNamespace="ecs",
        ResourceId="service/prod/web",
        ScalableDimension="ecs:service:DesiredCount",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 60.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        },
    )
    return {"web": web, "database": database}


def imported(
    moto_url: str, name: str = "prod", namespace: str | None = "shop"
) -> tuple[int, list[dict[str, Any]], str]:
    out, err = io.StringIO(), io.StringIO()
    code = import_from_aws(AwsTarget(name, REGION, None, moto_url), namespace, out, err)
    return code, [doc for doc in yaml.safe_load_all(out.getvalue()) if doc], err.getvalue()


def test_the_cluster_its_services_task_definitions_security_groups_and_scaling_become_resources(
    moto_url: str, cluster: dict[str, str]
) -> None:
    code, resources, notes = imported(moto_url)
    assert code == 0, notes
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        assert resource["metadata"]["namespace"] == "shop"
        by_kind.setdefault(resource["kind"], []).append(resource)
    assert [r["spec"]["clusterName"] for r in by_kind["ECSCluster"]] == ["prod"]
    assert by_kind["ECSCluster"][0]["spec"]["tags"] == [{"key": "team", "value": "shop"}]
    assert sorted(r["spec"]["GroupId"] for r in by_kind["SecurityGroup"]) == sorted(cluster.values())
    assert sorted(r["spec"]["family"] for r in by_kind["TaskDefinition"]) == ["web", "worker"]
    services = {r["spec"]["serviceName"]: r["spec"] for r in by_kind["ECSService"]}
    assert services["web"]["cluster"] == "prod"
    assert services["web"]["taskDefinition"] == "web"  # revisions start anew on the cluster (a note says so)
    assert services["web"]["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] == [cluster["web"]]
    scaling = services["web"]["autoScaling"]
    assert (scaling["scalableTarget"]["MinCapacity"], scaling["scalableTarget"]["MaxCapacity"]) == (2, 10)
    assert scaling["scalingPolicies"][0]["PolicyName"] == "cpu60"
    assert "autoScaling" not in services["worker"]
    assert "import: aws ecs describe-services" in notes  # what was dropped or rewritten, with where it came from


def test_it_is_what_import_makes_of_the_same_json_files(moto_url: str, cluster: dict[str, str], tmp_path: Path) -> None:
    sources = fetch(Aws(AwsTarget("prod", REGION, None, moto_url)), "prod")
    files = []
    for index, source in enumerate(sources):
        path = tmp_path / f"{index:02d}.json"
        path.write_text(json.dumps(source.data))
        files.append(str(path))
    out, err = io.StringIO(), io.StringIO()
    assert import_command(files, "shop", io.StringIO(), out, err) == 0, err.getvalue()  # the same defaults
    code, resources, _ = imported(moto_url)
    assert code == 0
    assert resources == [doc for doc in yaml.safe_load_all(out.getvalue()) if doc]


def test_it_only_describes_and_lists(moto_url: str, cluster: dict[str, str]) -> None:
    aws = Aws(AwsTarget("prod", REGION, None, moto_url))
    called: list[str] = []
    for service in (aws.ecs, aws.ec2, aws.scaling):
        service.meta.events.register("before-call", lambda model, **_: called.append(model.name))
    fetch(aws, "prod")
    assert called and all(name.startswith(("Describe", "List")) for name in called), called
    assert {"DescribeClusters", "ListServices", "DescribeServices", "DescribeTaskDefinition", "DescribeSecurityGroups",
            "DescribeScalableTargets", "DescribeScalingPolicies"} <= set(called)  # fmt: skip
    with pytest.raises(NotReadOnly, match="DeleteCluster"):
        aws.ecs.delete_cluster(cluster="prod")
    assert client(moto_url, "ecs").describe_clusters(clusters=["prod"])["clusters"][0]["status"] == "ACTIVE"


def test_a_missing_cluster_or_profile_is_an_error_message(moto_url: str, cluster: dict[str, str]) -> None:
    code, resources, notes = imported(moto_url, "nope")
    assert (code, resources) == (1, [])
    assert "no such cluster" in notes
    err = io.StringIO()
    assert import_from_aws(AwsTarget("prod", REGION, "no-such-profile", moto_url), None, io.StringIO(), err) == 1
    assert "no-such-profile" in err.getvalue()
