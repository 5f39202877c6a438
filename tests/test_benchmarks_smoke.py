"""The benchmark suite itself: its generator is deterministic, its selection check can fail,
and a small end-to-end run finds every ``pytest --delta`` selection right."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.generate import generate
from benchmarks.manifest import MANIFEST_PATH
from benchmarks.measure import JunitResult
from benchmarks.runner import check_selection
from benchmarks.scenarios import ORDER

REPO = Path(__file__).resolve().parents[1]
SMALL = 200


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_same_size_generates_a_byte_identical_tree(tmp_path: Path) -> None:
    generate(SMALL, tmp_path / "one")
    generate(SMALL, tmp_path / "two")

    one = _tree(tmp_path / "one")
    assert sum(1 for path in one if path.endswith(".py")) == SMALL
    assert one == _tree(tmp_path / "two")


def test_the_leaf_scenario_expects_exactly_the_test_file_importing_the_leaf(tmp_path: Path) -> None:
    manifest = generate(SMALL, tmp_path / "repo")
    data = json.loads((tmp_path / "repo" / MANIFEST_PATH).read_text())

    leaf_scenario = manifest.scenarios["leaf"]
    [leaf] = leaf_scenario.modify
    [test_file] = leaf_scenario.expected
    importers = [path for path, targets in data["imports"].items() if leaf in targets]
    assert manifest.kinds[leaf] == "leaf"
    assert importers == [test_file]
    dotted = leaf.removeprefix("src/").removesuffix(".py").replace("/", ".")
    package, _, name = dotted.rpartition(".")
    test_source = (tmp_path / "repo" / test_file).read_text()
    assert dotted in test_source or f"from {package} import {name}" in test_source


def test_a_selection_that_misses_an_affected_test_file_fails_the_check(tmp_path: Path) -> None:
    manifest = generate(SMALL, tmp_path / "repo")
    hub = manifest.scenarios["hub"]
    ran_all_but_one = JunitResult(frozenset(hub.expected[1:]), tests=5 * (len(hub.expected) - 1), failed=0)

    outcome = check_selection(hub, manifest, ran_all_but_one, returncode=0)

    assert not outcome.ok
    assert outcome.missing == (hub.expected[0],)


def test_the_smoke_run_finds_every_delta_selection_right(tmp_path: Path) -> None:
    results = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "run", "--size", str(SMALL), "--check-only",
         "--work-dir", str(tmp_path / "work"), "--results-dir", str(results)],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((results / f"{SMALL}-check.json").read_text())
    assert report["ok"] is True
    checks = report["selection_checks"]
    assert [c["scenario"] for c in checks] == list(ORDER)
    assert all(c["ok"] and c["missing_count"] == 0 for c in checks)
    by_name = {c["scenario"]: c for c in checks}
    assert by_name["first"]["tests_run"] == report["tests"]
    assert by_name["no_change"]["tests_run"] == 0
    assert by_name["leaf"]["selected_files"] == 1
