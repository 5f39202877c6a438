"""Running a scenario in a headless Neovim with the plugin (editors/neovim/tests/driver.lua).

A scenario is a list of steps, built with the functions below; each step acts like a user or waits until
what the user sees matches what it expects. The driver records what each step observed, and the tests
assert on that.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .tools import EDITORS, Neovim

INIT = EDITORS / "neovim" / "tests" / "init.lua"
SCENARIO_TIMEOUT_S = 300


@dataclass(frozen=True)
class Scenario:
    steps: list[dict[str, Any]]
    notifications: list[dict[str, Any]] = field(default_factory=list)
    messages: str = ""
    error: str | None = None
    stderr: str = ""

    def step(self, index: int) -> dict[str, Any]:
        assert index < len(self.steps), f"the scenario stopped before step {index}:\n{self.report()}"
        return self.steps[index]

    def observed(self, index: int) -> Any:
        step = self.step(index)
        assert step.get("ok", True), f"step {index} ({step['op']}) timed out:\n{self.report()}"
        return step.get("observed")

    def report(self) -> str:
        lines = [f"{index}: {json.dumps(step, ensure_ascii=False)}" for index, step in enumerate(self.steps)]
        if self.error:
            lines.append(f"error: {self.error}")
        lines.append(f"notifications: {json.dumps(self.notifications, ensure_ascii=False)}")
        lines.append(f"messages: {self.messages}")
        if self.stderr.strip():
            lines.append(f"stderr: {self.stderr[-2000:]}")
        return "\n".join(lines)


def run(nvim: Neovim, project: Path, steps: list[dict[str, Any]], setup: dict[str, Any] | None = None,
        user_init: Path | None = None, extra_env: dict[str, str] | None = None) -> Scenario:
    """Runs `steps` in `nvim` with its working directory in `project`, after `setup(setup)` or after
    sourcing `user_init` (a user's init.lua)."""
    state = project.parent / f"{project.name}-nvim-state"
    state.mkdir(exist_ok=True)
    steps_file = state / "steps.json"
    result_file = state / "result.json"
    steps_file.write_text(json.dumps(steps), encoding="utf-8")
    env = {
        **os.environ,
        **(extra_env or {}),
        "PYTEST_DELTA_SETUP": json.dumps(setup) if setup is not None else "",
        "PYTEST_DELTA_USER_INIT": str(user_init) if user_init is not None else "",
        "PYTEST_DELTA_STEPS": str(steps_file),
        "PYTEST_DELTA_RESULT": str(result_file),
        # Keep the user's configuration, logs and shada out of it.
        "XDG_CONFIG_HOME": str(state / "config"),
        "XDG_DATA_HOME": str(state / "data"),
        "XDG_STATE_HOME": str(state / "state"),
        "XDG_CACHE_HOME": str(state / "cache"),
    }
    completed = subprocess.run(
        [str(nvim.path), "--headless", "-i", "NONE", "-n", "-u", str(INIT)],
        cwd=project, env=env, capture_output=True, text=True, timeout=SCENARIO_TIMEOUT_S,
        stdin=subprocess.DEVNULL,
    )
    if not result_file.is_file():
        raise AssertionError(f"{nvim.label} wrote no result (exit code {completed.returncode}):\n"
                             f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    data = json.loads(result_file.read_text(encoding="utf-8"))
    steps_out = data.get("steps") or []
    if isinstance(steps_out, dict):  # an empty Lua table encodes as {}
        steps_out = []
    return Scenario(steps=steps_out, notifications=data.get("notifications") or [],
                    messages=data.get("messages") or "", error=data.get("error"),
                    stderr=completed.stderr)


# -- steps ------------------------------------------------------------------------------------------

def edit(path: str) -> dict[str, Any]:
    return {"op": "edit", "path": path}


def split(path: str) -> dict[str, Any]:
    return {"op": "split", "path": path}


def set_lines(path: str, start: int, end: int, lines: list[str]) -> dict[str, Any]:
    """Replaces lines [start, end) (0-based) of the buffer, without saving."""
    return {"op": "set_lines", "path": path, "start": start, "end": end, "lines": lines}


def write(path: str) -> dict[str, Any]:
    return {"op": "write", "path": path}


def focus(path: str, line: int | None = None) -> dict[str, Any]:
    return {"op": "focus", "path": path, **({"line": line} if line is not None else {})}


def command(text: str) -> dict[str, Any]:
    return {"op": "command", "command": text}


def wait_attached(path: str, timeout: float = 60) -> dict[str, Any]:
    return {"op": "wait_attached", "path": path, "timeout": timeout}


def wait_lenses(path: str, expect: list[tuple[int, str]], timeout: float = 60) -> dict[str, Any]:
    """Waits until the lens text displayed per line (0-based) is exactly `expect`."""
    return {"op": "wait_lenses", "path": path, "expect": [list(pair) for pair in expect], "timeout": timeout}


def wait_diagnostics(path: str, expect: list[tuple[int, str]], timeout: float = 60) -> dict[str, Any]:
    """Waits until the buffer's diagnostics are exactly one per (line, message part) of `expect`."""
    return {"op": "wait_diagnostics", "path": path, "expect": [list(pair) for pair in expect],
            "timeout": timeout}


def wait_run_finished(timeout: float = 120) -> dict[str, Any]:
    return {"op": "wait_run_finished", "timeout": timeout}


def wait_eval(lua: str, expect: Any, timeout: float = 60) -> dict[str, Any]:
    """Waits until the Lua chunk `lua` returns `expect`."""
    return {"op": "wait_eval", "lua": lua, "expect": expect, "timeout": timeout}


def health() -> dict[str, Any]:
    return {"op": "health"}


def mappings(path: str) -> dict[str, Any]:
    return {"op": "mappings", "path": path}


def evaluate(lua: str) -> dict[str, Any]:
    return {"op": "eval", "lua": lua}
