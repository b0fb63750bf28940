"""What the operator reports, as pure functions: conditions, and the ECS state machines of services (deployments,
rollout states, events) and tasks (DescribeTasks from Pods).

``(previous status, what the children report) -> (status, ECS events)``: no API call, no Kopf, so each state
and transition is unit-tested without an API server. The handlers read the children and write the result.
"""
