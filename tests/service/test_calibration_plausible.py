"""Implausible calibration artifacts are refused at every door (the API, and the calibration directory
read at start), nothing stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from calibration.artifact import build_artifact, write_artifact
from knowledge.indices import load_index_definition
from service.app import create_app
from tests.service.helpers import make_settings, upload


def implausible() -> dict:
    definition = load_index_definition("ppm")
    return build_artifact(index_name="ppm", index_hash=definition.content_hash(), method="fixed", cycles=[2022],
                          tiers=list(definition.tier_ids), cut_points=[-3, -2, -1],
                          cut_intervals=[[-3, -3], [-2, -2], [-1, -1]],
                          validation={"methods": {"fixed": {"pooled": {"accuracy": 1.0, "confusion": [
                              [1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]}}}}, synthetic=True)


def test_an_implausible_artifact_is_refused_naming_its_cut_points_and_its_accuracy(client, keys):
    response = upload(client, keys, implausible())
    assert response.status_code == 422, response.text
    paths = {e["path"] for e in response.json()["errors"]}
    assert {"cut_points[0]", "validation.methods.fixed.pooled.accuracy"} <= paths
    assert client.get("/v1/calibrations", headers=keys.auth("policy")).json() == []


def test_an_implausible_artifact_in_the_calibration_directory_stops_the_start(tmp_path):
    art = implausible()
    write_artifact(art, tmp_path / "artifacts" / f"{art['id']}.json")
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", calibration_dir=str(tmp_path / "artifacts")))
    with pytest.raises(Exception, match="Invalid input"), TestClient(app):
        pass
