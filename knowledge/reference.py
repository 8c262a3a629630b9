"""Cimahi's administrative units (kecamatan, kelurahan, RW with RT counts) as replaceable data.

The default file is `knowledge/data/reference/cimahi.yaml`; an administrator's replacement is
put in force by the service (`use_reference`, from its BERDAYA_REFERENCE setting). Lookups are
case- and space-insensitive and offer a "did you mean" for near misses.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge import DATA_DIR

DEFAULT_REFERENCE = DATA_DIR / "reference" / "cimahi.yaml"


@dataclass(frozen=True)
class Kelurahan:
    code: str
    name: str
    kecamatan: str
    rt_per_rw: tuple[int, ...]

    @property
    def rw_count(self) -> int:
        return len(self.rt_per_rw)

    def rt_count(self, rw: int) -> int | None:
        return self.rt_per_rw[rw - 1] if 1 <= rw <= len(self.rt_per_rw) else None


@dataclass(frozen=True)
class Kecamatan:
    code: str
    name: str
    kelurahan: tuple[Kelurahan, ...]


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Reference:
    city: str
    kecamatan: tuple[Kecamatan, ...]

    def all_kelurahan(self) -> list[Kelurahan]:
        return [kel for kec in self.kecamatan for kel in kec.kelurahan]

    def find_kecamatan(self, name: str) -> Kecamatan | None:
        return next((k for k in self.kecamatan if _key(k.name) == _key(name)), None)

    def find_kelurahan(self, name: str) -> Kelurahan | None:
        return next((k for k in self.all_kelurahan() if _key(k.name) == _key(name)), None)

    def suggest_kecamatan(self, name: str) -> str | None:
        return _closest(name, [k.name for k in self.kecamatan])

    def suggest_kelurahan(self, name: str, kecamatan: str | None = None) -> str | None:
        pool = self.all_kelurahan()
        if kecamatan:
            pool = [k for k in pool if _key(k.kecamatan) == _key(kecamatan)] or pool
        return _closest(name, [k.name for k in pool])

    def rws(self) -> list[tuple[Kelurahan, int]]:
        """Every (kelurahan, rw number) pair, in reference order."""
        return [(kel, rw) for kel in self.all_kelurahan() for rw in range(1, kel.rw_count + 1)]


def _closest(name: str, options: list[str]) -> str | None:
    by_key = {_key(o): o for o in options}
    match = difflib.get_close_matches(_key(name), list(by_key), n=1, cutoff=0.6)
    return by_key[match[0]] if match else None


def parse_reference(data: dict[str, Any]) -> Reference:
    kecs = []
    for kec in data["kecamatan"]:
        kels = tuple(
            Kelurahan(str(k["code"]), k["name"], kec["name"], tuple(int(n) for n in k["rt_per_rw"]))
            for k in kec["kelurahan"]
        )
        kecs.append(Kecamatan(str(kec["code"]), kec["name"], kels))
    return Reference(data.get("city", {}).get("name", ""), tuple(kecs))


@lru_cache(maxsize=8)
def _load(path: str) -> Reference:
    with open(path, encoding="utf-8") as fh:
        return parse_reference(yaml.safe_load(fh))


@lru_cache(maxsize=8)
def _resolved(chosen: str) -> str:
    return str(Path(chosen).resolve())


# The replacement file in force for this process, set by the service from its settings.
_IN_FORCE: str | None = None


def use_reference(path: str | Path | None) -> None:
    """Put an administrator's reference file in force for this process (None: the shipped default)."""
    global _IN_FORCE  # noqa: PLW0603 (one reference per process, chosen by the service at start)
    _IN_FORCE = str(path) if path else None


def reference_in_force() -> str | None:
    """The replacement file in force, None for the shipped default (for worker processes and caches)."""
    return _IN_FORCE


def load_reference(path: str | Path | None = None) -> Reference:
    """The reference in force: `path`, else the one the service put in force, else the shipped default."""
    # Called for every region validated: keep it to a dictionary lookup.
    chosen = path or _IN_FORCE or DEFAULT_REFERENCE
    return _load(_resolved(str(chosen)))
