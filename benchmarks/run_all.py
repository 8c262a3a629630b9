"""Run every benchmarks/bench_*.py in its own process, in name order, and print its output.

`make bench` runs this. A failing benchmark is reported and the others still run; the exit
code is 1 if any failed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        proc = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        if proc.returncode != 0:
            failed.append(script.name)
            print(f"!! {script.name} exited with {proc.returncode}", flush=True)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
