"""Policy tuning between cycles: drafts, their diff, what-if replays, the publish gate, publish and rollback.

Everything that changes policy lives here, above `calibration`: `drafts` (the operations:
create a draft from a published version or a bundle, edit, diff, simulate, publish, roll
back), `gate` (the whole publish gate), `store` (the write side of the version store:
locking, commits, drafts and what-if reports on disk), `files` (a knowledge-base directory
read as plain data), `diff`, `whatif` and `whatif_tiers` (replays of rules and of index
definitions or calibrations), `reports` (their typed reports) and `whatif_report` (their
spreadsheets and charts); the service runs simulations as background jobs (`service.jobs`).
`knowledge` keeps only the read side (`knowledge.versions`). Only `service` imports this package.
"""
