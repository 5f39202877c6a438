"""Command line: ``python -m benchmarks generate|run``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .generate import GenerateError, generate
from .plan import DEFAULT_SEED, MIN_FILES

HERE = Path(__file__).resolve().parent
NAMED_SIZES = {"1k": 1000, "5k": 5000, "20k": 20000}


def parse_size(text: str) -> int:
    """``1k``, ``5k``, ``20k`` or a number of files."""
    text = text.strip().lower()
    if text in NAMED_SIZES:
        return NAMED_SIZES[text]
    try:
        files = round(float(text[:-1]) * 1000) if text.endswith("k") else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use 1k, 5k, 20k or a number of files)") from None
    if files < MIN_FILES:
        raise argparse.ArgumentTypeError(f"at least {MIN_FILES} files")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write a synthetic repository and its manifest")
    gen.add_argument("--files", type=parse_size, required=True, help="number of .py files (or 1k, 5k, 20k)")
    gen.add_argument("--out", type=Path, required=True, help="directory to write (replaced if generated before)")
    gen.add_argument("--seed", type=int, default=DEFAULT_SEED)
    bench = commands.add_parser("run", help="time pytest and pytest --delta on a generated repository")
    bench.add_argument("--size", required=True, help="1k, 5k, 20k or a number of files")
    bench.add_argument("--repeat", type=int, default=3, help="runs of each command; the median is reported")
    bench.add_argument("--python", default=sys.executable,
                       help="interpreter with pytest-delta installed (default: this one)")
    bench.add_argument("--reference-python", default=None,
                       help="interpreter of a virtualenv with pytest-delta==2.0.0, to time it too")
    bench.add_argument("--check-only", action="store_true",
                       help="only check that --delta selections are right (one run each, no plain timings)")
    bench.add_argument("--work-dir", type=Path, default=HERE / ".work")
    bench.add_argument("--results-dir", type=Path, default=HERE / "results")
    bench.add_argument("--seed", type=int, default=DEFAULT_SEED)
    bench.add_argument("--edits", type=int, default=50, help="edits timed by the engine probe")
    args = parser.parse_args(argv)
    if args.command == "generate":
        try:
            manifest = generate(args.files, args.out, args.seed)
        except GenerateError as exc:
            parser.error(str(exc))
        print(json.dumps({"files": manifest.files, "test_files": len(manifest.test_files),
                          "tests": manifest.total_tests, "hubs": len(manifest.hubs),
                          "leaves": len(manifest.leaves), "out": str(args.out)}))
        return 0
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    from .report import markdown, write
    from .runner import Runner, RunOptions

    files = parse_size(args.size)
    size = args.size if args.size in NAMED_SIZES else str(files)
    options = RunOptions(
        size=size, files=files, repeat=1 if args.check_only else max(1, args.repeat), python=args.python,
        work_dir=args.work_dir.resolve(), results_dir=args.results_dir, reference_python=args.reference_python,
        check_only=args.check_only, seed=args.seed, edits=args.edits,
    )
    results = Runner(options).run()
    print(markdown(results))
    if options.results_dir is not None:
        md, js = write(results, options.results_dir)
        print(f"written: {md} and {js}", file=sys.stderr)
    failed = [c for c in results.checks if not c.ok]
    for check in failed:
        print(f"SELECTION CHECK FAILED: {check.scenario}: {'; '.join(check.problems)}", file=sys.stderr)
    for problem in results.problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    if not results.ok:
        return 1
    print("all selection checks passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
