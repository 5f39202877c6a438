"""``python benchmarks/safety/run.py``: the full mutation sweep, run as a script."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def _main() -> int:
    repo = str(Path(__file__).resolve().parents[2])
    if repo not in sys.path:
        sys.path.insert(0, repo)
    return int(importlib.import_module("benchmarks.safety.sweep").main())


if __name__ == "__main__":
    raise SystemExit(_main())
