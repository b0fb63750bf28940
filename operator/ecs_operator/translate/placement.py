"""Where tasks run: ECS placement strategies and constraints -> pod spreading, pod (anti-)affinity, node affinity.

ECS places tasks on container instances whose attributes match a cluster query language expression; here
the instances are Kubernetes nodes and the attributes are node labels (``ATTRIBUTE_LABELS``, or the custom
attribute's own name). See docs/mapping-workloads.md for what each strategy becomes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ecs_operator.models.ecs_api import PlacementConstraint, PlacementStrategy, TaskDefinitionPlacementConstraint
from ecs_operator.translate.context import FieldWarning, JsonDict, TranslationError

ZONE_LABEL = "topology.kubernetes.io/zone"
HOSTNAME_LABEL = "kubernetes.io/hostname"
ATTRIBUTE_LABELS = {
    "ecs.availability-zone": ZONE_LABEL,
    "ecs.instance-type": "node.kubernetes.io/instance-type",
    "ecs.os-type": "kubernetes.io/os",
    "ecs.cpu-architecture": "kubernetes.io/arch",
}
# ECS and Kubernetes spell some attribute values differently.
_VALUE_SPELLINGS = {"kubernetes.io/arch": {"x86_64": "amd64"}}
_HOST_FIELDS = ("instanceId", "host")
_BINPACK_FIELDS = ("cpu", "memory")
_DNS_SUBDOMAIN = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_LABEL_KEY = re.compile(rf"^({_DNS_SUBDOMAIN}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{{0,61}}[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")

_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
Requirement = JsonDict  # a NodeSelectorRequirement
Terms = list[list[Requirement]]  # OR of ANDs, as nodeSelectorTerms are


def pod_placement(
    resource: str,
    own_pods: dict[str, str],
    strategies: Sequence[PlacementStrategy] = (),
    constraints: Sequence[PlacementConstraint] = (),
    task_definition_constraints: Sequence[TaskDefinitionPlacementConstraint] = (),
) -> tuple[JsonDict, list[FieldWarning]]:
    """Pod spec fields (affinity, topologySpreadConstraints) for the placement of the pods ``own_pods`` selects."""
    fields: JsonDict = {}
    warnings: list[FieldWarning] = []
    for index, strategy in enumerate(strategies):
        warnings += _add(fields, *strategy_fields(strategy, f"placementStrategy[{index}]", own_pods, resource))
    given = [(f"placementConstraints[{i}]", c.type, c.expression) for i, c in enumerate(constraints)]
    given += [
        (f"taskDefinition.placementConstraints[{i}]", c.type, c.expression)
        for i, c in enumerate(task_definition_constraints)
    ]
    for path, kind, expression in given:
        merge_pod_fields(fields, constraint_fields(kind, expression, path, own_pods))
    return fields, warnings


def _add(fields: JsonDict, more: JsonDict, warnings: list[FieldWarning]) -> list[FieldWarning]:
    merge_pod_fields(fields, more)
    return warnings


def strategy_fields(
    strategy: PlacementStrategy, path: str, own_pods: dict[str, str], resource: str
) -> tuple[JsonDict, list[FieldWarning]]:
    """One placement strategy: spread -> topology spread, binpack -> preferred co-location, random -> nothing."""
    if strategy.type == "random" or strategy.type is None:
        return {}, []  # the scheduler's default scoring already has no preference ECS would notice
    if strategy.type == "spread":
        key = _spread_key(strategy.field, f"{path}.field")
        spread = {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": "ScheduleAnyway",  # ECS spreads as a preference, never refuses to place
            "labelSelector": {"matchLabels": dict(own_pods)},
        }
        return {"topologySpreadConstraints": [spread]}, []
    if strategy.field not in _BINPACK_FIELDS:
        raise TranslationError(f"{path}.field", f"binpack takes cpu or memory, not {strategy.field!r}")
    affinity = {"weight": 100, "podAffinityTerm": _pod_term(own_pods)}
    warning = FieldWarning(
        resource,
        f"{path}.type",
        f"binpack({strategy.field}) is approximated by preferring nodes that already run this workload's pods; "
        "for real bin packing configure the scheduler's MostAllocated scoring",
    )
    return {"affinity": {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [affinity]}}}, [warning]


def _spread_key(field: str | None, path: str) -> str:
    if field is None:
        raise TranslationError(path, "spread needs a field: instanceId or attribute:<name>")
    if field in _HOST_FIELDS:
        return HOSTNAME_LABEL
    if field.startswith("attribute:"):
        return node_label(field.removeprefix("attribute:"), path)
    raise TranslationError(path, f"cannot spread on {field!r}: use instanceId or attribute:<name>")


def _pod_term(own_pods: dict[str, str]) -> JsonDict:
    return {"labelSelector": {"matchLabels": dict(own_pods)}, "topologyKey": HOSTNAME_LABEL}


def constraint_fields(kind: str | None, expression: str | None, path: str, own_pods: dict[str, str]) -> JsonDict:
    """One placement constraint: distinctInstance -> anti-affinity per node, memberOf -> node affinity."""
    if kind == "distinctInstance":
        if expression:
            raise TranslationError(f"{path}.expression", "distinctInstance takes no expression")
        anti = {"requiredDuringSchedulingIgnoredDuringExecution": [_pod_term(own_pods)]}
        return {"affinity": {"podAntiAffinity": anti}}
    if kind != "memberOf":
        raise TranslationError(f"{path}.type", "give a constraint type: distinctInstance or memberOf")
    if not expression:
        raise TranslationError(f"{path}.expression", "memberOf needs a cluster query language expression")
    terms = parse_expression(expression, f"{path}.expression")
    return {"affinity": {"nodeAffinity": _required(terms)}}


def _required(terms: Terms) -> JsonDict:
    return {_REQUIRED: {"nodeSelectorTerms": [{"matchExpressions": term} for term in terms]}}


def node_label(attribute: str, path: str) -> str:
    """The node label that carries an ECS container instance attribute."""
    if attribute in ATTRIBUTE_LABELS:
        return ATTRIBUTE_LABELS[attribute]
    if attribute.startswith("ecs."):
        raise TranslationError(
            path,
            f"no Kubernetes node label stands for the ECS attribute {attribute}; label the nodes yourself and "
            "use a custom attribute (attribute:<node label>) instead",
        )
    if not _LABEL_KEY.match(attribute):
        raise TranslationError(path, f"custom attribute {attribute!r} is not a valid Kubernetes label key")
    return attribute


def merge_pod_fields(spec: JsonDict, more: JsonDict) -> None:
    """Merge scheduling fields into a pod spec; node affinity terms are ANDed, everything else accumulates."""
    for key, value in more.items():
        if key in ("topologySpreadConstraints", "tolerations"):
            spec[key] = [*spec.get(key, []), *value]
        elif key == "nodeSelector":
            _merge_node_selector(spec.setdefault("nodeSelector", {}), value)
        elif key == "affinity":
            _merge_affinity(spec.setdefault("affinity", {}), value)
        else:
            raise ValueError(f"not a scheduling field: {key}")


def _merge_node_selector(selector: dict[str, str], more: dict[str, str]) -> None:
    for key, value in more.items():
        if selector.get(key, value) != value:
            raise TranslationError("placement", f"node label {key} is required to be both {selector[key]} and {value}")
        selector[key] = value


def _merge_affinity(affinity: JsonDict, more: JsonDict) -> None:
    for kind, rules in more.items():
        mine = affinity.setdefault(kind, {})
        for when, value in rules.items():
            if kind == "nodeAffinity" and when == _REQUIRED:
                terms = [term["matchExpressions"] for term in value["nodeSelectorTerms"]]
                if when in mine:
                    terms = _and([term["matchExpressions"] for term in mine[when]["nodeSelectorTerms"]], terms)
                mine[when] = _required(terms)[_REQUIRED]
            else:
                mine[when] = [*mine.get(when, []), *value]


def _and(left: Terms, right: Terms) -> Terms:
    return [[*a, *b] for a in left for b in right]


# --- the ECS cluster query language -----------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(\(|\)|\[|\]|,|==|!=|>=|<=|=~|!~|>|<|&&|\|\||!in\b|!exists\b|[^\s()\[\],=!<>~&|]+)")
_OPERATORS = {
    "==": "==",
    "equals": "==",
    "!=": "!=",
    "not_equals": "!=",
    "in": "in",
    "not_in": "not_in",
    "!in": "not_in",
    "exists": "exists",
    "!exists": "!exists",
    ">": ">",
    "greater_than": ">",
    ">=": ">=",
    "greater_than_equal": ">=",
    "<": "<",
    "less_than": "<",
    "<=": "<=",
    "less_than_equal": "<=",
}
_REGEX_OPERATORS = ("=~", "matches", "!~", "not_matches")


@dataclass
class _Parser:
    tokens: list[str]
    path: str
    position: int = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise self.error("the expression ends too early")
        self.position += 1
        return token

    def expect(self, token: str) -> None:
        if self.take() != token:
            raise self.error(f"expected {token!r}")

    def error(self, message: str) -> TranslationError:
        return TranslationError(self.path, f"{message} (near token {self.position + 1})")


def parse_expression(expression: str, path: str) -> Terms:
    """A cluster query language expression as node selector terms (OR of ANDed requirements)."""
    tokens = _TOKEN.findall(expression)
    if "".join(tokens) != "".join(expression.split()):
        raise TranslationError(path, f"cannot read the expression {expression!r}")
    parser = _Parser(tokens, path)
    terms = _or(parser)
    if parser.peek() is not None:
        raise parser.error(f"unexpected {parser.peek()!r}")
    return terms


def _or(parser: _Parser) -> Terms:
    terms = _and_expression(parser)
    while (parser.peek() or "").lower() in ("or", "||"):
        parser.take()
        terms = terms + _and_expression(parser)
    return terms


def _and_expression(parser: _Parser) -> Terms:
    terms = _factor(parser)
    while (parser.peek() or "").lower() in ("and", "&&"):
        parser.take()
        terms = _and(terms, _factor(parser))
    return terms


def _factor(parser: _Parser) -> Terms:
    if parser.peek() == "(":
        parser.take()
        terms = _or(parser)
        parser.expect(")")
        return terms
    return [[_condition(parser)]]


def _condition(parser: _Parser) -> Requirement:
    subject = parser.take()
    if not subject.startswith("attribute:"):
        raise TranslationError(
            parser.path,
            f"placement by {subject!r} has no Kubernetes equivalent; only attribute:<name> expressions translate "
            "(use distinctInstance or pod affinity instead of task:group)",
        )
    key = node_label(subject.removeprefix("attribute:"), parser.path)
    word = parser.take()
    if word.lower() == "not" and (parser.peek() or "").lower() == "in":
        parser.take()
        word = "not_in"
    if word in _REGEX_OPERATORS:
        raise TranslationError(
            parser.path, f"{word} (regular expression match) has no node affinity equivalent; list the values with in"
        )
    operator = _OPERATORS.get(word.lower())
    if operator is None:
        raise parser.error(f"unknown operator {word!r}")
    if operator in ("exists", "!exists"):
        return {"key": key, "operator": "Exists" if operator == "exists" else "DoesNotExist"}
    values = [_value(key, value, parser.path) for value in _argument(parser)]
    return _requirement(key, operator, values, parser.path)


def _argument(parser: _Parser) -> list[str]:
    if parser.peek() not in ("[", "("):
        return [parser.take()]
    closing = "]" if parser.take() == "[" else ")"
    values = [parser.take()]
    while parser.peek() == ",":
        parser.take()
        values.append(parser.take())
    parser.expect(closing)
    return values


def _value(key: str, value: str, path: str) -> str:
    value = value.strip("'\"")
    value = _VALUE_SPELLINGS.get(key, {}).get(value, value)
    if "*" in value:
        raise TranslationError(path, f"wildcard value {value!r} has no node affinity equivalent; list the values")
    if not _LABEL_VALUE.match(value):
        raise TranslationError(path, f"{value!r} is not a valid Kubernetes label value")
    return value


def _requirement(key: str, operator: str, values: list[str], path: str) -> Requirement:
    if operator in ("==", "in", "!=", "not_in"):
        if operator in ("==", "!=") and len(values) != 1:
            raise TranslationError(path, f"{operator} compares with one value; use in / not_in for a list")
        return {"key": key, "operator": "In" if operator in ("==", "in") else "NotIn", "values": values}
    if len(values) != 1 or not values[0].lstrip("-").isdigit():
        raise TranslationError(path, f"{operator} compares with one whole number in Kubernetes node affinity")
    number = int(values[0])
    # Node affinity knows only strict Gt / Lt on integers; >= n is > n-1.
    bound = {">": number, ">=": number - 1, "<": number, "<=": number + 1}[operator]
    return {"key": key, "operator": "Gt" if operator.startswith(">") else "Lt", "values": [str(bound)]}
