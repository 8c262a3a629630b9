"""Service settings from `BERDAYA_*` environment variables, checked before anything starts.

`get_settings()` is cached so that every part of a process sees one configuration; tests
build `Settings(...)` directly and hand it to `create_app`. A configuration that would be
unsafe or cannot work (an unknown database driver, SQLite shared by several worker
processes, limits that switch a protection off) is refused at start, with a bilingual reason.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge.intake import ReadLimits
from knowledge.validation import bilingual, validate_model

DEFAULT_DB_PATH = Path("var") / "berdaya.sqlite3"
DEFAULT_KB_STORE = Path("var") / "kb-store"
SUPPORTED_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
# Safe ranges of the guarded reader's limits: a value outside switches a protection off or
# refuses ordinary documents.
UPLOAD_RANGES: dict[str, tuple[float, float]] = {
    "upload_max_bytes": (1_000, 100_000_000), "upload_max_inflated_bytes": (100_000, 1_000_000_000),
    "upload_max_entries": (1, 10_000), "upload_max_rows": (1, 1_000_000), "upload_max_columns": (1, 16_384),
    "upload_max_cells": (1, 10_000_000), "upload_max_depth": (4, 200), "upload_max_nodes": (100, 10_000_000),
    "upload_max_yaml_aliases": (0, 10_000), "upload_max_seconds": (0.1, 600),
}


def kb_store_dir(explicit: str | Path | None = None) -> Path:
    """The knowledge-base version store: `explicit`, else BERDAYA_KB_STORE, else var/kb-store.

    The packages below the service never read the environment; the service and the CLI pass this in.
    """
    return Path(explicit or os.environ.get("BERDAYA_KB_STORE") or DEFAULT_KB_STORE)


def reference_file() -> str | None:
    """BERDAYA_REFERENCE: an administrator's replacement of the shipped reference data, if any."""
    return os.environ.get("BERDAYA_REFERENCE") or None


