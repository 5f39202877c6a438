"""Writing a generated repository to disk, with its manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .manifest import GENERATOR_VERSION, MANIFEST_PATH, Manifest, load_manifest, manifest_json
from .plan import DEFAULT_SEED, build_plan
from .render import render_all
from .scenarios import build_scenarios
from .truth import build_graph


class GenerateError(Exception):
    """The output directory cannot be used."""


def generate(files: int, out: Path, seed: int = DEFAULT_SEED) -> Manifest:
    """Write the repository of ``files`` .py files to ``out`` (replacing an earlier generated
    tree there, never anything else) and return its manifest."""
    if out.exists():
        if not out.is_dir():
            raise GenerateError(f"{out} is not a directory")
        if any(out.iterdir()):
            if not (out / MANIFEST_PATH).is_file():
                raise GenerateError(f"{out} is not empty and holds no generated repository; not touching it")
            shutil.rmtree(out)
    plan = build_plan(files, seed)
    graph = build_graph(plan)
    scenarios = build_scenarios(plan, graph)
    texts = render_all(plan)
    for relpath, text in texts.items():
        target = out / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    manifest_file = out / MANIFEST_PATH
    manifest_file.parent.mkdir(parents=True, exist_ok=True)
    data = manifest_json(plan, graph, scenarios)
    manifest_file.write_bytes(json.dumps(data, indent=1, sort_keys=True).encode("utf-8") + b"\n")
    return load_manifest(manifest_file)


def reuse_or_generate(files: int, out: Path, seed: int = DEFAULT_SEED) -> tuple[Manifest, bool]:
    """The manifest of the repository at ``out``, generating it first unless an up-to-date one
    (same size, seed and generator version) is there. The flag says whether it was generated."""
    manifest_file = out / MANIFEST_PATH
    if manifest_file.is_file():
        try:
            manifest = load_manifest(manifest_file)
        except (ValueError, KeyError):
            manifest = None
        if manifest is not None and (manifest.files, manifest.seed, manifest.version) == (
                files, seed, GENERATOR_VERSION):
            return manifest, False
    return generate(files, out, seed), True
