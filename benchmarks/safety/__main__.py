"""``python -m benchmarks.safety``: the full mutation sweep."""

from __future__ import annotations

from .sweep import main

raise SystemExit(main())
