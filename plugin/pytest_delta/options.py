"""Command-line and ini options of pytest-delta, and the settings resolved from them.

Kept apart from the hooks so that ``pytest`` without ``--delta`` imports nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

DEFAULT_FILE = ".delta.msgpack"
#: The ini default of delta_data_files: pytest 7 reads an unset list option as [], which must
#: not mean "no data files".
_DEFAULT_SUFFIXES = "(defaults)"
PRECISIONS = ("symbol", "file")
DEFAULT_PRECISION = "symbol"


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("delta", "pytest-delta: run only the tests a change can affect")
    group.addoption("--delta", action="store_true", default=False,
                    help="run only the tests affected by changes since the last --delta run "
                         "(first run: all tests, and a snapshot is written)")
    group.addoption("--delta-file", metavar="PATH", default=None,
                    help=f"snapshot file (default: {DEFAULT_FILE} in the rootdir; relative paths "
                         "resolve against the rootdir; ini: delta_file). Write --delta-file=PATH: pytest "
                         "finds its rootdir before plugins parse their options, and would take a separate "
                         "PATH that exists for a test path")
    group.addoption("--delta-rebuild", action="store_true", default=False,
                    help="ignore the snapshot: run every test and write a fresh one")
    group.addoption("--delta-no-save", action="store_true", default=False,
                    help="read the snapshot but never write it")
    group.addoption("--delta-debug", action="store_true", default=False,
                    help="print what changed, what it affects and why tests were selected")
    group.addoption("--delta-precision", choices=PRECISIONS, default=None,
                    help="symbol: within affected files, run only the tests that reach a changed function "
                         "or method (escalating to file level wherever that cannot be proven); file: every test "
                         f"of every affected file (default: {DEFAULT_PRECISION}; ini: delta_precision)")
    group.addoption("--delta-since", metavar="REF", default=None,
                    help="select from the files changed between REF (its merge base with HEAD) and the "
                         "working tree, as git reports them, with the current import graph; for pull-request "
                         "CI: no snapshot needed, and none is written")
    group.addoption("--delta-explain", action="store_true", default=False,
                    help="print, for every selected test, the shortest reason it was selected")
    parser.addini("delta_precision", f"symbol or file (default: {DEFAULT_PRECISION})", default=None)
    parser.addini("delta_file", f"pytest-delta snapshot file (default: {DEFAULT_FILE})", default=None)
    parser.addini("delta_roots", "extra directories to resolve imports from (module roots are "
                  "otherwise discovered)", type="linelist", default=[])
    parser.addini("delta_exclude", "globs of paths (relative to the rootdir) that pytest-delta "
                  "does not track", type="linelist", default=[])
    parser.addini("delta_global_files", "more file name globs that configure the test run: a change "
                  "to one runs every test (always: pyproject.toml, setup.cfg, pytest.ini, tox.ini, .coveragerc, "
                  "requirements*.txt, uv.lock, poetry.lock)",
                  type="linelist", default=[])
    parser.addini("delta_data_files", "suffixes (or *.suffix globs) of data files tracked under the "
                  "directory rule (default: * for every file but bytecode and editor backups; empty: none)",
                  type="linelist", default=[_DEFAULT_SUFFIXES])


@dataclass(frozen=True)
class Settings:
    root: Path
    snapshot_path: Path
    rebuild: bool
    save: bool
    debug: bool
    extra_roots: tuple[str, ...]
    exclude: tuple[str, ...]
    precision: str = DEFAULT_PRECISION
    since: str | None = None
    explain: bool = False
    #: None: the engine's defaults.
    config_patterns: tuple[str, ...] | None = None
    data_suffixes: tuple[str, ...] | None = None

    @classmethod
    def from_config(cls, config: pytest.Config) -> Settings:
        root = config.rootpath
        raw = config.getoption("delta_file") or config.getini("delta_file") or DEFAULT_FILE
        snapshot = Path(str(raw)).expanduser()
        if not snapshot.is_absolute():
            snapshot = root / snapshot
        roots = [*_relative_dirs(root, config.getini("pythonpath") if _has_ini(config, "pythonpath") else []),
                 *_relative_dirs(root, [root / p for p in config.getini("delta_roots")])]
        return cls(
            root=root,
            snapshot_path=snapshot,
            rebuild=bool(config.getoption("delta_rebuild")),
            save=not config.getoption("delta_no_save"),
            debug=bool(config.getoption("delta_debug")),
            extra_roots=tuple(dict.fromkeys(roots)),
            exclude=tuple(str(p) for p in config.getini("delta_exclude")),
            precision=_precision(config),
            since=config.getoption("delta_since"),
            explain=bool(config.getoption("delta_explain")),
            config_patterns=_config_patterns(config),
            data_suffixes=_suffixes(config.getini("delta_data_files")),
        )


def _precision(config: pytest.Config) -> str:
    value = config.getoption("delta_precision") or config.getini("delta_precision") or DEFAULT_PRECISION
    if value not in PRECISIONS:
        raise pytest.UsageError(f"delta_precision must be one of {', '.join(PRECISIONS)}, not {value!r}")
    return str(value)


def _config_patterns(config: pytest.Config) -> tuple[str, ...]:
    from .engine.files import DEFAULT_CONFIG_FILES  # only with --delta: plain pytest imports no engine

    return (*DEFAULT_CONFIG_FILES, *(str(p) for p in config.getini("delta_global_files")))


def _suffixes(value: object) -> tuple[str, ...]:
    from .engine.files import DEFAULT_DATA_SUFFIXES, data_suffixes

    if value == [_DEFAULT_SUFFIXES]:
        return DEFAULT_DATA_SUFFIXES
    return data_suffixes(str(item) for item in value) if isinstance(value, list) else ()


def _has_ini(config: pytest.Config, name: str) -> bool:
    try:
        config.getini(name)
    except ValueError:
        return False
    return True


def _relative_dirs(root: Path, paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        try:
            rel = Path(path).resolve().relative_to(root.resolve())
        except ValueError:
            continue  # outside the root: its files are not tracked anyway
        out.append(rel.as_posix() if str(rel) != "." else "")
    return out
