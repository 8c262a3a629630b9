"""Tier cut points fitted to past cycles' evaluator tiers, with uncertainty, drift and artifacts."""