class Settings(BaseModel):
    """Everything the service reads from its environment (prefix `BERDAYA_`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DB_PATH}",
        description="SQLAlchemy URL: sqlite:///var/berdaya.sqlite3 or postgresql+psycopg://user@host/db",
    )
    kb_dir: str | None = Field(
        default=None, description="Knowledge base directory that checks every proposal instead of the published "
                                  "versions (an explicit override); None = the version in force from kb_store")
    kb_store: str = Field(
        default_factory=lambda: str(kb_store_dir()),
        description="Store of published knowledge-base versions (BERDAYA_KB_STORE, default var/kb-store); "
                    "each proposal is checked with the version in force for its cycle")
    reference: str | None = Field(
        default_factory=reference_file,
        description="Reference data (kecamatan, kelurahan, RW) replacing the shipped file (BERDAYA_REFERENCE)")
    index: str = Field(default="ppm", description="Index definition used by POST /v1/scores")
    calibration_dir: str | None = Field(
        default=None, description="Directory of calibration artifacts (*.json) imported into the database at start"
    )
    max_body_bytes: int = Field(default=1_000_000, description="Request bodies above this get 413")
    max_batch: int = Field(default=500, description="Evaluation records per POST /v1/scores; more get 422")
    upload_max_bytes: int = Field(default=5_000_000, description="Largest document read (a file given to the CLI; "
                                  "request bodies are capped lower by max_body_bytes)")
    upload_max_inflated_bytes: int = Field(default=32 * 1024 * 1024,
                                           description="Largest total size of a zip or XLSX after inflating")
    upload_max_entries: int = Field(default=500, description="Most files inside a zip or XLSX")
    upload_max_rows: int = Field(default=10_000, description="Most rows of a sheet or CSV file")
    upload_max_columns: int = Field(default=256, description="Most columns of one row")
    upload_max_cells: int = Field(default=300_000, description="Most cells of a workbook or CSV file")
    upload_max_depth: int = Field(default=32, description="Deepest nesting of JSON or YAML")
    upload_max_nodes: int = Field(default=200_000, description="Most values of JSON or YAML, aliases expanded")
    upload_max_yaml_aliases: int = Field(default=100, description="Most YAML aliases in one document")
    upload_max_seconds: float = Field(default=10.0, description="Longest time to read one document")
    signin_max_failures: int = Field(default=5, description="Failed sign-ins allowed per client address and per "
                                     "key within signin_window_seconds; further attempts get 429")
    signin_window_seconds: int = Field(default=900, description="Window of the sign-in limit (seconds)")
    public_url: str = Field(default="http://127.0.0.1:8000",
                            description="The address people open Berdaya at: the base of one-time sign-in links")
    signin_link_hours: int = Field(default=24, description="Hours a one-time sign-in link stays valid")
    max_drafts_per_key: int = Field(default=20, description="Drafts one key may keep in the version store")
    max_drafts: int = Field(default=200, description="Drafts the version store keeps in all")
    workers: int = Field(default=1, description="uvicorn worker processes")
    check_workers: int = Field(default=0, description="Processes of each worker that run pre-checks (POST /v1/checks) "
                               "apart from its event loop; 0 = threads of the worker (`berdaya serve` starts 2)")
    host: str = Field(default="127.0.0.1")
    log_level: str = Field(default="INFO")

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        scheme = self.database_url.split("://", 1)[0]
        if scheme not in SUPPORTED_SCHEMES:
            raise bilingual(
                f"BERDAYA_DATABASE_URL memakai '{scheme}'; yang didukung: {', '.join(SUPPORTED_SCHEMES)}",
                f"BERDAYA_DATABASE_URL uses '{scheme}'; supported: {', '.join(SUPPORTED_SCHEMES)}",
            )
        if scheme.startswith("sqlite") and self.workers > 1:
            raise bilingual(
                "SQLite tidak boleh dipakai bersama oleh beberapa worker; gunakan PostgreSQL untuk --workers > 1",
                "SQLite must not be shared by several workers; use PostgreSQL for --workers > 1",
            )
        if scheme.startswith("sqlite") and ":memory:" in self.database_url:
            raise bilingual(
                "basis data SQLite di memori akan hilang; gunakan berkas, misalnya sqlite:///var/berdaya.sqlite3",
                "an in-memory SQLite database would be lost; use a file, e.g. sqlite:///var/berdaya.sqlite3",
            )
        if not self.public_url.startswith(("http://", "https://")):
            raise bilingual(f"BERDAYA_PUBLIC_URL harus diawali http:// atau https:// (bukan '{self.public_url}')",
                            f"BERDAYA_PUBLIC_URL must start with http:// or https:// (not '{self.public_url}')")
        limits = {"max_body_bytes": (1_000, 50_000_000), "max_batch": (1, 100_000),
                  "workers": (1, 64), "check_workers": (0, 16),
                  "signin_max_failures": (1, 100), "signin_window_seconds": (10, 86_400),
                  "signin_link_hours": (1, 720),
                  "max_drafts_per_key": (1, 10_000), "max_drafts": (1, 100_000),
                  **UPLOAD_RANGES}
        for name, (low, high) in limits.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise bilingual(
                    f"{name} = {value} di luar batas aman {low}..{high}",
                    f"{name} = {value} is outside the safe range {low}..{high}",
                )
        return self

    def read_limits(self) -> ReadLimits:
        """The guarded reader's limits (knowledge.intake) from the `upload_*` settings."""
        return ReadLimits(**{name.removeprefix("upload_"): getattr(self, name) for name in UPLOAD_RANGES})

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        return Path(self.database_url.split(":///", 1)[1])

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        env = os.environ if environ is None else environ
        values: dict = {}
        for name in cls.model_fields:
            key = f"BERDAYA_{name.upper()}"
            if key in env and env[key] != "":
                values[name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return validate_model(cls, values, source="BERDAYA_* environment")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings.from_env()
