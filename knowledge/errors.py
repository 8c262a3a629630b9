"""Bilingual problems and the error that carries them.

Every error a user can cause names where it happened (a field path, a file, a row and
column) and says what is wrong in Bahasa Indonesia first and English second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, at one place."""

    path: str
    id: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "id": self.id, "en": self.en}

    def line(self, lang: str = "id") -> str:
        text = self.id if lang == "id" else self.en
        return f"{self.path}: {text}" if self.path else text


def _restore(cls: type[BerdayaError], args: tuple[Any, ...], state: dict[str, Any]) -> BerdayaError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class BerdayaError(Exception):
    """Base of Berdaya's domain errors; carries a bilingual message."""

    def __init__(self, id: str, en: str):
        super().__init__(en)
        self.message_id = id
        self.message_en = en

    def message(self, lang: str = "id") -> str:
        return self.message_id if lang == "id" else self.message_en

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle as cls(*args), which a subclass with its own __init__ cannot take;
        # errors cross process boundaries (what-if workers), so rebuild them from their state.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


@dataclass
class InvalidInput(BerdayaError):
    """The input does not follow its schema; `problems` lists every field at fault."""

    problems: list[Problem] = field(default_factory=list)
    source: str = ""

    def __post_init__(self) -> None:
        count = len(self.problems)
        where = f" ({self.source})" if self.source else ""
        BerdayaError.__init__(
            self,
            f"Masukan tidak sah{where}: {count} masalah",
            f"Invalid input{where}: {count} problem(s)",
        )

    def __str__(self) -> str:
        lines = [self.message_en] + [f"  {p.path}: {p.en}" for p in self.problems]
        return "\n".join(lines)

    def report(self, lang: str = "id") -> str:
        """Every problem on its own line, both languages, the chosen one first."""
        head = self.message(lang)
        lines = [head]
        for p in self.problems:
            first, second = (p.id, p.en) if lang == "id" else (p.en, p.id)
            prefix = f"{p.path}: " if p.path else ""
            lines.append(f"  - {prefix}{first} / {second}")
        return "\n".join(lines)
