"""ECS ARNs with the configured region and account: made for output, parsed from input.

``arn:aws:ecs:REGION:ACCOUNT:cluster/NAME``, ``service/CLUSTER/NAME``, ``task/CLUSTER/ID``,
``task-definition/FAMILY:REVISION``, ``container-instance/CLUSTER/ID``, ``capacity-provider/NAME``,
``service-deployment/CLUSTER/SERVICE/ID``, ``service-revision/CLUSTER/SERVICE/ID``. An ARN of another account is
refused (``AccessDeniedException``): this endpoint is one account.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecs_operator.api.errors import EcsError


@dataclass(frozen=True)
class Arns:
    region: str
    account_id: str

    def make(self, resource: str) -> str:
        return f"arn:aws:ecs:{self.region}:{self.account_id}:{resource}"

    def cluster(self, name: str) -> str:
        return self.make(f"cluster/{name}")

    def service(self, cluster: str, name: str) -> str:
        return self.make(f"service/{cluster}/{name}")

    def task(self, cluster: str, task_id: str) -> str:
        return self.make(f"task/{cluster}/{task_id}")

    def task_definition(self, family: str, revision: int) -> str:
        return self.make(f"task-definition/{family}:{revision}")

    def container_instance(self, cluster: str, instance_id: str) -> str:
        return self.make(f"container-instance/{cluster}/{instance_id}")

    def capacity_provider(self, name: str) -> str:
        return self.make(f"capacity-provider/{name}")

    def service_deployment(self, cluster: str, service: str, deployment_id: str) -> str:
        return self.make(f"service-deployment/{cluster}/{service}/{deployment_id.removeprefix('ecs-svc/')}")

    def service_revision(self, cluster: str, service: str, revision_id: str) -> str:
        return self.make(f"service-revision/{cluster}/{service}/{revision_id}")

    def parse(self, value: str, operation: str = "") -> tuple[str, list[str]] | None:
        """(resource type, path parts) of an ECS ARN; None when ``value`` is not an ARN (a plain name or ID).

        Another account's ARN is AccessDeniedException; another region's, or a malformed ARN,
        InvalidParameterException."""
        if not value.startswith("arn:"):
            return None
        parts = value.split(":", 5)
        if len(parts) != 6 or parts[2] != "ecs" or "/" not in parts[5]:
            raise EcsError("InvalidParameterException", f"{value!r} is not an ECS ARN")
        _, _, _, region, account, resource = parts
        if account != self.account_id:
            action = f"ecs:{operation}" if operation else "this action"
            raise EcsError(
                "AccessDeniedException",
                f"User is not authorized to perform: {action} on resource: {value} (this endpoint is account "
                f"{self.account_id})",
            )
        if region != self.region:
            raise EcsError(
                "InvalidParameterException", f"{value!r} is in region {region}; this endpoint is {self.region}"
            )
        kind, _, path = resource.partition("/")
        return kind, path.split("/")

    def name_in(self, value: str, kind: str, operation: str = "") -> list[str]:
        """The path parts of an ARN of ``kind``, or ``[value]`` for a plain name or ID."""
        parsed = self.parse(value, operation)
        if parsed is None:
            return [value]
        found, path = parsed
        if found != kind:
            raise EcsError("InvalidParameterException", f"{value!r} is not a {kind} ARN")
        return path
