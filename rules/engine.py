"""The only door to durable-rules: register a compiled version once, check one fact, collect firings.

durable-rules 2.0.28 (a Rete engine with a C core) is used only in the ways measured safe
(see the team's notes); each hazard is handled here and has a regression test in
tests/rules/test_rules_engine_hazards.py:

- the Host's background dispatcher segfaults after out-of-order deletes: `_QuietHost`
  overrides `_run`, so no timer threads are started;
- the C core does not release the GIL and is not safe to share: one engine per process,
  one lock, one check at a time;
- rulesets cannot be re-registered and each leaks memory: a version is registered once,
  under its versioned name, and cached;
- live sessions are capped (1024) and the 32-bit fact identity hash can collide: a fresh
  `sid` per check, deleted after the check;
- a fact no rule matches raises `MessageNotHandledException`, and deleting its session
  segfaults: an anchor rule matches every proposal fact, so every asserted fact is handled;
- `id` and `sid` are the engine's own keys: facts carrying them are refused;
- numbers in exponent notation (`1e-05`, what `json.dumps` writes) are rejected by the C
  parser: facts and rulesets are serialised here in fixed point;
- a zero divisor in a C arithmetic expression kills the process: the compiler admits only
  non-zero constant divisors;
- exceptions inside actions are swallowed by durable's Python layer into the session state:
  the firing loop here drives the C core itself (`start_action_for_state`,
  `complete_and_start_action`), so an action's exception abandons the action, the session
  is deleted and the exception is raised as an EngineError; it is never swallowed;
- `$or` fires once per satisfied branch: the compiler makes branches mutually exclusive.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import durable_rules_engine
from durable import engine as durable_engine

from knowledge.errors import BerdayaError
from rules.condition import Arith, Name, Node, Num, Str
from rules.ir import Cmp, Conclusion, IAnd, IOr, IRNode, Unit

KIND_KEY = "t__"  # marks proposal facts ("p") and conclusion facts ("c")
TOKEN_KEY = "n__"
ANCHOR = "__anchor__"
RESERVED = ("id", "sid", KIND_KEY, TOKEN_KEY)
DECIMALS = 10
_json_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
_ARITH = {"+": "$add", "-": "$sub", "*": "$mul", "/": "$div"}


class EngineError(BerdayaError):
    """The rules engine refused a fact or failed while running a check."""


def normalise(value: Any) -> int | float | str:
    """The value as the engine sees it: booleans as 1/0, floats rounded to fixed point."""
    kind = type(value)
    if kind is int or kind is str:
        result: int | float | str = value
        return result
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EngineError(f"angka tidak terhingga/NaN tidak dapat diperiksa: {value}",
                              f"an infinite or NaN number cannot be checked: {value}")
        if value.is_integer() and abs(value) < 2**53:
            return float(int(value))
        return round(value, DECIMALS)  # the double nearest to the value rounded to DECIMALS places
    if isinstance(value, str):
        return value
    raise EngineError(f"nilai fakta harus angka, ya/tidak atau teks, bukan {type(value).__name__}",
                      f"a fact value must be a number, a yes/no or a text, not {type(value).__name__}")


def _fixed(value: float) -> str:
    if not math.isfinite(value):
        raise EngineError(f"angka tidak terhingga/NaN tidak dapat diperiksa: {value}",
                          f"an infinite or NaN number cannot be checked: {value}")
    text = f"{value:.{DECIMALS}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text  # keep "2.0": C divides "2" as an integer


def dumps(obj: Any) -> str:
    """JSON in fixed-point notation (never `1e-05`), booleans as 1/0."""
    if isinstance(obj, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + dumps(v) for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in obj) + "]"
    if isinstance(obj, bool):
        return "1" if obj else "0"
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, float):
        return _fixed(obj)
    if isinstance(obj, str):
        return json.dumps(obj, ensure_ascii=False)
    raise EngineError(f"nilai tidak dapat dikirim ke mesin: {obj!r}", f"value cannot be sent to the engine: {obj!r}")


def _encode_fact(fact: Mapping[str, Any]) -> str:
    """A flat fact as fixed-point JSON; the hot path of every check.

    Python writes a float in exponent notation only below 1e-4 or from 1e16 on; facts
    without such floats (and without booleans) go through the C encoder of `json`.
    """
    for value in fact.values():
        kind = type(value)
        if kind is float:
            size = abs(value)
            if size >= 1e16 or (size < 1e-4 and value != 0) or size != size:
                break
        elif kind is not int and kind is not str:
            break
    else:
        return _json_encode(fact)
    parts = []
    for key, value in fact.items():
        kind = type(value)
        if kind is float:
            text = _fixed(value)
        elif kind is int:
            text = str(value)
        elif kind is str:
            text = json.dumps(value, ensure_ascii=False)
        elif kind is bool:
            text = "1" if value else "0"
        else:
            text = dumps(normalise(value))
        parts.append(f'"{key}":{text}')
    return "{" + ",".join(parts) + "}"


def _rhs(node: Node, alias: Mapping[str, str]) -> Any:
    if isinstance(node, (Num, Str)):
        return node.value
    if isinstance(node, Name):
        return {"$m": alias.get(node.name, node.name)}
    if isinstance(node, Arith):
        return {_ARITH[node.op]: {"$l": _rhs(node.left, alias), "$r": _rhs(node.right, alias)}}
    raise EngineError("ekspresi tidak didukung mesin", f"expression not supported by the engine: {node!r}")


def _pattern(node: IRNode, alias: Mapping[str, str]) -> dict[str, Any]:
    if isinstance(node, Cmp):
        fact = alias.get(node.fact, node.fact)
        if node.op == "==":
            return {fact: _rhs(node.rhs, alias)}
        return {_OPS[node.op]: {fact: _rhs(node.rhs, alias)}}
    if isinstance(node, IAnd):
        return {"$and": [_pattern(i, alias) for i in node.items]}
    if isinstance(node, IOr):
        return {"$or": [_pattern(i, alias) for i in node.items]}
    raise EngineError("kondisi tidak didukung mesin", f"condition not supported by the engine: {node!r}")


def to_durable(unit: Unit, alias: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The `all` list of a durable-rules rule for one compiled unit (facts renamed by `alias`)."""
    alias = alias or {}
    kind: dict[str, Any] = {KIND_KEY: "p"}
    if unit.cond is None:
        proposal = kind
    else:
        inner = _pattern(unit.cond, alias)
        proposal = {"$and": [kind, *inner.get("$and", [inner])]}
    patterns: list[dict[str, Any]] = [{"m": proposal}]
    for n, needed in enumerate(sorted(unit.needs, key=lambda c: c.token)):
        patterns.append({f"c{n}": {"$and": [{KIND_KEY: "c"}, {TOKEN_KEY: needed.token}]}})
    return patterns


