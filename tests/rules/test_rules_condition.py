"""The condition language parser: precedence, atoms, and errors that say where."""

import pytest

from rules.condition import (
    And,
    Arith,
    Bool,
    Compare,
    ConditionError,
    Name,
    Neg,
    Not,
    Num,
    Or,
    Param,
    Str,
    names_in,
    parse_condition,
    to_text,
)


def test_precedence_of_and_over_or_and_not_binds_tightest():
    assert parse_condition("a or b and not c") == Or((Name("a"), And((Name("b"), Not(Name("c"))))))


def test_arithmetic_precedence_and_left_associativity():
    assert parse_condition("a - b - c * 2 > 1") == Compare(
        ">", Arith("-", Arith("-", Name("a"), Name("b")), Arith("*", Name("c"), Num(2))), Num(1))


def test_atoms_numbers_strings_booleans_parameters_and_unary_minus():
    assert parse_condition("x == 'Cimahi Utara'") == Compare("==", Name("x"), Str("Cimahi Utara"))
    assert parse_condition("f == true") == Compare("==", Name("f"), Bool(True))
    assert parse_condition("y >= param.min_share") == Compare(">=", Name("y"), Param("min_share"))
    assert parse_condition("z > -0.5") == Compare(">", Name("z"), Neg(Num(0.5)))
    assert parse_condition("n < 75_000_000") == Compare("<", Name("n"), Num(75000000))


def test_parentheses_override_precedence():
    assert parse_condition("(a or b) and c") == And((Or((Name("a"), Name("b"))), Name("c")))


@pytest.mark.parametrize("text, where", [
    ("a >", "position 4"),
    ("a > 1 )", "position 7"),
    ("a > 1 < 2", "chained"),
    ("__import__('os').system('x')", "unexpected character '.'"),
    ("exec('x')", "unexpected text"),
    ("a ; b", "unexpected character ';'"),
    ("foo.bar > 1", "param.NAME"),
    ("(a > 1", "closing"),
])
def test_errors_say_what_and_where_and_nothing_is_evaluated(text, where):
    with pytest.raises(ConditionError, match=where):
        parse_condition(text)


def test_errors_are_bilingual():
    with pytest.raises(ConditionError) as info:
        parse_condition("a >")
    assert "posisi" in info.value.message_id and "position" in info.value.message_en


def test_names_in_lists_facts_and_parameters():
    names, params = names_in(parse_condition("not x and y * 2 > param.p or z == 'a'"))
    assert names == {"x", "y", "z"} and params == {"p"}


def test_to_text_round_trips_through_the_parser():
    ast = parse_condition("a + 2 * b >= param.c and not (d or e != 'x')")
    assert parse_condition(to_text(ast)) == ast
