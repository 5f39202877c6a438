"""The projects the safety suite mutates: the ones written for it, and the repository's example."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECTS_DIR = REPO / "tests" / "safety" / "projects"
EXAMPLE = REPO / "examples" / "shop"
#: The project where single-function edits are measured against the issue's 10% goal.
REEXPORT = "reexport"
#: Never copied: caches, and any snapshot or state a run left in the source tree.
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".delta*", ".hypothesis")


@dataclass(frozen=True)
class Project:
    name: str
    source: Path


def all_projects() -> tuple[Project, ...]:
    written = sorted(d for d in PROJECTS_DIR.iterdir() if (d / "pyproject.toml").is_file())
    order = {REEXPORT: 0}
    written.sort(key=lambda d: (order.get(d.name, 1), d.name))
    return (*(Project(d.name, d) for d in written), Project("shop", EXAMPLE))


def project_named(name: str) -> Project:
    for project in all_projects():
        if project.name == name:
            return project
    known = ", ".join(p.name for p in all_projects())
    raise LookupError(f"no safety project {name!r} (known: {known})")


def copy_project(project: Project, destination: Path) -> None:
    shutil.copytree(project.source, destination, ignore=_IGNORED)
