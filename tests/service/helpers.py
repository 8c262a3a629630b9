"""Helpers of the service tests: settings, keys per role, proposals in another region, score records."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from calibration.artifact import build_artifact
from knowledge.indices import load_index_definition
from service import repository
from service.apikeys import hash_key, new_key, new_key_id
from service.schemas import EXAMPLE_RECORD
from service.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def make_settings(url: str, **overrides: Any) -> Settings:
    return Settings(database_url=url, **overrides)


@dataclass
class Keys:
    facilitator: str
    facilitator_other: str
    evaluator: str
    policy: str
    admin: str

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, role)}"}


def add_key(app, role: str, kelurahan: str | None = None) -> tuple[str, str]:
    key, key_id = new_key(), new_key_id()
    with app.state.services.db.session() as session:
        repository.create_key(session, key_id=key_id, key_hash=hash_key(key), role=role, kelurahan=kelurahan)
    return key_id, key


def with_region(proposal: dict, kelurahan: str, kecamatan: str, rw: int) -> dict:
    out = copy.deepcopy(proposal)
    out["region"] = {"kecamatan": kecamatan, "kelurahan": kelurahan, "rw": rw}
    return out


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def record(rw: int, **changes) -> dict:
    row = copy.deepcopy(EXAMPLE_RECORD)
    row["rw"] = rw
    row.update(changes)
    return row


def artifact(cuts=(0.35, 0.55, 0.75)) -> dict:
    definition = load_index_definition("ppm")
    return build_artifact(index_name="ppm", index_hash=definition.content_hash(), method="fixed",
                          cycles=[2022, 2023], tiers=list(definition.tier_ids), cut_points=list(cuts),
                          cut_intervals=[[c, c] for c in cuts], validation={}, synthetic=True)


def upload(client, keys, art, role="policy"):
    return client.post("/v1/calibrations", json=art, headers=keys.auth(role))
