"""The manifest written next to a generated repository: what each file is, what it imports,
which test files each file can affect, and the scenarios with their expected selections."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .plan import TESTS_PER_FILE, Plan
from .scenarios import Scenario
from .truth import Graph, affected_bitsets

#: Bumped whenever the generator's output changes, so that a stale work tree is regenerated.
GENERATOR_VERSION = 3
#: Where the manifest lives inside the generated tree (a hidden directory: neither pytest nor
#: the engine looks inside it).
MANIFEST_PATH = ".benchmark/manifest.json"


@dataclass(frozen=True)
class Manifest:
    files: int
    seed: int
    version: int
    test_files: tuple[str, ...]
    tests_per_file: int
    kinds: dict[str, str]
    scenarios: dict[str, Scenario]

    @property
    def total_tests(self) -> int:
        return len(self.test_files) * self.tests_per_file

    @property
    def hubs(self) -> list[str]:
        return sorted(p for p, k in self.kinds.items() if k == "hub")

    @property
    def leaves(self) -> list[str]:
        return sorted(p for p, k in self.kinds.items() if k == "leaf")


def _kind(plan: Plan, path: str) -> str:
    if path in plan.modules:
        return plan.modules[path].kind
    if path in plan.inits:
        return "package_init"
    if path in plan.tests:
        return "test"
    if path in plan.conftests:
        return "conftest"
    if path in plan.helpers:
        return "test_helper"
    return "test_package_init"


def manifest_json(plan: Plan, graph: Graph, scenarios: list[Scenario]) -> dict[str, Any]:
    """The manifest as JSON data. ``affected_tests`` holds, for every source file, the test files
    that transitively import it, as a hexadecimal bit set over ``test_files`` (bit i is
    ``test_files[i]``): a list per file would weigh hundreds of megabytes at 20k files."""
    bits = affected_bitsets(graph)
    sources = sorted([*plan.modules, *plan.inits])
    return {
        "generator_version": GENERATOR_VERSION,
        "files": plan.files,
        "seed": plan.seed,
        "tests_per_file": TESTS_PER_FILE,
        "test_files": list(graph.test_files),
        "kinds": {path: _kind(plan, path) for path in plan.all_paths()},
        "hubs": sorted(p for p, m in plan.modules.items() if m.kind == "hub"),
        "leaves": sorted(p for p, m in plan.modules.items() if m.kind == "leaf"),
        "imports": {path: list(targets) for path, targets in graph.runtime.items()},
        "type_checking_imports": {path: list(targets) for path, targets in graph.typing_only.items()},
        "affected_test_counts": {path: bin(bits.get(path, 0)).count("1") for path in sources},
        "affected_tests": {path: format(bits.get(path, 0), "x") for path in sources},
        "scenarios": [s.to_json() for s in scenarios],
    }


def load_manifest(path: Path) -> Manifest:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Manifest(
        files=data["files"],
        seed=data["seed"],
        version=data["generator_version"],
        test_files=tuple(data["test_files"]),
        tests_per_file=data["tests_per_file"],
        kinds=data["kinds"],
        scenarios={s["name"]: Scenario.from_json(s) for s in data["scenarios"]},
    )


def affected_by(data: dict[str, Any], path: str) -> list[str]:
    """The test files that transitively import ``path``, from a loaded manifest's JSON data."""
    bits = int(data["affected_tests"].get(path, "0"), 16)
    return [t for i, t in enumerate(data["test_files"]) if bits >> i & 1]
