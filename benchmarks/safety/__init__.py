"""The mutation safety suite of ``pytest --delta``: deterministic single-edit mutants of small
projects, the ground truth of a full run for each, and a check that every failing test was
selected, at file and at symbol precision. The fast sample runs in the test suite
(tests/safety); the full sweep is ``python -m benchmarks.safety``."""
