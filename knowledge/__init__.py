"""Berdaya's ground floor: domain vocabulary, schemas and the knowledge base as data.

Nothing here imports another Berdaya package. `rules`, `scoring`, `calibration` and
`service` build on it.
"""

from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
