"""Empowerment scoring: index definitions (as data) applied to evaluation records, vectorised.

Modules, in the order a table flows through them:
- `inputs`: check rows against a definition (row and column named), build the indicator matrix;
- `missing`: availability threshold and flagged imputation (previous cycle, group mean);
- `compiled` and `aggregate`: goalpost normalisation, nested weighted aggregation, Alkire–Foster;
- `tiers`: cut points (definition or calibration artifact, hash-checked), tiers, borderline;
- `explain` and `advice`: contributions, gains to goalposts, next-tier plans, advice id/en;
- `engine`: `score_table` (rows) and `score_matrix` (numpy), returning `result.ScoreTable`.
"""
