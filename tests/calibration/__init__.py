"""Tests of the `calibration` package."""
