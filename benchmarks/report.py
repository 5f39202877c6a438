"""The results as a Markdown table (targets of issue 4 next to the measured figures) and JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .runner import Results, SelectionCheck
from .scenarios import ORDER

MET = "met"
MISSED = "**missed**"
NA = "n/a"


@dataclass(frozen=True)
class Row:
    what: str
    measured: str
    compared_with: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = ""

    def cells(self) -> list[str]:
        return [self.what, self.measured, self.compared_with, self.ratio, self.target, self.verdict]


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f} s"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value * 1000:.1f} ms"


def _verdict(ok: bool | None) -> str:
    return NA if ok is None else (MET if ok else MISSED)


def _ratio_row(what: str, value: float | None, base: float | None, base_label: str, target: str = "",
               limit: float | None = None) -> Row:
    if value is None or base is None or base <= 0:
        return Row(what, _s(value), base_label, "", target, NA if limit is not None else "")
    ratio = value / base
    verdict = _verdict(ratio <= limit) if limit is not None else ""
    return Row(what, _s(value), f"{base_label} ({base:.3f} s)", f"{ratio:.2f}x", target, verdict)


def time_rows(results: Results) -> list[Row]:
    t = {name: timing.median for name, timing in results.timings.items()}
    engine = results.engine
    walk = engine.get("stat_walk_s")
    rows = [
        Row("`pytest --version`", _s(t.get("version"))),
    ]
    if "startup" in t and "startup_without_plugin" in t:
        cost = t["startup"] - t["startup_without_plugin"]
        ok = cost <= max(0.02, 0.05 * t["startup_without_plugin"])
        rows.append(Row("`pytest` in an empty directory, plugin installed, no `--delta`", _s(t["startup"]),
                        f"`-p no:delta` ({t['startup_without_plugin']:.3f} s)", f"{cost * 1000:+.0f} ms",
                        "no measurable start-up cost", _verdict(ok)))
    rows += [
        Row("stat walk of the tree (engine, in process)", _s(walk)),
        Row("`pytest --co -q`", _s(t.get("collect"))),
        Row("`pytest` (full suite)", _s(t.get("full"))),
        _ratio_row("`pytest --delta`, first run", t.get("delta_first"), t.get("full"), "full `pytest`",
                   "≤ 1.15x", 1.15),
    ]
    base = t["version"] + walk if "version" in t and walk is not None else None
    rows.append(_ratio_row("`pytest --delta`, no change", t.get("delta_no_change"), base,
                           "`pytest --version` + stat walk", "≤ 1.5x", 1.5))
    ref_nc = t.get("reference_no_change")
    nc = t.get("delta_no_change")
    if ref_nc is not None and nc:
        speedup = ref_nc / nc
        rows.append(Row("`pytest --delta`, no change, against 2.0.0", _s(nc),
                        f"pytest-delta 2.0.0 ({ref_nc:.3f} s)", f"{speedup:.1f}x faster", "≥ 30x faster",
                        _verdict(speedup >= 30)))
    else:
        rows.append(Row("`pytest --delta`, no change, against 2.0.0", _s(nc), "pytest-delta 2.0.0 not measured",
                        "", "≥ 30x faster", NA))
    labels = {"leaf": "one leaf module edited", "hub": "the biggest hub edited", "test": "one test file edited",
              "branch": "branch switch (5% of files)"}
    for name, label in labels.items():
        files = len(results.manifest.scenarios[name].expected)
        limit = 1.2 if name == "leaf" else None
        rows.append(_ratio_row(f"`pytest --delta`, {label}", t.get(f"delta_{name}"), t.get(f"plain_{name}"),
                               f"`pytest` on its {files} affected test files", "≤ 1.2x" if limit else "",
                               limit))
    if "reference_first" in t:
        rows += [
            _ratio_row("pytest-delta 2.0.0, first run", t.get("reference_first"), t.get("full"), "full `pytest`"),
            _ratio_row("pytest-delta 2.0.0, no change", t.get("reference_no_change"), t.get("collect"),
                       "`pytest --co -q`"),
            _ratio_row("pytest-delta 2.0.0, one leaf module edited", t.get("reference_leaf"), t.get("plain_leaf"),
                       "`pytest` on the affected test files"),
        ]
    return rows


def engine_rows(results: Results) -> list[Row]:
    e = results.engine
    if not e or "error" in e:
        return [Row("engine probe", "failed" if e else "not run")]
    size = e["snapshot_bytes"]
    ref_size = e.get("reference_snapshot_bytes")
    return [
        Row("snapshot size", f"{size / 1e6:.2f} MB", f"pytest-delta 2.0.0: {ref_size / 1e6:.2f} MB" if ref_size else "",
            "", "< 3 MB", _verdict(size < 3e6)),
        Row("snapshot load (`load_snapshot`)", _ms(e["load_s"]), "", "", "< 50 ms", _verdict(e["load_s"] < 0.05)),
        Row(f"`Workspace.update` + affected set, p50 of {e['update_edits']} edits", _ms(e["update_p50_s"])),
        Row(f"`Workspace.update` + affected set, p95 of {e['update_edits']} edits", _ms(e["update_p95_s"]), "", "",
            "< 50 ms", _verdict(e["update_p95_s"] is not None and e["update_p95_s"] < 0.05)),
        Row(f"`Workspace.update`, slowest of {e['update_edits']} edits", _ms(e.get("update_max_s")),
            "the first builds the reverse graph"),
        Row("RSS with the graph loaded", f"{e['rss_graph_loaded_mb']:.0f} MB",
            f"bare interpreter {e['rss_interpreter_mb']:.0f} MB", "", "< 300 MB",
            _verdict(e["rss_graph_loaded_mb"] < 300)),
        Row(f"RSS after the {e['update_edits']} edits", f"{e['rss_after_updates_mb']:.0f} MB",
            f"peak {e['rss_peak_mb']:.0f} MB", "", "< 300 MB", _verdict(e["rss_peak_mb"] < 300)),
        Row("`Workspace.scan()` with no change (in process)", _ms(e["scan_no_change_s"]),
            "" if e.get("options_match", True) else "engine options not reproduced: includes re-resolving"),
    ]


def _selection_table(checks: list[SelectionCheck], tool: str) -> list[str]:
    lines = [f"| Scenario ({tool}) | Must run | With TYPE_CHECKING imports | Ran | Missing | Extra beyond static "
             "| Tests run | Check |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    by_name: dict[str, list[SelectionCheck]] = {}
    for check in checks:
        by_name.setdefault(check.scenario, []).append(check)
    for name in ORDER:
        group = by_name.get(name)
        if not group:
            continue
        worst = next((c for c in group if not c.ok), group[-1])
        verdict = "ok" if all(c.ok for c in group) else "FAILED: " + "; ".join(worst.problems)
        lines.append(f"| {name} | {worst.expected} | {worst.expected_static} | {worst.selected_files} | "
                     f"{len(worst.missing)} | {worst.extra_over_static} | {worst.tests_run} | {verdict} |")
    return lines


def _table(rows: list[Row]) -> list[str]:
    lines = ["| Measurement | Measured | Compared with | Ratio | Target (issue 4, 20k files) | Verdict |",
             "|---|---:|---|---:|---|---|"]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return lines


def markdown(results: Results) -> str:
    options = results.options
    manifest = results.manifest
    machine = results.machine
    lines = [
        f"## {options.size}: {manifest.files} files, {len(manifest.test_files)} test files, "
        f"{manifest.total_tests} tests",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory']}; {machine['platform']}; "
        f"Python and pytest {machine['python_and_pytest']}; pytest-delta sources {machine['pytest_delta_sources']}"
        + (f"; reference: {machine['reference_python_and_pytest']}" if machine.get("reference_python_and_pytest")
           else "")
        + f"; load average at start {machine['load_average_at_start']}. Median of {options.repeat} run(s) "
        "of each whole command.",
        "",
    ]
    if not options.check_only:
        lines += [*_table(time_rows(results)), ""]
    lines += [*_table(engine_rows(results)), ""]
    lines += [*_selection_table(results.checks, "pytest --delta"), ""]
    if results.reference_checks:
        lines += [*_selection_table(results.reference_checks, "pytest-delta 2.0.0"), ""]
    for problem in results.problems:
        lines.append(f"- PROBLEM: {problem}")
    for note in results.notes:
        lines.append(f"- {note}")
    return "\n".join(lines).rstrip() + "\n"


def to_json(results: Results) -> dict[str, Any]:
    options = results.options
    return {
        "size": options.size,
        "files": results.manifest.files,
        "test_files": len(results.manifest.test_files),
        "tests": results.manifest.total_tests,
        "repeat": options.repeat,
        "check_only": options.check_only,
        "machine": results.machine,
        "ok": results.ok,
        "problems": results.problems,
        "timings": {name: timing.to_json() for name, timing in results.timings.items()},
        "engine": results.engine,
        "selection_checks": [c.to_json() for c in results.checks],
        "reference_selection_checks": [c.to_json() for c in results.reference_checks],
        "rows": [row.__dict__ for row in (time_rows(results) if not options.check_only else [])]
        + [row.__dict__ for row in engine_rows(results)],
        "scenarios": {name: s.description for name, s in results.manifest.scenarios.items()},
    }


def write(results: Results, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    suffix = "-check" if results.options.check_only else ""
    md = directory / f"{results.options.size}{suffix}.md"
    js = directory / f"{results.options.size}{suffix}.json"
    md.write_text(markdown(results), encoding="utf-8")
    js.write_text(json.dumps(to_json(results), indent=2) + "\n", encoding="utf-8")
    return md, js
