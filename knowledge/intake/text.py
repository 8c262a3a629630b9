"""JSON and YAML through the guarded reader: size, nesting, value count, finite numbers.

JSON is parsed by pydantic-core's parser (no recursion of its own, `NaN` and `Infinity`
refused) and then measured. YAML is composed by a SafeLoader that counts every node as it
would be after expanding aliases, so an alias bomb is refused while it is being read and no
caller ever walks a shared structure exponentially; an alias to a node that is still open
(a self-reference) is refused as well.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import pydantic_core
import yaml
from pydantic import BaseModel, ValidationError

from knowledge.errors import InvalidInput, Problem
from knowledge.intake.limits import Deadline, ReadLimits, check_size, exceeded
from knowledge.validation import problems_from

M = TypeVar("M", bound=BaseModel)
BOM = b"\xef\xbb\xbf"


def _json_error(exc: ValueError, source: str, limits: ReadLimits) -> InvalidInput:
    text = str(exc)
    if "recursion limit" in text:
        return exceeded("max_depth", limits, source)
    return InvalidInput([Problem("", f"JSON tidak sah: {text}", f"invalid JSON: {text}")], source=source)


def check_tree(value: Any, limits: ReadLimits, source: str = "") -> None:
    """Refuse a parsed document that is too deep, too large or holds a number that is not finite."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    nodes = 0
    while stack:
        item, depth, path = stack.pop()
        nodes += 1
        if nodes > limits.max_nodes:
            raise exceeded("max_nodes", limits, source)
        if depth > limits.max_depth:
            raise exceeded("max_depth", limits, source, path)
        if isinstance(item, dict):
            stack.extend((v, depth + 1, f"{path}.{k}" if path else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            raise InvalidInput([Problem(path, "harus angka terhingga", "must be a finite number")], source=source)


def read_json(data: bytes, limits: ReadLimits, source: str = "") -> Any:
    """A JSON document as Python values."""
    check_size(data, limits, source)
    try:
        value = pydantic_core.from_json(data.removeprefix(BOM), allow_inf_nan=False)
    except ValueError as exc:
        raise _json_error(exc, source, limits) from None
    check_tree(value, limits, source)
    return value


def validate_json(model: type[M], data: bytes, limits: ReadLimits, source: str = "") -> M:
    """A JSON document validated straight into `model` (pydantic's parser; the model bounds the shape)."""
    check_size(data, limits, source)
    try:
        return model.model_validate_json(data.removeprefix(BOM))
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            if err["type"] == "json_invalid":
                raise _json_error(ValueError(err.get("ctx", {}).get("error", err["msg"])), source, limits) from None
        raise InvalidInput(problems_from(exc), source=source) from None


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader that counts nodes with aliases expanded, aliases, depth and time."""

    def __init__(self, text: str, limits: ReadLimits, source: str):
        super().__init__(text)
        self.limits, self.source = limits, source
        self.deadline = Deadline(limits, source)
        self.nodes = self.aliases = self.depth = self.deepest = 0
        self.open_anchors: set[str] = set()
        self.expanded: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, height) once composed

    def _grow(self, nodes: int, deepest: int) -> None:
        self.nodes += nodes
        self.deepest = max(self.deepest, deepest)
        if self.nodes > self.limits.max_nodes:
            raise exceeded("max_nodes", self.limits, self.source)
        if self.deepest > self.limits.max_depth:
            raise exceeded("max_depth", self.limits, self.source)

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        self.deadline.check()
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) and event.anchor is not None:
            if event.anchor in self.open_anchors:
                raise exceeded("yaml_self_reference", None, self.source, f"*{event.anchor}")
            self.aliases += 1
            if self.aliases > self.limits.max_yaml_aliases:
                raise exceeded("max_yaml_aliases", self.limits, self.source)
            nodes, height = self.expanded.get(event.anchor, (1, 0))
            self._grow(nodes, self.depth + 1 + height)
            return super().compose_node(parent, index)
        anchor = event.anchor
        self.depth += 1
        self._grow(1, self.depth)
        before_nodes, outer_deepest = self.nodes, self.deepest
        self.deepest = self.depth
        if anchor is not None:
            self.open_anchors.add(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if anchor is not None:
            self.open_anchors.discard(anchor)
            self.expanded[anchor] = (self.nodes - before_nodes + 1, self.deepest - self.depth - 1)
        self.deepest = max(outer_deepest, self.deepest)
        return node


def decode_text(data: bytes, source: str = "") -> str:
    try:
        return data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput([Problem(source, "berkas bukan teks UTF-8", "the file is not UTF-8 text")],
                           source=source) from None


def read_yaml(data: bytes, limits: ReadLimits, source: str = "") -> Any:
    """A YAML document as Python values (safe tags only, aliases bounded)."""
    check_size(data, limits, source)
    loader = _GuardedLoader(decode_text(data, source), limits, source)
    try:
        value = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"baris/line {mark.line + 1}" if mark else ""
        raise InvalidInput([Problem(where, "bukan JSON atau YAML yang sah", "not valid JSON or YAML")],
                           source=source) from None
    except RecursionError:
        raise exceeded("max_depth", limits, source) from None
    finally:
        loader.dispose()
    check_tree(value, limits, source)
    return value


def read_text_document(data: bytes, limits: ReadLimits, source: str = "") -> Any:
    """JSON or YAML (YAML is a superset of JSON, but JSON's own errors read better)."""
    stripped = data.removeprefix(BOM).lstrip()
    if stripped[:1] in (b"{", b"["):
        return read_json(data, limits, source)
    return read_yaml(data, limits, source)
