"""The VS Code extension (editors/vscode): `npm test` type-checks and compiles it, bundles it with esbuild,
packages the .vsix with vsce, then runs its node:test suites (activation with a stubbed `vscode` module,
settings, status bar, the packaged manifest, and the wire test against this Python's language server)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from . import tools
from .conftest import clean_env

pytestmark = pytest.mark.slow

EXTENSION = tools.EDITORS / "vscode"


def test_extension_builds_packages_and_passes_its_tests() -> None:
    npm = tools.npm()
    if not (EXTENSION / "node_modules" / "vscode-languageclient").is_dir():
        pytest.fail(f"the extension's dependencies are not installed: run `npm ci` in {EXTENSION}", pytrace=False)

    completed = subprocess.run(
        [npm, "test"], cwd=EXTENSION, capture_output=True, text=True, timeout=900,
        env={**clean_env(), "PYTEST_DELTA_PYTHON": sys.executable}, stdin=subprocess.DEVNULL,
    )

    output = completed.stdout + completed.stderr
    failures = [line.strip() for line in output.splitlines() if re.match(r"\s*not ok ", line)]
    assert completed.returncode == 0, "npm test failed:\n" + "\n".join(failures) + "\n" + output[-6000:]
    summary = dict(re.findall(r"^# (tests|pass|fail|cancelled|skipped) (\d+)$", output, re.MULTILINE))
    assert int(summary.get("tests", 0)) > 0, output[-3000:]
    assert summary.get("pass") == summary.get("tests"), output[-3000:]
    assert (EXTENSION / "build" / "pytest-delta.vsix").is_file()
