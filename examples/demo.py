"""Show pytest-delta at work on a copy of the example shop.

Runs, in a temporary copy: a first run (everything), a run with no change (nothing), an edit
of one module, and the selective run that follows, with ``--delta-debug`` so that you see why.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(project: Path, *args: str) -> int:
    command = [sys.executable, "-m", "pytest", "--delta", "-p", "no:cacheprovider", *args]
    print(f"\n$ pytest --delta {' '.join(args)}".rstrip(), flush=True)
    return subprocess.run(command, cwd=project, check=False).returncode


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="delta-demo-") as tmp:
        project = Path(tmp) / "shop"
        shutil.copytree(HERE / "shop", project, ignore=shutil.ignore_patterns(".delta.msgpack*", "__pycache__"))
        print(f"Example project copied to {project}")
        codes = [run(project, "-q")]
        print("\n# Nothing changed: nothing runs, exit code 0.")
        codes.append(run(project, "-q"))
        pricing = project / "src" / "shop" / "pricing.py"
        pricing.write_text(pricing.read_text().replace('"0.20"', '"0.25"'))
        print("\n# Edited src/shop/pricing.py (VAT 20% -> 25%): the tests that reach it run, and one fails.")
        codes.append(run(project, "--delta-debug", "-q"))
        print("\n# The failing test stays pending until it passes: it runs again.")
        codes.append(run(project, "-q"))
        pricing.write_text(pricing.read_text().replace('"0.25"', '"0.20"'))
        print("\n# Edit undone: the affected tests run once more and pass.")
        codes.append(run(project, "-q"))
        print("\n# And now nothing is left to run.")
        codes.append(run(project, "-q"))
    expected = [0, 0, 1, 1, 0, 0]
    if codes != expected:
        print(f"\nUnexpected exit codes {codes}, expected {expected}", file=sys.stderr)
        return 1
    print("\nDemo finished: every step behaved as described.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
