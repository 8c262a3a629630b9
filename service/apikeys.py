"""API keys themselves: their form, their hash, and which roles and regions a key may carry.

Kept apart from `service.auth` (the request-time checks, which need FastAPI and the
database) so that `berdaya keys` starts without loading the web stack.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from knowledge.errors import InvalidInput, Problem
from knowledge.reference import load_reference
from knowledge.review_chain import Scope
from service.permissions import Role

ROLES = tuple(Role)
KEY_PREFIX = "bdy_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key_id() -> str:
    return "key_" + secrets.token_hex(6)


@dataclass(frozen=True)
class KeyRegion:
    """Where a key applies: a facilitator's kelurahan, or a reviewer's scope and its region."""

    kelurahan: str | None = None
    scope: str | None = None
    kecamatan: str | None = None


def _kelurahan(name: str | None, why_id: str, why_en: str) -> str:
    if not name:
        raise InvalidInput([Problem("kelurahan", why_id, why_en)])
    found = load_reference().find_kelurahan(name)
    if found is None:
        raise InvalidInput([Problem("kelurahan", f"kelurahan '{name}' tidak ada di Kota Cimahi",
                                    f"kelurahan '{name}' is not in Kota Cimahi")])
    return found.name


def _reviewer_region(scope: str | None, kelurahan: str | None, kecamatan: str | None) -> KeyRegion:
    scopes = ", ".join(Scope)
    if scope not in tuple(Scope):
        raise InvalidInput([Problem("scope", f"kunci peninjau wajib menyebut --scope: salah satu dari {scopes}",
                                    f"a reviewer key needs --scope, one of {scopes}")])
    if scope == Scope.KELURAHAN:
        return KeyRegion(scope=scope, kelurahan=_kelurahan(
            kelurahan, "peninjau kelurahan wajib menyebut --kelurahan", "a kelurahan reviewer needs --kelurahan"))
    if kelurahan:
        raise InvalidInput([Problem("kelurahan", "--kelurahan hanya untuk peninjau kelurahan",
                                    "--kelurahan is for kelurahan reviewers only")])
    if scope == Scope.CITY:
        if kecamatan:
            raise InvalidInput([Problem("kecamatan", "peninjau tingkat kota tidak terikat pada kecamatan",
                                        "a city-wide reviewer is not bound to a kecamatan")])
        return KeyRegion(scope=scope)
    found = load_reference().find_kecamatan(kecamatan) if kecamatan else None
    if found is None:
        raise InvalidInput([Problem("kecamatan", f"peninjau kecamatan wajib menyebut --kecamatan yang ada di "
                                    f"Kota Cimahi (bukan '{kecamatan or ''}')",
                                    f"a kecamatan reviewer needs --kecamatan, one in Kota Cimahi "
                                    f"(not '{kecamatan or ''}')")])
    return KeyRegion(scope=scope, kecamatan=found.name)


def check_role(role: str, kelurahan: str | None, *, scope: str | None = None,
               kecamatan: str | None = None) -> KeyRegion:
    """Validate a key's role and region; returns the canonical names of its region."""
    if role not in ROLES:
        raise InvalidInput([Problem("role", f"peran harus salah satu dari {', '.join(ROLES)}",
                                    f"role must be one of {', '.join(ROLES)}")])
    if role == Role.REVIEWER:
        return _reviewer_region(scope, kelurahan, kecamatan)
    if scope or kecamatan:
        raise InvalidInput([Problem("scope", "hanya kunci peninjau yang punya --scope dan --kecamatan",
                                    "only reviewer keys have --scope and --kecamatan")])
    if role == Role.FACILITATOR:
        return KeyRegion(kelurahan=_kelurahan(kelurahan, "kunci fasilitator wajib menyebut --kelurahan",
                                              "a facilitator key needs --kelurahan"))
    if kelurahan:
        raise InvalidInput([Problem("kelurahan", "hanya kunci fasilitator dan peninjau yang terikat pada kelurahan",
                                    "only facilitator and reviewer keys are bound to a kelurahan")])
    return KeyRegion()
