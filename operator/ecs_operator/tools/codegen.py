"""Generate ``models/ecs_api.py``: pydantic models of botocore's ECS request shapes.

The ECS service model that ships with botocore is the authoritative list of ECS fields, so the models are
generated from it rather than typed by hand: every member, enum, bound and required flag comes from there.
Hand-written cross-field validation lives in the models that subclass these (``models/*.py``).
"""

from __future__ import annotations

import html
import keyword
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore
from botocore.loaders import Loader

# The request shapes whose whole member tree the custom resources carry.
ECS_ROOTS = ("RegisterTaskDefinitionRequest", "CreateServiceRequest", "RunTaskRequest", "CreateClusterRequest")
# Service auto scaling is written in Application Auto Scaling's own shapes; security groups in EC2's.
AUTOSCALING_ROOTS = ("RegisterScalableTargetRequest", "PutScalingPolicyRequest")
EC2_ROOTS = ("SecurityGroup",)
_MODELS = Path(__file__).resolve().parent.parent / "models"
# (botocore service name, root shapes, generated module)
GENERATED = (
    ("ecs", ECS_ROOTS, _MODELS / "ecs_api.py"),
    ("application-autoscaling", AUTOSCALING_ROOTS, _MODELS / "autoscaling_api.py"),
    ("ec2", EC2_ROOTS, _MODELS / "ec2_api.py"),
)
_DOC_LIMIT = 300


def load_shapes(service: str = "ecs") -> dict[str, Any]:
    model: dict[str, Any] = Loader().load_service_model(service, "service-2")
    shapes: dict[str, Any] = model["shapes"]
    return shapes


def reachable_shapes(shapes: dict[str, Any], roots: tuple[str, ...] = ECS_ROOTS) -> list[str]:
    """Structure shapes reachable from ``roots``, dependencies first."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for child in _children(shapes[name]):
            visit(child)
        if shapes[name]["type"] == "structure":
            order.append(name)

    for root in roots:
        visit(root)
    return order


def _children(shape: dict[str, Any]) -> Iterator[str]:
    if shape["type"] == "structure":
        for member in shape["members"].values():
            yield member["shape"]
    elif shape["type"] == "list":
        yield shape["member"]["shape"]
    elif shape["type"] == "map":
        yield shape["key"]["shape"]
        yield shape["value"]["shape"]


def first_sentence(doc: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", doc or ""))
    text = " ".join(text.split())
    match = re.match(r"(.+?\.)(\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) > _DOC_LIMIT:
        sentence = sentence[: _DOC_LIMIT - 3].rstrip() + "..."
    return sentence


def class_name(shapes: dict[str, Any], name: str) -> str:
    """The Python class of a shape; PascalCase APIs have members named like shapes, which must not clash."""
    clashes = any(name in shape.get("members", ()) for shape in shapes.values() if shape["type"] == "structure")
    return f"{name}Shape" if clashes else name


def _annotation(shapes: dict[str, Any], name: str) -> str:
    shape = shapes[name]
    kind = shape["type"]
    if kind == "structure":
        return "JsonObject" if shape.get("document") else class_name(shapes, name)
    if kind == "string":
        if "enum" in shape:
            return "Literal[" + ", ".join(repr(value) for value in shape["enum"]) + "]"
        return _constrained("str", shape, "min_length", "max_length")
    if kind in ("integer", "long"):
        return _constrained("int", shape, "ge", "le")
    if kind in ("double", "float"):
        return _constrained("float", shape, "ge", "le")
    if kind == "boolean":
        return "bool"
    if kind == "timestamp":
        return "datetime"
    if kind == "list":
        inner = _annotation(shapes, shape["member"]["shape"])
        return _constrained(f"list[{inner}]", shape, "min_length", "max_length")
    if kind == "map":
        key = _annotation(shapes, shape["key"]["shape"])
        value = _annotation(shapes, shape["value"]["shape"])
        return f"dict[{key}, {value}]"
    raise ValueError(f"shape {name} has unsupported type {kind}")


def _constrained(base: str, shape: dict[str, Any], low: str, high: str) -> str:
    bounds = []
    if "min" in shape and shape["min"] != 0:
        bounds.append(f"{low}={shape['min']}")
    if "max" in shape and shape["max"] < 2**31 - 1:
        bounds.append(f"{high}={shape['max']}")
    if not bounds:
        return base
    return f"Annotated[{base}, Field({', '.join(bounds)})]"


def render_module(service: str, roots: tuple[str, ...]) -> str:
    shapes = load_shapes(service)
    lines = [
        f'"""{service} API shapes, generated from botocore {botocore.__version__}\'s {service} service model.',
        "",
        "Do not edit: run `make generate` (python -m ecs_operator.tools.codegen). Field names are the AWS API's",
        "own, so JSON from the AWS CLI loads as it is.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from datetime import datetime",
        "from typing import Annotated, Any, Literal",
        "",
        "from pydantic import Field",
        "",
        "from ecs_operator.models.base import EcsModel",
        "",
        "JsonObject = dict[str, Any]",
        f"BOTOCORE_VERSION = {botocore.__version__!r}",
    ]
    for name in reachable_shapes(shapes, roots):
        shape = shapes[name]
        if shape.get("document"):
            continue
        lines += ["", "", f"class {class_name(shapes, name)}(EcsModel):"]
        doc = first_sentence(shape.get("documentation", ""))
        lines.append(f"    {_docstring(doc or name)}")
        required = set(shape.get("required", ()))
        for member, spec in shape["members"].items():
            if keyword.iskeyword(member):
                raise ValueError(f"{name}.{member} is a Python keyword")
            annotation = _annotation(shapes, spec["shape"])
            description = first_sentence(spec.get("documentation", ""))
            field_args = [] if member in required else ["default=None"]
            if spec.get("deprecated") or shapes[spec["shape"]].get("deprecated"):
                description = f"Deprecated in ECS. {description}".strip()
            if description:
                field_args.append(f"description={description!r}")
            if member not in required:
                annotation = f"{annotation} | None"
            lines.append(f"    {member}: {annotation} = Field({', '.join(field_args)})")
    return "\n".join(lines) + "\n"


def _docstring(text: str) -> str:
    return '"""' + text.replace("\\", "\\\\").replace('"""', "'''") + '"""'


def main() -> None:
    for service, roots, target in GENERATED:
        target.write_text(render_module(service, roots))
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
