"""Where tasks run: ECS placement strategies and constraints -> pod spreading, pod (anti-)affinity, node affinity.

ECS places tasks on container instances whose attributes match a cluster query language expression; here
the instances are Kubernetes nodes and the attributes are node labels (``ATTRIBUTE_LABELS``, or the custom
attribute's own name). See docs/mapping-workloads.md for what each strategy becomes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from botocore.loaders import Loader

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
    spread_by: dict[str, str] = {}  # topology key -> the strategy that spreads over it
    for index, strategy in enumerate(strategies):
        path = f"placementStrategy[{index}]"
        more, strategy_warnings = strategy_fields(strategy, path, own_pods, resource)
        for spread in more.get("topologySpreadConstraints", []):
            key = spread["topologyKey"]
            if key in spread_by:
                message = (
                    f"spreads over {key} as {spread_by[key]} does: Kubernetes takes one spread per topology, so the "
                    "first (ECS's highest priority) is kept"
                )
                warnings.append(FieldWarning(resource, path, message))
                more = {**more, "topologySpreadConstraints": []}
            spread_by.setdefault(key, path)
        warnings += _add(fields, more, strategy_warnings)
    given = [(f"placementConstraints[{i}]", c.type, c.expression) for i, c in enumerate(constraints)]
    given += [
        (f"taskDefinition.placementConstraints[{i}]", c.type, c.expression)
        for i, c in enumerate(task_definition_constraints)
    ]
    for path, kind, expression in given:
        constraint, notes = constraint_fields(kind, expression, path, own_pods)
        merge_pod_fields(fields, constraint)
        warnings += [FieldWarning(resource, f"{path}.expression", note) for note in notes]
    return fields, warnings


# ECS spreads a service's tasks over Availability Zones unless its placementStrategy says otherwise.
DEFAULT_SERVICE_STRATEGY = PlacementStrategy(type="spread", field="attribute:ecs.availability-zone")


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


def _spread_key(field: str | None, path: str) -> str:  # an ECS attribute without a label: nodes labelled so
    if field is None:
        raise TranslationError(path, "spread needs a field: instanceId or attribute:<name>")
    if field in _HOST_FIELDS:
        return HOSTNAME_LABEL
    if field.startswith("attribute:"):
        return node_label(field.removeprefix("attribute:"), path)
    raise TranslationError(path, f"cannot spread on {field!r}: use instanceId or attribute:<name>")


def _pod_term(own_pods: dict[str, str]) -> JsonDict:
    return {"labelSelector": {"matchLabels": dict(own_pods)}, "topologyKey": HOSTNAME_LABEL}


def constraint_fields(
    kind: str | None, expression: str | None, path: str, own_pods: dict[str, str]
) -> tuple[JsonDict, list[str]]:
    """One placement constraint: distinctInstance -> anti-affinity per node, memberOf -> node affinity; and
    what differs from ECS (pattern matches expanded or approximated)."""
    if kind == "distinctInstance":
        if expression:
            raise TranslationError(f"{path}.expression", "distinctInstance takes no expression")
        anti = {"requiredDuringSchedulingIgnoredDuringExecution": [_pod_term(own_pods)]}
        return {"affinity": {"podAntiAffinity": anti}}, []
    if kind != "memberOf":
        raise TranslationError(f"{path}.type", "give a constraint type: distinctInstance or memberOf")
    if not expression:
        raise TranslationError(f"{path}.expression", "memberOf needs a cluster query language expression")
    terms, notes = expression_terms(expression, f"{path}.expression")
    if any(not term for term in terms):
        return {}, notes  # one alternative holds on every node (an empty term would match none)
    return {"affinity": {"nodeAffinity": _required(terms)}}, notes


def _required(terms: Terms) -> JsonDict:
    return {_REQUIRED: {"nodeSelectorTerms": [{"matchExpressions": term} for term in terms]}}


def node_label(attribute: str, path: str, notes: list[str] | None = None) -> str:
    """The node label that carries an ECS container instance attribute (ECS's own attributes that no well-known
    label carries, such as ecs.ami-id, are labels of that name the nodes must be given: noted)."""
    if attribute in ATTRIBUTE_LABELS:
        return ATTRIBUTE_LABELS[attribute]
    if attribute.startswith("ecs.") and notes is not None:
        notes.append(
            f"no Kubernetes node label stands for the ECS attribute {attribute}: it matches nodes you label "
            f"{attribute} yourself"
        )
    if not _LABEL_KEY.match(attribute):
        raise TranslationError(path, f"custom attribute {attribute!r} is not a valid Kubernetes label key")
    return attribute


def merge_pod_fields(spec: JsonDict, more: JsonDict) -> None:
    """Merge scheduling fields into a pod spec; node affinity terms are ANDed, everything else accumulates.

    Spread constraints are a list keyed by (topologyKey, whenUnsatisfiable), which Kubernetes refuses twice
    (422): the first one of a key is kept.
    """
    for key, value in more.items():
        if key == "topologySpreadConstraints":
            merged = [*spec.get(key, []), *value]
            keys = [(spread["topologyKey"], spread["whenUnsatisfiable"]) for spread in merged]
            spec[key] = [spread for index, spread in enumerate(merged) if keys.index(keys[index]) == index]
            if not spec[key]:
                del spec[key]
        elif key == "tolerations":
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
_REGEX_OPERATORS = ("=~", "matches", "!~", "not_matches")  # compared in lower case


@dataclass
class _Parser:
    tokens: list[str]
    path: str
    position: int = 0
    notes: list[str] = field(default_factory=list)  # what differs from ECS, said once per condition

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
    return expression_terms(expression, path)[0]


def expression_terms(expression: str, path: str) -> tuple[Terms, list[str]]:
    """``parse_expression``, and what the terms approximate (pattern matches) to be warned."""
    tokens = _TOKEN.findall(expression)
    if "".join(tokens) != "".join(expression.split()):
        raise TranslationError(path, f"cannot read the expression {expression!r}")
    parser = _Parser(tokens, path)
    terms = _or(parser)
    if parser.peek() is not None:
        raise parser.error(f"unexpected {parser.peek()!r}")
    return [_without_always(term) for term in terms], parser.notes


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
        return _left_out(subject, parser)
    key = node_label(subject.removeprefix("attribute:"), parser.path, parser.notes)
    word = parser.take()
    if word.lower() == "not" and (parser.peek() or "").lower() == "in":
        parser.take()
        word = "not_in"
    if word.lower() in _REGEX_OPERATORS:
        negated = word.lower() in ("!~", "not_matches")
        pattern = parser.take().strip("'\"")
        return _pattern_requirement(key, _regex(pattern, parser.path), pattern, negated, parser)
    operator = _OPERATORS.get(word.lower())
    if operator is None:
        raise parser.error(f"unknown operator {word!r}")
    if operator in ("exists", "!exists"):
        return {"key": key, "operator": "Exists" if operator == "exists" else "DoesNotExist"}
    raw = [value.strip("'\"") for value in _argument(parser)]
    if operator in ("==", "in", "!=", "not_in") and any("*" in value for value in raw):
        # A wildcard value (t2.*): a pattern, as =~ takes it.
        pattern = "|".join(re.escape(value).replace(r"\*", ".*") for value in raw)
        negated = operator in ("!=", "not_in")
        return _pattern_requirement(key, re.compile(pattern), ", ".join(raw), negated, parser)
    values = [_value(key, value, parser.path) for value in raw]
    return _requirement(key, operator, values, parser.path)


def _left_out(subject: str, parser: _Parser) -> Requirement:
    """A condition on what nodes do not carry (task:group, ec2InstanceId): read past, left out, noted."""
    word = parser.take()
    if word.lower() not in ("exists", "!exists"):
        _argument(parser)
    parser.notes.append(
        f"placement by {subject} has no node label to match: the condition is left out, so any node qualifies "
        "(for task:group, use distinctInstance or pod affinity; for an instance, a node label)"
    )
    return _ALWAYS


# Always true: a pattern match with no known values to expand, left out of its term (see _without_always).
_ALWAYS: Requirement = {}


def _without_always(term: list[Requirement]) -> list[Requirement]:
    kept = [requirement for requirement in term if requirement is not _ALWAYS]
    return kept


def _regex(pattern: str, path: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise TranslationError(
            path, f"{pattern!r} is not a regular expression ({error}); ECS refuses it too"
        ) from error


def _pattern_requirement(key: str, pattern: re.Pattern[str], shown: str, negated: bool, parser: _Parser) -> Requirement:
    """A pattern match (=~, !~, a wildcard) over a label: the known values it matches, or the label's presence.

    ECS matches the attribute values of its instances. Where the values are known (instance types from
    botocore's EC2 model, operating systems, architectures) the pattern becomes In / NotIn those values;
    elsewhere =~ requires the label to exist and !~ is left out, warned.
    """
    known = _known_values(key)
    if not known:
        parser.notes.append(
            f"{'!~' if negated else '=~'} {shown}: the values of {key} are not known here, so "
            + ("the condition is left out (any node)" if negated else f"any node with a {key} label matches")
        )
        return _ALWAYS if negated else {"key": key, "operator": "Exists"}
    matching = [kubernetes for ecs, kubernetes in known if pattern.fullmatch(ecs)]
    if not matching:
        if negated:
            return _ALWAYS
        raise TranslationError(
            parser.path,
            f"{shown} matches no known value of {key}: no node could run the tasks (ECS places none either)",
        )
    parser.notes.append(
        f"{'!~' if negated else '=~'} {shown} is expanded to the {len(matching)} values it matches "
        f"({_list(matching)}): nodes labelled with a newer value do not match"
    )
    return {"key": key, "operator": "NotIn" if negated else "In", "values": matching}


def _list(values: list[str]) -> str:
    return ", ".join(values) if len(values) <= 8 else ", ".join(values[:8]) + ", ..."


@cache
def _instance_types() -> tuple[str, ...]:
    """Every EC2 instance type botocore's EC2 model knows."""
    shapes = Loader().load_service_model("ec2", "service-2")["shapes"]
    return tuple(shapes["InstanceType"]["enum"])


def _known_values(key: str) -> list[tuple[str, str]]:
    """(ECS value, node label value) of the attributes whose values are known, else []."""
    if key == ATTRIBUTE_LABELS["ecs.instance-type"]:
        return [(value, value) for value in _instance_types()]
    if key == ATTRIBUTE_LABELS["ecs.os-type"]:
        return [("linux", "linux"), ("windows", "windows")]
    if key == ATTRIBUTE_LABELS["ecs.cpu-architecture"]:
        return [("x86_64", "amd64"), ("arm64", "arm64")]
    return []


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
