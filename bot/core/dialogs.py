"""Dialog trees from YAML: one flow per file, nodes addressed as "flow/node". Loading keeps line numbers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NODE_TYPES = {"message", "menu", "ask", "consent", "handoff", "hours", "goto", "end", "subscribe"}
ASK_KINDS = {"choice", "phone", "district", "text"}
TEXT_KEYS = ("text", "text_without_buttons", "label", "hint")  # what the babel extractor collects


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    node: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} {self.node}: {self.message}"


@dataclass(frozen=True)
class Option:
    label: str
    goto: str | None = None
    value: str | None = None
    set: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class Node:
    id: str  # flow/node
    type: str
    file: str
    line: int
    text: str | None = None
    text_without_buttons: str | None = None  # the text where the platform shows no buttons (Matrix), if it differs
    options: tuple[Option, ...] = ()
    next: str | None = None
    slot: str | None = None
    kind: str | None = None
    hint: str | None = None
    max_length: int = 0
    optional: bool = False
    skip_if_set: bool = False
    accept: str | None = None
    decline: str | None = None
    purpose: str | None = None
    consent_id: str | None = None
    consent_version: int = 0
    unknown: str | None = None  # a district question: where "I don't know" leads (else on to next)

    def targets(self) -> list[str]:
        found = [t for t in (self.next, self.accept, self.decline, self.unknown) if t]
        found += [o.goto for o in self.options if o.goto]
        return found


@dataclass(frozen=True)
class Flow:
    id: str
    version: int
    start: str
    file: str
    nodes: dict[str, Node]


@dataclass(frozen=True)
class Content:
    flows: dict[str, Flow]
    version: str
    value_labels: dict[str, str] = field(default_factory=dict)  # "slot:value" -> German label

    def node(self, qid: str | None) -> Node | None:
        if not qid or "/" not in qid:
            return None
        flow_id, _ = qid.split("/", 1)
        flow = self.flows.get(flow_id)
        return flow.nodes.get(qid) if flow else None

    def start_of(self, flow_id: str) -> str:
        return self.flows[flow_id].start

    def all_nodes(self) -> list[Node]:
        return [n for f in self.flows.values() for n in f.nodes.values()]


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping as the key __line__."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LineLoader)


def _qualify(flow_id: str, target: Any) -> str | None:
    if target is None:
        return None
    text = str(target)
    if ":" in text:
        other, node = text.split(":", 1)
        return f"{other}/{node}"
    return f"{flow_id}/{text}"


def parse_flow(raw: Any, file: str, problems: list[Problem]) -> Flow | None:
    """Build a Flow from parsed YAML, reporting schema problems instead of raising."""
    if not isinstance(raw, dict) or not isinstance(raw.get("nodes"), dict):
        problems.append(Problem(file, 1, "-", "a flow needs id, version, start and nodes"))
        return None
    flow_id = str(raw.get("id") or "")
    line = int(raw.get("__line__", 1))
    for key in ("id", "version", "start"):
        if key not in raw:
            problems.append(Problem(file, line, flow_id or "-", f"missing '{key}'"))
    if not flow_id:
        return None
    nodes: dict[str, Node] = {}
    for name, spec in raw["nodes"].items():
        if name == "__line__":
            continue
        qid = f"{flow_id}/{name}"
        node = _parse_node(flow_id, qid, spec, file, problems)
        if node is not None:
            nodes[qid] = node
    version = raw.get("version", 0)
    return Flow(flow_id, int(version) if str(version).isdigit() else 0, f"{flow_id}/{raw.get('start')}", file, nodes)


def _parse_node(flow_id: str, qid: str, spec: Any, file: str, problems: list[Problem]) -> Node | None:
    if not isinstance(spec, dict):
        problems.append(Problem(file, 1, qid, "a node must be a mapping"))
        return None
    line = int(spec.get("__line__", 1))
    ntype = spec.get("type")
    if ntype not in NODE_TYPES:
        problems.append(Problem(file, line, qid, f"unknown node type {ntype!r}"))
        return None
    options = tuple(
        Option(
            label=str(o.get("label", "")),
            goto=_qualify(flow_id, o.get("goto")),
            value=None if o.get("value") is None else str(o["value"]),
            set={k: str(v) for k, v in (o.get("set") or {}).items() if k != "__line__"},
            line=int(o.get("__line__", line)),
        )
        for o in spec.get("options") or []
        if isinstance(o, dict)
    )
    return Node(
        id=qid,
        type=ntype,
        file=file,
        line=line,
        text=spec.get("text"),
        text_without_buttons=spec.get("text_without_buttons"),
        options=options,
        next=_qualify(flow_id, spec.get("next") if ntype != "goto" else spec.get("target")),
        slot=spec.get("slot"),
        kind=spec.get("kind"),
        hint=spec.get("hint"),
        max_length=int(spec.get("max_length", 0)),
        optional=bool(spec.get("optional", False)),
        skip_if_set=bool(spec.get("skip_if_set", False)),
        accept=_qualify(flow_id, spec.get("accept")),
        decline=_qualify(flow_id, spec.get("decline")),
        purpose=spec.get("purpose"),
        consent_id=spec.get("consent_id"),
        consent_version=int(spec.get("consent_version", 0)),
        unknown=_qualify(flow_id, spec.get("unknown")),
    )


def load_content(flows_dir: Path) -> tuple[Content, list[Problem]]:
    """Load every flow file; schema problems are returned, not raised, so `check` can list them all."""
    problems: list[Problem] = []
    flows: dict[str, Flow] = {}
    digest = hashlib.sha256()
    for path in sorted(flows_dir.glob("*.yaml")):
        digest.update(path.read_bytes())
        try:
            raw = read_yaml(path)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(Problem(str(path), mark.line + 1 if mark else 1, "-", f"YAML error: {exc}"))
            continue
        flow = parse_flow(raw, str(path), problems)
        if flow is not None:
            if flow.id in flows:
                problems.append(Problem(str(path), 1, flow.id, "duplicate flow id"))
            flows[flow.id] = flow
    return Content(flows, digest.hexdigest()[:16], _value_labels(flows)), problems


def _value_labels(flows: dict[str, Flow]) -> dict[str, str]:
    """Label of each choice value and each `set` value, so a summary can show "Geld" instead of "money"."""
    labels: dict[str, str] = {}
    for flow in flows.values():
        for node in flow.nodes.values():
            for option in node.options:
                if node.slot and option.value is not None:
                    labels.setdefault(f"{node.slot}:{option.value}", option.label)
                for key, value in option.set.items():
                    labels.setdefault(f"{key}:{value}", option.label)
    return labels
