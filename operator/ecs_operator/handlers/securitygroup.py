"""SecurityGroup: one NetworkPolicy for the group's member pods (tasks that name it in awsvpcConfiguration)."""

from __future__ import annotations

import hashlib

from ecs_operator.handlers.children import Children
from ecs_operator.handlers.common import JsonDict, Runtime, meta_of, parse_spec
from ecs_operator.k8s import Api
from ecs_operator.models.securitygroup import SecurityGroupSpec
from ecs_operator.resolve.references import security_groups
from ecs_operator.status.conditions import Outcome
from ecs_operator.translate.context import SecurityGroupRef
from ecs_operator.translate.securitygroup import membership_label, render_security_group

KIND = "SecurityGroup"


def group_id(body: JsonDict) -> str:
    """The GroupId given in the spec, else a stable made-up one (``sg-`` and 17 hex digits, as EC2's)."""
    given = (body.get("spec") or {}).get("GroupId")
    if given:
        return str(given)
    meta = body["metadata"]
    seed = meta.get("uid") or f"{meta.get('namespace')}/{meta['name']}"
    return "sg-" + hashlib.sha256(seed.encode()).hexdigest()[:17]


async def reconcile_security_group(api: Api, body: JsonDict, runtime: Runtime) -> Outcome:
    meta = meta_of(body)
    group = SecurityGroupRef(meta.name, parse_spec(SecurityGroupSpec, body))
    model = runtime.model
    others = [other for other in security_groups(model.security_groups(meta.namespace)) if other.name != meta.name]
    rendered = render_security_group(group, meta, others)
    await Children(api, model, runtime.children, meta).sync(rendered.objects)
    pods = model.members(meta.namespace, membership_label(group))
    status = {"GroupId": group_id(body), "members": sum(1 for pod in pods if not pod.deleting)}
    return Outcome(
        status, reason="Enforced", message="NetworkPolicy applied", warnings=[str(w) for w in rendered.warnings]
    )
