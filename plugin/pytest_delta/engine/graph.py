"""The dependency graph between tracked files, asked the questions selection needs.

Edges point from a file to what it depends on. The reverse graph answers "what depends on
X" (:meth:`Graph.find_dependents`), breadth first so that the predecessor recorded for each
file lies on a shortest chain back to a changed file (:meth:`Graph.chain`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping


class Graph:
    """An immutable file-level import graph; the reverse edges are built on first use."""

    __slots__ = ("_deps", "_reverse")

    def __init__(self, deps: Mapping[str, tuple[str, ...]]) -> None:
        self._deps = deps
        self._reverse: dict[str, list[str]] | None = None

    @property
    def deps(self) -> Mapping[str, tuple[str, ...]]:
        return self._deps

    def __len__(self) -> int:
        return len(self._deps)

    def __contains__(self, path: object) -> bool:
        return path in self._deps

    def dependencies(self, path: str) -> tuple[str, ...]:
        """What ``path`` imports directly (including its implicit ``__init__``/conftest edges)."""
        return self._deps.get(path, ())

    def dependents(self, path: str) -> list[str]:
        """Files that import ``path`` directly."""
        return self._reverse_edges().get(path, [])

    def find_dependencies(self, starts: Iterable[str], limit: int | None = None) -> Iterator[str]:
        """``starts`` and every file they depend on, transitively, nearest first (at most
        ``limit`` of them)."""
        seen = dict.fromkeys(starts)
        queue = deque(seen)
        while queue:
            current = queue.popleft()
            yield current
            for dep in self.dependencies(current):
                if dep not in seen and (limit is None or len(seen) < limit):
                    seen[dep] = None
                    queue.append(dep)

    def _reverse_edges(self) -> dict[str, list[str]]:
        if self._reverse is None:
            reverse: dict[str, list[str]] = {}
            for source, targets in self._deps.items():
                for target in targets:
                    reverse.setdefault(target, []).append(source)
            self._reverse = reverse
        return self._reverse

    def find_dependents(self, seeds: Iterable[str], also: Mapping[str, str] | None = None) -> dict[str, str | None]:
        """Every file that transitively depends on a seed, the seeds included.

        Maps each file to the file it was reached from (``None`` for a seed), so that
        :meth:`chain` can say why it is affected. ``also`` adds files affected by a seed
        without an import edge (the modules beside a changed data file), each with its seed.
        """
        seeds = list(seeds)
        if not seeds and not also:
            return {}  # a run with no change: no reverse graph to build
        reverse = self._reverse_edges()
        reached: dict[str, str | None] = {}
        queue: deque[str] = deque()
        for seed in seeds:
            if seed not in reached:
                reached[seed] = None
                queue.append(seed)
        for path, seed in (also or {}).items():
            if path not in reached:
                reached[path] = seed
                queue.append(path)
        while queue:
            current = queue.popleft()
            for importer in reverse.get(current, ()):
                if importer not in reached:
                    reached[importer] = current
                    queue.append(importer)
        return reached

    @staticmethod
    def chain(reached: Mapping[str, str | None], path: str) -> list[str]:
        """The import chain from ``path`` back to the seed it was reached from:
        ``[path, what path imports, ..., changed file]``; empty when ``path`` was not reached."""
        if path not in reached:
            return []
        out = [path]
        step = reached[path]
        while step is not None and len(out) <= len(reached):
            out.append(step)
            step = reached[step]
        return out

    def find_shortest_chain(self, importer: str, imported: str) -> list[str] | None:
        """A shortest chain of direct imports from ``importer`` to ``imported``, or None."""
        if importer == imported:
            return [importer]
        previous: dict[str, str] = {importer: importer}
        queue: deque[str] = deque([importer])
        while queue:
            current = queue.popleft()
            for target in self._deps.get(current, ()):
                if target in previous:
                    continue
                previous[target] = current
                if target == imported:
                    out = [target]
                    while out[-1] != importer:
                        out.append(previous[out[-1]])
                    return out[::-1]
                queue.append(target)
        return None
