"""The pending rule: what a run leaves for the next one.

A test stays pending until a run passes it; a partial run (``-k``, a path, ``-x``, ``--co``,
Ctrl-C, a crashed xdist worker) only ever removes what it actually passed. These are pure
functions so the rule can be read, and tested, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from .engine.files import iter_parents


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


@dataclass
class CollectionFacts:
    """What the run's collection showed (one process, or merged from xdist workers)."""

    #: Node ids that delta selected among everything collected (before ``-k``/``-m``).
    should_run: set[str] = field(default_factory=set)
    #: Files whose collection succeeded and was not narrowed to some of their tests.
    collected: set[str] = field(default_factory=set)
    #: Files, and directories (a broken ``conftest.py`` or ``__init__.py``), whose collection failed.
    errored: set[str] = field(default_factory=set)
    #: Node ids collected per file (before ``-k``/``-m``).
    ids: dict[str, list[str]] = field(default_factory=dict)
    #: Files holding tests marked ``delta_always``.
    always: set[str] = field(default_factory=set)
    #: Items whose file is not a tracked source (other plugins' items).
    foreign: bool = False
    #: True when the whole test suite was collected: a candidate file not collected holds no tests.
    complete: bool = False

    def failed_to_collect(self, path: str) -> bool:
        """Whether collecting ``path`` failed, itself or through a directory above it (``""``:
        the whole session's collection)."""
        return any(where in self.errored for where in (path, *iter_parents(path)))

    def to_wire(self) -> dict[str, object]:
        return {"should_run": sorted(self.should_run), "collected": sorted(self.collected),
                "errored": sorted(self.errored), "ids": self.ids, "always": sorted(self.always),
                "foreign": self.foreign, "complete": self.complete}

    @classmethod
    def from_wire(cls, data: Mapping[str, object]) -> CollectionFacts:
        def strings(key: str) -> set[str]:
            value = data.get(key, [])
            return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()

        ids = data.get("ids", {})
        clean = {k: [i for i in v if isinstance(i, str)] for k, v in ids.items()
                 if isinstance(k, str) and isinstance(v, list)} if isinstance(ids, dict) else {}
        return cls(strings("should_run"), strings("collected"), strings("errored"), clean, strings("always"),
                   bool(data.get("foreign")), bool(data.get("complete")))


@dataclass(frozen=True)
class Pending:
    tests: frozenset[str]
    files: frozenset[str]


def next_pending(
    *,
    previous: Pending,
    candidates: Iterable[str],
    facts: CollectionFacts | None,
    passed: Collection[str],
    exists: Callable[[str], bool],
) -> Pending:
    """What stays pending after this run.

    ``candidates`` are the affected files that may hold tests. ``facts`` is None when the run
    tells nothing about its collection (a crashed xdist worker): then nothing leaves.
    """
    if facts is None:
        facts = CollectionFacts()
    tests = {n for n in facts.should_run if n not in passed}
    for nodeid in previous.tests:
        path = file_of(nodeid)
        if not exists(path) or path in facts.collected or nodeid in facts.should_run:
            continue
        if facts.complete and not facts.failed_to_collect(path):
            continue  # the whole suite was collected and this file was not part of it
        tests.add(nodeid)
    files = set()
    for path in {*previous.files, *candidates}:
        if not exists(path) or path in facts.collected:
            continue
        if facts.complete and not facts.failed_to_collect(path):
            continue  # the whole suite was collected and this file gave no tests: it has none
        files.add(path)
    return Pending(frozenset(tests), frozenset(files))


def merge_test_ids(old: Mapping[str, tuple[str, ...]], facts: CollectionFacts | None,
                   exists: Callable[[str], bool]) -> dict[str, tuple[str, ...]]:
    """Node ids per file: this run's for the files it collected whole, the last known for the rest."""
    ids = {p: n for p, n in old.items() if exists(p)}
    if facts is not None:
        for path in facts.collected:
            ids[path] = tuple(facts.ids.get(path, ()))
    return ids
