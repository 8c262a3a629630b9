"""Files written all or nothing: through a temporary file beside the target, then renamed into place.

A reader never sees half a file: it sees the old one or the new one. `write_atomic` hands the
writer the temporary path (for libraries that write to a path: openpyxl, matplotlib, csv);
`create_atomic` never replaces an existing file, even when two processes race to create it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _temporary(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The target's suffix kept: writers such as matplotlib choose the format from it.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix or ".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` for a temporary file beside `path`, then rename it over `path`."""
    target = Path(path)
    tmp = _temporary(target)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def write_text_atomic(path: str | Path, text: str) -> Path:
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """JSON as the store keeps it: UTF-8, one space of indent, keys sorted."""
    return write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str))


def create_atomic(path: str | Path, text: str, *, mode: int | None = None) -> bool:
    """Create `path` holding `text` unless it exists; False when it already did (first writer wins).

    The content is complete and synced before the file appears under its name (a hard link,
    which fails when the name is taken; without hard links, a check then a rename).
    """
    target = Path(path)
    tmp = _temporary(target)
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError:
            if target.exists():
                return False
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return True
