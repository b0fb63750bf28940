"""The ECS API's settings: the account and region its ARNs carry, where access keys live, how long to wait."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "000000000000"


@dataclass(frozen=True)
class ApiConfig:
    """Read from the operator's own environment variables, so that the API's ARNs and the status's agree."""

    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID
    credentials_namespace: str = "ecs-system"  # where the access-key Secrets are
    # How long a call that needs the operator's answer (the revision RegisterTaskDefinition registered, the
    # task ARNs RunTask started) waits for its reconcile before saying so.
    operator_wait_seconds: float = 30.0
    poll_seconds: float = 0.1
    strict_output: bool = False  # tests: output that the model's shape lacks is an error, not left out

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **overrides: object) -> ApiConfig:
        """ECS_OPERATOR_REGION (or AWS_REGION, AWS_DEFAULT_REGION), ECS_OPERATOR_ACCOUNT_ID,
        ECS_OPERATOR_API_CREDENTIALS_NAMESPACE (default: POD_NAMESPACE, the pod's own namespace, ecs-system)."""
        values: dict[str, object] = {
            "region": environ.get("ECS_OPERATOR_REGION")
            or environ.get("AWS_REGION")
            or environ.get("AWS_DEFAULT_REGION")
            or DEFAULT_REGION,
            "account_id": environ.get("ECS_OPERATOR_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID,
            "credentials_namespace": environ.get("ECS_OPERATOR_API_CREDENTIALS_NAMESPACE")
            or environ.get("POD_NAMESPACE")
            or pod_namespace(),
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)  # type: ignore[arg-type]


def pod_namespace(path: str = "/var/run/secrets/kubernetes.io/serviceaccount/namespace") -> str:
    """The namespace this pod runs in (where manifests/ puts the access-key Secrets); ecs-system elsewhere."""
    try:
        with open(path, encoding="utf-8") as file:
            return file.read().strip() or "ecs-system"
    except OSError:
        return "ecs-system"
