"""The condition language of the knowledge base (`when:`): tokenizer, recursive-descent parser, AST.

Grammar (documented for policy staff in the knowledge base's README):

    expr := or ; or := and ("or" and)* ; and := not ("and" not)* ; not := "not" not | cmp
    cmp  := sum (("<"|"<="|">"|">="|"=="|"!=") sum)?
    sum  := term (("+"|"-") term)* ; term := unary (("*"|"/") unary)* ; unary := "-" unary | atom
    atom := NUMBER | "true" | "false" | 'string' | NAME | "param." NAME | "ref." NAME | "(" expr ")"

`ref.NAME` is the RW's reference data (number of RTs, kelurahan, kecamatan); only derived
facts (`rules.derived`) may use it. Text is parsed into plain data (frozen dataclasses);
nothing is ever evaluated as Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.errors import BerdayaError


class ConditionError(BerdayaError):
    """A condition that does not follow the grammar or cannot be compiled."""


@dataclass(frozen=True)
class Num:
    value: float | int


@dataclass(frozen=True)
class Bool:
    value: bool


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Param:
    name: str


@dataclass(frozen=True)
class Ref:
    """`ref.NAME`: a value of the proposal's RW in the reference data."""

    name: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Arith:
    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare:
    op: str  # < <= > >= == !=
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


Node = Num | Bool | Str | Name | Param | Ref | Neg | Arith | Compare | Not | And | Or

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?(?:_\d+)*)
  | (?P<str>'[^']*')
  | (?P<op><=|>=|==|!=|<|>|\+|-|\*|/|\(|\))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
""", re.VERBOSE)
KEYWORDS = {"and", "or", "not", "true", "false"}
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ConditionError(f"karakter tidak dikenal '{text[pos]}' pada posisi {pos + 1}",
                                 f"unexpected character '{text[pos]}' at position {pos + 1}")
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def error(self, tok: Token, id_text: str, en_text: str) -> ConditionError:
        shown = tok.text or "akhir/end"
        return ConditionError(f"{id_text} ('{shown}' pada posisi {tok.pos + 1})",
                              f"{en_text} ('{shown}' at position {tok.pos + 1})")

    def is_word(self, word: str) -> bool:
        tok = self.peek()
        return tok.kind == "name" and tok.text == word

    def parse(self) -> Node:
        node = self.or_()
        if self.peek().kind != "end":
            raise self.error(self.peek(), "kelebihan teks setelah kondisi", "unexpected text after the condition")
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.is_word("or"):
            self.take()
            items.append(self.and_())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self) -> Node:
        items = [self.not_()]
        while self.is_word("and"):
            self.take()
            items.append(self.not_())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_(self) -> Node:
        if self.is_word("not"):
            self.take()
            return Not(self.not_())
        return self.cmp()

    def cmp(self) -> Node:
        left = self.sum()
        tok = self.peek()
        if tok.kind == "op" and tok.text in COMPARISONS:
            self.take()
            right = self.sum()
            nxt = self.peek()
            if nxt.kind == "op" and nxt.text in COMPARISONS:
                raise self.error(nxt, "perbandingan berantai tidak didukung; pakai 'and'",
                                 "chained comparisons are not supported; use 'and'")
            return Compare(tok.text, left, right)
        return left

    def sum(self) -> Node:
        node = self.term()
        while self.peek().kind == "op" and self.peek().text in "+-":
            op = self.take().text
            node = Arith(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek().kind == "op" and self.peek().text in "*/":
            op = self.take().text
            node = Arith(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek().kind == "op" and self.peek().text == "-":
            self.take()
            return Neg(self.unary())
        return self.atom()

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            text = tok.text.replace("_", "")
            return Num(float(text) if "." in text else int(text))
        if tok.kind == "str":
            return Str(tok.text[1:-1])
        if tok.kind == "op" and tok.text == "(":
            node = self.or_()
            close = self.take()
            if close.text != ")":
                raise self.error(close, "kurung tutup ')' diharapkan", "expected a closing ')'")
            return node
        if tok.kind == "name":
            if tok.text in ("true", "false"):
                return Bool(tok.text == "true")
            if tok.text in KEYWORDS:
                raise self.error(tok, "kata kunci di tempat yang salah", "keyword in the wrong place")
            if "." in tok.text:
                head, _, tail = tok.text.partition(".")
                if head == "ref":
                    return Ref(tail)
                if head != "param":
                    raise self.error(tok, "nama bertitik hanya boleh 'param.NAMA' atau 'ref.NAMA'",
                                     "a dotted name must be 'param.NAME' or 'ref.NAME'")
                return Param(tail)
            return Name(tok.text)
        raise self.error(tok, "angka, nama, teks atau '(' diharapkan", "expected a number, a name, a text or '('")


def parse_condition(text: str) -> Node:
    """Parse a `when:` condition into an AST, or raise ConditionError saying where it went wrong."""
    return _Parser(text).parse()


def names_in(node: Node) -> tuple[set[str], set[str]]:
    """(fact or conclusion names, parameter names) that a condition mentions."""
    names, params, _ = all_names_in(node)
    return names, params


def all_names_in(node: Node) -> tuple[set[str], set[str], set[str]]:
    """(fact or conclusion names, parameter names, reference names) an expression mentions."""
    names: set[str] = set()
    params: set[str] = set()
    refs: set[str] = set()

    def walk(n: Node) -> None:
        if isinstance(n, Name):
            names.add(n.name)
        elif isinstance(n, Param):
            params.add(n.name)
        elif isinstance(n, Ref):
            refs.add(n.name)
        elif isinstance(n, (Neg, Not)):
            walk(n.operand)
        elif isinstance(n, (Arith, Compare)):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, (And, Or)):
            for item in n.items:
                walk(item)

    walk(node)
    return names, params, refs


def to_text(node: Node) -> str:
    """The condition written back in the language (used in explanations)."""
    if isinstance(node, Num):
        value = node.value
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(node, Bool):
        return "true" if node.value else "false"
    if isinstance(node, Str):
        return f"'{node.value}'"
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Param):
        return f"param.{node.name}"
    if isinstance(node, Ref):
        return f"ref.{node.name}"
    if isinstance(node, Neg):
        return f"-{to_text(node.operand)}"
    if isinstance(node, Arith):
        return f"({to_text(node.left)} {node.op} {to_text(node.right)})"
    if isinstance(node, Compare):
        return f"{to_text(node.left)} {node.op} {to_text(node.right)}"
    if isinstance(node, Not):
        return f"not ({to_text(node.operand)})"
    joiner = " and " if isinstance(node, And) else " or "
    return "(" + joiner.join(to_text(i) for i in node.items) + ")"
