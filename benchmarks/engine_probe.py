"""Engine figures measured inside one process: snapshot size and load time, the stat walk,
``Workspace.update`` latency per edit, and resident memory with the graph loaded.

Run as a script by the runner, with the interpreter under test (it imports only
``pytest_delta.engine``, never pytest), and prints one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_delta.engine import EngineOptions


def _rss_mb() -> float:
    """Current resident set size, from /proc (no psutil)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _options_of(meta: object, extra_roots: tuple[str, ...]) -> tuple[EngineOptions, bool]:
    """The engine options the plugin used for this snapshot (with others every import would
    resolve again, and the figures would measure a rebuild), and whether they were rebuilt
    exactly. The stored key is the extra roots followed by the track rules' fields in order."""
    import dataclasses

    from pytest_delta.engine import EngineOptions, TrackRules

    key = meta.get("engine_options") if isinstance(meta, dict) else None
    fallback = EngineOptions(extra_roots=extra_roots)
    if not isinstance(key, list) or not key:
        return fallback, False
    names = [f.name for f in dataclasses.fields(TrackRules)]
    try:
        rules = TrackRules(**{name: tuple(value) for name, value in zip(names, key[1:])})
        options = EngineOptions(extra_roots=tuple(key[0]), rules=rules)
    except (TypeError, ValueError):
        return fallback, False
    return options, options.key() == key


def probe(root: Path, snapshot: Path, edits: int, extra_roots: tuple[str, ...]) -> dict[str, object]:
    rss_start = _rss_mb()
    from pytest_delta.engine import Workspace, load_snapshot, scan_tree

    rss_imported = _rss_mb()
    # Memory first, in a process that has loaded nothing else: freed objects of the timing
    # loops below would stay in the allocator's arenas and inflate the resident size.
    baseline = load_snapshot(snapshot)
    if baseline is None:
        raise SystemExit(f"no snapshot at {snapshot}")
    options, options_match = _options_of(baseline.meta, extra_roots)
    started = time.perf_counter()
    workspace = Workspace(root, baseline, options)
    changes = workspace.scan()
    affected = len(workspace.affected)
    scan_s = time.perf_counter() - started
    gc.collect()
    rss_loaded = _rss_mb()
    loads = []
    for _ in range(5):
        started = time.perf_counter()
        loaded = load_snapshot(snapshot)
        loads.append(time.perf_counter() - started)
        del loaded
        gc.collect()
    walks = []
    for _ in range(5):
        started = time.perf_counter()
        tree = scan_tree(root)
        walks.append(time.perf_counter() - started)
    sources = sorted(p for p in tree if p.startswith("src/") and not p.endswith("__init__.py"))
    step = max(1, len(sources) // max(edits, 1))
    picked = sources[::step][:edits]
    latencies = []
    reverts = []
    sizes = []
    for number, path in enumerate(picked):
        text = (root / path).read_bytes() + f'\n_PROBE_EDIT_{number} = str.upper("probe")\n'.encode()
        started = time.perf_counter()
        workspace.update(path, text)
        sizes.append(len(workspace.affected))
        latencies.append(time.perf_counter() - started)
        started = time.perf_counter()
        workspace.update(path, None)
        len(workspace.affected)
        reverts.append(time.perf_counter() - started)
    gc.collect()
    return {
        "files": len(tree),
        "options_match": options_match,
        "snapshot_bytes": snapshot.stat().st_size,
        "load_s": statistics.median(loads),
        "load_samples_s": loads,
        "stat_walk_s": statistics.median(walks),
        "stat_walk_samples_s": walks,
        "scan_no_change_s": scan_s,
        "no_change_seeds": len(changes.seeds),
        "no_change_affected": affected,
        "update_edits": len(latencies),
        "update_p50_s": _percentile(latencies, 0.5) if latencies else None,
        "update_p95_s": _percentile(latencies, 0.95) if latencies else None,
        "update_max_s": max(latencies) if latencies else None,
        "revert_p50_s": _percentile(reverts, 0.5) if reverts else None,
        "update_affected_median": statistics.median(sizes) if sizes else None,
        "rss_interpreter_mb": rss_start,
        "rss_engine_imported_mb": rss_imported,
        "rss_graph_loaded_mb": rss_loaded,
        "rss_after_updates_mb": _rss_mb(),
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--snapshot", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--extra-root", action="append", default=[])
    args = parser.parse_args()
    print(json.dumps(probe(args.root, args.snapshot, args.edits, tuple(args.extra_root))))


if __name__ == "__main__":
    main()
