"""The benchmark run: plain pytest and ``pytest --delta`` timed side by side on one generated
repository, every ``--delta`` selection checked against the generator's answer."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .generate import reuse_or_generate
from .manifest import Manifest
from .measure import JunitResult, Sample, Timing, run
from .scenarios import BRANCH, FIRST, HUB, LEAF, NO_CHANGE, TEST, Scenario
from .trees import ScenarioTree, fresh_copy

SNAPSHOT = ".delta.msgpack"
#: Scenarios timed with plain pytest on exactly their affected test files.
EDIT_SCENARIOS = (LEAF, HUB, TEST, BRANCH)
#: What the optional pytest-delta 2.0.0 comparison times.
REFERENCE_SCENARIOS = (FIRST, NO_CHANGE, LEAF)
#: More than the engine's racy window (2 s): files older than this when a snapshot is written
#: are trusted by their stat data on the next run.
SETTLE_S = 2.5


@dataclass(frozen=True)
class RunOptions:
    size: str
    files: int
    repeat: int
    python: str
    work_dir: Path
    results_dir: Path | None
    reference_python: str | None = None
    check_only: bool = False
    seed: int = 20_000
    edits: int = 50


@dataclass(frozen=True)
class SelectionCheck:
    """One ``pytest --delta`` run's selection against the manifest's answer."""

    scenario: str
    tool: str
    expected: int
    expected_static: int
    selected_files: int
    tests_run: int
    missing: tuple[str, ...]
    extra_over_runtime: int
    extra_over_static: int
    failed_tests: int
    returncode: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "tool": self.tool, "ok": self.ok, "expected_files": self.expected,
            "expected_static_files": self.expected_static, "selected_files": self.selected_files,
            "tests_run": self.tests_run, "missing": list(self.missing[:20]), "missing_count": len(self.missing),
            "extra_over_runtime": self.extra_over_runtime, "extra_over_static": self.extra_over_static,
            "failed_tests": self.failed_tests, "returncode": self.returncode, "problems": list(self.problems),
        }


def check_selection(scenario: Scenario, manifest: Manifest, result: JunitResult, returncode: int,
                    tool: str = "pytest-delta", output: str = "") -> SelectionCheck:
    """Every test file the scenario affects must have run, every test that ran must have passed."""
    expected = set(scenario.expected)
    missing = tuple(sorted(expected - result.files))
    problems = []
    if missing:
        problems.append(f"{len(missing)} affected test file(s) not run, e.g. {', '.join(missing[:3])}")
    if scenario.everything and result.tests != manifest.total_tests:
        problems.append(f"first run ran {result.tests} tests, not all {manifest.total_tests}")
    if result.failed:
        problems.append(f"{result.failed} test(s) failed")
    if returncode != 0:
        tail = " | ".join(output.strip().splitlines()[-3:])
        problems.append(f"exit status {returncode}: {tail}")
    return SelectionCheck(
        scenario=scenario.name, tool=tool, expected=len(expected), expected_static=len(scenario.expected_static),
        selected_files=len(result.files), tests_run=result.tests, missing=missing,
        extra_over_runtime=len(result.files - expected),
        extra_over_static=len(result.files - set(scenario.expected_static)),
        failed_tests=result.failed, returncode=returncode, problems=tuple(problems),
    )


@dataclass
class Results:
    """Everything one run measured; turned into the JSON file and the Markdown table."""

    options: RunOptions
    manifest: Manifest
    machine: dict[str, Any]
    timings: dict[str, Timing] = field(default_factory=dict)
    checks: list[SelectionCheck] = field(default_factory=list)
    reference_checks: list[SelectionCheck] = field(default_factory=list)
    engine: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(c.ok for c in self.checks)


@dataclass(frozen=True)
class Job:
    """One command timed once per round."""

    key: str
    label: str
    command: tuple[str, ...]
    cwd: Path
    prepare: Callable[[], None] | None = None
    after: Callable[[Sample], None] | None = None


class Copy:
    """A working copy of the repository for one tool, with its snapshot and JUnit report."""

    def __init__(self, runner: Runner, name: str, python: str) -> None:
        self.python = python
        self.root = runner.base / name
        self.tree = ScenarioTree(self.root, runner.pristine)
        self.snapshot = self.root / SNAPSHOT
        self.junit = runner.base / f"{name}-junit.xml"
        self.baseline = b""
        fresh_copy(runner.pristine, self.root)
        self.copied = time.monotonic()
        runner.warm(python, self.root)

    def restore(self, scenario: Scenario | None = None) -> None:
        """The settled snapshot back, and the files as ``scenario`` leaves them (pristine for None)."""
        if self.baseline:
            self.snapshot.write_bytes(self.baseline)
        if scenario is None:
            self.tree.revert()
        else:
            self.tree.apply(scenario)


class Runner:
    """Runs the measurements in rounds: each round runs every command of a phase once, so that
    load from other processes on a shared machine falls on all of them alike."""

    def __init__(self, options: RunOptions, log: Callable[[str], None] | None = None) -> None:
        self.options = options
        self.base = options.work_dir / options.size
        self.pristine = self.base / "repo"
        self.started = time.perf_counter()
        self._log = log or (lambda message: print(message, file=sys.stderr, flush=True))

    def log(self, message: str) -> None:
        self._log(f"[{time.perf_counter() - self.started:7.1f}s] {message}")

    def pytest(self, python: str, *args: str) -> tuple[str, ...]:
        return (python, "-m", "pytest", "-p", "no:cacheprovider", *args)

    def warm(self, python: str, root: Path) -> None:
        """Compile every module once (``__pycache__``), so that no timed run pays for it."""
        sample = run(self.pytest(python, "--co", "-q"), root)
        if sample.returncode != 0:
            raise RuntimeError(f"collection fails in {root}:\n{sample.output[-3000:]}")

    def rounds(self, jobs: list[Job]) -> dict[str, Timing]:
        samples: dict[str, list[float]] = {job.key: [] for job in jobs}
        for _ in range(self.options.repeat):
            for job in jobs:
                for arg in job.command:
                    if arg.startswith("--junitxml="):
                        # A run that writes no report must not be judged by the previous one's.
                        Path(arg.partition("=")[2]).unlink(missing_ok=True)
                if job.prepare is not None:
                    job.prepare()
                sample = run(job.command, job.cwd)
                samples[job.key].append(sample.seconds)
                if job.after is not None:
                    job.after(sample)
        timings = {}
        for job in jobs:
            timing = Timing(job.label, tuple(samples[job.key]))
            timings[job.key] = timing
            self.log(f"{job.label}: {timing.median:.3f}s (median of {len(timing.samples)})")
        return timings

    # -- the whole run ---------------------------------------------------------------------------

    def run(self) -> Results:
        options = self.options
        self.log(f"repository of {options.files} files in {self.pristine}")
        manifest, generated = reuse_or_generate(options.files, self.pristine, options.seed)
        self.log("generated" if generated else "reused the generated repository")
        results = Results(options, manifest, machine_description(options.python, options.reference_python))
        timed = not options.check_only
        self.log("making working copies")
        plain = Copy(self, "plain", options.python) if timed else None
        delta = Copy(self, "delta", options.python)
        reference = Copy(self, "reference", options.reference_python) if options.reference_python else None
        tools = [(delta, "pytest-delta", "delta", results.checks)]
        if reference is not None:
            tools.append((reference, "pytest-delta 2.0.0", "reference", results.reference_checks))

        # Phase 1: no snapshot yet.
        jobs = self._plain_suite_jobs(plain, manifest, results) if plain else []
        for copy, tool, key, checks in tools:
            jobs.append(Job(f"{key}_first", f"{tool}, first run", self._delta_command(copy), copy.root,
                            prepare=lambda c=copy: c.snapshot.unlink(missing_ok=True),  # type: ignore[misc]
                            after=self._checker(copy, manifest.scenarios[FIRST], manifest, checks, tool)))
        results.timings.update(self.rounds(jobs))

        # Phase 2: the baseline snapshot every later run starts from.
        for copy, *_ in tools:
            self._settle(copy)
        results.engine = self.engine_probe(delta)
        if reference is not None:
            results.engine["reference_snapshot_bytes"] = len(reference.baseline)

        # Phase 3: no change, next to pytest's own start-up.
        jobs = []
        if plain is not None:
            # ``pytest --version`` loads no plugin: start-up with plugins is timed where nothing is collected.
            empty = self.base / "empty"
            empty.mkdir(exist_ok=True)
            jobs += [Job("version", "pytest --version", self.pytest(plain.python, "--version"), plain.root),
                     Job("startup", "pytest in an empty directory", self.pytest(plain.python, "-q"), empty),
                     Job("startup_without_plugin", "pytest -p no:delta in an empty directory",
                         self.pytest(plain.python, "-p", "no:delta", "-q"), empty)]
        for copy, tool, key, checks in tools:
            jobs.append(Job(f"{key}_no_change", f"{tool}, no change", self._delta_command(copy), copy.root,
                            prepare=copy.restore,
                            after=self._checker(copy, manifest.scenarios[NO_CHANGE], manifest, checks, tool)))
        results.timings.update(self.rounds(jobs))

        # Phase 4: one scenario at a time, plain pytest on its affected files next to --delta.
        for name in EDIT_SCENARIOS:
            scenario = manifest.scenarios[name]
            jobs = []
            if plain is not None and scenario.expected:
                jobs.append(self._plain_scenario_job(plain, scenario, manifest, results))
            for copy, tool, key, checks in tools:
                if key == "reference" and name not in REFERENCE_SCENARIOS:
                    continue
                jobs.append(Job(f"{key}_{name}", f"{tool}, {scenario.description}", self._delta_command(copy),
                                copy.root, prepare=lambda c=copy, s=scenario: c.restore(s),  # type: ignore[misc]
                                after=self._checker(copy, scenario, manifest, checks, tool)))
            results.timings.update(self.rounds(jobs))
        for used in (plain, delta, reference):
            if used is not None:
                used.restore()
        if plugin_fingerprint(options.python) != results.machine["pytest_delta_sources"]:
            results.problems.append("the pytest_delta sources changed during the run: its figures mix two versions")
        return results

    def _delta_command(self, copy: Copy) -> tuple[str, ...]:
        return self.pytest(copy.python, "--delta", "-q", f"--junitxml={copy.junit}")

    def _checker(self, copy: Copy, scenario: Scenario, manifest: Manifest, into: list[SelectionCheck],
                 tool: str) -> Callable[[Sample], None]:
        def check(sample: Sample) -> None:
            outcome = check_selection(scenario, manifest, JunitResult.read(copy.junit), sample.returncode, tool,
                                      sample.output)
            into.append(outcome)
            if not outcome.ok and copy.root.name == "delta":
                self.log(f"SELECTION CHECK FAILED ({tool}, {scenario.name}): {'; '.join(outcome.problems)}")
        return check

    def _verifier(self, copy: Copy, label: str, files: int, manifest: Manifest,
                  results: Results) -> Callable[[Sample], None]:
        """Plain runs must run exactly the tests meant, all passing: else the baseline is wrong."""
        def check(sample: Sample) -> None:
            result = JunitResult.read(copy.junit)
            want = files * manifest.tests_per_file
            if sample.returncode != 0 or result.failed or result.tests != want:
                results.problems.append(f"plain {label}: exit {sample.returncode}, {result.tests} tests run "
                                        f"(want {want}), {result.failed} failed")
        return check

    def _plain_suite_jobs(self, plain: Copy, manifest: Manifest, results: Results) -> list[Job]:
        return [
            Job("collect", "pytest --co -q", self.pytest(plain.python, "--co", "-q"), plain.root),
            Job("full", "pytest (full suite)", self.pytest(plain.python, "-q", f"--junitxml={plain.junit}"),
                plain.root, after=self._verifier(plain, "full run", len(manifest.test_files), manifest, results)),
        ]

    def _plain_scenario_job(self, plain: Copy, scenario: Scenario, manifest: Manifest, results: Results) -> Job:
        files = list(scenario.expected)
        return Job(f"plain_{scenario.name}", f"pytest on the {len(files)} test files a {scenario.name} edit affects",
                   self.pytest(plain.python, "-q", f"--junitxml={plain.junit}", *files), plain.root,
                   prepare=lambda: plain.restore(scenario),
                   after=self._verifier(plain, f"{scenario.name} files", len(files), manifest, results))

    def _settle(self, copy: Copy) -> None:
        """Write the baseline every later run starts from: a snapshot taken when no file is
        within the racy window any more, so that it vouches for every file by its stat data."""
        wait = SETTLE_S - (time.monotonic() - copy.copied)
        if wait > 0:
            time.sleep(wait)
        sample = run(self._delta_command(copy), copy.root)
        if sample.returncode != 0 or not copy.snapshot.is_file():
            raise RuntimeError(f"pytest --delta did not leave a snapshot in {copy.root}:\n{sample.output[-3000:]}")
        copy.baseline = copy.snapshot.read_bytes()

    def engine_probe(self, delta: Copy) -> dict[str, Any]:
        edits = min(self.options.edits, 10) if self.options.check_only else self.options.edits
        probe = Path(__file__).with_name("engine_probe.py")
        command = [delta.python, str(probe), str(delta.root), "--snapshot", str(delta.snapshot), "--edits", str(edits)]
        sample = run(command, delta.root)
        if sample.returncode != 0:
            self.log(f"engine probe failed:\n{sample.output[-2000:]}")
            return {"error": sample.output[-2000:]}
        data: dict[str, Any] = json.loads(sample.output.strip().splitlines()[-1])
        self.log(f"engine: snapshot {data['snapshot_bytes'] / 1e6:.2f} MB, load {data['load_s'] * 1000:.1f} ms, "
                 f"update p95 {(data['update_p95_s'] or 0) * 1000:.1f} ms, RSS {data['rss_graph_loaded_mb']:.0f} MB")
        return data


_FINGERPRINT = """
import hashlib, pathlib, pytest_delta
root = pathlib.Path(pytest_delta.__file__).parent
digest = hashlib.sha256()
for path in sorted(root.rglob("*.py")):
    digest.update(path.relative_to(root).as_posix().encode() + b"\\0" + path.read_bytes())
print(pytest_delta.__version__, digest.hexdigest()[:12])
"""


def plugin_fingerprint(python: str) -> str:
    """Version and a digest of the installed pytest_delta sources: figures belong to one state
    of the code, and a run during which it changed mixes two."""
    return run([python, "-c", _FINGERPRINT], Path.cwd()).output.strip()


def machine_description(python: str, reference_python: str | None) -> dict[str, Any]:
    import os
    import platform

    def version_of(interpreter: str) -> str:
        sample = run([interpreter, "-c", "import sys, pytest; print(sys.version.split()[0], pytest.__version__)"],
                     Path.cwd())
        return sample.output.strip()

    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            memory = f"{int(handle.readline().split()[1]) / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ()
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "load_average_at_start": [round(x, 2) for x in load],
        "python_and_pytest": version_of(python),
        "pytest_delta_sources": plugin_fingerprint(python),
        "reference_python_and_pytest": version_of(reference_python) if reference_python else None,
    }
