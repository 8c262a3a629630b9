"""Regression tests for each measured durable-rules hazard (see rules/engine.py).

Crash-prone cases run in a child process, so that a segfault fails the test instead of
killing pytest. Each test would fail (or crash) without the handling it names.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from rules.condition import Arith, Name, Num
from rules.engine import EngineError, RulesEngine, dumps, get_engine, normalise
from rules.ir import Cmp, Conclusion, IOr, Unit

ROOT = Path(__file__).resolve().parents[2]


def run_child(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def unit(key: str, cond, needs=(), concludes=None) -> Unit:
    return Unit(key, key, cond, frozenset(needs), concludes)


def test_no_dispatcher_threads_are_started():
    # durable's Host starts two timer threads that segfault after out-of-order deletes.
    before = threading.active_count()
    engine = RulesEngine()
    engine.register("hz_threads", [unit("R1", Cmp(">", "a", Num(1)))])
    engine.fire("hz_threads", {"a": 2})
    assert threading.active_count() == before


def test_a_fact_no_rule_matches_is_handled_and_its_session_deleted_many_times():
    # Unmatched facts raise MessageNotHandledException, leave an undeletable session (the
    # delete segfaults) and, past 1,024 live sessions, MemoryError. The anchor rule prevents all three.
    proc = run_child("""
        from rules.engine import RulesEngine
        from rules.ir import Cmp, IAnd, Unit
        from rules.condition import Num
        e = RulesEngine()
        cond = IAnd((Cmp(">", "a", Num(0)), Cmp("<", "b", Num(0))))
        e.register("hz_unmatched", [Unit("R1", "R1", cond, frozenset(), None)])
        for i in range(1200):
            assert e.fire("hz_unmatched", {"a": 1, "b": 0}).units == []
        print("ok")
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"


def test_sessions_are_deleted_after_every_check_beyond_the_live_session_cap():
    proc = run_child("""
        from rules.engine import RulesEngine
        from rules.ir import Cmp, Unit
        from rules.condition import Num
        e = RulesEngine()
        e.register("hz_cap", [Unit("R1", "R1", Cmp(">", "a", Num(0)), frozenset(), None)])
        for i in range(2100):
            assert e.fire("hz_cap", {"a": 1}).units == ["R1"]
        print("ok")
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_checks_from_many_threads_are_serialised_and_agree():
    proc = run_child("""
        import threading
        from rules.engine import get_engine
        from rules.ir import Cmp, Unit
        from rules.condition import Num
        e = get_engine()
        e.register("hz_threads_many", [Unit("R1", "R1", Cmp(">", "a", Num(5)), frozenset(), None)])
        errors, results = [], []
        def work(n):
            try:
                for i in range(300):
                    results.append((i % 10 > 5) == bool(e.fire("hz_threads_many", {"a": i % 10}).units))
            except Exception as exc:
                errors.append(exc)
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        [t.start() for t in threads]; [t.join() for t in threads]
        assert not errors and len(results) == 2400 and all(results), (errors, len(results))
        print("ok")
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_a_version_is_registered_once_and_re_registering_is_harmless():
    engine = RulesEngine()
    units = [unit("R1", Cmp(">", "a", Num(1)))]
    engine.register("hz_once", units)
    engine.register("hz_once", units)  # durable itself raises "already registered"
    assert engine.registered.count("hz_once") == 1
    assert engine.fire("hz_once", {"a": 3}).units == ["R1"]


@pytest.mark.parametrize("key", ["id", "sid"])
def test_facts_carrying_the_engine_keys_id_or_sid_are_refused(key):
    engine = get_engine()
    engine.register("hz_reserved", [unit("R1", Cmp(">", "a", Num(1)))])
    with pytest.raises(EngineError, match=key):
        engine.fire("hz_reserved", {"a": 3, key: 7})


def test_tiny_and_huge_numbers_reach_the_engine_in_fixed_point():
    # json.dumps writes 1e-05 and 1e+16, which the C parser rejects (error 204).
    engine = RulesEngine()
    engine.register("hz_numbers", [unit("SMALL", Cmp(">", "a", Num(0.00001))),
                                   unit("BIG", Cmp(">", "b", Num(1e16)))])
    assert "e" not in dumps({"a": 0.00002, "b": 2e16}).replace("\"", "")
    assert sorted(engine.fire("hz_numbers", {"a": 0.00002, "b": 2e16}).units) == ["BIG", "SMALL"]
    assert engine.fire("hz_numbers", {"a": 0.000001, "b": 1e15}).units == []


def test_non_finite_numbers_are_refused():
    with pytest.raises(EngineError):
        normalise(float("nan"))


def test_an_exception_inside_an_action_is_raised_not_swallowed():
    engine = RulesEngine()

    def failing(key, concludes, consumed=True):
        def action(c):
            raise RuntimeError("boom in action")
        return action

    engine.register("hz_action", [unit("R1", Cmp(">", "a", Num(1)))], action=failing)
    with pytest.raises(EngineError, match="boom in action"):
        engine.fire("hz_action", {"a": 3})
    assert engine.fire("hz_action", {"a": 0}).units == []  # the engine is still usable


def test_a_rule_whose_or_branches_both_hold_fires_once():
    # durable fires once per satisfied $or branch; the compiler makes branches exclusive.
    from rules.ir import exclusive
    cond = exclusive(IOr((Cmp(">", "a", Num(0)), Cmp(">", "b", Num(0)))))
    engine = RulesEngine()
    engine.register("hz_or", [unit("R1", cond)])
    assert engine.fire("hz_or", {"a": 1, "b": 1}).units == ["R1"]


def test_a_constant_divisor_divides_in_floating_point():
    # The C core divides two integers as integers (5 / 2 == 2); the compiler sends 2.0.
    engine = RulesEngine()
    engine.register("hz_div", [unit("R1", Cmp(">", "a", Arith("/", Name("b"), Num(2.0))))])
    assert engine.fire("hz_div", {"a": 2.2, "b": 5}).units == []
    assert engine.fire("hz_div", {"a": 2.6, "b": 5}).units == ["R1"]


def test_conclusions_chain_inside_the_engine_whatever_the_order_of_rules():
    consumer = unit("C1", None, needs={Conclusion("x", False)})
    derive_neg = unit("D1-", Cmp("<", "a", Num(3)), concludes=Conclusion("x", False))
    for order in ([consumer, derive_neg], [derive_neg, consumer]):
        engine = RulesEngine()
        engine.register("hz_chain", order)
        fired = engine.fire("hz_chain", {"a": 1})
        assert sorted(fired.units) == ["C1", "D1-"] and fired.conclusions == [Conclusion("x", False)]
        assert engine.fire("hz_chain", {"a": 5}).units == []


def test_a_conclusion_no_rule_uses_is_recorded_without_being_asserted():
    engine = RulesEngine()
    engine.register("hz_unused", [unit("D1+", Cmp(">", "a", Num(0)), concludes=Conclusion("y", True))])
    assert engine.fire("hz_unused", {"a": 1}).conclusions == [Conclusion("y", True)]


def test_the_engine_fact_is_compact(small_checker, make_proposal):
    compiled = small_checker.version(2022)
    facts = small_checker.extract(make_proposal(), small_checker.params_for(compiled), small_checker.kb.categories)
    fact = small_checker.engine_fact(compiled, facts.values)
    assert set(fact) == set(compiled.facts_used) < set(facts.values)
    assert fact["maintenance_plan_missing"] in (0, 1)
