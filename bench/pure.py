"""The pure core: parsing, translation, offline render and CRD generation. No cluster, no I/O while timed."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.measure import Figure, repeat
from bench.workload import service_spec, task_definition_spec
from ecs_operator.loading.render import render_documents
from ecs_operator.loading.sources import Source, read_sources
from ecs_operator.models.crds import all_crds
from ecs_operator.models.service import ECSServiceSpec
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import ClusterContext, Meta, TaskDefinitionRevision
from ecs_operator.translate.service import render_service
from ecs_operator.translate.taskdefinition import render_task_definition

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@dataclass(frozen=True)
class Budget:
    """How long each figure may take, and its bounds on the number of runs."""

    seconds: float
    min_runs: int
    max_runs: int


def _figure(
    name: str,
    meaning: str,
    call: Callable[[], object],
    budget: Budget,
    items_per_call: int = 1,
    rate_unit: str = "calls/s",
) -> Figure:
    seconds, per_run = repeat(call, budget.seconds, budget.min_runs, budget.max_runs)
    return Figure(name, meaning, seconds, per_run, items_per_call, rate_unit)


def example_sources() -> list[list[Source]]:
    """Each example's custom resources (its <name>.yaml), read and parsed once, before any timing."""
    files = sorted(EXAMPLES.glob("*/*.yaml"))
    if not files:
        raise SystemExit(f"no examples found under {EXAMPLES}")
    return [read_sources([str(path)], io.StringIO()) for path in files]


def pure_figures(budget: Budget) -> list[Figure]:
    raw_td = task_definition_spec()
    td_spec = TaskDefinitionSpec.model_validate(raw_td)
    service = ECSServiceSpec.model_validate(service_spec())
    revision = TaskDefinitionRevision("checkout", 1, td_spec, namespace="default")
    td_meta, service_meta = Meta("TaskDefinition", "checkout"), Meta("ECSService", "checkout")
    containers = len(raw_td["containerDefinitions"])
    examples = example_sources()
    objects = sum(len(render_documents(sources)[0]) for sources in examples)

    def render_examples() -> None:
        for sources in examples:
            render_documents(sources)

    return [
        _figure(
            "parse TaskDefinitionSpec",
            f"TaskDefinitionSpec.model_validate of a {containers}-container Fargate task definition (dict in)",
            lambda: TaskDefinitionSpec.model_validate(raw_td),
            budget,
            rate_unit="task definitions/s",
        ),
        _figure(
            "translate task definition",
            "render_task_definition: that task definition -> PodTemplate + ServiceAccount, with warnings",
            lambda: render_task_definition(revision, td_meta),
            budget,
        ),
        _figure(
            "translate service",
            "render_service: an ALB REPLICA service of it -> Deployment, PDB, Service, Ingress, ServiceAccount",
            lambda: render_service(service, service_meta, revision, ClusterContext(), []),
            budget,
        ),
        _figure(
            "render all examples",
            f"loading.render_documents of every examples/*/<name>.yaml ({len(examples)} inputs, {objects} objects)",
            render_examples,
            budget,
            items_per_call=objects,
            rate_unit="objects/s",
        ),
        _figure(
            "generate CRDs",
            "models.crds.all_crds: the five CustomResourceDefinitions from the pydantic models",
            all_crds,
            budget,
        ),
    ]