@dataclass
class Firings:
    """What one check fired, in firing order: unit keys and the conclusions asserted."""

    units: list[str]
    conclusions: list[Conclusion]


class _QuietHost(durable_engine.Host):  # type: ignore[misc]  # durable-rules ships no types
    """A Host without the background dispatcher threads (they segfault after deletes)."""

    def _run(self) -> None:
        return None


class _FixedPointRuleset(durable_engine.Ruleset):  # type: ignore[misc]
    """A Ruleset whose definition reaches the C core in fixed-point JSON (no `1e-05`).

    Its actions are run by `RulesEngine.check`, not by durable's Python layer.
    """

    def __init__(self, name: str, host: durable_engine.Host, definition: dict[str, Any]) -> None:
        self._actions: dict[str, Callable[..., Any]] = {}
        self._name = name
        self._host = host
        self._handle = durable_rules_engine.create_ruleset(name, dumps(definition))
        self._definition = definition


class RulesEngine:
    """One durable-rules host; use `get_engine()` for the process-wide instance."""

    def __init__(self) -> None:
        self._host = _QuietHost()
        self._lock = threading.Lock()
        self._rulesets: dict[str, _FixedPointRuleset] = {}
        self._next_sid = 0
        self._fired: list[str] = []
        self._concluded: list[Conclusion] = []
        self._actions: dict[str, dict[str, Callable[..., Any]]] = {}
        self._aliases: dict[str, dict[str, str]] = {}

    def is_registered(self, name: str) -> bool:
        return name in self._rulesets

    @property
    def registered(self) -> tuple[str, ...]:
        return tuple(self._rulesets)

    def _action(self, key: str, concludes: Conclusion | None, consumed: bool = True) -> Callable[..., Any]:
        """The default action: record the firing; a derive unit also asserts its conclusion."""
        def record(assert_conclusion: Callable[[Conclusion], None]) -> None:
            self._fired.append(key)
            if concludes is not None and concludes not in self._concluded:
                # Assert each conclusion once: a second identical fact would be a "duplicate".
                # A conclusion no rule in this version matches is only recorded: asserting it
                # would be an unhandled fact.
                self._concluded.append(concludes)
                if consumed:
                    assert_conclusion(concludes)
        return record

    def register(self, name: str, units: list[Unit],
                 action: Callable[..., Callable[..., Any]] | None = None) -> None:
        """Register a compiled version under `name`, once per process; later calls do nothing.

        `action(key, concludes, consumed)` makes the callable run when unit `key` fires (tests
        pass a failing one); it receives a function that asserts a conclusion token.
        """
        with self._lock:
            if name in self._rulesets:
                return
            make = action or self._action
            definition: dict[str, dict[str, Any]] = {ANCHOR: {"all": [{"m": {KIND_KEY: "p"}}]}}
            actions: dict[str, Callable[..., Any]] = {ANCHOR: lambda assert_conclusion: None}
            consumed = {token for unit in units for token in unit.needs}
            # Short property names: the fact's JSON is parsed, hashed and handed back on every
            # firing, so long descriptive names cost time on every check.
            used = sorted({name for unit in units if unit.cond is not None for name in unit.cond.facts()})
            alias = {name: f"_{n}" for n, name in enumerate(used)}
            for unit in units:
                definition[unit.key] = {"all": to_durable(unit, alias)}
                actions[unit.key] = make(unit.key, unit.concludes, unit.concludes in consumed)
            try:
                ruleset = _FixedPointRuleset(name, self._host, definition)
            except durable_rules_engine.error as exc:
                raise EngineError(f"aturan tidak dapat didaftarkan ke mesin: {exc}",
                                  f"the rules could not be registered with the engine: {exc}") from None
            self._host._ruleset_directory[name] = ruleset
            self._host._ruleset_list.append(ruleset)
            self._rulesets[name] = ruleset
            self._actions[name] = actions
            self._aliases[name] = alias

    def fire(self, name: str, fact: Mapping[str, Any]) -> Firings:
        """Assert one proposal fact in a fresh session, run every firing, delete the session.

        The firing loop drives the C core directly (as durable's `Ruleset._flush_actions`
        does, without decoding the fact and the state for every firing, which is most of
        durable's cost per fired rule). An exception in an action abandons the action,
        deletes the session and is raised, so it cannot end up swallowed in the state.
        """
        if any(key in fact for key in RESERVED):
            bad = sorted(key for key in RESERVED if key in fact)
            raise EngineError(f"fakta tidak boleh memakai kunci cadangan mesin: {', '.join(bad)}",
                              f"a fact must not use the engine's reserved keys: {', '.join(bad)}")
        if name not in self._rulesets:
            raise EngineError(f"versi aturan '{name}' belum didaftarkan", f"rule version '{name}' is not registered")
        with self._lock:
            self._next_sid += 1
            sid = str(self._next_sid)
            handle = self._rulesets[name]._handle
            actions = self._actions[name]
            alias = self._aliases[name]
            # Facts no rule of this version uses are left out: the engine never looks at them,
            # and every property sent is one of the generated aliases (no user text as a key).
            text = _encode_fact({KIND_KEY: "p", **{alias[k]: v for k, v in fact.items() if k in alias}, "sid": sid})
            state_handle = self._assert(handle, text)  # raises before a session exists to delete
            self._fired, self._concluded = [], []

            def assert_conclusion(conclusion: Conclusion) -> None:
                self._assert(handle, f'{{"{KIND_KEY}":"c","{TOKEN_KEY}":"{conclusion.token}","sid":"{sid}"}}')

            try:
                result = durable_rules_engine.start_action_for_state(handle, state_handle)
                message = result[1] if result else None
                while message:
                    key = message[2:message.index('"', 2)]  # {"<rule name>": {...}}
                    try:
                        actions[key](assert_conclusion)
                    except BaseException as exc:
                        durable_rules_engine.abandon_action(handle, state_handle)
                        if isinstance(exc, EngineError):
                            raise
                        raise EngineError(f"aksi aturan {key} gagal: {exc}", f"the action of rule {key} failed: {exc}") \
                            from exc
                    message = durable_rules_engine.complete_and_start_action(handle, state_handle)
                return Firings(units=self._fired, conclusions=self._concluded)
            finally:
                self._fired, self._concluded = [], []
                durable_rules_engine.delete_state(handle, sid)

    @staticmethod
    def _assert(handle: int, text: str) -> int:
        try:
            code, state_handle = durable_rules_engine.assert_fact(handle, text)
        except durable_rules_engine.error as exc:
            raise EngineError(f"mesin aturan menolak fakta: {exc}", f"the rules engine refused the fact: {exc}") from None
        if code == 1:
            # Never delete such a session: durable-rules segfaults on it. The anchor rule makes
            # this unreachable for proposal facts; conclusions are asserted only when matched.
            raise EngineError("fakta tidak ditangani aturan mana pun", f"no rule handled the fact {text}")
        if code == 2:
            raise EngineError("fakta ganda dalam satu pemeriksaan", f"duplicate fact in one check: {text}")
        result: int = state_handle
        return result


_ENGINE: RulesEngine | None = None
_ENGINE_LOCK = threading.Lock()


def get_engine() -> RulesEngine:
    """The process-wide engine (durable-rules must not be shared between hosts or threads)."""
    global _ENGINE  # noqa: PLW0603 (one engine per process, created on first use)
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = RulesEngine()
        return _ENGINE
