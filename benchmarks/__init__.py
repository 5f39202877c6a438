"""Benchmarks of pytest-delta: a generator of synthetic repositories and a runner that times
pytest and ``pytest --delta`` on them side by side (``python -m benchmarks --help``)."""
