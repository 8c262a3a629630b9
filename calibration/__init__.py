"""Tier cut points fitted to past cycles' evaluator tiers, with uncertainty, drift and artifacts.

Public API (what the CLI and the service call):

    from calibration import calibrate, write_artifact, load_artifact, check_for_definition, cycle_drift
    result = calibrate(definition, rows, cycles=[2018, ..., 2023], method="ordinal", n_bootstrap=200, seed=0)
    result = calibrate_data(definition, data, cycles=[...])  # records already scored and labelled (the service)
    write_artifact(result.artifact, "kalibrasi.json")       # immutable JSON artifact
    artifact = load_artifact("kalibrasi.json")               # schema + id/content check
    check_for_definition(artifact, definition)               # refuses another definition (hash)
    cycle_drift(definition, artifact, rows, 2024)            # PSI, KS, tier shares under frozen cuts
    calibration.report.write_report(result, "laporan/")      # PNG charts + ringkasan.md (matplotlib)

Estimators (scikit-learn style): OrdinalLogitCalibrator (default), IsotonicCalibrator,
QuantileCalibrator, FixedCalibrator.
"""

from calibration.artifact import check_for_definition, load_artifact, write_artifact
from calibration.drift import cycle_drift, drift
from calibration.estimators import METHODS, FixedCalibrator, IsotonicCalibrator, QuantileCalibrator, make_calibrator
from calibration.fit import CalibrationResult, calibrate, calibrate_data
from calibration.ordinal import OrdinalLogitCalibrator

__all__ = [
    "METHODS", "CalibrationResult", "FixedCalibrator", "IsotonicCalibrator", "OrdinalLogitCalibrator",
    "QuantileCalibrator", "calibrate", "calibrate_data", "check_for_definition", "cycle_drift", "drift", "load_artifact",
    "make_calibrator", "write_artifact",
]
